r"""Classical baselines for the book's tables: MLP, SIREN, Fourier features and FAN.

Every network here maps ``(*, in_features) -> (*, out_features)`` (and, for one input feature,
also ``(B,) -> (B, out_features)``), takes ``n_layers`` *hidden* layers of width
``hidden_features`` followed by one linear output layer, and exposes ``.n_parameters`` (trainable
scalars only) so that :func:`qlearn.models.match_parameters` can size it to a budget.

==================  ===========================================================================
:class:`MLP`        :math:`h \mapsto \sigma(Wh + b)` with ReLU, tanh or GELU.
:class:`SIREN`      :math:`h \mapsto \sin(\omega_0 (Wh + b))`, Sitzmann et al. (2020).
:class:`FourierFeatures`  :math:`\gamma(x) = [\cos 2\pi Bx, \sin 2\pi Bx]`, :math:`B_{kj} \sim
                    \mathcal N(0, \sigma^2)` fixed, then an MLP; Tancik et al. (2020).
:class:`FAN`        Fourier Analysis Network layers :math:`[\cos W_p h \,\|\, \sin W_p h \,\|\,
                    \mathrm{GELU}(W_g h + b_g)]`, Dong et al. (2024), arXiv 2410.02675.
==================  ===========================================================================

Seeds: every constructor takes ``seed``. With a seed, the weights are drawn on the CPU from a
private generator state (the global one is left as it was) and then moved to ``device``, so the
same seed gives the same numbers on every device; with ``seed=None`` torch's global generator is
used, as ``torch.nn`` does. ``device=None`` and ``dtype=None`` mean torch's defaults, as in
``torch.nn.Linear``.

Example:
    >>> import torch
    >>> from qlearn.models import MLP, SIREN, FAN, FourierFeatures
    >>> for cls in (MLP, SIREN, FourierFeatures, FAN):
    ...     net = cls(1, 16, 1, n_layers=2, seed=0)
    ...     print(f"{cls.__name__:16s}", tuple(net(torch.zeros(5, 1)).shape), net.n_parameters)
    MLP              (5, 1) 321
    SIREN            (5, 1) 321
    FourierFeatures  (5, 1) 561
    FAN              (5, 1) 237
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import torch
from torch import nn

from qlearn.models.base import n_parameters

Tensor = torch.Tensor

__all__ = [
    "ACTIVATIONS",
    "FAN",
    "FFN",
    "FANLayer",
    "FourierFeatureMap",
    "FourierFeatures",
    "MLP",
    "SIREN",
    "SineLayer",
]

#: Activations accepted by ``activation=``.
ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}


# --------------------------------------------------------------------------------------------
# Shared helpers (also used by qlearn.models.qrun)


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Draw from ``seed`` inside the block without touching the global CPU generator.

    ``seed=None`` draws from the global generator, as ``torch.nn`` does.
    """
    if seed is None:
        yield
        return
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed={seed!r} must be an integer or None.")
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
        yield


def target_device(device) -> torch.device:
    """``device`` as a :class:`torch.device`; ``None`` is torch's current default device."""
    if device is None:
        return torch.get_default_device()
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu', 'cuda' or 'cuda:0'."
        ) from err


def check_dtype(dtype) -> torch.dtype:
    """``dtype`` as a floating torch dtype; ``None`` is torch's default dtype."""
    if dtype is None:
        return torch.get_default_dtype()
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(
            f"dtype={dtype!r} is not a real floating dtype; use torch.float32 or torch.float64."
        )
    return dtype


