r"""Quantum models as Fourier series: theoretical spectra and measured coefficients.

If an input :math:`x_j` enters a circuit only through gates :math:`e^{-i a x_j G}` (a constant
scale :math:`a`, a Hermitian generator :math:`G`), every expectation value is a Fourier-type sum

.. math::

    f(\mathbf{x}) = \sum_{\omega_1 \in \Omega_1} \cdots \sum_{\omega_d \in \Omega_d}
    c_{\omega_1 \dots \omega_d}\, e^{i (\omega_1 x_1 + \dots + \omega_d x_d)},

and the *spectrum* :math:`\Omega_j` is fixed by the circuit's structure alone: each encoding gate
contributes the differences of its generator's eigenvalues, scaled by :math:`a`, and the gates
that encode the same input add their contributions (Schuld, Sweke and Meyer 2021; Vidal and
Theis 2019). Trainable gates only set the coefficients :math:`c_\omega`.

This module computes both sides of that statement:

* :func:`spectrum` — the frequencies :math:`\Omega_j` read off a :class:`~qlearn.sim.Circuit`'s
  encoding gates (it agrees with PennyLane's ``qml.fourier.qnode_spectrum`` on the exported
  circuit; see :func:`spectrum` for the one known difference), :func:`n_frequencies` and
  :func:`frequency_count_table` (how the spectrum grows with qubits and re-uploads);
* :func:`coefficients` — the coefficients :math:`c_k` of any function (a model, a circuit
  module, a target) measured with an FFT on a periodic grid, for 1 or 2 inputs;
  :func:`coefficients_from_samples` does the same for samples you already have;
* :func:`coefficient_cloud` — the coefficients of a circuit for many random weight draws, the
  "coefficient clouds" of Schuld, Sweke and Meyer.

Example:
    >>> import torch
    >>> from qlearn import fourier
    >>> from qlearn.sim import Circuit
    >>> c = Circuit(1)
    >>> x = c.inputs(1)
    >>> w = c.weights("w", (3, 3))
    >>> for layer in range(2):  # two re-uploads of x between trainable blocks
    ...     c.rot(0, w[layer, 0], w[layer, 1], w[layer, 2]); c.rx(0, x[0])
    >>> c.rot(0, w[2, 0], w[2, 1], w[2, 2]); c.expval("Z", 0)
    0
    >>> fourier.spectrum(c)
    {0: [-2.0, -1.0, 0.0, 1.0, 2.0]}
    >>> model = c.module(dtype=torch.float64, device="cpu", seed=1)
    >>> coeffs = fourier.coefficients(model, degree=4)  # c_k for k = -4, ..., 4
    >>> (coeffs.abs() > 1e-10).tolist()  # weight only where the spectrum allows it
    [False, False, True, True, True, True, True, False, False]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from qlearn import config
from qlearn.sim.angles import Angle
from qlearn.sim.circuit import Circuit, CircuitModule

Tensor = torch.Tensor
Model = Callable[[Tensor], Tensor]

__all__ = [
    "GENERATOR_EIGENVALUES",
    "coefficient_cloud",
    "coefficients",
    "coefficients_from_samples",
    "fourier_grid",
    "frequency_axis",
    "frequency_count_table",
    "gate_frequencies",
    "n_frequencies",
    "spectrum",
]

TWO_PI = 2 * math.pi
#: The most frequencies :func:`spectrum` builds for one input before it gives up.
MAX_SPECTRUM_SIZE = 10_000_000

# --------------------------------------------------------------------------------------------
# Theoretical spectrum

_PAULI = (-0.5, 0.5)  # G = P/2 for a Pauli word P (RX, IsingXX, MultiRZ, ...)
_CONTROLLED = (-0.5, 0.0, 0.5)  # G = |1><1| ⊗ P/2 (controlled rotations)

#: Distinct eigenvalues of the generator :math:`G` of each gate that can encode an input,
#: :math:`U(\theta) = e^{-i\theta G}` up to a global phase. Every angle of ``Rot`` and ``CRot``
#: is a (controlled) Pauli rotation of its own, so each gets the same eigenvalues.
GENERATOR_EIGENVALUES: dict[str, tuple[float, ...]] = {
    "RX": _PAULI,
    "RY": _PAULI,
    "RZ": _PAULI,
    "Rot": _PAULI,
    "IsingXX": _PAULI,
    "IsingYY": _PAULI,
    "IsingZZ": _PAULI,
    "MultiRZ": _PAULI,
    "PhaseShift": (-1.0, 0.0),  # diag(1, e^{iθ}) = e^{-iθ(-|1><1|)}
    "ControlledPhaseShift": (-1.0, 0.0),
    "CRX": _CONTROLLED,
    "CRY": _CONTROLLED,
    "CRZ": _CONTROLLED,
    "CRot": _CONTROLLED,
    "GlobalPhase": (1.0,),  # e^{-iθ} I: no observable frequency
}


def gate_frequencies(name: str) -> list[float]:
    r"""The frequencies one encoding gate :math:`e^{-i x G}` contributes (scale 1).

    They are the differences :math:`\lambda_a - \lambda_b` of the eigenvalues of :math:`G`
    (:data:`GENERATOR_EIGENVALUES`): a Pauli rotation (:math:`G = \sigma/2`, eigenvalues
    :math:`\pm 1/2`) gives :math:`\{-1, 0, 1\}`, a controlled rotation (eigenvalues
    :math:`0, \pm 1/2`) also gives the half frequencies :math:`\pm 1/2`.

    Args:
        name: PennyLane's gate name, e.g. ``"RX"`` or ``"CRZ"``.

    Returns:
        The sorted frequencies, symmetric around 0.

    Example:
        >>> gate_frequencies("RX")
        [-1.0, 0.0, 1.0]
        >>> gate_frequencies("CRX")
        [-1.0, -0.5, 0.0, 0.5, 1.0]
    """
    eig = GENERATOR_EIGENVALUES.get(name)
    if eig is None:
        raise ValueError(
            f"gate={name!r} is not supported as an encoding gate (its generator is not known "
            f"here). Encode inputs with one of: {', '.join(sorted(GENERATOR_EIGENVALUES))}."
        )
    return sorted({float(a - b) for a in eig for b in eig})


def _as_circuit(circuit) -> Circuit:
    if isinstance(circuit, CircuitModule):
        return circuit.circuit
    if isinstance(circuit, Circuit):
        return circuit
    raise TypeError(
        f"circuit has type {type(circuit).__name__}; pass a qlearn.sim.Circuit or the "
        "CircuitModule compiled from one (circuit.module())."
    )


def _flat_weights(circuit: Circuit, weights) -> np.ndarray | None:
    """The circuit's weights as one flat float64 vector (declaration order), or None."""
    if weights is None:
        return None
    if isinstance(weights, CircuitModule):
        weights = weights.weight_dict()
    if not isinstance(weights, Mapping):
        raise TypeError(
            f"weights has type {type(weights).__name__}; pass a dict name -> tensor such as "
            "module.weight_dict(), or the CircuitModule itself."
        )
    parts = []
    for spec in circuit.weight_specs:
        if spec.name not in weights:
            raise ValueError(
                f"weights has no entry {spec.name!r}; the circuit declares "
                f"{[s.name for s in circuit.weight_specs]}."
            )
        value = torch.as_tensor(weights[spec.name]).detach().to("cpu", torch.float64)
        if tuple(value.shape) != spec.shape:
            raise ValueError(
                f"weights[{spec.name!r}] has shape {tuple(value.shape)} but the circuit "
                f"declares {spec.shape}."
            )
        parts.append(value.reshape(-1).numpy())
    return np.concatenate(parts) if parts else np.zeros(0)


