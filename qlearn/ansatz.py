r"""Data re-uploading templates built on the circuit IR.

A re-uploading circuit alternates trainable blocks :math:`W_\ell` with data encodings
:math:`S_\ell(x)`:

.. math:: f(x) = \langle 0|\, W_0^\dagger S_1^\dagger(x) \cdots S_L^\dagger(x) W_L^\dagger\;
          O\; W_L S_L(x) \cdots S_1(x) W_0 \,|0\rangle .

Layer :math:`\ell = 1..L` encodes feature :math:`x_{q \bmod d}` on qubit :math:`q` with a Pauli
rotation :math:`R(s_{\ell q}\, x)` (scale :math:`s_{\ell q}`, 1 by default). The three classic
layouts are special cases of ``reuploading(in_features, n_qubits, n_layers)``:

* serial — one qubit, ``n_layers = L`` re-uploads;
* parallel — ``n_qubits = n`` qubits, one upload each (``n_layers = 1``);
* both — ``n`` qubits times ``L`` re-uploads.

With unit scales, :math:`K` Pauli encodings of the same feature give the integer frequencies
:math:`\{-K, \dots, K\}`; with *exponential* scales :math:`s = 3^k` (k counting that feature's
encodings) no two sums collide and the spectrum is :math:`\{-(3^K-1)/2, \dots, (3^K-1)/2\}`.

Example:
    >>> from qlearn.ansatz import reuploading
    >>> c = reuploading(in_features=1, n_qubits=1, n_layers=3)
    >>> c
    Circuit(n_qubits=1, n_inputs=1, n_weights=12, n_gates=7, observables=[Z0])
    >>> from qlearn import fourier
    >>> fourier.spectrum(c)
    {0: [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]}
"""

from __future__ import annotations

from collections.abc import Sequence

from qlearn.sim import Circuit
from qlearn.sim.angles import Angle, WeightRef

ROTATIONS = {"RX": "rx", "RY": "ry", "RZ": "rz"}
BLOCKS = ("strong", "basic")
ENTANGLERS = ("cnot", "cz", None)


def _check_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {list(allowed)}.")


def entangle(c: Circuit, entangler: str | None, wires: Sequence[int] | None = None) -> None:
    """A ring of CNOTs (as in StronglyEntanglingLayers) or CZs, or nothing for ``None``."""
    _check_choice("entangler", entangler, ENTANGLERS)
    if entangler == "cnot":
        c.cnot_ring(wires)
    elif entangler == "cz":
        c.cz_ring(wires)


def strong_block(c: Circuit, weights: WeightRef, entangler: str | None = "cnot") -> None:
    """Strongly entangling layers: per sub-layer, a Rot on every wire, then a ring.

    Args:
        weights: shape ``(depth, n_qubits, 3)``.
    """
    depth, n_wires, _ = weights.shape
    for k in range(depth):
        for q in range(n_wires):
            c.rot(q, weights[k, q, 0], weights[k, q, 1], weights[k, q, 2])
        entangle(c, entangler)


def basic_block(
    c: Circuit, weights: WeightRef, rotation: str = "RY", entangler: str | None = "cnot"
) -> None:
    """Basic entangler layers: per sub-layer, one rotation per wire, then a ring.

    Args:
        weights: shape ``(depth, n_qubits)``.
    """
    _check_choice("rotation", rotation, ROTATIONS)
    depth, n_wires = weights.shape
    for k in range(depth):
        for q in range(n_wires):
            getattr(c, ROTATIONS[rotation])(q, weights[k, q])
        entangle(c, entangler)


def exponential_scales(n_encodings: int, base: float = 3.0) -> list[float]:
    """Scales ``base**k`` for the k-th encoding of a feature: ``[1, 3, 9, ...]``."""
    return [base**k for k in range(n_encodings)]


