r"""Gate definitions: names, arities, matrices, and the structure the engine exploits.

Every gate has a *kind* that tells the engine how to apply it cheaply:

* ``diag`` — diagonal in the computational basis, :math:`U = \mathrm{diag}(e^{i\varphi(k)})` with
  :math:`\varphi(k) = \sum_j \theta_j\, p_j(k) + c(k)`: one elementwise multiply of the state.
  For each diagonal gate we store the *phase pattern* :math:`p(k)` (its generator on basis state
  :math:`k`) and a constant phase. For example ``RZ(θ)`` on wire :math:`q` has
  :math:`p(k) = -z_q(k)/2` with :math:`z_q(k) = 1 - 2 b_q(k) \in \{+1, -1\}`.
* ``perm`` — a permutation of basis states (X, CNOT, SWAP, Toffoli, CSWAP): one gather.
* ``local`` — any other single-qubit gate: a 2×2 matrix, fused with its neighbours on the wire.
* ``dense`` — any other multi-qubit gate: a :math:`2^k \times 2^k` matrix on k wires.

Conventions follow PennyLane exactly (``RX(θ) = exp(-iθX/2)``, ``Rot(φ, θ, ω) = RZ(ω) RY(θ)
RZ(φ)``, ``CRX`` controlled on the first wire, ``CSWAP(c, a, b)``), wire 0 is the most
significant bit of a basis-state index.

Example:
    >>> import torch
    >>> from qlearn.sim.gates import matrix
    >>> matrix("RY", (torch.tensor(torch.pi, dtype=torch.float64),)).real.round(decimals=3)
    tensor([[ 0., -1.],
            [ 1.,  0.]], dtype=torch.float64)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

Tensor = torch.Tensor

__all__ = ["GATES", "GateSpec", "gate_spec", "matrix", "phase_pattern", "permutation_source"]


@dataclass(frozen=True)
class GateSpec:
    """What the simulator knows about one gate.

    Attributes:
        name: PennyLane's name for the gate (``"RX"``, ``"CNOT"``, ...).
        n_wires: number of wires it acts on (``None``: any number, e.g. QubitUnitary).
        n_params: number of angle parameters (QubitUnitary takes one matrix instead).
        kind: ``"diag"``, ``"perm"``, ``"local"`` or ``"dense"`` (see the module docstring).
    """

    name: str
    n_wires: int | None
    n_params: int
    kind: str


_SPECS = [
    GateSpec("Identity", 1, 0, "diag"),
    GateSpec("RX", 1, 1, "local"),
    GateSpec("RY", 1, 1, "local"),
    GateSpec("RZ", 1, 1, "diag"),
    GateSpec("Rot", 1, 3, "local"),
    GateSpec("PhaseShift", 1, 1, "diag"),
    GateSpec("Hadamard", 1, 0, "local"),
    GateSpec("PauliX", 1, 0, "perm"),
    GateSpec("PauliY", 1, 0, "local"),
    GateSpec("PauliZ", 1, 0, "diag"),
    GateSpec("S", 1, 0, "diag"),
    GateSpec("T", 1, 0, "diag"),
    GateSpec("SX", 1, 0, "local"),
    GateSpec("CNOT", 2, 0, "perm"),
    GateSpec("CZ", 2, 0, "diag"),
    GateSpec("CY", 2, 0, "dense"),
    GateSpec("CRX", 2, 1, "dense"),
    GateSpec("CRY", 2, 1, "dense"),
    GateSpec("CRZ", 2, 1, "diag"),
    GateSpec("CRot", 2, 3, "dense"),
    GateSpec("ControlledPhaseShift", 2, 1, "diag"),
    GateSpec("SWAP", 2, 0, "perm"),
    GateSpec("IsingXX", 2, 1, "dense"),
    GateSpec("IsingYY", 2, 1, "dense"),
    GateSpec("IsingZZ", 2, 1, "diag"),
    GateSpec("MultiRZ", None, 1, "diag"),
    GateSpec("CSWAP", 3, 0, "perm"),
    GateSpec("Toffoli", 3, 0, "perm"),
    GateSpec("QubitUnitary", None, 1, "dense"),
    GateSpec("GlobalPhase", None, 1, "diag"),
]

GATES: dict[str, GateSpec] = {s.name: s for s in _SPECS}

#: Friendly aliases accepted wherever a gate name is (``"H"`` for ``"Hadamard"``, ...).
ALIASES = {
    "H": "Hadamard",
    "X": "PauliX",
    "Y": "PauliY",
    "Z": "PauliZ",
    "I": "Identity",
    "CX": "CNOT",
    "Unitary": "QubitUnitary",
    "CPhase": "ControlledPhaseShift",
}


def gate_spec(name: str) -> GateSpec:
    """Look up a gate by name or alias, raising a clear ``ValueError`` for unknown names."""
    spec = GATES.get(ALIASES.get(name, name))
    if spec is None:
        known = ", ".join(sorted(GATES))
        raise ValueError(
            f"gate={name!r} is not a known gate. Known gates: {known}. "
            "Any other 1- or 2-qubit gate can be given as a matrix with QubitUnitary."
        )
    return spec


# --------------------------------------------------------------------------------------------
# Matrices (used for local and dense gates, for fusing, and for building small unitaries).
# Parameters may be scalars () or batched (B,); the result is (2^k, 2^k) or (B, 2^k, 2^k).


def _cplx(t: Tensor) -> Tensor:
    if t.is_complex():
        return t
    return t.to(torch.complex128 if t.dtype == torch.float64 else torch.complex64)


def _mat2(a: Tensor, b: Tensor, c: Tensor, d: Tensor) -> Tensor:
    """Stack four equally-shaped complex tensors into (..., 2, 2) matrices [[a, b], [c, d]]."""
    return torch.stack((torch.stack((a, b), -1), torch.stack((c, d), -1)), -2)


def _rx(theta: Tensor) -> Tensor:
    c, s = _cplx(torch.cos(theta / 2)), _cplx(torch.sin(theta / 2))
    return _mat2(c, -1j * s, -1j * s, c)


def _ry(theta: Tensor) -> Tensor:
    c, s = _cplx(torch.cos(theta / 2)), _cplx(torch.sin(theta / 2))
    return _mat2(c, -s, s, c)


def _rot(phi: Tensor, theta: Tensor, omega: Tensor) -> Tensor:
    r"""Rot(φ, θ, ω) = RZ(ω) RY(θ) RZ(φ), written out:

    .. math:: \begin{pmatrix} e^{-i(φ+ω)/2}\cos\frac{θ}{2} & -e^{i(φ-ω)/2}\sin\frac{θ}{2} \\
              e^{-i(φ-ω)/2}\sin\frac{θ}{2} & e^{i(φ+ω)/2}\cos\frac{θ}{2}\end{pmatrix}

    as unit phases times real magnitudes (a handful of operations, also when batched; not
    ``torch.polar(mags, angles)``, whose gradient is wrong for negative magnitudes).
    """
    phi, theta, omega = torch.broadcast_tensors(phi, theta, omega)
    c, s = torch.cos(theta / 2), torch.sin(theta / 2)
    p, m = (phi + omega) / 2, (phi - omega) / 2
    mags = torch.stack((c, -s, s, c), -1)
    angles = torch.stack((-p, m, -m, p), -1)
    phases = torch.polar(torch.ones_like(angles), angles)
    return (mags * phases).reshape(*mags.shape[:-1], 2, 2)


_SQ2 = 1 / math.sqrt(2)
#: Matrices of the parameter-free gates that are neither diagonal nor permutations.
_FIXED: dict[str, list[list[complex]]] = {
    "Hadamard": [[_SQ2, _SQ2], [_SQ2, -_SQ2]],
    "PauliY": [[0, -1j], [1j, 0]],
    "SX": [[0.5 + 0.5j, 0.5 - 0.5j], [0.5 - 0.5j, 0.5 + 0.5j]],
    "CY": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, -1j], [0, 0, 1j, 0]],
}


def _controlled(u: Tensor) -> Tensor:
    """|0><0| ⊗ I + |1><1| ⊗ u for (…, 2, 2) u."""
    out = torch.zeros(*u.shape[:-2], 4, 4, dtype=u.dtype, device=u.device)
    out[..., 0, 0] = 1
    out[..., 1, 1] = 1
    out[..., 2:, 2:] = u
    return out


_PAULI = {"X": [[0, 1], [1, 0]], "Y": [[0, -1j], [1j, 0]]}


def _ising(pauli: str) -> Callable[[Tensor], Tensor]:
    """exp(-iθ P⊗P/2) = cos(θ/2) I - i sin(θ/2) P⊗P."""
    p = torch.tensor(_PAULI[pauli], dtype=torch.complex128)
    pp = torch.kron(p, p)

    def build(theta: Tensor) -> Tensor:
        c, s = _cplx(torch.cos(theta / 2)), _cplx(torch.sin(theta / 2))
        eye = torch.eye(4, dtype=c.dtype, device=c.device)
        return c[..., None, None] * eye - 1j * s[..., None, None] * pp.to(c.device, c.dtype)

    return build


_PARAM_MATRICES: dict[str, Callable[..., Tensor]] = {
    "RX": _rx,
    "RY": _ry,
    "Rot": _rot,
    "CRX": lambda t: _controlled(_rx(t)),
    "CRY": lambda t: _controlled(_ry(t)),
    "CRot": lambda a, b, c: _controlled(_rot(a, b, c)),
    "IsingXX": _ising("X"),
    "IsingYY": _ising("Y"),
}


def matrix(
    name: str,
    params: Sequence[Tensor] = (),
    *,
    n_wires: int | None = None,
    dtype: torch.dtype = torch.complex128,
    device: torch.device | None = None,
) -> Tensor:
    """The unitary matrix of a gate, batched over its parameters.

    Args:
        name: gate name (see :data:`GATES`).
        params: the gate's parameters, each a scalar or a ``(B,)`` tensor; for ``QubitUnitary``
            the matrix itself, ``(2^k, 2^k)`` or ``(B, 2^k, 2^k)``.
        n_wires: needed only for ``MultiRZ``.
        dtype, device: used for parameter-free gates.

    Returns:
        ``(2^k, 2^k)``, or ``(B, 2^k, 2^k)`` when a parameter is batched.
    """
    spec = gate_spec(name)
    name = spec.name
    if name == "QubitUnitary":
        return _cplx(torch.as_tensor(params[0]))
    # any-wire gates take n_wires (a global phase may have none); default one wire
    k = spec.n_wires if spec.n_wires is not None else (1 if n_wires is None else n_wires)
    if spec.kind == "diag":
        theta = _cplx(torch.as_tensor(params[0])) if params else None
        dev = theta.device if theta is not None else device
        pattern = phase_pattern(name, k, tuple(range(k)), dev)
        if theta is None:
            return torch.diag_embed(torch.exp(1j * pattern)).to(dtype)
        return torch.diag_embed(torch.exp(1j * theta[..., None] * pattern.to(theta.dtype)))
    if spec.kind == "perm":
        src = permutation_source(name, k, tuple(range(k)), device)
        return torch.eye(2**k, dtype=dtype, device=device)[src]
    if name in _FIXED:
        return torch.tensor(_FIXED[name], dtype=dtype, device=device)
    return _PARAM_MATRICES[name](*params)


# --------------------------------------------------------------------------------------------
# Structure: phase patterns of diagonal gates and source indices of permutations, on n qubits.


def bits(n_qubits: int, device: torch.device | None = None) -> Tensor:
    """``(n, 2^n)`` basis-state bits; row q holds the bit of wire q (wire 0 most significant).

    Example:
        >>> bits(2)
        tensor([[0, 0, 1, 1],
                [0, 1, 0, 1]])
    """
    k = torch.arange(2**n_qubits, device=device)
    shifts = torch.arange(n_qubits - 1, -1, -1, device=device)
    return (k[None, :] >> shifts[:, None]) & 1


#: Constant phases of parameter-free diagonal gates, as multiples of a pattern.
_FIXED_PHASE = {"PauliZ": math.pi, "S": math.pi / 2, "T": math.pi / 4, "CZ": math.pi}


def phase_pattern(name: str, n_qubits: int, wires: tuple[int, ...], device) -> Tensor:
    r"""Generator of a diagonal gate on the full register: ``U = diag(exp(i·θ·p))``.

    For parameter-free diagonal gates the returned pattern already includes the fixed angle
    (``Z`` gives :math:`\pi b_q`), i.e. :math:`U = \mathrm{diag}(e^{i p})`.

    Returns:
        ``(2^n,)`` float64 tensor :math:`p`.
    """
    b = bits(n_qubits, device).to(torch.float64)
    z = 1 - 2 * b
    name = gate_spec(name).name
    if name == "Identity":
        return torch.zeros(2**n_qubits, dtype=torch.float64, device=device)
    if name == "RZ":
        return -0.5 * z[wires[0]]
    if name in ("PhaseShift", "PauliZ", "S", "T"):
        return _FIXED_PHASE.get(name, 1.0) * b[wires[0]]
    if name in ("ControlledPhaseShift", "CZ"):
        return _FIXED_PHASE.get(name, 1.0) * b[wires[0]] * b[wires[1]]
    if name == "CRZ":
        return -0.5 * b[wires[0]] * z[wires[1]]
    if name in ("IsingZZ", "MultiRZ"):
        return -0.5 * torch.prod(z[list(wires)], dim=0)
    if name == "GlobalPhase":  # exp(-iθ) on every basis state
        return -torch.ones(2**n_qubits, dtype=torch.float64, device=device)
    raise ValueError(f"gate={name!r} is not diagonal; it has no phase pattern.")


def permutation_source(name: str, n_qubits: int, wires: tuple[int, ...], device) -> Tensor:
    """Index map of a permutation gate: ``new_state[k] = old_state[src[k]]``.

    Returns:
        ``(2^n,)`` int64 tensor.
    """
    name = gate_spec(name).name
    k = torch.arange(2**n_qubits, device=device)
    bit = [1 << (n_qubits - 1 - w) for w in wires]

    def is_set(mask: int) -> Tensor:
        return (k & mask) != 0

    if name == "PauliX":
        return k ^ bit[0]
    if name == "CNOT":
        return torch.where(is_set(bit[0]), k ^ bit[1], k)
    if name == "Toffoli":
        return torch.where(is_set(bit[0]) & is_set(bit[1]), k ^ bit[2], k)
    if name in ("SWAP", "CSWAP"):
        a, c = (bit[0], bit[1]) if name == "SWAP" else (bit[1], bit[2])
        differ = is_set(a) != is_set(c)
        if name == "CSWAP":
            differ &= is_set(bit[0])
        return torch.where(differ, k ^ (a | c), k)
    raise ValueError(f"gate={name!r} is not a permutation gate.")