def _input_scale(angle: Angle, j: int, w: np.ndarray | None, where: str) -> float:
    """The constant a in ``angle = a·x_j + (terms without x_j)``."""
    scale = 0.0
    for t in angle.terms:
        if t.input != j:
            continue
        if t.weight is None:
            scale += t.coeff
        elif w is None:
            name = t.label or f"w{t.weight}"
            raise ValueError(
                f"{where} encodes x[{j}] with a trainable scale ({angle!r}), so its frequencies "
                f"depend on the value of {name}. Pass weights= (a CircuitModule or "
                "module.weight_dict()) to get the spectrum at those weights."
            )
        else:
            scale += t.coeff * float(w[t.weight])
    return scale


def _encodings(circuit: Circuit, j: int, w: np.ndarray | None) -> Iterator[tuple[str, float]]:
    """(gate name, scale a) for every gate angle ``a·x_j + ...`` of the circuit."""
    for op in circuit.ops:
        for k, angle in enumerate(op.angles):
            if j not in angle.inputs():
                continue
            where = f"gate {op.name} on wires {op.wires} (angle {k})"
            scale = _input_scale(angle, j, w, where)
            if scale != 0.0:
                yield op.name, scale


def _minkowski_sum(a: np.ndarray, b: np.ndarray, decimals: int) -> np.ndarray:
    """All sums ``a_i + b_k``, rounded, sorted and without duplicates."""
    sums = np.unique(np.round(np.add.outer(a, b).ravel(), decimals)) + 0.0  # -0.0 -> 0.0
    if sums.size > MAX_SPECTRUM_SIZE:
        raise ValueError(
            f"the spectrum has {sums.size} frequencies, more than MAX_SPECTRUM_SIZE="
            f"{MAX_SPECTRUM_SIZE}; use fewer encodings or count them analytically."
        )
    return sums


