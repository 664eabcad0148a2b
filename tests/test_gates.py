"""Gate definitions: the gate table, matrices, phase patterns and permutations, each against
PennyLane, and every gate alone through ``execute`` at awkward wire positions."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest
import torch

from qlearn.sim import GATES, matrix
from qlearn.sim.gates import bits, gate_spec, permutation_source, phase_pattern

EXPECTED_GATES = {
    "RX", "RY", "RZ", "Rot", "PhaseShift", "Hadamard", "PauliX", "PauliY", "PauliZ", "S", "T",
    "SX", "CNOT", "CZ", "CY", "CRX", "CRY", "CRZ", "CRot", "ControlledPhaseShift", "SWAP",
    "CSWAP", "Toffoli", "IsingXX", "IsingYY", "IsingZZ", "MultiRZ", "QubitUnitary", "Identity",
}  # fmt: skip
PARAMETRIC = sorted(n for n in GATES if n != "QubitUnitary")


def _n_wires(name: str) -> int:
    return GATES[name].n_wires or 3  # any-wire gates (MultiRZ): test them on three wires


def _params(name: str, seed: int, batch: int | None = None) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    shape = () if batch is None else (batch,)
    return [
        (torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1) * 2 * np.pi
        for _ in range(GATES[name].n_params)
    ]


def _pl_matrix(name: str, params, wires, wire_order=None) -> torch.Tensor:
    op = getattr(qml, name)(*params, wires=wires)
    return torch.as_tensor(qml.matrix(op, wire_order=wire_order)).to(torch.complex128)


def test_gate_table_is_complete():
    """GATES holds every gate of the contract, with PennyLane's arities."""
    assert EXPECTED_GATES <= set(GATES)
    for name, spec in GATES.items():
        assert spec.name == name
        assert spec.kind in ("diag", "perm", "local", "dense")
        pl = getattr(qml, name)
        if spec.n_wires is not None and pl.num_wires is not None:  # Identity: any wires
            assert pl.num_wires == spec.n_wires, name
        if name != "QubitUnitary":
            assert pl.num_params == spec.n_params, name


@pytest.mark.parametrize("name", PARAMETRIC)
def test_matrix_matches_pennylane(name):
    """matrix(name, params) equals qml.matrix for random parameters."""
    k = _n_wires(name)
    for seed in range(3):
        params = _params(name, seed)
        ours = matrix(name, params, n_wires=k)
        ref = _pl_matrix(name, params, range(k))
        assert ours.shape == (2**k, 2**k)
        torch.testing.assert_close(ours.to(torch.complex128), ref, atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", [n for n in PARAMETRIC if GATES[n].n_params])
def test_matrix_broadcasts_over_parameters(name):
    """(B,) parameters give (B, d, d) matrices, row b the matrix of parameters[b]."""
    k = _n_wires(name)
    params = _params(name, seed=5, batch=4)
    ours = matrix(name, params, n_wires=k)
    assert ours.shape == (4, 2**k, 2**k)
    for b in range(4):
        ref = _pl_matrix(name, [p[b] for p in params], range(k))
        torch.testing.assert_close(ours[b].to(torch.complex128), ref, atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", PARAMETRIC)
def test_matrices_are_unitary(name):
    """Every gate matrix is unitary."""
    m = matrix(name, _params(name, seed=11), n_wires=_n_wires(name)).to(torch.complex128)
    eye = torch.eye(m.shape[-1], dtype=m.dtype)
    torch.testing.assert_close(m @ m.conj().T, eye, atol=1e-12, rtol=0)


def test_qubit_unitary_matrix_is_the_given_matrix(helpers):
    """matrix("QubitUnitary", (U,)) is U itself."""
    u = torch.tensor(helpers.unitary(4, np.random.default_rng(0)))
    torch.testing.assert_close(matrix("QubitUnitary", (u,)), u)


DIAGONAL = sorted(n for n, s in GATES.items() if s.kind == "diag")
PERMUTATION = sorted(n for n, s in GATES.items() if s.kind == "perm")
WIRES_ON_FOUR = {1: (2,), 2: (3, 1), 3: (2, 0, 3)}


@pytest.mark.parametrize("name", DIAGONAL)
def test_phase_pattern_matches_pennylane(name):
    """diag(exp(i·θ·p)) (or exp(i·p) without angle) is the gate embedded in 4 qubits."""
    wires = WIRES_ON_FOUR[GATES[name].n_wires or 3]
    p = phase_pattern(name, 4, wires, None)
    params = _params(name, seed=2)
    phase = p * params[0] if params else p
    ours = torch.diag(torch.exp(1j * phase))
    ref = _pl_matrix(name, params, wires, wire_order=range(4))
    torch.testing.assert_close(ours, ref, atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", PERMUTATION)
def test_permutation_source_matches_pennylane(name):
    """new[k] = old[src[k]] reproduces the permutation gate embedded in 4 qubits."""
    wires = WIRES_ON_FOUR[GATES[name].n_wires]
    src = permutation_source(name, 4, wires, None)
    ours = torch.eye(16, dtype=torch.complex128)[src]
    ref = _pl_matrix(name, [], wires, wire_order=range(4))
    torch.testing.assert_close(ours, ref, atol=0, rtol=0)


def test_bits_wire_zero_is_most_significant():
    """bits(n) row q is the bit of wire q, wire 0 the most significant bit."""
    assert bits(2).tolist() == [[0, 0, 1, 1], [0, 1, 0, 1]]
    b = bits(3)
    assert (b[0] * 4 + b[1] * 2 + b[2]).tolist() == list(range(8))


@pytest.mark.parametrize(
    ("alias", "name"),
    [("H", "Hadamard"), ("X", "PauliX"), ("CX", "CNOT"), ("CPhase", "ControlledPhaseShift")],
)
def test_aliases(alias, name):
    """Friendly aliases resolve to PennyLane's names."""
    assert gate_spec(alias).name == name


@pytest.mark.parametrize("batched", [False, True], ids=["shared", "broadcast"])
@pytest.mark.parametrize("name", sorted(GATES))
def test_single_gate_through_execute(name, batched, check_parity, helpers):
    """Each gate alone, on reversed / non-adjacent wires of a generic 4-qubit state."""
    rng = np.random.default_rng(len(name))
    x = torch.tensor([0.3, -1.1, 2.0] if batched else 0.3, dtype=torch.float64)
    x.requires_grad_(True)
    prep = [qml.RY(float(a), w) for w, a in enumerate(rng.uniform(0.2, 2.9, size=4))]
    prep += [qml.RX(x, 0), qml.CNOT([0, 3]), qml.RZ(0.4, 3), qml.Hadamard(1)]
    spec = GATES[name]
    params: list = []
    if name == "QubitUnitary":
        wires = [3, 1]
        u = helpers.unitary(4, rng)
        args = [np.stack([u, u.conj().T, u @ u]) if batched else u]
    else:
        wires = list(WIRES_ON_FOUR[spec.n_wires or 3])
        gen = torch.Generator().manual_seed(len(name))
        shape = (3,) if batched else ()
        args = [
            (torch.rand(shape, generator=gen, dtype=torch.float64) * 4 - 2).requires_grad_()
            for _ in range(spec.n_params)
        ]
        params = args
    op = getattr(qml, name)(*args, wires=wires)
    ms = [qml.state(), qml.expval(qml.PauliX(wires[0]) @ qml.PauliY(0)), qml.probs([2, 1])]
    check_parity(qml.tape.QuantumScript([*prep, op], ms), [x, *params])
