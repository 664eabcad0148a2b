"""One small training loop for every chapter: seeded, full-batch or mini-batch, with a bar.

Example:
    >>> import torch
    >>> _ = torch.manual_seed(0)  # the model's initial weights, before fit's own seed
    >>> model = torch.nn.Linear(1, 1)
    >>> x = torch.linspace(0, 1, 20)[:, None]
    >>> history = fit(model, x, 3 * x, epochs=200, lr=0.1, seed=0, progress=False)
    >>> history.losses[-1] < 1e-3
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
LOSSES: dict[str, Loss] = {
    "mse": nn.functional.mse_loss,
    "cross_entropy": nn.functional.cross_entropy,
}


@dataclass
class History:
    """Loss per epoch (and any metric values recorded by a callback)."""

    losses: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    loss: str | Loss = "mse",
    epochs: int = 100,
    lr: float = 0.05,
    batch_size: int | None = None,
    seed: int = 0,
    progress: bool = True,
    callback: Callable[[int, History], None] | None = None,
    lr_halving_patience: int | None = None,
) -> History:
    """Train ``model`` with Adam to map ``x`` to ``y``; returns the loss history.

    Args:
        loss: ``"mse"``, ``"cross_entropy"``, or ``f(prediction, target) -> scalar``. With
            ``"mse"`` a prediction of shape ``(B, 1)`` is compared with ``y`` of shape ``(B,)``.
        batch_size: ``None`` for full-batch training, else mini-batches shuffled with ``seed``.
        callback: called after each epoch as ``callback(epoch, history)``.
        lr_halving_patience: ``None`` (default) keeps the learning rate fixed; an integer
            ``p >= 1`` halves it whenever the epoch's training loss has not improved on the best
            so far for ``p`` epochs (:class:`torch.optim.lr_scheduler.ReduceLROnPlateau`,
            factor 0.5). The learning rate of each epoch is recorded in
            ``history.metrics["lr"]``.

    Example:
        >>> model = torch.nn.Linear(1, 1)
        >>> x = torch.linspace(0, 1, 20)[:, None]
        >>> h = fit(model, x, 3 * x, epochs=300, lr=0.5, seed=0, progress=False,
        ...         lr_halving_patience=2)
        >>> h.metrics["lr"][0], h.metrics["lr"][-1] < 0.5
        (0.5, True)
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(
                f"loss={loss!r} is unknown; use one of {sorted(LOSSES)} or a function."
            )
        loss_fn = LOSSES[loss]
    else:
        loss_fn = loss
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs={epochs!r} must be a non-negative integer.")
    if lr_halving_patience is not None and (
        isinstance(lr_halving_patience, bool)
        or not isinstance(lr_halving_patience, int)
        or lr_halving_patience < 1
    ):
        raise ValueError(
            f"lr_halving_patience={lr_halving_patience!r} must be None or a positive integer "
            "(epochs without improvement of the training loss before the learning rate halves)."
        )
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x has {x.shape[0]} rows but y has {y.shape[0]}; they must match.")
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = History()
    scheduler = None
    if lr_halving_patience is not None:
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=0.5, patience=lr_halving_patience - 1
        )
        history.metrics["lr"] = []
    n = x.shape[0]
    for epoch in tqdm(range(epochs), disable=not progress, desc="training", leave=False):
        order = torch.randperm(n, generator=gen) if batch_size else torch.arange(n)
        total = 0.0
        for start in range(0, n, batch_size or n):
            idx = order[start : start + (batch_size or n)]
            optimizer.zero_grad()
            pred = model(x[idx])
            target = y[idx]
            if loss == "mse" and pred.ndim == 2 and pred.shape[1] == 1 and target.ndim == 1:
                pred = pred[:, 0]
            value = loss_fn(pred, target.to(pred.dtype) if loss == "mse" else target)
            value.backward()
            optimizer.step()
            total += float(value.detach()) * len(idx)
        history.losses.append(total / n)
        if scheduler is not None:
            history.metrics["lr"].append(optimizer.param_groups[0]["lr"])
            scheduler.step(history.losses[-1])
        if callback is not None:
            callback(epoch, history)
    return history