def _check_features(inputs, circuit: Circuit) -> list[int]:
    n = circuit.n_inputs
    if inputs is None:
        return list(range(n))
    features = [inputs] if isinstance(inputs, int) else list(inputs)
    for j in features:
        if isinstance(j, bool) or not isinstance(j, int | np.integer) or not 0 <= j < n:
            raise ValueError(
                f"inputs={inputs!r}: feature index {j!r} is out of range for a circuit with "
                f"{n} input(s); use indices 0..{n - 1}."
            )
    return [int(j) for j in features]


def _check_has_encodings(circuit: Circuit) -> None:
    if not any(a.uses_input for op in circuit.ops for a in op.angles):
        raise ValueError(
            f"circuit has no encoding gates ({circuit!r}): no gate angle depends on an input, "
            "so it has no spectrum. Encode data with e.g. x = c.inputs(1); c.rx(0, x[0])."
        )


def spectrum(
    circuit: Circuit | CircuitModule,
    inputs: int | Sequence[int] | None = None,
    *,
    weights: Mapping[str, Tensor] | CircuitModule | None = None,
    decimals: int = 8,
) -> dict[int, list[float]]:
    r"""The frequencies the circuit's outputs can contain, per input feature.

    An *encoding gate* of :math:`x_j` is a gate with an angle :math:`a x_j + b` (``b`` may hold
    weights). It acts as :math:`e^{-i a x_j G}` and contributes the scaled eigenvalue
    differences :math:`a\,\{\lambda_p - \lambda_q\}` of its generator :math:`G`
    (:func:`gate_frequencies`). The spectrum of :math:`x_j` is the sum set (Minkowski sum)
    over its :math:`m` encoding gates,

    .. math:: \Omega_j = \{\omega_1 + \dots + \omega_m : \omega_g \in a_g\,\Delta(G_g)\},

    e.g. :math:`L` Pauli encodings with :math:`a = 1` give :math:`\{-L, \dots, L\}` and scales
    :math:`a_g = 3^g` give all :math:`3^L` integers with :math:`|\omega| \le (3^L - 1)/2`.

    Conventions:

    * An angle with a *trainable* scale, :math:`w x_j` (Pérez-Salinas et al.), has no fixed
      frequency. Without ``weights`` this raises a ``ValueError``; with ``weights`` (or when
      ``circuit`` is a ``CircuitModule``) the spectrum is taken at those weight values, which is
      also what PennyLane reports for the exported circuit.
    * A declared input that no gate encodes has the spectrum ``[0.0]`` (a constant), as in
      PennyLane.
    * PennyLane's ``qml.fourier.qnode_spectrum`` decomposes gates before reading generators. It
      agrees with this function for every gate in :data:`GENERATOR_EIGENVALUES` except the last
      angle ``ω`` of ``CRot``, where its decomposition reports the superset up to :math:`\pm 2`;
      the exact generator (a controlled RZ) gives :math:`\{0, \pm 1/2, \pm 1\}`.

    Args:
        circuit: a :class:`~qlearn.sim.Circuit` or a compiled ``CircuitModule``.
        inputs: the feature index or indices to analyse (default: every declared input).
        weights: weight values for trainable scales: a ``CircuitModule`` or a dict
            name -> tensor (default: the module's own weights when ``circuit`` is one).
        decimals: frequencies are rounded to this many decimals (removes float noise).

    Returns:
        ``{j: sorted frequencies of x_j}``, each list symmetric around 0.

    Example:
        >>> from qlearn.sim import Circuit
        >>> c = Circuit(2)
        >>> x = c.inputs(2)
        >>> c.rx(0, x[0]); c.ry(1, 3 * x[0]); c.cnot(0, 1); c.crz(0, 1, x[1]); c.expval("Z", 1)
        0
        >>> spectrum(c)
        {0: [-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0], 1: [-1.0, -0.5, 0.0, 0.5, 1.0]}
    """
    circ = _as_circuit(circuit)
    if weights is None and isinstance(circuit, CircuitModule):
        weights = circuit
    w = _flat_weights(circ, weights)
    _check_has_encodings(circ)
    out = {}
    for j in _check_features(inputs, circ):
        freqs = np.zeros(1)
        for name, scale in _encodings(circ, j, w):
            freqs = _minkowski_sum(freqs, scale * np.asarray(gate_frequencies(name)), decimals)
        out[j] = [float(f) for f in freqs]
    return out


