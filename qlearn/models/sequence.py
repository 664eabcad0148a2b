r"""Recurrent models step by step: unrolling, autoregressive forecasts, heads, and the classical
sequence baselines of chapter 5 (a GRU and a small CNN).

A *recurrent model* here is any module with

* ``initial_state(batch) -> state`` and
* ``step(x_t, state) -> (prediction_t, state)`` with ``x_t`` of shape ``(B, in_features)`` and
  ``prediction_t`` of shape ``(B, out_features)``.

:func:`unroll` runs one over a sequence, :func:`forecast` feeds its own predictions back, and
:func:`apply_head` turns the per-step predictions into the output of a task: the whole sequence
(``"sequence"``, next-step regression), one logit at the last step (``"binary"``) or class
logits at the last step (``"classes"``). :class:`~qlearn.models.QRU` and :class:`GRUNet` are
both recurrent models in this sense, so the experiments treat them alike.

Example:
    >>> import torch
    >>> gru = GRUNet(1, 3, 1, seed=0)
    >>> gru(torch.zeros(2, 5, 1)).shape, gru.n_parameters  # 3(3·1 + 3·3 + 2·3) + 3 + 1
    (torch.Size([2, 5]), 58)
    >>> forecast(gru, torch.zeros(2, 5, 1), n_steps=4).shape
    torch.Size([2, 4])
"""

from __future__ import annotations

from typing import Any, Protocol

import torch
from torch import nn

from qlearn.models.base import n_parameters
from qlearn.models.baselines import (
    check_choice,
    check_dtype,
    check_positive_int,
    seeded,
    target_device,
)

Tensor = torch.Tensor

__all__ = ["HEADS", "GRUNet", "Recurrent", "SmallCNN", "apply_head", "forecast", "unroll"]

#: Output heads of the recurrent models.
HEADS = ("sequence", "binary", "classes")


class Recurrent(Protocol):
    """What :func:`unroll` and :func:`forecast` need from a model."""

    in_features: int

    def initial_state(self, batch: int) -> Any: ...

    def step(self, x_t: Tensor, state: Any) -> tuple[Tensor, Any]: ...


def as_sequence(x: Tensor, in_features: int, who: str) -> Tensor:
    """Accept ``(B, T, F)`` or, for one feature, ``(B, T)``; a clear error otherwise."""
    if not isinstance(x, Tensor):
        raise TypeError(f"x has type {type(x).__name__}; pass a torch.Tensor (B, T, F).")
    if x.ndim == 2 and in_features == 1:
        x = x[..., None]
    if x.ndim != 3 or x.shape[2] != in_features or x.shape[1] < 1:
        extra = " or (batch, steps)" if in_features == 1 else ""
        raise ValueError(
            f"x has shape {tuple(x.shape)} but {who} takes sequences (batch, steps, "
            f"{in_features}){extra}; e.g. rows of an image as steps: x.reshape(B, 8, 8)."
        )
    return x


def unroll(model: Recurrent, x: Tensor, state: Any = None) -> tuple[Tensor, Any]:
    """Run ``model`` over ``x`` ``(B, T, F)``: the stacked predictions ``(B, T, out)`` and the
    final state (start from ``state``, else ``model.initial_state(B)``)."""
    state = model.initial_state(x.shape[0]) if state is None else state
    outputs = []
    for t in range(x.shape[1]):
        y, state = model.step(x[:, t], state)
        outputs.append(y)
    return torch.stack(outputs, 1), state


def forecast(model: Recurrent, context: Tensor, n_steps: int) -> Tensor:
    r"""Autoregressive forecast: read ``context`` ``(B, T, 1)`` (or ``(B, T)``), then feed each
    prediction back as the next input, ``n_steps`` times. Returns ``(B, n_steps)``: the
    predictions of steps :math:`T, T+1, \dots, T + n - 1` (0-based), i.e. the values following
    the context.

    Example:
        >>> gru = GRUNet(1, 2, 1, seed=0)
        >>> forecast(gru, torch.zeros(1, 3), 2).shape
        torch.Size([1, 2])
    """
    check_positive_int("n_steps", n_steps)
    if model.in_features != 1:
        raise ValueError(
            f"forecast feeds predictions back as inputs, so the model needs in_features=1; "
            f"it has in_features={model.in_features}."
        )
    context = as_sequence(context, 1, type(model).__name__)
    preds, state = unroll(model, context)
    y = preds[:, -1, :1]
    out = [y]
    for _ in range(n_steps - 1):
        y, state = model.step(y, state)
        y = y[:, :1]
        out.append(y)
    return torch.cat(out, 1)


