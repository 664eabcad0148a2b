r"""Q-RUN: a classical layer that imitates a data re-uploading circuit (arXiv 2512.20654).

A data re-uploading circuit on one qubit that encodes the angle :math:`z` :math:`n` times,
:math:`R(s_1 z), \dots, R(s_n z)` between trainable gates, computes (Schuld, Sweke and Meyer
2021)

.. math:: f(z) = \sum_{m \in \{-1, 0, 1\}^n} c_m\, e^{i (m_1 s_1 + \dots + m_n s_n) z},

because each Pauli encoding :math:`e^{-i s z \sigma/2}` enters the state linearly through
:math:`\cos(sz/2)` and :math:`\sin(sz/2)`, hence the expectation value through
:math:`1, \cos(sz), \sin(sz)`. Equivalently, :math:`f` is a **multilinear** function of the
features :math:`\varphi(s_i z) = [1, \cos s_i z, \sin s_i z]`:

.. math:: f(z) = \sum_{a \in \{0,1,2\}^n} W_a \prod_{i=1}^n \varphi_{a_i}(s_i z)
          = \Big\langle W,\ \bigotimes_{i=1}^n \varphi(s_i z) \Big\rangle .

:class:`QRUNLayer` computes such an :math:`f` classically for every output unit:

1. a linear map :math:`z = Wx + b` to the ``out_features`` units (exactly ``nn.Linear``);
2. ``n_reuploads`` encodings of every :math:`z_j`, re-upload :math:`i` with its **own**
   trainable scale :math:`s_i` (the authors' implicit-representation code repeats identical
   :math:`[\sin z, \cos z]` copies, which adds no frequency);
3. an element-wise *observable* :math:`g`, one small network shared by all units, mapping the
   unit's features to its output :math:`y_j = g(z_j)`.

Two observables are offered:

* ``"multilinear"`` mirrors the circuit exactly: a trainable linear readout :math:`W` of the
  :math:`3^n` tensor-product features above. The unit output is a trigonometric polynomial in
  :math:`z` with frequencies :math:`\Omega = \{\sum_i m_i s_i : m_i \in \{-1,0,1\}\}`, up to
  :math:`3^n` distinct values, exactly :math:`3^n` when no two sums collide (e.g.
  :math:`s_i = 3^{i-1}`, giving every integer :math:`|\omega| \le (3^n - 1)/2`, or generic
  real scales). :func:`reupload_frequencies` lists :math:`\Omega`.
* ``"mlp"`` follows the authors' code: :math:`g(u) = \sin(\mathrm{MLP}(u))` on
  :math:`u = [\sin s_i z, \cos s_i z]_{i=1..n}`, a tanh MLP :math:`2n \to h \to h \to 1`.
  It is **not** band-limited: its spectrum lies on the whole lattice
  :math:`\{\sum_i m_i s_i : m_i \in \mathbb Z\}` (all integer combinations, not just
  :math:`\pm 1, 0`), with coefficients that decay quickly because :math:`g` is analytic.

How many frequencies? As a function of the inputs, unit :math:`j` sees
:math:`z_j = w_j \cdot x + b_j`, so its frequency vectors are :math:`\omega\, w_j`,
:math:`\omega \in \Omega`: at most :math:`3^n` vectors, all on the line through :math:`w_j`
(along one input :math:`x_k`, the frequencies :math:`\omega w_{jk}`). The paper's count
"up to :math:`3^{d n}`" (``d`` inputs, ``n`` re-uploads) is the spectrum of the circuit being
imitated, ``d`` qubits each encoding one input ``n`` times: the sum set over :math:`d n` Pauli
encodings. A Q-RUN layer followed by a linear readout expresses the union of its units' lines,
so it reaches that many frequency vectors only with enough units pointing in the right
directions (``tests/test_qrun.py`` checks :math:`d = 2, n = 1`: 4 units give all
:math:`3^2 = 9`).

Example:
    >>> import torch
    >>> from qlearn.models import QRUNLayer, reupload_frequencies
    >>> layer = QRUNLayer(3, 2, n_reuploads=2, observable="multilinear", seed=0)
    >>> layer.scales
    Parameter containing:
    tensor([1., 3.], requires_grad=True)
    >>> layer(torch.ones(5, 3)).shape, layer.n_parameters  # 3*2 + 2 + 2 scales + 9 readout
    (torch.Size([5, 2]), 19)
    >>> reupload_frequencies([1.0, 3.0])  # 3^2 = 9 distinct frequencies per unit
    [-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import torch
from torch import nn

from qlearn.ansatz import exponential_scales
from qlearn.models.base import n_parameters
from qlearn.models.baselines import (
    Network,
    check_choice,
    check_dtype,
    check_positive_int,
    layer_stack,
    seeded,
    target_device,
)

Tensor = torch.Tensor

__all__ = [
    "MAX_MULTILINEAR_REUPLOADS",
    "OBSERVABLES",
    "QRUN",
    "SCALE_INITS",
    "QRUNLayer",
    "frequency_count",
    "replace_linear",
    "reupload_frequencies",
]

#: Element-wise observables of :class:`QRUNLayer`.
OBSERVABLES = ("mlp", "multilinear")
#: Named initialisations of the re-upload scales :math:`s_i` (``i = 0..n-1``).
SCALE_INITS = ("exponential", "linear", "ones", "normal")
#: The multilinear readout has :math:`3^n` weights and materialises :math:`3^{n-1}` numbers per
#: unit and sample; above this many re-uploads use ``observable="mlp"``.
MAX_MULTILINEAR_REUPLOADS = 8


def reupload_frequencies(scales: Sequence[float] | Tensor, decimals: int = 8) -> list[float]:
    r"""The frequencies :math:`\{\sum_i m_i s_i : m_i \in \{-1, 0, 1\}\}` of re-uploads.

    This is the spectrum (in :math:`z`) of a Pauli re-uploading circuit with encoding scales
    :math:`s_i`, and of a :class:`QRUNLayer` unit with ``observable="multilinear"``; it agrees
    with :func:`qlearn.fourier.spectrum` of the single-qubit circuit
    ``qlearn.ansatz.reuploading(1, 1, n, scaling=scales)``.

    Args:
        scales: the :math:`n` scales :math:`s_i`.
        decimals: sums are rounded to this many decimals before duplicates are removed.

    Returns:
        The sorted distinct frequencies (at most :math:`3^n`).

    Example:
        >>> len(reupload_frequencies([1, 3, 9])), len(reupload_frequencies([1, 2, 3]))
        (27, 13)
        >>> reupload_frequencies([1, 1])  # identical scales collide: 5, not 9
        [-2.0, -1.0, 0.0, 1.0, 2.0]
    """
    values = torch.as_tensor(scales).detach().to("cpu", torch.float64).reshape(-1).numpy()
    freqs = np.zeros(1)
    for s in values:
        freqs = np.unique(np.round((freqs[:, None] + np.array([-s, 0.0, s])).ravel(), decimals))
    return [float(f) + 0.0 for f in freqs]


def _initial_scales(scales, n: int) -> Tensor:
    if isinstance(scales, str):
        check_choice("scales", scales, SCALE_INITS)
        if scales == "exponential":
            return torch.tensor(exponential_scales(n))
        if scales == "linear":
            return torch.arange(1.0, n + 1)
        if scales == "ones":
            return torch.ones(n)
        return torch.randn(n)  # "normal", as in the authors' density-estimation code
    values = torch.as_tensor(scales, dtype=torch.float64).detach().reshape(-1).float()
    if values.numel() != n:
        raise ValueError(
            f"scales has {values.numel()} values but n_reuploads={n}; give one scale per "
            f"re-upload or a name from {list(SCALE_INITS)}."
        )
    return values.clone()


def _mlp_observable(n: int, hidden: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(2 * n, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
        nn.Linear(hidden, 1),
    )  # fmt: skip


def _trig(angles: Tensor) -> Tensor:
    """``[1, cos a, sin a]`` along a new last axis: ``(..., n) -> (..., n, 3)``."""
    return torch.stack([torch.ones_like(angles), torch.cos(angles), torch.sin(angles)], dim=-1)


class QRUNLayer(nn.Module):
    r"""Quantum-inspired data re-uploading layer, a drop-in for ``nn.Linear(in, out)``.

    For an input :math:`x \in \mathbb R^{d}` (any leading batch dimensions) and every unit
    :math:`j = 1..` ``out_features``:

    .. math::
        z_j = w_j \cdot x + b_j, \qquad
        y_j = g\big(s_1 z_j, \dots, s_n z_j\big),

    with :math:`n` = ``n_reuploads`` trainable scales :math:`s_i` and one observable
    :math:`g` shared by all units:

    * ``observable="mlp"`` (default, as the authors):
      :math:`g = \sin\circ\,\mathrm{MLP}([\sin s_i z, \cos s_i z]_{i})`, a tanh MLP
      :math:`2n \to h \to h \to 1` (``h = observable_hidden``). Not band-limited; its
      spectrum lies on the lattice :math:`\{\sum_i m_i s_i,\ m_i \in \mathbb Z\}`.
    * ``observable="multilinear"`` (the circuit exactly):
      :math:`g = \langle W, \bigotimes_i [1, \cos s_i z, \sin s_i z] \rangle`, :math:`3^n`
      weights. Frequencies :math:`\sum_i m_i s_i`, :math:`m_i \in \{-1, 0, 1\}`: up to
      :math:`3^n` per unit (:meth:`frequencies`).

    Parameters: ``in*out (+ out)`` of the linear map, ``n`` scales, and the observable
    (:math:`2nh + h + h^2 + h + h + 1` for the MLP, :math:`3^n` for the multilinear readout).

    Args:
        in_features, out_features, bias: as in ``nn.Linear`` (same default initialisation).
        n_reuploads: number of encodings :math:`n \ge 1` per unit.
        observable: ``"mlp"`` or ``"multilinear"``.
        observable_hidden: width :math:`h` of the MLP observable.
        scales: initial :math:`s_i`: ``"exponential"`` (:math:`3^i`, i = 0..n-1: no two
            frequency sums collide), ``"linear"`` (:math:`i + 1`), ``"ones"`` (identical copies,
            the authors' implicit-representation layer) or ``"normal"`` (:math:`\mathcal N(0,1)`
            draws, their density-estimation layer), or ``n`` numbers.
        train_scales: learn the :math:`s_i` (else they are a fixed buffer).
        device, dtype: as in ``nn.Linear`` (``None``: torch's defaults).
        seed: initialise from this seed (``None``: torch's global generator).

    Shape:
        ``(*, in_features) -> (*, out_features)``.

    Example:
        >>> layer = QRUNLayer(4, 3, seed=0)  # n = 2 re-uploads, MLP observable, h = 8
        >>> layer.n_parameters  # 4*3 + 3 + 2 + (4*8 + 8 + 8*8 + 8 + 8 + 1)
        138
        >>> layer(torch.zeros(2, 5, 4)).shape
        torch.Size([2, 5, 3])
        >>> layer.frequencies()  # of the scales (what the multilinear observable would give)
        [-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        n_reuploads: int = 2,
        observable: str = "mlp",
        observable_hidden: int = 8,
        scales: str | Sequence[float] | Tensor = "exponential",
        train_scales: bool = True,
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        check_positive_int("in_features", in_features)
        check_positive_int("out_features", out_features)
        n = check_positive_int("n_reuploads", n_reuploads, " (the encodings per unit)")
        check_choice("observable", observable, OBSERVABLES)
        check_positive_int("observable_hidden", observable_hidden)
        if observable == "multilinear" and n > MAX_MULTILINEAR_REUPLOADS:
            raise ValueError(
                f"n_reuploads={n} with observable='multilinear' needs 3^{n} = {3**n} readout "
                f"weights; use n_reuploads <= {MAX_MULTILINEAR_REUPLOADS} or observable='mlp'."
            )
        dtype = check_dtype(dtype)
        self.in_features, self.out_features = in_features, out_features
        self.n_reuploads, self.observable = n, observable
        with seeded(seed):
            self.linear = nn.Linear(in_features, out_features, bias=bias, device="cpu")
            init = _initial_scales(scales, n)
            if observable == "mlp":
                self.mlp = _mlp_observable(n, observable_hidden)
            else:
                # Each product feature has mean square 2^{-(number of cos/sin factors)}, so
                # N(0, 2^{-n}) weights give an output of unit variance at initialisation.
                self.readout = nn.Parameter(torch.randn(3**n) * 2 ** (-n / 2))
        if train_scales:
            self.scales = nn.Parameter(init)
        else:
            self.register_buffer("scales", init)
        self.to(device=target_device(device), dtype=dtype)

    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return n_parameters(self)

    def extra_repr(self) -> str:
        scales = [round(float(s), 4) for s in self.scales]
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.linear.bias is not None}, n_reuploads={self.n_reuploads}, "
            f"observable={self.observable!r}, scales={scales}"
        )

    def _check(self, x: Tensor) -> None:
        if not isinstance(x, Tensor):
            raise TypeError(f"x has type {type(x).__name__}; pass a torch.Tensor.")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"x has shape {tuple(x.shape)} but QRUNLayer has in_features="
                f"{self.in_features}: the last dimension must be {self.in_features} "
                "(flatten image features first, e.g. torch.flatten(x, 1))."
            )

    def angles(self, x: Tensor) -> Tensor:
        r"""The encoded angles :math:`s_i z_j`: ``(*, in) -> (*, out, n)``."""
        self._check(x)
        return self.linear(x)[..., None] * self.scales

    def features(self, x: Tensor) -> Tensor:
        r"""Each unit's encoded features, the observable's input.

        ``"mlp"``: :math:`[\sin s_i z_j]_i \| [\cos s_i z_j]_i`, shape ``(*, out, 2n)``;
        ``"multilinear"``: the tensor product :math:`\bigotimes_i [1, \cos s_i z_j,
        \sin s_i z_j]` (first re-upload most significant), shape ``(*, out, 3^n)``, so that
        ``forward(x) == features(x) @ readout``.
        """
        a = self.angles(x)
        if self.observable == "mlp":
            return torch.cat([torch.sin(a), torch.cos(a)], dim=-1)
        phi = _trig(a)
        out = phi[..., 0, :]
        for i in range(1, self.n_reuploads):
            out = (out[..., :, None] * phi[..., i, None, :]).flatten(-2)
        return out

    def forward(self, x: Tensor) -> Tensor:
        a = self.angles(x)
        if self.observable == "mlp":
            u = torch.cat([torch.sin(a), torch.cos(a)], dim=-1)
            return torch.sin(self.mlp(u)).squeeze(-1)
        # <W, ⊗_i phi_i> contracted one re-upload at a time: at most 3^(n-1) numbers per unit.
        phi = _trig(a)
        lead = phi.shape[:-2]
        phi = phi.reshape(-1, self.n_reuploads, 3)
        h = phi[:, 0] @ self.readout.reshape(3, -1)
        for i in range(1, self.n_reuploads):
            h = torch.einsum("bk,bkr->br", phi[:, i], h.reshape(h.shape[0], 3, -1))
        return h.reshape(lead)

    def frequencies(self) -> list[float]:
        r"""The frequencies in :math:`z` of a unit at the current scales, :math:`\sum_i m_i s_i`,
        :math:`m_i \in \{-1,0,1\}` (:func:`reupload_frequencies`): exact for the multilinear
        observable; for the MLP observable only the lowest ones of an infinite lattice."""
        return reupload_frequencies(self.scales)