def check_positive_int(name: str, value, fix: str = "") -> int:
    """``value`` if it is an integer >= 1, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer{fix}.")
    return value


def check_choice(name: str, value, allowed: Sequence[str]) -> str:
    """``value`` if it is one of ``allowed``, else a ValueError listing them."""
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is unknown; use one of {list(allowed)}.")
    return value


def activation(name: str) -> nn.Module:
    """A fresh activation module from its name (:data:`ACTIVATIONS`)."""
    return ACTIVATIONS[check_choice("activation", name, list(ACTIVATIONS))]()


def as_batch(x: Tensor, in_features: int, who: str) -> Tensor:
    """Check ``x`` is ``(*, in_features)``; for one input feature also accept ``(B,)``."""
    x = torch.as_tensor(x)
    if in_features == 1 and x.ndim == 1:
        return x[:, None]
    if x.ndim == 0 or x.shape[-1] != in_features:
        raise ValueError(
            f"x has shape {tuple(x.shape)} but {who} takes (..., {in_features})"
            + (" or (batch,)" if in_features == 1 else "")
            + f"; its last dimension must be in_features={in_features}."
        )
    return x


class Network(nn.Module):
    """Base of the networks here: ``in_features``, ``out_features``, ``.n_parameters``."""

    in_features: int
    out_features: int

    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return n_parameters(self)

    def _finish(self, device, dtype: torch.dtype) -> None:
        """Move the freshly drawn (CPU) weights to their device and dtype."""
        self.to(device=target_device(device), dtype=dtype)

    def _set_sizes(
        self,
        in_features: int,
        hidden_features: int,
        out_features: int,
        n_layers: int,
        layers: str = "hidden layers",
    ) -> None:
        """Check the widths and the depth (``n_layers``, the number of ``layers``), then record
        ``in_features`` and ``out_features``."""
        check_positive_int("in_features", in_features)
        check_positive_int("hidden_features", hidden_features)
        check_positive_int("out_features", out_features)
        check_positive_int("n_layers", n_layers, f" (the number of {layers})")
        self.in_features, self.out_features = in_features, out_features

    def body(self, x: Tensor) -> Tensor:
        """The network on a checked batch: ``self.net`` unless a subclass overrides it."""
        return self.net(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.body(as_batch(x, self.in_features, type(self).__name__))


def layer_stack(
    layer: Callable[[int, int], nn.Module],
    in_features: int,
    hidden_features: int,
    out_features: int,
    n_layers: int,
    *,
    dtype: torch.dtype,
    first: Callable[[int, int], nn.Module] | None = None,
) -> nn.Sequential:
    """``n_layers`` hidden layers, then a linear output layer, as one ``nn.Sequential``.

    The layers are ``(first or layer)(in_features, hidden_features)``, ``n_layers - 1`` times
    ``layer(hidden_features, hidden_features)`` and ``nn.Linear(hidden_features,
    out_features)`` on the CPU in ``dtype``, built in this order; build the stack inside
    :func:`seeded` so that the seed fixes every weight.
    """
    layers: list[nn.Module] = [(first or layer)(in_features, hidden_features)]
    for _ in range(n_layers - 1):
        layers.append(layer(hidden_features, hidden_features))
    layers.append(nn.Linear(hidden_features, out_features, device="cpu", dtype=dtype))
    return nn.Sequential(*layers)


# --------------------------------------------------------------------------------------------
# MLP


class MLP(Network):
    r"""A multilayer perceptron: ``n_layers`` hidden layers :math:`h \mapsto \sigma(Wh + b)`.

    .. math:: f(x) = W_{L+1}\, \sigma(W_L \cdots \sigma(W_1 x + b_1) \cdots + b_L) + b_{L+1}

    Args:
        in_features, hidden_features, out_features: input, hidden and output widths.
        n_layers: number of hidden layers :math:`L \ge 1`.
        activation: :math:`\sigma`, ``"relu"``, ``"tanh"`` or ``"gelu"``.
        device, dtype, seed: where, in which precision and from which seed to initialise
            (``torch.nn.Linear``'s default initialisation).

    Example:
        >>> net = MLP(2, 8, 1, n_layers=2, activation="tanh", seed=0)
        >>> net.n_parameters  # (2*8 + 8) + (8*8 + 8) + (8*1 + 1)
        105
        >>> net(torch.zeros(3, 2)).shape
        torch.Size([3, 1])
    """

    def __init__(
        self,
        in_features: int,
        hidden_features: int,
        out_features: int,
        n_layers: int = 2,
        *,
        activation: str = "relu",
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        self._set_sizes(in_features, hidden_features, out_features, n_layers)
        check_choice("activation", activation, list(ACTIVATIONS))
        dtype = check_dtype(dtype)
        widths = [in_features] + [hidden_features] * n_layers
        with seeded(seed):
            layers: list[nn.Module] = []
            for a, b in zip(widths[:-1], widths[1:], strict=True):
                layers += [nn.Linear(a, b, device="cpu", dtype=dtype), ACTIVATIONS[activation]()]
            layers.append(nn.Linear(hidden_features, out_features, device="cpu", dtype=dtype))
            self.net = nn.Sequential(*layers)
        self._finish(device, dtype)


# --------------------------------------------------------------------------------------------
# SIREN


class SineLayer(nn.Module):
    r"""One SIREN layer :math:`h \mapsto \sin(\omega_0 (W h + b))` with Sitzmann's init.

    The first layer draws :math:`W_{kj} \sim \mathcal U(-1/d, 1/d)` (``d = in_features``), so
    that :math:`\omega_0 W x` spans several periods over inputs in :math:`[-1, 1]`; later layers
    draw :math:`W_{kj} \sim \mathcal U(-\sqrt{6/d}/\omega_0, \sqrt{6/d}/\omega_0)`, which keeps
    the pre-activations :math:`\omega_0 (Wh + b)` distributed as a standard-width arcsine input
    through depth. Biases keep ``nn.Linear``'s default, as in the reference code.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        omega_0: float = 30.0,
        is_first: bool = False,
        *,
        device=None,
        dtype: torch.dtype | None = None,
    ):
        super().__init__()
        if not omega_0 > 0:
            raise ValueError(f"omega_0={omega_0!r} must be positive (the paper uses 30).")
        self.omega_0 = float(omega_0)
        self.is_first = is_first
        self.linear = nn.Linear(in_features, out_features, device=device, dtype=dtype)
        bound = 1 / in_features if is_first else math.sqrt(6 / in_features) / self.omega_0
        with torch.no_grad():
            self.linear.weight.uniform_(-bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return torch.sin(self.omega_0 * self.linear(x))

    def extra_repr(self) -> str:
        return f"omega_0={self.omega_0:g}, is_first={self.is_first}"


class SIREN(Network):
    r"""Sinusoidal representation network (Sitzmann et al., NeurIPS 2020).

    ``n_layers`` :class:`SineLayer`\ s, the first with :math:`\omega_0 =` ``first_omega`` (30),
    the others with ``hidden_omega`` (30), then a linear output layer initialised like a hidden
    sine layer, :math:`\mathcal U(-\sqrt{6/h}/\omega_0, \sqrt{6/h}/\omega_0)`:

    .. math:: f(x) = W_{L+1} h_L + b_{L+1}, \quad
              h_\ell = \sin(\omega_0 (W_\ell h_{\ell-1} + b_\ell)), \quad h_0 = x.

    Example:
        >>> net = SIREN(1, 8, 1, n_layers=2, seed=0)
        >>> net.n_parameters, net(torch.linspace(-1, 1, 4)).shape
        (97, torch.Size([4, 1]))
    """

    def __init__(
        self,
        in_features: int,
        hidden_features: int,
        out_features: int,
        n_layers: int = 3,
        *,
        first_omega: float = 30.0,
        hidden_omega: float = 30.0,
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        self._set_sizes(in_features, hidden_features, out_features, n_layers)
        dtype = check_dtype(dtype)
        kw = dict(device="cpu", dtype=dtype)
        with seeded(seed):
            self.net = layer_stack(
                partial(SineLayer, omega_0=hidden_omega, **kw),
                in_features,
                hidden_features,
                out_features,
                n_layers,
                dtype=dtype,
                first=partial(SineLayer, omega_0=first_omega, is_first=True, **kw),
            )
            bound = math.sqrt(6 / hidden_features) / hidden_omega
            with torch.no_grad():
                self.net[-1].weight.uniform_(-bound, bound)
        self._finish(device, dtype)


# --------------------------------------------------------------------------------------------
# Random Fourier features


class FourierFeatureMap(nn.Module):
    r"""Gaussian random Fourier features :math:`\gamma(x) = [\cos 2\pi Bx,\ \sin 2\pi Bx]`.

    :math:`B \in \mathbb R^{m \times d}` has entries :math:`\mathcal N(0, \sigma^2)`; it is a
    fixed buffer (not counted by ``n_parameters``) unless ``trainable=True``. Output width
    :math:`2m`.
    """

    def __init__(
        self,
        in_features: int,
        n_frequencies: int,
        sigma: float = 10.0,
        trainable: bool = False,
        *,
        device=None,
        dtype: torch.dtype | None = None,
    ):
        super().__init__()
        check_positive_int("n_frequencies", n_frequencies)
        if not sigma > 0:
            raise ValueError(f"sigma={sigma!r} must be positive (Tancik et al. sweep 1 to 100).")
        self.sigma = float(sigma)
        b = torch.randn(n_frequencies, in_features, device=device, dtype=dtype) * self.sigma
        if trainable:
            self.B = nn.Parameter(b)
        else:
            self.register_buffer("B", b)

    def forward(self, x: Tensor) -> Tensor:
        proj = 2 * math.pi * x @ self.B.T
        return torch.cat([torch.cos(proj), torch.sin(proj)], dim=-1)

    def extra_repr(self) -> str:
        m, d = self.B.shape
        return f"in_features={d}, n_frequencies={m}, sigma={self.sigma:g}"


class FourierFeatures(Network):
    r"""Fourier-feature network (FFN; Tancik et al., NeurIPS 2020): :math:`\mathrm{MLP}(\gamma(x))`.

    .. math:: f(x) = \mathrm{MLP}\big([\cos 2\pi Bx,\ \sin 2\pi Bx]\big), \qquad
              B_{kj} \sim \mathcal N(0, \sigma^2)\ \text{(fixed)}.

    Args:
        in_features, hidden_features, out_features, n_layers: as in :class:`MLP` (the MLP after
            the feature map has ``n_layers`` hidden layers).
        n_frequencies: rows :math:`m` of :math:`B` (default ``hidden_features // 2``, so the
            feature width equals the hidden width).
        sigma: :math:`\sigma`, the bandwidth; 10 is Tancik's choice for images with
            coordinates in :math:`[0, 1]` (too large a :math:`\sigma` overfits; tune it).
        activation: of the MLP (``"relu"`` as in the paper).
        trainable_frequencies: make :math:`B` trainable (then it counts as parameters).

    Example:
        >>> net = FourierFeatures(2, 16, 3, n_layers=1, sigma=5.0, seed=0)
        >>> net.features.B.shape, net.n_parameters  # B is fixed: (16*16 + 16) + (16*3 + 3)
        (torch.Size([8, 2]), 323)
    """

    def __init__(
        self,
        in_features: int,
        hidden_features: int,
        out_features: int,
        n_layers: int = 2,
        *,
        n_frequencies: int | None = None,
        sigma: float = 10.0,
        activation: str = "relu",
        trainable_frequencies: bool = False,
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        self._set_sizes(in_features, hidden_features, out_features, n_layers)
        m = max(1, hidden_features // 2) if n_frequencies is None else n_frequencies
        dtype = check_dtype(dtype)
        with seeded(seed):
            self.features = FourierFeatureMap(
                in_features, m, sigma, trainable_frequencies, device="cpu", dtype=dtype
            )
            self.mlp = MLP(
                2 * m, hidden_features, out_features, n_layers, activation=activation, dtype=dtype
            )
        self._finish(device, dtype)

    def body(self, x: Tensor) -> Tensor:
        return self.mlp(self.features(x))


#: Short name of :class:`FourierFeatures` (Fourier feature network).
FFN = FourierFeatures


# --------------------------------------------------------------------------------------------
# FAN


class FANLayer(nn.Module):
    r"""Fourier Analysis Network layer (Dong et al. 2024, arXiv 2410.02675).

    .. math:: \phi(x) = \big[\cos(W_p x)\ \|\ \sin(W_p x)\ \|\ \sigma(B_g + W_g x)\big]

    with :math:`W_p` giving :math:`p = \lfloor \text{p\_ratio} \cdot \text{out} \rfloor` outputs
    (each used for both cos and sin) and the gate branch the remaining :math:`\text{out} - 2p`.
    :math:`W_p` has no bias, as in the paper's formula: a phase :math:`\cos(W_p x + c)` is a
    rotation of each (cos, sin) pair, which the next linear layer absorbs anyway.

    Args:
        in_features, out_features: widths (``out_features >= 2p + 1``).
        p_ratio: share of the outputs for each of cos and sin (0.25 in the paper).
        activation: :math:`\sigma` (``"gelu"`` in the paper).
        bias: give the gate branch a bias :math:`B_g`.

    Example:
        >>> layer = FANLayer(3, 8)
        >>> layer.n_periodic, layer(torch.zeros(2, 3)).shape
        (2, torch.Size([2, 8]))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        p_ratio: float = 0.25,
        activation: str = "gelu",
        bias: bool = True,
        device=None,
        dtype: torch.dtype | None = None,
    ):
        super().__init__()
        check_positive_int("in_features", in_features)
        check_positive_int("out_features", out_features)
        if not 0 < p_ratio < 0.5:
            raise ValueError(
                f"p_ratio={p_ratio!r} must lie in (0, 0.5): it is the share of outputs for each "
                "of cos and sin (the paper uses 0.25)."
            )
        p = int(out_features * p_ratio)
        if p < 1:
            raise ValueError(
                f"out_features={out_features} with p_ratio={p_ratio} leaves no cos/sin outputs "
                f"(p = floor({out_features} * {p_ratio}) = 0); use out_features >= "
                f"{math.ceil(1 / p_ratio)} or a larger p_ratio."
            )
        kw = dict(device=device, dtype=dtype)
        self.in_features, self.out_features, self.n_periodic = in_features, out_features, p
        self.periodic = nn.Linear(in_features, p, bias=False, **kw)
        self.gate = nn.Linear(in_features, out_features - 2 * p, bias=bias, **kw)
        check_choice("activation", activation, list(ACTIVATIONS))
        self.activation = ACTIVATIONS[activation]()

    def forward(self, x: Tensor) -> Tensor:
        p = self.periodic(x)
        return torch.cat([torch.cos(p), torch.sin(p), self.activation(self.gate(x))], dim=-1)

    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return n_parameters(self)


class FAN(Network):
    r"""Fourier Analysis Network: ``n_layers`` :class:`FANLayer`\ s, then a linear output layer.

    .. math:: f(x) = W_{L+1}\, \phi_L(\cdots \phi_1(x)) + b_{L+1}

    Example:
        >>> net = FAN(1, 16, 1, n_layers=2, seed=0)
        >>> net.n_parameters  # (1*4 + 1*8 + 8) + (16*4 + 16*8 + 8) + (16*1 + 1)
        237
    """

    def __init__(
        self,
        in_features: int,
        hidden_features: int,
        out_features: int,
        n_layers: int = 3,
        *,
        p_ratio: float = 0.25,
        activation: str = "gelu",
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        self._set_sizes(in_features, hidden_features, out_features, n_layers)
        dtype = check_dtype(dtype)
        kw = dict(p_ratio=p_ratio, activation=activation, device="cpu", dtype=dtype)
        with seeded(seed):
            self.net = layer_stack(
                partial(FANLayer, **kw), in_features, hidden_features, out_features, n_layers,
                dtype=dtype,
            )  # fmt: skip
        self._finish(device, dtype)
