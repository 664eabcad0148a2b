r"""QIREN: quantum implicit neural representations (Zhao et al., ICML 2024, arXiv 2406.03873).

A QIREN network is a stack of *hybrid layers* and a linear output layer:

.. math:: f(x) = W_{\mathrm{out}}\, h_N + b_{\mathrm{out}}, \qquad
          h_\ell = Q\big(\mathrm{BN}(W_\ell h_{\ell-1} + b_\ell)\big), \quad h_0 = x .

Each hybrid layer maps its input linearly to ``width`` angles, normalises them with
``BatchNorm1d`` and feeds angle :math:`a_j` to qubit :math:`j` of a data re-uploading circuit
:math:`Q` on ``width`` qubits (:func:`qiren_circuit`):

.. math:: Q(a)_j = \langle 0|\, U^\dagger(a)\, Z_j\, U(a) |0\rangle, \qquad
          U(a) = W_L\, S(a)\, W_{L-1} \cdots W_1\, S(a)\, W_0,

with :math:`S(a) = \bigotimes_j R_Z(a_j)` and every trainable block :math:`W_i` made of ``K``
sub-layers "a Rot on every qubit, then a ring of CZ" (strongly entangling layers with CZ).
One qubit's :math:`\langle Z\rangle` is a trigonometric polynomial in each angle :math:`a_j`
with integer frequencies :math:`|\omega| \le L`; because :math:`a = \mathrm{BN}(Wh + b)` is
affine in :math:`h`, the *linear layer scales the frequencies* (a frequency :math:`\omega` in
:math:`a_j` is :math:`\omega\, \gamma_j W_{j\cdot}/\sigma_j` in :math:`h`) and stacking layers
multiplies the spectrum further. BatchNorm keeps the angles at zero mean and unit variance, the
range in which :math:`R_Z(a)` is neither nearly constant nor wrapping around many times.

Parameters per hybrid layer ``in -> n``: :math:`(in + 1) n` (linear), :math:`2n` (BatchNorm's
:math:`\gamma, \beta`), :math:`3 K n (L + 1)` (circuit). The reference network (1 input,
width 8, ``n_hidden_layers = 2`` after the first hybrid layer, :math:`L = K = 2`, 1 output)
has :math:`16 + 16 + 144 + 2 (72 + 16 + 144) + 9 = 649`.

Example:
    >>> import torch
    >>> from qlearn.models import QIREN
    >>> net = QIREN(1, 1, seed=0)  # the reference defaults
    >>> net.n_parameters, net(torch.linspace(-1, 1, 5)).shape
    (649, torch.Size([5, 1]))
    >>> c = net.circuit  # one hybrid layer's circuit
    >>> c.n_qubits, c.n_inputs, c.n_weights, len(c.ops), len(c.observables)
    (8, 8, 144, 112, 8)
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch import nn

from qlearn.ansatz import reuploading
from qlearn.models.base import n_parameters
from qlearn.models.baselines import (
    Network,
    as_batch,
    check_dtype,
    check_positive_int,
    seeded,
    target_device,
)
from qlearn.sim import Circuit
from qlearn.sim.noise import Noise, NoisyCircuit

Tensor = torch.Tensor

__all__ = ["QIREN", "QIRENLayer", "qiren_circuit", "qiren_parameter_count", "qiren_torchlayer"]


def qiren_circuit(n_qubits: int, n_reuploads: int = 2, block_depth: int = 2) -> Circuit:
    r"""QIREN's circuit: ``n_qubits`` inputs, :math:`\langle Z_j\rangle` of every qubit.

    ``n_reuploads`` times a trainable block (``block_depth`` sub-layers of Rot on every qubit +
    CZ ring) then :math:`R_Z(a_j)` on qubit :math:`j`; a final trainable block. The weights are
    one tensor ``"block"`` of shape ``(n_reuploads + 1, block_depth, n_qubits, 3)``. It is
    :func:`qlearn.ansatz.reuploading` with ``rotation="RZ"`` and ``entangler="cz"``.

    Example:
        >>> from qlearn import fourier
        >>> c = qiren_circuit(2, n_reuploads=2)
        >>> c.n_weights, fourier.spectrum(c, inputs=[0])[0]  # each angle: frequencies -2..2
        (36, [-2.0, -1.0, 0.0, 1.0, 2.0])
    """
    check_positive_int("n_qubits", n_qubits, " (the width of the hybrid layer)")
    check_positive_int("n_reuploads", n_reuploads)
    check_positive_int("block_depth", block_depth)
    return reuploading(
        n_qubits, n_qubits, n_reuploads, rotation="RZ", block="strong", block_depth=block_depth,
        entangler="cz", out_features=n_qubits,
    )  # fmt: skip


def qiren_torchlayer(n_qubits: int, n_reuploads: int = 2, block_depth: int = 2) -> nn.Module:
    r"""QIREN's circuit written directly with PennyLane templates, as a ``qml.qnn.TorchLayer``
    on ``default.qubit`` (backprop): the independent twin of :func:`qiren_circuit` used by the
    parity test and ``bench/qiren.py``. Its weight ``"block"`` has the same shape and meaning.

    Each trainable block is ``qml.StronglyEntanglingLayers(..., ranges=[1] * K,
    imprimitive=qml.CZ)`` (a CZ ring; on two wires PennyLane's ring applies CZ twice, ours once,
    so the twin needs ``n_qubits != 2``).

    Example:
        >>> twin = qiren_torchlayer(3)
        >>> twin(torch.zeros(4, 3)).shape, tuple(twin.block.shape)
        (torch.Size([4, 3]), (3, 2, 3, 3))
    """
    import pennylane as qml

    check_positive_int("n_qubits", n_qubits)
    if n_qubits == 2:
        raise ValueError(
            "n_qubits=2: PennyLane's CZ ring on two wires differs from ours; use 1 or >= 3."
        )
    wires = list(range(n_qubits))
    device = qml.device("default.qubit", wires=n_qubits)

    def trainable(weights):
        if n_qubits == 1:
            for k in range(block_depth):
                qml.Rot(*weights[..., k, 0, :].unbind(-1), wires=0)
            return
        qml.StronglyEntanglingLayers(
            weights, wires=wires, ranges=[1] * block_depth, imprimitive=qml.CZ
        )

    @qml.qnode(device, interface="torch", diff_method="backprop")
    def circuit(inputs, block):
        for i in range(n_reuploads):
            trainable(block[i])
            for j in wires:
                qml.RZ(inputs[..., j], wires=j)
        trainable(block[n_reuploads])
        return [qml.expval(qml.PauliZ(j)) for j in wires]

    shape = (n_reuploads + 1, block_depth, n_qubits, 3)
    return qml.qnn.TorchLayer(circuit, {"block": shape})


def qiren_parameter_count(
    in_features: int,
    out_features: int,
    width: int = 8,
    n_hidden_layers: int = 2,
    n_reuploads: int = 2,
    block_depth: int = 2,
    *,
    batchnorm: bool = True,
    linear: bool = True,
) -> int:
    r"""The number of trainable scalars of :class:`QIREN`, from the formula in the module
    docstring (``tests/test_qiren.py`` checks it against the built model).

    Example:
        >>> qiren_parameter_count(1, 1), qiren_parameter_count(2, 1)  # signal, image
        (649, 657)
    """
    circuit = 3 * block_depth * width * (n_reuploads + 1)
    norm = 2 * width if batchnorm else 0
    total = 0
    for k in range(n_hidden_layers + 1):
        fan_in = in_features if k == 0 else width
        total += ((fan_in + 1) * width if linear else 0) + norm + circuit
    return total + (width + 1) * out_features


def _check_noise(noise: Noise | None) -> None:
    if noise is not None and not isinstance(noise, Noise):
        raise TypeError(f"noise has type {type(noise).__name__}; pass a qlearn.sim.Noise.")


class QIRENLayer(nn.Module):
    r"""One hybrid layer: Linear → BatchNorm1d → :func:`qiren_circuit`: ``(B, in) -> (B, width)``.

    Args:
        in_features: input width.
        width: number of qubits (= outputs).
        n_reuploads, block_depth: :math:`L` and :math:`K` of the circuit.
        batchnorm: normalise the angles (``False``: the ablation without BatchNorm).
        linear: map the input linearly to the angles (``False``: the ablation without it;
            qubit :math:`j` then encodes input :math:`j \bmod \text{in}`, unscaled).
        noise: run the circuit under :class:`~qlearn.sim.Noise` (``None``: exact).
        device, dtype, seed: where, in which precision, from which seed.

    Example:
        >>> layer = QIRENLayer(3, 4, seed=0, dtype=torch.float64)
        >>> layer(torch.randn(5, 3)).shape, layer.n_parameters  # 16 + 8 + 72
        (torch.Size([5, 4]), 96)
    """

    def __init__(
        self,
        in_features: int,
        width: int,
        n_reuploads: int = 2,
        block_depth: int = 2,
        *,
        batchnorm: bool = True,
        linear: bool = True,
        noise: Noise | None = None,
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        check_positive_int("in_features", in_features)
        check_positive_int("width", width, " (the number of qubits)")
        dtype = check_dtype(dtype)
        self.in_features, self.width = in_features, width
        self.circuit = qiren_circuit(width, n_reuploads, block_depth)
        with seeded(seed):
            self.linear = nn.Linear(in_features, width, dtype=dtype) if linear else None
            self.norm = nn.BatchNorm1d(width, dtype=dtype) if batchnorm else None
            circuit_seed = int(torch.randint(0, 2**31 - 1, (1,))) if seed is not None else None
        self.quantum = self.circuit.module(device="cpu", dtype=dtype, seed=circuit_seed)
        if not linear:
            self.register_buffer("_spread", torch.arange(width) % in_features, persistent=False)
        self.to(target_device(device))
        self.noisy: NoisyCircuit | None = None
        self.set_noise(noise)

    @property
    def n_parameters(self) -> int:
        """Number of trainable scalars."""
        return n_parameters(self)

    def set_noise(self, noise: Noise | None) -> None:
        """Run the circuit under ``noise`` from now on (``None``: exact); weights are kept."""
        _check_noise(noise)
        self.noisy = None if noise is None or noise.is_exact else NoisyCircuit(self.quantum, noise)

    def angles(self, x: Tensor) -> Tensor:
        """The encoded angles :math:`a = \\mathrm{BN}(Wx + b)`, ``(B, width)``."""
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"x has shape {tuple(x.shape)} but QIRENLayer takes (batch, {self.in_features})."
            )
        ref = next(self.quantum.parameters())
        x = x.to(ref.device, ref.dtype)
        a = self.linear(x) if self.linear is not None else x[:, self._spread]
        return self.norm(a) if self.norm is not None else a

    def forward(self, x: Tensor) -> Tensor:
        a = self.angles(x)
        return self.quantum(a) if self.noisy is None else self.noisy(a)

    def torchlayer(self) -> nn.Module:
        """:func:`qiren_torchlayer` with this layer's circuit weights (a copy)."""
        ref = self.quantum.weights["block"]
        _, depth, n, _ = ref.shape
        twin = qiren_torchlayer(n, ref.shape[0] - 1, depth).to(ref.device, ref.dtype)
        with torch.no_grad():
            twin.block.copy_(ref)
        return twin

    def to_pennylane(self) -> Callable[[Tensor], Tensor]:
        """The same layer with the circuit computed by PennyLane (``default.qubit``)."""
        twin = self.quantum.to_pennylane()
        return lambda x: twin(self.angles(x))