def n_frequencies(
    circuit_or_spectrum: Circuit | CircuitModule | Sequence[float] | Mapping[int, Sequence[float]],
    feature: int = 0,
    *,
    weights: Mapping[str, Tensor] | CircuitModule | None = None,
) -> int:
    r"""The number of accessible frequencies :math:`|\Omega_j \cap [0, \infty)|` (0 included).

    The spectrum is symmetric, so :math:`K` non-negative frequencies mean :math:`2K - 1` in all;
    a real model has :math:`2K - 1` real degrees of freedom per input.

    Args:
        circuit_or_spectrum: a circuit (its :func:`spectrum` is computed), a dict returned by
            :func:`spectrum`, or one list of frequencies.
        feature: the input whose frequencies are counted (for a circuit or a dict).
        weights: passed on to :func:`spectrum`.

    Returns:
        The count of distinct non-negative frequencies.

    Example:
        >>> n_frequencies([-2.0, -1.0, 0.0, 1.0, 2.0])
        3
    """
    source = circuit_or_spectrum
    if isinstance(source, Circuit | CircuitModule):
        source = spectrum(source, feature, weights=weights)
    if isinstance(source, Mapping):
        if feature not in source:
            raise ValueError(
                f"feature={feature!r} is not in the spectrum, which has features {sorted(source)}."
            )
        source = source[feature]
    return len({round(float(f), 8) + 0.0 for f in source if f >= 0})


# --------------------------------------------------------------------------------------------
# How the spectrum grows with qubits and re-uploads

_SCALINGS = ("none", "exponential")


def _reuploading_circuit(n_qubits: int, n_reuploads: int, scaling: str = "none") -> Circuit:
    """n qubits, L re-uploads: [Rot on every qubit, CNOT ring, RX(a_k x) on every qubit] × L,
    then a final Rot block; ⟨Z_0⟩. Encoding k = l·n + q has scale 3^k if exponential, else 1."""
    c = Circuit(n_qubits)
    x = c.inputs(1)
    w = c.weights("theta", (n_reuploads + 1, n_qubits, 3))

    def block(layer: int) -> None:
        for q in range(n_qubits):
            c.rot(q, w[layer, q, 0], w[layer, q, 1], w[layer, q, 2])
        c.cnot_ring()

    for layer in range(n_reuploads):
        block(layer)
        for q in range(n_qubits):
            k = layer * n_qubits + q
            c.rx(q, (3**k if scaling == "exponential" else 1) * x[0])
    block(n_reuploads)
    c.expval("Z", 0)
    return c


def _positive_ints(name: str, value) -> list[int]:
    values = list(value) if isinstance(value, Sequence) else [value]
    if not values or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values):
        raise ValueError(f"{name}={value!r} must be a positive integer or a list of them.")
    return values


def frequency_count_table(
    qubits: int | Sequence[int], reuploads: int | Sequence[int], *, scaling: str = "none"
) -> dict[tuple[int, int], int]:
    r"""Accessible frequencies of re-uploading circuits versus qubits and re-uploads.

    For every pair :math:`(n, L)` it builds a circuit with :math:`L` layers of
    [trainable ``Rot`` on every qubit, CNOT ring, ``RX``\ :math:`(a_k x)` on every qubit] and a
    final trainable block (serial re-uploading for :math:`n = 1`, parallel for :math:`L = 1`),
    and counts the non-negative frequencies of its :func:`spectrum`. With ``scaling="none"``
    (:math:`a_k = 1`) the :math:`nL` encodings give :math:`nL + 1`; with
    ``scaling="exponential"`` (:math:`a_k = 3^k`, :math:`k = 0, \dots, nL - 1`) no two sums
    collide and the count is :math:`(3^{nL} + 1)/2` (:math:`3^{nL}` with the negative ones).

    Args:
        qubits: numbers of qubits :math:`n`.
        reuploads: numbers of re-uploads :math:`L`.
        scaling: ``"none"`` or ``"exponential"``.

    Returns:
        ``{(n, L): number of non-negative frequencies}``.

    Example:
        >>> frequency_count_table(qubits=[1, 2], reuploads=[1, 2, 3])
        {(1, 1): 2, (1, 2): 3, (1, 3): 4, (2, 1): 3, (2, 2): 5, (2, 3): 7}
        >>> frequency_count_table(qubits=[1, 2], reuploads=[1, 2], scaling="exponential")
        {(1, 1): 2, (1, 2): 5, (2, 1): 5, (2, 2): 41}
    """
    if scaling not in _SCALINGS:
        raise ValueError(f"scaling={scaling!r} is unknown; use one of {list(_SCALINGS)}.")
    ns, ls = _positive_ints("qubits", qubits), _positive_ints("reuploads", reuploads)
    return {(n, L): n_frequencies(_reuploading_circuit(n, L, scaling)) for n in ns for L in ls}