class QRUN(Network):
    r"""A Q-RUN network: ``n_layers`` :class:`QRUNLayer`\ s, then a linear output layer.

    .. math:: f(x) = W_{L+1} h_L + b_{L+1}, \qquad h_\ell = \mathrm{QRUN}_\ell(h_{\ell-1}),
              \quad h_0 = x,

    mirroring ``MLP(in_features, hidden_features, out_features, n_layers)``: the
    :class:`QRUNLayer` takes the place of "linear map + activation". (The authors' networks add
    a linear embedding before the first Q-RUN layer; two linear maps in a row are one linear
    map, so we leave it out.)

    Args:
        in_features, hidden_features, out_features: widths.
        n_layers: number of Q-RUN layers :math:`L \ge 1`.
        device, dtype, seed: as in :class:`QRUNLayer`.
        **layer: passed to every :class:`QRUNLayer`: ``n_reuploads``, ``observable``,
            ``observable_hidden``, ``scales``, ``train_scales``.

    Example:
        >>> net = QRUN(1, 16, 1, n_layers=2, seed=0)
        >>> net(torch.linspace(-1, 1, 10)).shape, net.n_parameters
        (torch.Size([10, 1]), 567)
    """

    def __init__(
        self,
        in_features: int,
        hidden_features: int,
        out_features: int,
        n_layers: int = 2,
        *,
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
        **layer,
    ):
        super().__init__()
        self._set_sizes(in_features, hidden_features, out_features, n_layers, "Q-RUN layers")
        unknown = set(layer) - {
            "n_reuploads", "observable", "observable_hidden", "scales", "train_scales", "bias",
        }  # fmt: skip
        if unknown:
            raise TypeError(f"QRUN got unknown keyword argument(s) {sorted(unknown)}.")
        dtype = check_dtype(dtype)
        kw = dict(layer, device="cpu", dtype=dtype)
        with seeded(seed):
            self.net = layer_stack(
                partial(QRUNLayer, **kw), in_features, hidden_features, out_features, n_layers,
                dtype=dtype,
            )  # fmt: skip
        self._finish(device, dtype)