class QIREN(Network):
    r"""A QIREN network: ``n_hidden_layers + 1`` :class:`QIRENLayer`\ s, then a linear layer.

    The first hybrid layer maps ``in_features`` to ``width``, the ``n_hidden_layers`` after it
    ``width`` to ``width`` (the authors' ``hidden_layers``), as their reference network; the
    defaults (width 8, 2 hidden layers, :math:`L = K = 2`) give 649 parameters for one input.

    Args:
        in_features, out_features: input and output widths.
        width: qubits per hybrid layer.
        n_hidden_layers: hybrid layers after the first.
        n_reuploads, block_depth: :math:`L` and :math:`K` of every circuit.
        batchnorm, linear: keep BatchNorm / the Linear map in every hybrid layer (ablations).
        noise: :class:`~qlearn.sim.Noise` for every circuit (change later with
            :meth:`set_noise`).
        device, dtype, seed: where, in which precision, from which seed.

    ``.circuit`` is the circuit of a hybrid layer (all share its shape, each has its own
    weights), ``.to_pennylane()`` the network with every circuit run by PennyLane.

    Example:
        >>> net = QIREN(2, 1, width=4, n_hidden_layers=1, seed=0, dtype=torch.float64)
        >>> net(torch.zeros(3, 2)).shape, net.n_parameters
        (torch.Size([3, 1]), 197)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int = 1,
        width: int = 8,
        n_hidden_layers: int = 2,
        n_reuploads: int = 2,
        *,
        block_depth: int = 2,
        batchnorm: bool = True,
        linear: bool = True,
        noise: Noise | None = None,
        device=None,
        dtype: torch.dtype | None = None,
        seed: int | None = None,
    ):
        super().__init__()
        check_positive_int("in_features", in_features)
        check_positive_int("out_features", out_features)
        check_positive_int("width", width, " (the number of qubits per hybrid layer)")
        if (
            isinstance(n_hidden_layers, bool)
            or not isinstance(n_hidden_layers, int)
            or (n_hidden_layers < 0)
        ):
            raise ValueError(f"n_hidden_layers={n_hidden_layers!r} must be an integer >= 0.")
        dtype = check_dtype(dtype)
        self.in_features, self.out_features = in_features, out_features
        self.width, self.n_hidden_layers = width, n_hidden_layers
        self.n_reuploads, self.block_depth = n_reuploads, block_depth
        with seeded(seed):
            layer_seeds = [
                int(s) for s in torch.randint(0, 2**31 - 1, (n_hidden_layers + 1,))
            ] if seed is not None else [None] * (n_hidden_layers + 1)  # fmt: skip
            self.layers = nn.ModuleList(
                QIRENLayer(
                    in_features if k == 0 else width,
                    width,
                    n_reuploads,
                    block_depth,
                    batchnorm=batchnorm,
                    linear=linear,
                    device="cpu",
                    dtype=dtype,
                    seed=layer_seeds[k],
                )  # fmt: skip
                for k in range(n_hidden_layers + 1)
            )
            self.output = nn.Linear(width, out_features, dtype=dtype)
        self._finish(device, dtype)
        self.set_noise(noise)

    @property
    def circuit(self) -> Circuit:
        """The circuit of a hybrid layer (every layer has this shape)."""
        return self.layers[0].circuit

    def set_noise(self, noise: Noise | None) -> None:
        """Run every circuit under ``noise`` (layer ``k`` with seed ``noise.seed + k``)."""
        _check_noise(noise)
        for k, layer in enumerate(self.layers):
            layer.set_noise(
                None if noise is None else Noise(
                    noise.shots, noise.depolarizing, noise.seed + k, noise.trajectories
                )
            )  # fmt: skip

    def calibrate(self, x: Tensor) -> None:
        r"""Set every BatchNorm's running statistics to those of the batch ``x`` under the
        current weights (one forward pass in training mode, no gradient).

        BatchNorm trains with the statistics of each batch but evaluates (``eval()``) with
        running averages (momentum 0.1) that lag behind weights that keep changing; after
        full-batch training at a high learning rate the lag can cost more than the fit itself.
        After ``calibrate(x_train)``, the network in ``eval()`` mode computes on ``x_train``
        exactly what it computed in training (the running variance is stored as the biased batch
        variance that training normalises with), and evaluates new coordinates (e.g. a finer
        grid) with the training set's statistics.

        Example:
            >>> net = QIREN(1, 1, width=3, n_hidden_layers=1, seed=0, dtype=torch.float64)
            >>> x = torch.linspace(-1, 1, 500, dtype=torch.float64)
            >>> train_mode = net(x)
            >>> net.calibrate(x)
            >>> bool((net.eval()(x) - train_mode).abs().max() < 1e-12)
            True
        """
        norms = [m for m in self.modules() if isinstance(m, nn.BatchNorm1d)]
        momenta = [m.momentum for m in norms]
        was_training = self.training
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # cumulative average: after one batch, that batch's statistics
        self.train()
        with torch.no_grad():
            self(x)
            n = as_batch(x, self.in_features, "QIREN").shape[0]
            for m, momentum in zip(norms, momenta, strict=True):
                m.running_var.mul_((n - 1) / n)  # torch stores the unbiased variance
                m.momentum = momentum
        self.train(was_training)

    def body(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return self.output(x)

    def pennylane_twin(self) -> QIREN:
        """A trainable copy of this network whose circuits are :func:`qiren_torchlayer`\\ s
        (PennyLane ``default.qubit``) with the same weights (noise is not copied)."""
        twin = copy.deepcopy(self)
        for layer in twin.layers:
            layer.noisy = None
            layer.quantum = layer.torchlayer()
        return twin

    def to_pennylane(self) -> Callable[[Tensor], Tensor]:
        """The same network (current weights and BatchNorm mode) with PennyLane circuits."""
        twins = [layer.to_pennylane() for layer in self.layers]

        def run(x: Tensor) -> Tensor:
            h = as_batch(x, self.in_features, "QIREN")
            for twin in twins:
                h = twin(h)
            return self.output(h)

        return run