# --------------------------------------------------------------------------------------------
# Measured coefficients


def _check_degree(degree) -> int:
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer) or degree < 0:
        raise ValueError(
            f"degree={degree!r} must be a non-negative integer (the largest |k| to return)."
        )
    return int(degree)


def _check_period(period) -> float:
    if not isinstance(period, int | float) or not math.isfinite(period) or period <= 0:
        raise ValueError(f"period={period!r} must be a positive finite number, e.g. 2 * math.pi.")
    return float(period)


def frequency_axis(degree: int, period: float = TWO_PI) -> Tensor:
    r"""The angular frequencies :math:`\omega_k = 2\pi k / T`, :math:`k = -D, \dots, D`.

    Index ``i`` of a coefficient tensor returned by :func:`coefficients` (along every input
    axis) belongs to :math:`k = i - D`; for the default period :math:`T = 2\pi`,
    :math:`\omega_k = k`.

    Example:
        >>> frequency_axis(2)
        tensor([-2., -1.,  0.,  1.,  2.], dtype=torch.float64)
        >>> frequency_axis(1, period=4 * math.pi)
        tensor([-0.5000,  0.0000,  0.5000], dtype=torch.float64)
    """
    degree, period = _check_degree(degree), _check_period(period)
    return torch.arange(-degree, degree + 1, dtype=torch.float64) * (TWO_PI / period)


def fourier_grid(
    n_points: int,
    n_inputs: int = 1,
    *,
    period: float = TWO_PI,
    dtype: torch.dtype = torch.float64,
    device=None,
) -> Tensor:
    r"""Equispaced periodic sample points :math:`x_m = m T / N`, :math:`m = 0, \dots, N-1`.

    The endpoint :math:`T` is left out: it repeats :math:`x_0` for a periodic function.

    Args:
        n_points: points per input, :math:`N`.
        n_inputs: 1 or 2; for 2 the points are the product grid, first input varying slowest
            (``values.reshape(N, N)[m1, m2]`` belongs to :math:`(x_{m_1}, x_{m_2})`).
        period: the period :math:`T`.
        dtype, device: of the returned tensor.

    Returns:
        ``(N ** n_inputs, n_inputs)`` points, ready to feed a model.

    Example:
        >>> fourier_grid(4, period=4.0).T
        tensor([[0., 1., 2., 3.]], dtype=torch.float64)
    """
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 1:
        raise ValueError(f"n_points={n_points!r} must be a positive integer.")
    _check_n_inputs(n_inputs)
    period = _check_period(period)
    dev = config.resolve_device(device) if device is not None else torch.device("cpu")
    axis = torch.arange(n_points, dtype=dtype, device=dev) * (period / n_points)
    return axis[:, None] if n_inputs == 1 else torch.cartesian_prod(axis, axis)


def _check_n_inputs(n_inputs) -> int:
    if n_inputs not in (1, 2) or isinstance(n_inputs, bool):
        raise ValueError(
            f"n_inputs={n_inputs!r} is not supported; Fourier coefficients are measured for "
            "functions of 1 or 2 inputs (the grid grows as N ** n_inputs)."
        )
    return int(n_inputs)


def _grid_axes(grid, shape: tuple[int, ...]) -> list[Tensor]:
    """Split a user grid into one 1-D axis per input (pairs of axes or (N1·N2, 2) points)."""
    if len(shape) == 1:
        axis = torch.as_tensor(grid, dtype=torch.float64).reshape(-1)
        return [axis]
    if isinstance(grid, tuple | list) and len(grid) == 2:
        return [torch.as_tensor(g, dtype=torch.float64).reshape(-1) for g in grid]
    points = torch.as_tensor(grid, dtype=torch.float64)
    if points.shape != (shape[0] * shape[1], 2):
        raise ValueError(
            f"grid has shape {tuple(points.shape)}; for values of shape {shape} pass two axes "
            f"(x1 of length {shape[0]}, x2 of length {shape[1]}) or ({shape[0] * shape[1]}, 2) "
            "points as made by fourier_grid(N, 2)."
        )
    mesh = points.reshape(shape[0], shape[1], 2)
    axes = [mesh[:, 0, 0], mesh[0, :, 1]]
    expected = torch.cartesian_prod(*axes)
    if not torch.allclose(points, expected, rtol=0, atol=1e-12):
        raise ValueError(
            "grid points are not a product grid in (x1, x2) order with x1 varying slowest; "
            "make them with fourier_grid(N, 2, period=...)."
        )
    return axes