def apply_head(predictions: Tensor, head: str) -> Tensor:
    """Per-step predictions ``(B, T, out)`` to a task's output: ``"sequence"`` → ``(B, T)``
    (``out = 1``) or ``(B, T, out)``; ``"binary"`` → the last step's logit ``(B,)``;
    ``"classes"`` → the last step's logits ``(B, out)``.

    Example:
        >>> p = torch.arange(6.0).reshape(1, 3, 2)
        >>> apply_head(p, "classes").tolist(), apply_head(p[..., :1], "binary").tolist()
        ([[4.0, 5.0]], [4.0])
    """
    check_choice("head", head, HEADS)
    if head == "sequence":
        return predictions[..., 0] if predictions.shape[-1] == 1 else predictions
    if head == "binary":
        return predictions[:, -1, 0]
    return predictions[:, -1]


class GRUNet(nn.Module):
    r"""A one-layer GRU with a linear read-out at every step, :math:`y_t = W h_t + b`.

    ``torch.nn.GRU`` keeps two bias vectors per gate, so the count is
    :math:`3(hF + h^2 + 2h) + h\,\text{out} + \text{out}` for ``F`` inputs and ``h`` hidden
    units (the QRU authors' GRUs have one bias per gate, :math:`3h` fewer: their "GRU with
    197 parameters" is ``h = 7`` with one input, which has 218 here).

    Args:
        in_features, hidden, out_features: sizes ``F``, ``h`` and ``out``.
        head: ``"sequence"``, ``"binary"`` or ``"classes"`` (:func:`apply_head`).
        seed, device, dtype: as in :class:`~qlearn.models.MLP`.

    Example:
        >>> net = GRUNet(8, 4, 2, head="classes", seed=0)
        >>> net(torch.zeros(5, 8, 8)).shape, net.n_parameters
        (torch.Size([5, 2]), 178)
    """

    def __init__(
        self,
        in_features: int,
        hidden: int,
        out_features: int = 1,
        *,
        head: str = "sequence",
        seed: int | None = None,
        device=None,
        dtype: torch.dtype | None = None,
    ):
        super().__init__()
        self.in_features = check_positive_int("in_features", in_features)
        self.hidden = check_positive_int("hidden", hidden)
        self.out_features = check_positive_int("out_features", out_features)
        self.head = check_choice("head", head, HEADS)
        dtype = check_dtype(dtype)
        with seeded(seed):
            self.cell = nn.GRUCell(in_features, hidden)
            self.readout = nn.Linear(hidden, out_features)
        self.to(device=target_device(device), dtype=dtype)

    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return n_parameters(self)

    def initial_state(self, batch: int) -> Tensor:
        ref = self.readout.weight
        return torch.zeros(batch, self.hidden, device=ref.device, dtype=ref.dtype)

    def step(self, x_t: Tensor, state: Tensor) -> tuple[Tensor, Tensor]:
        h = self.cell(x_t.to(state.dtype), state)
        return self.readout(h), h

    def forward(self, x: Tensor) -> Tensor:
        x = as_sequence(x, self.in_features, "GRUNet")
        preds, _ = unroll(self, x.to(self.readout.weight))
        return apply_head(preds, self.head)


class SmallCNN(nn.Module):
    r"""``Conv2d(1, c, 3, padding=1) → ReLU → MaxPool(2) → Linear(c·(s/2)², classes)`` for
    ``s × s`` images, :math:`10c + c s^2/4 \cdot \text{classes} + \text{classes}` parameters.

    Example:
        >>> cnn = SmallCNN(channels=4, seed=0)
        >>> cnn(torch.zeros(3, 8, 8)).shape, cnn.n_parameters
        (torch.Size([3, 2]), 170)
    """

    def __init__(
        self,
        channels: int = 4,
        n_classes: int = 2,
        image_size: int = 8,
        *,
        seed: int | None = None,
        device=None,
        dtype: torch.dtype | None = None,
    ):
        super().__init__()
        check_positive_int("channels", channels)
        check_positive_int("n_classes", n_classes)
        self.image_size = check_positive_int("image_size", image_size)
        if image_size % 2:
            raise ValueError(f"image_size={image_size} must be even (one 2×2 max-pool).")
        dtype = check_dtype(dtype)
        with seeded(seed):
            self.net = nn.Sequential(
                nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                nn.Linear(channels * (image_size // 2) ** 2, n_classes),
            )  # fmt: skip
        self.to(device=target_device(device), dtype=dtype)

    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return n_parameters(self)

    def forward(self, x: Tensor) -> Tensor:
        s = self.image_size
        if x.ndim != 3 or x.shape[1:] != (s, s):
            raise ValueError(f"x has shape {tuple(x.shape)}; SmallCNN takes (batch, {s}, {s}).")
        return self.net(x[:, None].to(self.net[0].weight))