def replace_linear(
    module: nn.Module,
    names: Sequence[str] | None = None,
    *,
    seed: int | None = None,
    **options,
) -> nn.Module:
    r"""Replace ``nn.Linear`` layers of a module by :class:`QRUNLayer`\ s, in place.

    Each replacement has the same ``in_features``, ``out_features``, ``bias``, device and dtype
    as the layer it replaces, and fresh weights. ``names=None`` replaces every plain
    ``nn.Linear`` (exact type: subclasses such as the output projection inside
    ``nn.MultiheadAttention``, whose weight attention reads directly, are left alone); otherwise
    only the children whose attribute name is in ``names`` (e.g. ``("linear1", "linear2")``,
    the feed-forward block of ``nn.TransformerEncoderLayer``). A transformer layer whose
    feed-forward was replaced has its fused inference fast path switched off, because that path
    reads ``linear1.weight`` directly instead of calling the layer.

    Args:
        module: the model to change.
        names: attribute names to replace, or ``None`` for every ``nn.Linear``.
        seed: layer ``k`` (in ``named_modules`` order) is initialised from ``seed + k``.
        **options: keyword options of :class:`QRUNLayer` (``n_reuploads``, ``observable``...).

    Returns:
        ``module`` itself.

    Example:
        >>> block = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
        >>> _ = replace_linear(block, ["linear1", "linear2"], seed=0)
        >>> type(block.linear1).__name__, block(torch.zeros(3, 5, 8)).shape
        ('QRUNLayer', torch.Size([3, 5, 8]))
    """
    targets = []
    for parent in module.modules():
        for name, child in parent.named_children():
            wanted = type(child) is nn.Linear if names is None else name in names
            if wanted and isinstance(child, nn.Linear):
                targets.append((parent, name, child))
    if not targets:
        where = "any nn.Linear" if names is None else f"an nn.Linear named one of {list(names)}"
        raise ValueError(
            f"module ({type(module).__name__}) has no child that is {where}; check names= "
            "against [name for name, _ in module.named_modules()]."
        )
    for k, (parent, name, child) in enumerate(targets):
        new = QRUNLayer(
            child.in_features,
            child.out_features,
            child.bias is not None,
            device=child.weight.device,
            dtype=child.weight.dtype,
            seed=None if seed is None else seed + k,
            **options,
        )
        setattr(parent, name, new)
        if hasattr(parent, "activation_relu_or_gelu"):
            parent.activation_relu_or_gelu = False  # no fused fast path (see above)
    return module


def frequency_count(n_reuploads: int, in_features: int = 1) -> int:
    r""":math:`3^{d n}`: the most frequency vectors of the circuit a Q-RUN layer imitates.

    (``d`` qubits, each encoding one input ``n`` times with non-colliding scales.) One Q-RUN
    unit reaches :math:`3^n` of them, on the line through its weight vector.

    Example:
        >>> frequency_count(2), frequency_count(2, in_features=2)
        (9, 81)
    """
    check_positive_int("n_reuploads", n_reuploads)
    check_positive_int("in_features", in_features)
    return 3 ** (in_features * n_reuploads)