def _check_axis(axis: Tensor, n: int, period: float, dim: int) -> float:
    """Check that ``axis`` is x0 + m·T/N, m = 0..N-1; return x0."""
    if axis.numel() != n:
        raise ValueError(
            f"grid axis {dim} has {axis.numel()} points but values has {n} along axis {dim}."
        )
    x0 = float(axis[0])
    expected = x0 + torch.arange(n, dtype=torch.float64) * (period / n)
    if torch.allclose(axis, expected, rtol=0, atol=1e-9 * period):
        return x0
    hint = (
        "use N points without the endpoint, torch.arange(N) * period / N "
        "(or torch.linspace(0, period, N + 1)[:-1], or fourier_grid)."
    )
    if n > 1:
        closed = torch.linspace(x0, x0 + period, n, dtype=torch.float64)
        if torch.allclose(axis, closed, rtol=0, atol=1e-9 * period):
            raise ValueError(
                f"grid axis {dim} includes the endpoint {x0 + period:g} = x0 + period, which "
                f"repeats x0 = {x0:g} for a periodic function, so it is not a periodic grid; "
                + hint
            )
    steps = axis.diff()
    raise ValueError(
        f"grid axis {dim} is not a periodic equispaced grid: spacings range from "
        f"{float(steps.min()) if n > 1 else 0:g} to {float(steps.max()) if n > 1 else 0:g} but "
        f"period / N = {period / n:g} is needed; " + hint
    )


def coefficients_from_samples(
    values: Tensor,
    grid: Tensor | Sequence[Tensor] | None = None,
    *,
    degree: int | None = None,
    period: float = TWO_PI,
) -> Tensor:
    r"""Fourier coefficients of a periodic function from its samples on a periodic grid.

    With samples :math:`f(x_m)` at :math:`x_m = x_0 + m T/N`, :math:`m = 0, \dots, N-1`,

    .. math:: c_k = \frac{1}{N} \sum_{m=0}^{N-1} f(x_m)\, e^{-2\pi i k x_m / T}
              \quad (|k| \le D \le (N-1)/2),

    computed with ``torch.fft.fftn`` (per input axis for 2 inputs). The result is exact when
    :math:`f(x) = \sum_{|k| \le (N-1)/2} c_k e^{2\pi i k x / T}`; higher frequencies alias.

    Args:
        values: samples, shape ``(N,)`` for 1 input or ``(N1, N2)`` for 2 inputs
            (``values[m1, m2] = f(x1_m1, x2_m2)``). Use float64 for 1e-10 accuracy.
        grid: the sample points (default: :math:`x_m = m T/N`). For 1 input a length-``N``
            tensor; for 2 inputs two axes or the ``(N1·N2, 2)`` points of
            :func:`fourier_grid`. They must be equispaced and cover one period without the
            endpoint, else a ``ValueError`` says what is wrong.
        degree: the largest :math:`|k|` to return (default and maximum: :math:`(N-1)//2`).
        period: the period :math:`T` of every input.

    Returns:
        Complex ``(2D+1,)`` or ``(2D+1, 2D+1)``; index ``i`` is :math:`k = i - D`
        (:func:`frequency_axis`).

    Example:
        >>> x = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
        >>> c = coefficients_from_samples(torch.sin(2 * x), x, degree=3)
        >>> c.imag.round(decimals=6) + 0.0  # sin(2x) = (e^{2ix} - e^{-2ix}) / 2i
        tensor([ 0.0000,  0.5000,  0.0000,  0.0000,  0.0000, -0.5000,  0.0000],
               dtype=torch.float64)
    """
    values = torch.as_tensor(values)
    if values.ndim not in (1, 2):
        raise ValueError(
            f"values has shape {tuple(values.shape)}; pass samples of a function of 1 input "
            "as shape (N,) or of 2 inputs as shape (N1, N2)."
        )
    shape = tuple(values.shape)
    period = _check_period(period)
    most = (min(shape) - 1) // 2
    degree = most if degree is None else _check_degree(degree)
    if degree > most:
        raise ValueError(
            f"degree={degree} needs at least {2 * degree + 1} samples per input, but values "
            f"has shape {shape}; sample more points or lower the degree to {most}."
        )
    offsets = [0.0] * len(shape)
    if grid is not None:
        axes = _grid_axes(grid, shape)
        pairs = enumerate(zip(axes, shape, strict=True))
        offsets = [_check_axis(axis, n, period, dim) for dim, (axis, n) in pairs]
    c = torch.fft.fftn(values) / values.numel()
    k = torch.arange(-degree, degree + 1, device=values.device)
    for dim, (n, x0) in enumerate(zip(shape, offsets, strict=True)):
        c = c.index_select(dim, k % n)
        if x0 != 0.0:
            phase = torch.exp(-1j * (TWO_PI / period) * x0 * k.to(torch.float64)).to(c)
            c = c * phase.reshape([-1 if d == dim else 1 for d in range(c.ndim)])
    return c