def reuploading(
    in_features: int,
    n_qubits: int,
    n_layers: int,
    *,
    rotation: str = "RX",
    block: str = "strong",
    block_depth: int = 1,
    entangler: str | None = "cnot",
    scaling: str | Sequence[float] | None = None,
    trainable_scaling: bool = False,
    final_block: bool = True,
    out_features: int = 1,
) -> Circuit:
    r"""A data re-uploading circuit: :math:`W_L S_L(x) \cdots W_1 S_1(x) W_0`.

    Args:
        in_features: input width ``d``; qubit ``q`` encodes feature ``q mod d``.
        n_qubits: number of qubits ``n``.
        n_layers: number of re-uploads ``L`` (encoding layers).
        rotation: encoding gate, ``"RX"``, ``"RY"`` or ``"RZ"``.
        block: ``"strong"`` (Rot on every wire + ring, weights ``(depth, n, 3)``) or
            ``"basic"`` (RY on every wire + ring, weights ``(depth, n)``).
        block_depth: sub-layers per trainable block. With ``block_depth=1`` and several
            qubits, :math:`\langle Z_0\rangle` cannot reach the top frequency of the spectrum for
            any weights: the final ring makes :math:`Z_0` a parity that misses a qubit (for
            three qubits, :math:`Z_1 Z_2`), and without a ring it would see qubit 0 alone. Two
            sub-layers spread the observable over every qubit (chapter 2 shows this).
        entangler: ``"cnot"``, ``"cz"`` or ``None``.
        scaling: ``None`` (all scales 1), ``"exponential"`` (``3^k`` for the k-th encoding of a
            feature, counted layer by layer), or explicit scales, one per encoding gate
            (``n_layers * n_qubits`` numbers, layer-major).
        trainable_scaling: multiply every encoded input by its own trainable weight ``s``
            (initialised to the fixed scale): angle ``s · x``.
        final_block: end with a trainable block :math:`W_L` after the last encoding.
        out_features: measure :math:`\langle Z_q\rangle` on qubits ``0 .. out_features-1``.

    Returns:
        The :class:`~qlearn.sim.Circuit`; weights are named ``"block"`` and, with trainable
        scaling, ``"scale"``.
    """
    for name, value in (
        ("in_features", in_features),
        ("n_qubits", n_qubits),
        ("n_layers", n_layers),
        ("block_depth", block_depth),
        ("out_features", out_features),
    ):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}={value!r} must be a positive integer.")
    if out_features > n_qubits:
        raise ValueError(
            f"out_features={out_features} exceeds n_qubits={n_qubits}; measure at "
            "most one output per qubit."
        )
    _check_choice("rotation", rotation, ROTATIONS)
    _check_choice("block", block, BLOCKS)
    scales = _scales(scaling, in_features, n_qubits, n_layers)

    c = Circuit(n_qubits)
    x = c.inputs(in_features)
    n_blocks = n_layers + (1 if final_block else 0)
    shape = (
        (n_blocks, block_depth, n_qubits, 3)
        if block == "strong"
        else (n_blocks, block_depth, n_qubits)
    )
    w = c.weights("block", shape)
    s = None
    if trainable_scaling:
        import torch

        init = torch.tensor(scales, dtype=torch.float64).reshape(n_layers, n_qubits)
        s = c.weights("scale", (n_layers, n_qubits), init=init)

    def trainable(i: int) -> None:
        if block == "strong":
            strong_block(c, w[i], entangler)
        else:
            basic_block(c, w[i], "RY", entangler)

    encode = getattr(c, ROTATIONS[rotation])
    for layer in range(n_layers):
        trainable(layer)
        for q in range(n_qubits):
            feature = x[q % in_features]
            angle: Angle = (
                s[layer, q] if s is not None else scales[layer * n_qubits + q]
            ) * feature
            encode(q, angle)
    if final_block:
        trainable(n_layers)
    for q in range(out_features):
        c.expval("Z", q)
    return c


def _scales(scaling, in_features: int, n_qubits: int, n_layers: int) -> list[float]:
    n_enc = n_layers * n_qubits
    if scaling is None:
        return [1.0] * n_enc
    if scaling == "exponential":
        seen: dict[int, int] = {}  # encodings of each feature so far
        out = []
        for _ in range(n_layers):
            for q in range(n_qubits):
                f = q % in_features
                out.append(3.0 ** seen.get(f, 0))
                seen[f] = seen.get(f, 0) + 1
        return out
    if isinstance(scaling, str):
        raise ValueError(f"scaling={scaling!r} is unknown; use None, 'exponential' or a list.")
    values = [float(v) for v in scaling]
    if len(values) != n_enc:
        raise ValueError(
            f"scaling has {len(values)} values but the circuit has {n_enc} encoding gates "
            f"(n_layers * n_qubits = {n_layers} * {n_qubits}); give one scale per gate."
        )
    return values


def perez_salinas(in_features: int = 2, n_layers: int = 4) -> Circuit:
    r"""The single-qubit data re-uploading classifier of Pérez-Salinas et al. (2020).

    Layer :math:`\ell` applies :math:`U(\vec\theta_\ell + \vec w_\ell \circ \vec x)` with
    :math:`U = \mathrm{Rot}`, the input padded with zeros to three components (so a 2-D input
    fills two of the three angles). The circuit measures the Bloch vector
    :math:`(\langle X\rangle, \langle Y\rangle, \langle Z\rangle)`, from which the fidelities
    with the class target states follow (:class:`qlearn.models.ReuploadingClassifier`).

    Args:
        in_features: 1 to 3 input features.
        n_layers: number of layers (re-uploads).
    """
    if not 1 <= in_features <= 3:
        raise ValueError(f"in_features={in_features} must be 1, 2 or 3 (one per Rot angle).")
    if not isinstance(n_layers, int) or n_layers < 1:
        raise ValueError(f"n_layers={n_layers!r} must be a positive integer.")
    c = Circuit(1)
    x = c.inputs(in_features)
    theta = c.weights("theta", (n_layers, 3))
    w = c.weights("w", (n_layers, in_features), init="normal")
    for layer in range(n_layers):
        angles = [
            theta[layer, k] + (w[layer, k] * x[k] if k < in_features else 0.0) for k in range(3)
        ]
        c.rot(0, *angles)
    for pauli in "XYZ":
        c.expval(pauli, 0)
    return c
