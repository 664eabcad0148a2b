r"""Error mitigation, written out in qlearn so it runs offline and can be read.

**Readout mitigation.** Prepare every basis state :math:`|j\rangle` (X gates only), measure,
and collect the *calibration matrix* :math:`M_{ij} = P(\text{read } i \mid \text{prepared } j)`.
A measured distribution is :math:`\tilde p = M p`; :meth:`ReadoutCalibration.apply` solves for
:math:`p` and projects the answer back onto the probability simplex (least-squares inversion can
leave small negative entries).

**Zero-noise extrapolation (ZNE).** Run the circuit at amplified noise and extrapolate to zero.
*Global folding* replaces :math:`U` by :math:`U (U^\dagger U)^k`: the same unitary, but
:math:`\lambda = 2k + 1` times the gates, so about :math:`\lambda` times the gate noise.
Measure :math:`E(\lambda)` at :math:`\lambda = 1, 3, 5, \dots` and extrapolate to
:math:`\lambda = 0` with the polynomial through all points (*Richardson*,
:func:`richardson`) or with a least-squares line (:func:`linear_extrapolation`).

Example:
    >>> round(richardson([1, 3], [0.8, 0.6]), 6)   # the line through both points, at 0
    0.9
    >>> round(linear_extrapolation([1, 3, 5], [0.8, 0.6, 0.4]), 6)
    0.9
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from qlearn.hardware.targets import Target, get_target
from qlearn.sim import Circuit
from qlearn.sim.circuit import Op

Tensor = torch.Tensor
F64 = torch.float64

# --------------------------------------------------------------------------------------------
# Readout


def project_simplex(v: Tensor) -> Tensor:
    r"""The nearest probability vector (Euclidean) to each row of ``v``.

    Example:
        >>> project_simplex(torch.tensor([[1.1, -0.1]], dtype=torch.float64))
        tensor([[1., 0.]], dtype=torch.float64)
    """
    u, _ = torch.sort(v, dim=-1, descending=True)
    css = u.cumsum(-1) - 1
    k = torch.arange(1, v.shape[-1] + 1, dtype=v.dtype, device=v.device)
    rho = ((u - css / k) > 0).sum(-1, keepdim=True)
    theta = css.gather(-1, rho - 1) / rho.to(v.dtype)
    return (v - theta).clamp_min(0)


@dataclass
class ReadoutCalibration:
    """A calibration matrix ``matrix[i, j] = P(read i | prepared j)`` of ``n_qubits`` qubits.

    On a backend (a fake or real device) the calibration is *per physical qubit*: ``per_qubit``
    maps each physical qubit to its 2x2 matrix, ``matrix`` is the tensor product for physical
    qubits ``0..n-1``, and :meth:`for_qubits` gives the matrix of the qubits a transpiled
    circuit is actually read from (routing moves the wires; :func:`~qlearn.hardware.run` picks
    them for each circuit).
    """

    matrix: Tensor
    n_qubits: int
    shots: int | None = None
    per_qubit: dict[int, Tensor] | None = None

    def for_qubits(self, qubits: Sequence[int]) -> ReadoutCalibration:
        r"""The calibration of wires read from physical ``qubits`` (wire 0 first):
        :math:`M = M_{q_0}\otimes M_{q_1}\otimes\cdots`.

        Example:
            >>> m0 = torch.tensor([[0.9, 0.2], [0.1, 0.8]], dtype=torch.float64)
            >>> cal = ReadoutCalibration(m0, 1, per_qubit={0: m0, 1: torch.eye(2, dtype=F64)})
            >>> cal.for_qubits([1, 0]).matrix[:2, :2]
            tensor([[0.9000, 0.2000],
                    [0.1000, 0.8000]], dtype=torch.float64)
        """
        if self.per_qubit is None:
            if len(qubits) != self.n_qubits:
                raise ValueError(f"qubits={list(qubits)} do not match this {self.n_qubits}-qubit "
                                 "calibration; calibrate on a backend target for per-qubit "
                                 "matrices.")  # fmt: skip
            return self
        missing = [q for q in qubits if q not in self.per_qubit]
        if missing:
            raise ValueError(f"qubits {missing} were not calibrated; calibrate the target again.")
        m = torch.ones(1, 1, dtype=F64)
        for q in qubits:
            m = torch.kron(m, self.per_qubit[q])
        return ReadoutCalibration(m, len(qubits), self.shots, self.per_qubit)

    def apply(self, probabilities: Tensor) -> Tensor:
        """Mitigated distributions: solve :math:`M p = \\tilde p` row by row, then project onto
        the simplex.

        Example:
            >>> m = torch.tensor([[0.9, 0.2], [0.1, 0.8]], dtype=torch.float64)
            >>> cal = ReadoutCalibration(m, 1)
            >>> cal.apply(torch.tensor([[0.9, 0.1]], dtype=torch.float64)).round(decimals=6)
            tensor([[1., 0.]], dtype=torch.float64)
        """
        p = torch.as_tensor(probabilities, dtype=F64)
        if p.shape[-1] != self.matrix.shape[0]:
            raise ValueError(
                f"probabilities have {p.shape[-1]} outcomes but the calibration has "
                f"{self.matrix.shape[0]} ({self.n_qubits} qubits); calibrate the same qubits."
            )
        solved = torch.linalg.lstsq(self.matrix, p.T).solution.T
        return project_simplex(solved)


def basis_preparation(n_qubits: int, index: int) -> Circuit:
    """A circuit preparing the basis state ``|index>`` (wire 0 the most significant bit)."""
    c = Circuit(n_qubits)
    for w in range(n_qubits):
        if (index >> (n_qubits - 1 - w)) & 1:
            c.x(w)
    return c


def calibrate_readout(
    target: str | Target, n_qubits: int, shots: int = 2000, seed: int = 0
) -> ReadoutCalibration:
    """Measure the calibration matrix on ``target``: :math:`2^n` circuits, one job.

    On a backend target (with ``calibrate_qubits``: the fake devices) it measures every physical
    qubit instead, with two circuits (all :math:`|0\rangle`, all :math:`|1\rangle`), and returns
    per-qubit matrices (independent read-out errors, as in the backend's noise model), so that
    the correction follows each circuit's layout.

    Example:
        >>> cal = calibrate_readout("sim", 1, shots=None)   # a perfect readout
        >>> cal.matrix
        tensor([[1., 0.],
                [0., 1.]], dtype=torch.float64)
    """
    t = get_target(target)
    t.check_qubits(n_qubits)
    if hasattr(t, "calibrate_qubits"):
        return _per_qubit_calibration(t, n_qubits, shots, seed)
    circuits = [basis_preparation(n_qubits, j) for j in range(2**n_qubits)]
    columns = t.run(circuits, None, torch.zeros(1, 0, dtype=F64), shots, seed)
    matrix = torch.stack([col[0] for col in columns], 1)
    return ReadoutCalibration(matrix, n_qubits, shots)


def _per_qubit_calibration(t, n_qubits: int, shots, seed: int) -> ReadoutCalibration:
    """2x2 read-out matrices of every physical qubit of a backend target (two circuits)."""
    per_qubit = t.calibrate_qubits(shots, seed)
    cal = ReadoutCalibration(torch.eye(1, dtype=F64), 0, shots, per_qubit)
    return cal.for_qubits(list(range(n_qubits)))


# --------------------------------------------------------------------------------------------
# Zero-noise extrapolation

_SELF_INVERSE = {"CNOT", "CZ", "SWAP", "Hadamard", "PauliX", "PauliY", "PauliZ", "Toffoli",
                 "CSWAP"}  # fmt: skip
_NEGATE = {"RX", "RY", "RZ", "PhaseShift", "CRX", "CRY", "CRZ", "IsingXX", "IsingYY",
           "IsingZZ"}  # fmt: skip


def inverse_op(op: Op) -> Op:
    """The inverse of one gate of the IR (angles negated, ``Rot`` reversed)."""
    from qlearn.sim.angles import Angle

    if op.name in _SELF_INVERSE:
        return op
    if op.name in _NEGATE:
        return Op(op.name, op.wires, tuple(-a for a in op.angles))
    if op.name == "Rot":
        phi, theta, omega = op.angles
        return Op("Rot", op.wires, (-omega, -theta, -phi))
    if op.name in ("S", "T"):
        return Op("PhaseShift", op.wires, (Angle(-math.pi / (2 if op.name == "S" else 4)),))
    if op.name == "QubitUnitary":
        return Op(op.name, op.wires, (), op.matrix.conj().T.contiguous())
    raise ValueError(f"gate {op.name} has no inverse here; fold circuits of standard gates.")


def fold(circuit: Circuit, scale: int) -> Circuit:
    r"""Global folding :math:`U (U^\dagger U)^k` with ``scale = 2k + 1`` (1, 3, 5, ...).

    Example:
        >>> c = Circuit(1); c.rx(0, 0.3); c.expval("Z", 0)
        0
        >>> [op.name for op in fold(c, 3).ops], len(fold(c, 5).ops)
        (['RX', 'RX', 'RX'], 5)
    """
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1 or scale % 2 == 0:
        raise ValueError(f"scale={scale!r} must be an odd positive integer (1, 3, 5, ...).")
    out = copy.deepcopy(circuit)
    forward = list(circuit.ops)
    backward = [inverse_op(op) for op in reversed(forward)]
    for _ in range((scale - 1) // 2):
        out.ops.extend(backward)
        out.ops.extend(forward)
    return out


def _check_points(scales: Sequence[float], values: Sequence) -> tuple[Tensor, Tensor]:
    s = torch.as_tensor([float(v) for v in scales], dtype=F64)
    v = torch.stack([torch.as_tensor(x, dtype=F64) for x in values])
    if len(s) < 2 or len(s) != len(v) or len(set(s.tolist())) != len(s):
        raise ValueError(
            f"scales={list(scales)} must hold at least two distinct noise scales, one per value."
        )
    return s, v


def richardson(scales: Sequence[float], values: Sequence) -> float | Tensor:
    r"""Richardson extrapolation: the polynomial of degree :math:`m-1` through the :math:`m`
    points :math:`(\lambda_i, E_i)`, evaluated at :math:`\lambda = 0`:
    :math:`E_0 = \sum_i E_i \prod_{j\ne i} \lambda_j / (\lambda_j - \lambda_i)`.

    ``values`` may be numbers or tensors of one shape (extrapolated elementwise).
    """
    s, v = _check_points(scales, values)
    gamma = torch.stack([
        torch.prod(torch.stack([s[j] / (s[j] - s[i]) for j in range(len(s)) if j != i]))
        for i in range(len(s))
    ])  # fmt: skip
    out = torch.tensordot(gamma, v, dims=1)
    return float(out) if out.ndim == 0 else out


def linear_extrapolation(scales: Sequence[float], values: Sequence) -> float | Tensor:
    r"""The intercept at :math:`\lambda = 0` of the least-squares line through the points."""
    s, v = _check_points(scales, values)
    design = torch.stack([torch.ones_like(s), s], 1)
    coef = torch.linalg.lstsq(design, v.reshape(len(s), -1)).solution
    out = coef[0].reshape(v.shape[1:])
    return float(out) if out.ndim == 0 else out


EXTRAPOLATIONS = {"richardson": richardson, "linear": linear_extrapolation}


def zne(
    model: nn.Module,
    x: Tensor,
    target: str | Target,
    *,
    scales: Sequence[int] = (1, 3, 5),
    method: str = "richardson",
    shots: int | None = 1000,
    seed: int = 0,
    calibration: ReadoutCalibration | None = None,
) -> dict:
    """Zero-noise extrapolated expectation values of a model at inputs ``x``.

    Runs :func:`fold` of the model's circuit at each scale on ``target`` (with its circuit
    optimisation off, so the folds survive compilation; on a backend, on the physical qubits its
    optimising transpiler picks for the unfolded circuit) and extrapolates with ``method``.

    Returns:
        ``{"scales", "values" ((S, B, n_obs), one per scale), "mitigated" ((B, n_obs))}``.
    """
    from qlearn.hardware.run import run, unpack

    if method not in EXTRAPOLATIONS:
        raise ValueError(f"method={method!r} is unknown; use one of {sorted(EXTRAPOLATIONS)}.")
    circuit, _ = unpack(model)
    t = get_target(target)
    if getattr(t, "initial_layout", False) is None:  # a backend: keep the qubits it would pick
        ((tq, _),) = t.compile([circuit])
        t = t.on_layout(tq.layout.initial_index_layout()[: circuit.n_qubits])
    t = t.unoptimized()
    values = []
    for k, scale in enumerate(scales):
        res = run(model, x, t, shots=shots, seed=seed + 101 * k, circuit=fold(circuit, scale),
                  calibration=calibration)  # fmt: skip
        values.append(res.values)
    stacked = torch.stack(values)
    mitigated = EXTRAPOLATIONS[method](list(scales), list(stacked))
    return {"scales": list(scales), "values": stacked, "mitigated": mitigated}