def _model_device(f, device) -> torch.device:
    if device is not None:
        return config.resolve_device(device)
    if isinstance(f, nn.Module):
        for t in (*f.parameters(), *f.buffers()):
            return t.device
    return torch.device("cpu")


def _one_output(y, output: int | None, n_rows: int) -> Tensor:
    """The model's outputs for one output column, shape ``(n_rows,)``."""
    y = torch.as_tensor(y)
    if y.ndim == 1 and y.shape[0] == n_rows:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != n_rows:
        raise ValueError(
            f"f returned shape {tuple(y.shape)} for {n_rows} sample points; it must return "
            f"({n_rows},) or ({n_rows}, n_outputs)."
        )
    n_out = y.shape[1]
    if output is None and n_out > 1:
        raise ValueError(
            f"f returns {n_out} outputs per sample; choose one with output=0..{n_out - 1}."
        )
    output = 0 if output is None else output
    if isinstance(output, bool) or not isinstance(output, int) or not -n_out <= output < n_out:
        raise ValueError(
            f"output={output!r} is out of range for {n_out} output(s); use 0..{n_out - 1}."
        )
    return y[:, output]


def coefficients(
    f: Model,
    degree: int,
    *,
    n_inputs: int | None = None,
    period: float = TWO_PI,
    n_points: int | None = None,
    output: int | None = None,
    dtype: torch.dtype = torch.float64,
    device=None,
) -> Tensor:
    r"""Measured Fourier coefficients :math:`c_k` of a model, by sampling and an FFT.

    Samples :math:`f` on the periodic grid :math:`x_m = mT/N` (:func:`fourier_grid`,
    :math:`N \ge 2D + 1` points per input) and returns the coefficients of

    .. math:: f(\mathbf{x}) \approx \sum_{|k_1|, |k_2| \le D} c_{k_1 k_2}\,
              e^{2\pi i (k_1 x_1 + k_2 x_2) / T}

    (:func:`coefficients_from_samples`). For a real :math:`f`, :math:`c_{-k} =
    \overline{c_k}`. The result is exact when :math:`f` has no frequency above :math:`D`;
    pick :math:`D` at least the largest frequency of :func:`spectrum` (in units of
    :math:`2\pi/T`), then every coefficient outside the spectrum is zero up to rounding.

    Args:
        f: a function ``(B, n_inputs) -> (B,)`` or ``(B, n_outputs)``, e.g. a
            ``CircuitModule`` or any ``nn.Module``; it is called once, under ``no_grad``.
        degree: :math:`D`, the largest :math:`|k|` returned.
        n_inputs: 1 or 2 (default: ``f.n_inputs`` or ``f.in_features`` if it has one, else 1).
        period: :math:`T`; use :math:`4\pi` to resolve the half frequencies of controlled
            rotations.
        n_points: samples per input (default :math:`2D + 1`; more reduces aliasing).
        output: which output column to analyse (needed when ``f`` has several).
        dtype, device: of the sample points (default: float64, ``f``'s device).

    Returns:
        Complex ``(2D+1,)`` for 1 input, ``(2D+1, 2D+1)`` for 2; index ``i`` is
        :math:`k = i - D` (:func:`frequency_axis`).

    Example:
        >>> f = lambda x: 0.5 + torch.cos(x[:, 0]) + 0.25 * torch.sin(3 * x[:, 0])
        >>> c = coefficients(f, degree=3)
        >>> frequency_axis(3)
        tensor([-3., -2., -1.,  0.,  1.,  2.,  3.], dtype=torch.float64)
        >>> c.real.round(decimals=6) + 0.0
        tensor([0.0000, 0.0000, 0.5000, 0.5000, 0.5000, 0.0000, 0.0000],
               dtype=torch.float64)
        >>> c.imag.round(decimals=6) + 0.0
        tensor([ 0.1250,  0.0000,  0.0000,  0.0000,  0.0000,  0.0000, -0.1250],
               dtype=torch.float64)
    """
    degree, period = _check_degree(degree), _check_period(period)
    if n_inputs is None:  # a circuit module has n_inputs, a model in_features
        n_inputs = getattr(f, "n_inputs", getattr(f, "in_features", 1))
    d = _check_n_inputs(n_inputs)
    n = 2 * degree + 1 if n_points is None else n_points
    if isinstance(n, bool) or not isinstance(n, int) or n < 2 * degree + 1:
        raise ValueError(
            f"n_points={n_points!r} must be an integer >= 2 * degree + 1 = {2 * degree + 1}."
        )
    x = fourier_grid(n, d, period=period, dtype=dtype, device=_model_device(f, device))
    with torch.no_grad():
        y = _one_output(f(x), output, x.shape[0])
    return coefficients_from_samples(y.reshape((n,) * d), degree=degree)


