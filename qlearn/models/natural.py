r"""Natural quantization of a binarized network (arXiv 2503.15482): neurons are qubits.

A hidden neuron receives the signs :math:`s \in \{-1, +1\}` of the previous layer (the input
layer receives the features), forms :math:`z = W s + b` and sets a rotation

.. math:: \theta(z; a) = \frac{\pi}{2}\,\bigl(1 - h(z; a)\bigr), \qquad
          h(z; a) = \operatorname{clip}(z / a, -1, 1),

prepares :math:`R_Y(\theta)|0\rangle = \cos\tfrac\theta2|0\rangle + \sin\tfrac\theta2|1\rangle`
and measures :math:`Z`: the outcome is :math:`s = +1` (bit 0) or :math:`s = -1` (bit 1) with

.. math:: P(s = -1) = \sin^2\tfrac\theta2, \qquad E[s] = \cos\theta = \sin\bigl(\tfrac\pi2 h\bigr).

**Classical limit.** For :math:`a = 0` we define :math:`h(z; 0) = \operatorname{sign}(z)` with
the convention :math:`\operatorname{sign}(0) = +1` (so :math:`z = 0` gives :math:`\theta = 0`
and :math:`s = +1` for sure); then :math:`\theta \in \{0, \pi\}`, every outcome is certain and
the network *is* the classical sign network :math:`s = \operatorname{sign}(Wx + b)` with that
same convention. (For :math:`a > 0`, :math:`h(0; a) = 0`, a fair coin.)

**Weak measurement** (``mode="weak"``). The neuron qubit is not measured; an ancilla, prepared
in :math:`R_Y(\pi/2 - g)|0\rangle`, is rotated by a controlled :math:`R_Y(2g)` (neuron as
control); together they equal the entangling gate :math:`\exp(+\tfrac{i g}{2} Z \otimes Y)`
applied to an ancilla prepared in :math:`R_Y(\pi/2)|0\rangle` (a test checks it): the ancilla
ends in :math:`R_Y(\pi/2 \mp g)|0\rangle` when the neuron is
:math:`|0\rangle` / :math:`|1\rangle`. The state is

.. math:: \cos\tfrac\theta2\,|0\rangle R_Y(\tfrac\pi2 - g)|0\rangle
          + \sin\tfrac\theta2\,|1\rangle R_Y(\tfrac\pi2 + g)|0\rangle ,

the two ancilla states overlap by :math:`\cos g` (so :math:`g` is the entanglement angle), and
measuring the ancilla gives :math:`s = -1` (bit 1) with

.. math:: P(s = -1 \mid \theta, g)
          = \cos^2\tfrac\theta2 \cdot \tfrac{1 - \sin g}{2}
          + \sin^2\tfrac\theta2 \cdot \tfrac{1 + \sin g}{2}
          = \tfrac12\,\bigl(1 - \sin g \cos\theta\bigr),
   \qquad E[s] = \sin g \cos\theta .

At :math:`g = \pi/2` the ancilla copies the neuron's :math:`Z` outcome exactly (the rotate-and-
measure neuron; with :math:`a = 0` the classical network); at :math:`g = 0` it learns nothing and
:math:`s` is a fair coin. Equivalently the readout flips the neuron's outcome with probability
:math:`(1 - \sin g)/2`. :func:`neuron_circuit` builds both circuits in the IR, so the formula is
checked against the simulator and PennyLane.

**Training.** The forward pass of a hidden layer is either a sample (``method="ste"``) or the
mean :math:`E[s]` (``method="expectation"``); the backward pass of both uses the derivative of
:math:`E[s]` computed at the width :math:`\max(a, \text{surrogate})`, which is the exact gradient
of the mean for :math:`a \ge \text{surrogate}` and a straight-through estimator below (for
:math:`a = 0` the mean is a step with zero gradient). The last layer is linear (logits for a
softmax/cross-entropy loss). **Inference** (:meth:`NaturalQuantizedMLP.predict`) is a majority
vote over repeated stochastic passes.

Example:
    >>> import math, torch
    >>> p_minus(torch.tensor([0.0, math.pi / 2, math.pi]), g=math.pi / 2).tolist()
    [0.0, 0.5, 1.0]
    >>> net = NaturalQuantizedMLP([4, 8, 3], a=0.5, seed=0)
    >>> net(torch.rand(5, 4)).shape
    torch.Size([5, 3])
    >>> net.predict(torch.rand(5, 4), n_votes=7, seed=1).shape
    torch.Size([5])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from qlearn.models.base import n_parameters
from qlearn.models.baselines import seeded
from qlearn.sim import Circuit, CircuitModule

Tensor = torch.Tensor

__all__ = [
    "MODES",
    "METHODS",
    "NaturalQuantizedMLP",
    "expected_spin",
    "htanh",
    "neuron_circuit",
    "p_minus",
    "rotation_angle",
    "sample_spins",
]

#: Neuron kinds: rotate-and-measure, or weak measurement through an ancilla.
MODES = ("rotate", "weak")
#: Training methods: sampled forward pass (straight-through), or the mean E[s].
METHODS = ("ste", "expectation")


def _check_a(a) -> float:
    if isinstance(a, bool) or not isinstance(a, int | float) or not a >= 0 or math.isinf(a):
        raise ValueError(f"a={a!r} must be a finite number >= 0 (a = 0 is the classical limit).")
    return float(a)


def _check_g(g) -> float:
    if isinstance(g, bool) or not isinstance(g, int | float) or not 0 <= g <= math.pi / 2:
        raise ValueError(
            f"g={g!r} must be an entanglement angle in [0, pi/2] (pi/2 is the classical regime)."
        )
    return float(g)


def htanh(z: Tensor, a: float) -> Tensor:
    r"""Hard tanh of width ``a``: :math:`\operatorname{clip}(z/a, -1, 1)`; for ``a = 0`` the sign
    with :math:`\operatorname{sign}(0) = +1`.

    Example:
        >>> htanh(torch.tensor([-2.0, 0.0, 0.5, 3.0]), 1.0).tolist()
        [-1.0, 0.0, 0.5, 1.0]
        >>> htanh(torch.tensor([-2.0, 0.0, 0.5]), 0.0).tolist()
        [-1.0, 1.0, 1.0]
    """
    a = _check_a(a)
    if a == 0:
        return torch.where(z >= 0, torch.ones_like(z), -torch.ones_like(z))
    return torch.clamp(z / a, -1.0, 1.0)


def rotation_angle(z: Tensor, a: float) -> Tensor:
    r""":math:`\theta = \frac\pi2 (1 - h(z; a))` in :math:`[0, \pi]`.

    Example:
        >>> rotation_angle(torch.tensor([-1.0, 0.0, 1.0]), 1.0) / math.pi
        tensor([1.0000, 0.5000, 0.0000])
    """
    return (math.pi / 2) * (1 - htanh(z, a))


def p_minus(theta: Tensor, g: float = math.pi / 2) -> Tensor:
    r"""Probability of the outcome :math:`s = -1`: :math:`\frac12(1 - \sin g \cos\theta)`
    (:math:`\sin^2(\theta/2)` at :math:`g = \pi/2`, the rotate-and-measure neuron).

    Example:
        >>> p_minus(torch.tensor([0.0, math.pi]), g=0.0).tolist()
        [0.5, 0.5]
    """
    g = _check_g(g)
    return 0.5 * (1 - math.sin(g) * torch.cos(theta))


def expected_spin(z: Tensor, a: float, g: float = math.pi / 2) -> Tensor:
    r""":math:`E[s] = \sin g \cos\theta(z; a) = \sin g \,\sin(\frac\pi2 h(z; a))`, computed
    without rounding at the classical point (exactly :math:`\pm 1` for ``a = 0``, ``g = pi/2``).

    Example:
        >>> expected_spin(torch.tensor([-3.0, 0.0, 0.25]), 0.0).tolist()
        [-1.0, 1.0, 1.0]
    """
    g = _check_g(g)
    h = htanh(z, a)
    mean = h if _check_a(a) == 0 else torch.sin((math.pi / 2) * h)
    return mean if g == math.pi / 2 else math.sin(g) * mean


def sample_spins(mean: Tensor, generator: torch.Generator | None = None) -> Tensor:
    r"""Draw :math:`s \in \{-1, +1\}` with :math:`E[s]` = ``mean`` (elementwise, batched):
    :math:`s = 1 - 2b`, :math:`b \sim \mathrm{Bernoulli}((1 - \text{mean})/2)`. The same
    generator state gives the same spins; a mean of exactly :math:`\pm 1` gives it for sure.

    Example:
        >>> g = torch.Generator().manual_seed(0)
        >>> sample_spins(torch.tensor([1.0, -1.0, 1.0]), g).tolist()
        [1.0, -1.0, 1.0]
    """
    p = ((1 - mean.detach()) / 2).clamp(0.0, 1.0)
    return 1 - 2 * torch.bernoulli(p, generator=generator)


def neuron_circuit(weak: bool = False) -> Circuit:
    r"""One neuron as a circuit of the IR, with inputs ``(θ, g)``.

    ``weak=False``: one qubit, :math:`R_Y(\theta)` and ``expval("Z", 0)``. ``weak=True``: the
    neuron (wire 0) and an ancilla (wire 1): :math:`R_Y(\theta)` on 0, :math:`R_Y(\pi/2 - g)`
    on 1, controlled :math:`R_Y(2g)` from 0 onto 1, and ``expval("Z", 1)``. Either way the
    measured wire reads 1 (:math:`s = -1`) with probability :func:`p_minus` ``(θ, g)`` and the
    expectation value is :math:`E[s] = \sin g\cos\theta` (``g`` is ignored when ``weak=False``).

    Example:
        >>> c = neuron_circuit(weak=True)
        >>> m = c.module(dtype=torch.float64)
        >>> torch.allclose(m(torch.tensor([[1.0, 0.3]]))[0, 0],
        ...                torch.tensor(math.sin(0.3) * math.cos(1.0), dtype=torch.float64))
        True
    """
    c = Circuit(2 if weak else 1)
    x = c.inputs(2)  # x[0] = θ, x[1] = g
    c.ry(0, x[0])
    if weak:
        c.ry(1, math.pi / 2 - x[1])
        c.cry(0, 1, 2 * x[1])
    c.expval("Z", 1 if weak else 0)
    return c


class NaturalQuantizedMLP(nn.Module):
    r"""Layers of qubit neurons: ``widths = [in, w_1, ..., w_k, out]``.

    Every hidden neuron is a qubit (see the module docstring): ``mode="rotate"`` measures it
    after :math:`R_Y(\theta(z; a))`; ``mode="weak"`` measures an ancilla entangled with it by
    the angle ``g``. The last layer is linear and returns logits.

    Args:
        widths: layer widths, at least ``[in, hidden, out]``.
        a: quantumness of the rotation, ``a = 0`` the classical sign network.
        mode: ``"rotate"`` or ``"weak"``.
        g: entanglement angle in :math:`[0, \pi/2]` (``mode="weak"`` only; ``pi/2`` classical).
        method: ``"ste"`` (sampled forward, surrogate gradient) or ``"expectation"`` (forward
            through :math:`E[s]`), used in training mode; in eval mode ``forward`` is one
            stochastic pass.
        surrogate: the smallest width whose :math:`E[s]` gives the backward pass.
        seed: seeds the weights and the sampling generator (:meth:`reseed` resets it).
    """

    def __init__(
        self,
        widths: Sequence[int],
        a: float = 0.0,
        mode: str = "rotate",
        g: float = math.pi / 2,
        method: str = "ste",
        surrogate: float = 1.0,
        bias: bool = True,
        seed: int | None = 0,
        dtype: torch.dtype | None = None,
        device: str | torch.device | None = None,
    ):
        super().__init__()
        widths = list(widths)
        if len(widths) < 3 or any(
            isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths
        ):
            raise ValueError(
                f"widths={widths!r} must list at least three positive integers "
                "[in, hidden..., out], e.g. [64, 32, 32, 32, 10]."
            )
        if mode not in MODES:
            raise ValueError(f"mode={mode!r} is unknown; use one of {list(MODES)}.")
        if method not in METHODS:
            raise ValueError(f"method={method!r} is unknown; use one of {list(METHODS)}.")
        if isinstance(surrogate, bool) or not isinstance(surrogate, int | float) or surrogate <= 0:
            raise ValueError(f"surrogate={surrogate!r} must be a positive width, e.g. 1.0.")
        self.widths = widths
        self.a = _check_a(a)
        self.g = _check_g(g) if mode == "weak" else math.pi / 2
        self.mode, self.method, self.surrogate = mode, method, float(surrogate)
        with seeded(seed):
            self.layers = nn.ModuleList(
                nn.Linear(i, o, bias=bias, dtype=dtype, device=device)
                for i, o in zip(widths[:-1], widths[1:], strict=True)
            )
        self.generator = torch.Generator(device=self.layers[0].weight.device)
        self.reseed(0 if seed is None else seed)

    # ---- bookkeeping ------------------------------------------------------------------------
    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return n_parameters(self)

    def reseed(self, seed: int) -> None:
        """Reset the sampling generator (same seed, same spins)."""
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"seed={seed!r} must be an integer.")
        self.generator.manual_seed(seed)

    def extra_repr(self) -> str:
        g = f", g={self.g:.4g}" if self.mode == "weak" else ""
        return f"widths={self.widths}, a={self.a:g}, mode={self.mode!r}{g}, method={self.method!r}"

    def _inputs(self, x: Tensor) -> Tensor:
        x = torch.as_tensor(x)
        if x.ndim != 2 or x.shape[1] != self.widths[0]:
            raise ValueError(
                f"x has shape {tuple(x.shape)} but the model takes (batch, {self.widths[0]})."
            )
        ref = self.layers[0].weight
        return x.to(ref.device, ref.dtype)

    # ---- the neurons ------------------------------------------------------------------------
    def mean(self, z: Tensor) -> Tensor:
        """:math:`E[s]` of the hidden neurons with pre-activations ``z``."""
        return expected_spin(z, self.a, self.g)

    def activation(self, z: Tensor, how: str, generator: torch.Generator | None = None) -> Tensor:
        """Hidden spins: ``how="sample"`` (one measurement each) or ``"mean"`` (:math:`E[s]`);
        when ``z`` requires a gradient, the backward pass is that of the surrogate mean."""
        value = self.mean(z).detach()
        if how == "sample":
            value = sample_spins(value, generator or self.generator)
        elif how != "mean":
            raise ValueError(f"how={how!r} must be 'sample' or 'mean'.")
        if not z.requires_grad:
            return value
        smooth = expected_spin(z, max(self.a, self.surrogate), self.g)
        return value + (smooth - smooth.detach())

    def forward(self, x: Tensor, how: str | None = None) -> Tensor:
        """Logits ``(B, out)``. ``how``: ``"sample"`` or ``"mean"``; by default the training
        method in training mode and one stochastic pass (``"sample"``) in eval mode."""
        if how is None:
            how = "mean" if self.training and self.method == "expectation" else "sample"
        s = self._inputs(x)
        for layer in self.layers[:-1]:
            s = self.activation(layer(s), how)
        return self.layers[-1](s)

    # ---- inference --------------------------------------------------------------------------
    def votes(self, x: Tensor, n_votes: int = 10, seed: int | None = None) -> Tensor:
        """Class counts ``(B, out)`` over ``n_votes`` stochastic passes (batched in one pass)."""
        if isinstance(n_votes, bool) or not isinstance(n_votes, int) or n_votes < 1:
            raise ValueError(f"n_votes={n_votes!r} must be a positive integer.")
        if seed is not None:
            self.reseed(seed)
        x = self._inputs(x)
        with torch.no_grad():
            logits = self(x.repeat(n_votes, 1), how="sample")
        winners = logits.argmax(-1).reshape(n_votes, x.shape[0])
        counts = torch.zeros(x.shape[0], self.widths[-1], dtype=torch.int64, device=x.device)
        return counts.scatter_add_(1, winners.T, torch.ones_like(winners.T))

    def predict(self, x: Tensor, n_votes: int = 10, seed: int | None = None) -> Tensor:
        """Majority vote over ``n_votes`` stochastic passes (a tie goes to the smaller class)."""
        return self.votes(x, n_votes, seed).argmax(-1)

    def error(self, x: Tensor, y: Tensor, n_votes: int = 10, seed: int | None = None) -> float:
        """Fraction of misclassified rows under :meth:`predict`."""
        return float((self.predict(x, n_votes, seed).cpu() != y.cpu()).double().mean())

    # ---- the same network as circuits ---------------------------------------------------------
    def circuit_module(self) -> CircuitModule:
        """The IR circuit of one neuron (:func:`neuron_circuit`), compiled in this dtype."""
        module = neuron_circuit(self.mode == "weak").module(
            dtype=self.layers[0].weight.dtype, device=self.layers[0].weight.device
        )
        return module

    def run_as_circuits(
        self, x: Tensor, n_votes: int = 10, seed: int = 0, backend: str = "sim"
    ) -> Tensor:
        r"""Majority-vote predictions with every hidden neuron run as its circuit.

        Each neuron of each pass is simulated as :func:`neuron_circuit` with inputs
        :math:`(\theta(z; a), g)` and measured once (one shot, seeded from ``seed`` per layer);
        the spins feed the next layer. ``backend="pennylane"`` takes each neuron's
        :math:`E[s]` from the PennyLane export instead and draws the shot from it.
        """
        if backend not in ("sim", "pennylane"):
            raise ValueError(f"backend={backend!r} must be 'sim' or 'pennylane'.")
        module = self.circuit_module()
        twin = module.to_pennylane() if backend == "pennylane" else None
        gen = torch.Generator().manual_seed(seed)
        x = self._inputs(x)
        n = x.shape[0]
        with torch.no_grad():
            s = x.repeat(n_votes, 1)
            for layer in self.layers[:-1]:
                theta = rotation_angle(layer(s), self.a)
                inputs = torch.stack([theta.flatten(), torch.full_like(theta.flatten(), self.g)], 1)
                if twin is None:
                    wire = [1] if self.mode == "weak" else [0]
                    shot_seed = int(torch.randint(0, 2**62, (1,), generator=gen))
                    bits = module.sample(inputs, shots=1, seed=shot_seed, wires=wire)[:, 0, 0]
                    spins = 1 - 2 * bits.to(theta.dtype)
                else:
                    spins = sample_spins(twin(inputs)[:, 0].to(theta.dtype), gen)
                s = spins.reshape(theta.shape)
            winners = self.layers[-1](s).argmax(-1).reshape(n_votes, n)
        counts = torch.zeros(n, self.widths[-1], dtype=torch.int64, device=x.device)
        return counts.scatter_add_(1, winners.T, torch.ones_like(winners.T)).argmax(-1)