def _model_factory(model, dtype: torch.dtype, device) -> Callable[[int], Model]:
    if isinstance(model, Circuit | CircuitModule):
        circ = _as_circuit(model)
        _check_has_encodings(circ)
        return lambda seed: circ.module(seed=seed, dtype=dtype, device=device)
    if callable(model):
        return model
    raise TypeError(
        f"model has type {type(model).__name__}; pass a Circuit (fresh weights per draw) or a "
        "function seed -> model, e.g. lambda s: MyModel(seed=s)."
    )


def coefficient_cloud(
    model: Circuit | CircuitModule | Callable[[int], Model],
    n_samples: int,
    degree: int,
    *,
    seed: int = 0,
    n_inputs: int | None = None,
    output: int | None = None,
    period: float = TWO_PI,
    dtype: torch.dtype = torch.float64,
    device=None,
) -> Tensor:
    r"""Fourier coefficients of a circuit for many random weight draws.

    Draw :math:`s` compiles the circuit with fresh weights (``circuit.module(seed=s_s)``, the
    circuit's own initialisers) and measures its :func:`coefficients`. Plotting
    :math:`\mathrm{Re}\,c_k` against :math:`\mathrm{Im}\,c_k` for each :math:`k` gives the
    coefficient clouds of Schuld, Sweke and Meyer (2021): which coefficients a model family can
    reach, and how large they typically are.

    Args:
        model: a :class:`~qlearn.sim.Circuit` (or a ``CircuitModule``, whose circuit is used), or
            a function ``seed -> model`` for any other model family.
        n_samples: number of random draws.
        degree: :math:`D`, the largest :math:`|k|` measured.
        seed: seeds the per-draw seeds; same seed, same numbers.
        n_inputs, output, period: as in :func:`coefficients`.
        dtype, device: of the compiled modules and the sample points.

    Returns:
        Complex ``(n_samples, 2D+1)`` (or ``(n_samples, 2D+1, 2D+1)`` for 2 inputs); index
        ``i`` of the last axes is :math:`k = i - D`.

    Example:
        >>> from qlearn.sim import Circuit
        >>> c = Circuit(1)
        >>> x, w = c.inputs(1), c.weights("w", (2, 3))
        >>> c.rot(0, w[0, 0], w[0, 1], w[0, 2]); c.rx(0, x[0]); c.rot(0, w[1, 0], w[1, 1], w[1, 2])
        >>> c.expval("Z", 0)
        0
        >>> cloud = coefficient_cloud(c, n_samples=50, degree=2, seed=0, device="cpu")
        >>> cloud.shape
        torch.Size([50, 5])
        >>> bool(cloud[:, [0, 4]].abs().max() < 1e-12)  # no |k| = 2 with one encoding
        True
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"n_samples={n_samples!r} must be a positive integer.")
    degree = _check_degree(degree)
    make = _model_factory(model, dtype, device)
    if n_inputs is None and isinstance(model, Circuit | CircuitModule):
        n_inputs = _as_circuit(model).n_inputs
    gen = torch.Generator().manual_seed(seed)
    seeds = torch.randint(0, 2**31 - 1, (n_samples,), generator=gen).tolist()
    kwargs = dict(n_inputs=n_inputs, output=output, period=period, dtype=dtype, device=device)
    return torch.stack([coefficients(make(s), degree, **kwargs) for s in seeds])
