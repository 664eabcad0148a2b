"""``qlearn.sim.execute(tape)`` against ``qml.execute`` on ``default.qubit`` (backprop).

The contract: same structure (one tensor, or a tuple for several measurements; a list for a list
of tapes), shapes (leading batch axis under broadcasting), dtype float64 / complex128, values to
1e-10 and gradients to 1e-8; tapes with plain float parameters return numpy like PennyLane.
"""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest
import torch

from qlearn.sim import GATES, execute

N_RANDOM = 30
PAULIS = (qml.PauliX, qml.PauliY, qml.PauliZ)


# --------------------------------------------------------------------------------------------
# Random tapes


class TapeBuilder:
    """Builds a random tape; records trainable tensors and which gates it used."""

    def __init__(self, seed: int, n: int, batch: int | None, helpers):
        self.rng = np.random.default_rng(seed)
        self.torch_gen = torch.Generator().manual_seed(seed)
        self.n, self.batch, self.h = n, batch, helpers
        self.params: list[torch.Tensor] = []
        self.used: set[tuple[str, int]] = set()

    def angle(self, force_batch: bool = False, tensor_const: bool = False):
        kinds = ["scalar", "const"] + (["batch", "batch"] if self.batch else [])
        kind = kinds[self.rng.integers(len(kinds))]
        if force_batch and self.batch:
            kind = "batch"
        if kind == "const":
            value = float(self.rng.uniform(-np.pi, np.pi))
            # PennyLane cannot mix floats and tensors inside one multi-parameter gate
            return torch.tensor(value, dtype=torch.float64) if tensor_const else value
        shape = (self.batch,) if kind == "batch" else ()
        t = (torch.rand(shape, generator=self.torch_gen, dtype=torch.float64) * 2 - 1) * np.pi
        t.requires_grad_(True)
        self.params.append(t)
        return t

    def wires(self, k: int) -> list[int]:
        return [int(w) for w in self.rng.choice(self.n, size=k, replace=False)]

    def unitary(self, k: int):
        d = 2**k
        choice = self.rng.integers(3)
        if self.batch and choice == 0:  # broadcast matrices
            return np.stack([self.h.unitary(d, self.rng) for _ in range(self.batch)])
        u = self.h.unitary(d, self.rng)
        return torch.tensor(u) if choice == 1 else u

    def gate(self, name: str, k: int | None = None):
        spec = GATES[name]
        if name == "QubitUnitary":
            k = k or int(self.rng.integers(1, min(2, self.n) + 1))
            op = qml.QubitUnitary(self.unitary(k), wires=self.wires(k))
        else:  # any-wire gates (MultiRZ, ...) get a random number of wires
            k = spec.n_wires or k or int(self.rng.integers(1, self.n + 1))
            params = [self.angle(tensor_const=spec.n_params > 1) for _ in range(spec.n_params)]
            op = getattr(qml, name)(*params, wires=self.wires(k))
        self.used.add((name, k))
        return op

    def fits(self, name: str) -> bool:
        return (GATES[name].n_wires or 1) <= self.n

    def operations(self, n_extra: int = 8) -> list:
        ops = []
        for w in range(self.n):  # make the state generic first
            ops += [qml.RY(float(self.rng.uniform(0.3, 2.8)), w), qml.RX(self.angle(w == 0), w)]
        names = [name for name in GATES if self.fits(name)]
        body = [self.gate(name) for name in names]
        if self.n >= 2:  # QubitUnitary on both 1 and 2 wires in every multi-qubit circuit
            body += [self.gate("QubitUnitary", 1), self.gate("QubitUnitary", 2)]
        body += [self.gate(names[self.rng.integers(len(names))]) for _ in range(n_extra)]
        order = self.rng.permutation(len(body))
        return ops + [body[i] for i in order]

    # ---- measurements -------------------------------------------------------------------
    def pauli(self, wire: int):
        return PAULIS[self.rng.integers(3)](wire)

    def hermitian(self):
        k = int(self.rng.integers(1, min(2, self.n) + 1))
        return qml.Hermitian(self.h.hermitian(2**k, self.rng), wires=self.wires(k))

    def pauli_sum(self):
        w = self.wires(min(2, self.n))
        terms = [self.pauli(w[0]), qml.Identity(w[0])]
        if len(w) > 1:
            terms.append(self.pauli(w[0]) @ self.pauli(w[1]))
        coeffs = [float(c) for c in self.rng.normal(size=len(terms))]
        if self.rng.integers(2):
            return qml.dot(coeffs, terms)
        return qml.Hamiltonian(coeffs, terms)

    def measurement(self, kind: str):
        n, rng = self.n, self.rng
        if kind == "pauli":
            return qml.expval(self.pauli(int(rng.integers(n))))
        if kind == "matmul":
            a, b = self.wires(2)
            return qml.expval(self.pauli(a) @ self.pauli(b))
        if kind == "prod":
            return qml.expval(qml.prod(*[self.pauli(w) for w in self.wires(min(3, n))]))
        if kind == "sum":
            return qml.expval(self.pauli_sum())
        if kind == "hermitian":
            return qml.expval(self.hermitian())
        if kind == "var_pauli":
            return qml.var(self.pauli(int(rng.integers(n))))
        if kind == "var_sum":
            return qml.var(self.pauli_sum())
        if kind == "var_hermitian":
            return qml.var(self.hermitian())
        if kind == "probs":
            return qml.probs()
        if kind == "probs_subset":
            return qml.probs(wires=self.wires(int(rng.integers(1, n + 1))))
        if kind == "probs_reversed":
            return qml.probs(wires=[min(2, n - 1), 0])
        if kind == "state":
            return qml.state()
        raise AssertionError(kind)

    def measurements(self, count: int) -> list:
        kinds = ["pauli", "sum", "hermitian", "var_pauli", "var_sum", "var_hermitian"]
        kinds += ["probs", "probs_subset", "state"]
        if self.n >= 2:
            kinds += ["matmul", "prod", "probs_reversed"]
        chosen = self.rng.choice(kinds, size=min(count, len(kinds)), replace=False)
        return [self.measurement(str(k)) for k in chosen]


BATCHES = (None, 3, 1, 8, 3, 40)


def random_case(seed: int, helpers):
    """(tape, trainable params, gates used) of random circuit ``seed``."""
    n = 1 + seed % 5
    batch = BATCHES[seed % len(BATCHES)]
    b = TapeBuilder(seed, n, batch, helpers)
    ops = b.operations()
    count = 1 if seed % 7 == 0 else 5
    tape = qml.tape.QuantumScript(ops, b.measurements(count))
    return tape, b.params, b.used


@pytest.mark.parametrize("seed", range(N_RANDOM))
def test_random_circuit_parity(seed, check_parity, helpers, either_mode):
    """Random circuits with every gate, broadcast and shared parameters, many measurements;
    under autograd and in the reverse mode."""
    tape, params, _ = random_case(seed, helpers)
    assert tape.batch_size == BATCHES[seed % len(BATCHES)]
    check_parity(tape, params)


def test_random_circuits_cover_every_gate(helpers):
    """The random circuits above use every gate of GATES, QubitUnitary on 1 and 2 wires."""
    used = set()
    for seed in range(N_RANDOM):
        used |= random_case(seed, helpers)[2]
    assert {name for name, _ in used} == set(GATES)
    assert {("QubitUnitary", 1), ("QubitUnitary", 2)} <= used
    assert {k for name, k in used if name == "MultiRZ"} >= {1, 2, 3, 4, 5}


@pytest.mark.parametrize(("seed", "n", "batch"), [(3, 7, None), (4, 7, 1), (5, 8, 6), (6, 9, 3)])
def test_random_circuits_in_reverse_mode(seed, n, batch, check_parity, helpers, reverse_mode):
    """Registers wider than the dense-unitary shortcut (stages of single gates in the reverse
    mode): every gate, broadcast and shared parameters, values and gradients."""
    b = TapeBuilder(seed, n, batch, helpers)
    tape = qml.tape.QuantumScript(b.operations(n_extra=6), b.measurements(5))
    check_parity(tape, b.params)


def test_seven_qubits_large_batch(check_parity, helpers):
    """More qubits than the dense-unitary shortcut handles, with a batch wider than 2^n."""
    b = TapeBuilder(99, 7, 130, helpers)
    tape = qml.tape.QuantumScript(
        b.operations(n_extra=4), [qml.expval(qml.PauliZ(6) @ qml.PauliX(0)), qml.probs([5, 1])]
    )
    check_parity(tape, b.params)


# --------------------------------------------------------------------------------------------
# Templates and operations without a native rule


def _template_case(name: str, device: str = "cpu"):
    gen = torch.Generator().manual_seed(7)

    def rand(*shape):
        t = torch.rand(shape, generator=gen, dtype=torch.float64) * 2 * np.pi
        return t.to(device).requires_grad_()

    x = rand(4, 3)
    if name == "StronglyEntanglingLayers":
        w = rand(2, 3, 3)
        ops = [qml.AngleEmbedding(x, wires=range(3)), qml.StronglyEntanglingLayers(w, range(3))]
    elif name == "StronglyEntanglingLayers-broadcast":
        w = rand(4, 2, 3, 3)
        ops = [qml.StronglyEntanglingLayers(w, range(3), ranges=[1, 2])]
    elif name == "StronglyEntanglingLayers-CZ":  # twice: the second gets the next slots
        w = rand(2, 2, 3, 3)
        sel = qml.StronglyEntanglingLayers
        ops = [sel(w[0], [2, 0, 1], imprimitive=qml.CZ), sel(w[1], range(3), ranges=[2, 1])]
    elif name == "BasicEntanglerLayers":
        w = rand(3, 3)
        ops = [qml.AngleEmbedding(x, range(3), rotation="Y"), qml.BasicEntanglerLayers(w, range(3))]
    elif name == "AngleEmbedding":
        w = rand(3)
        ops = [qml.AngleEmbedding(x, range(3), rotation="Z"), qml.Hadamard(1)]
        ops += [qml.AngleEmbedding(w, range(3), rotation="X")]
    else:
        raise AssertionError(name)
    ms = [qml.expval(qml.PauliZ(0)), qml.expval(qml.PauliX(1) @ qml.PauliY(2)), qml.state()]
    return qml.tape.QuantumScript(ops, ms), [x, w]


@pytest.mark.parametrize(
    "name",
    [
        "StronglyEntanglingLayers",
        "StronglyEntanglingLayers-broadcast",
        "StronglyEntanglingLayers-CZ",
        "BasicEntanglerLayers",
        "AngleEmbedding",
    ],
)
def test_templates(name, check_parity):
    """Templates are decomposed into known gates with identical results and gradients."""
    tape, params = _template_case(name)
    check_parity(tape, params)


class MatrixOnly(qml.operation.Operation):
    """A 2-qubit gate known to PennyLane only by its matrix (no decomposition)."""

    num_wires = 2
    num_params = 1

    @staticmethod
    def compute_matrix(theta):
        c, s = qml.math.cos(theta / 2), qml.math.sin(theta / 2)
        z = 0 * c
        return qml.math.stack(
            [
                qml.math.stack([c, z, z, -1j * s]),
                qml.math.stack([z, c, -s, z]),
                qml.math.stack([z, s, c, z]),
                qml.math.stack([-1j * s, z, z, c]),
            ]
        )


FALLBACKS = {
    "adjoint(S)": lambda t: qml.adjoint(qml.S(1)),
    "adjoint(SX)": lambda t: qml.adjoint(qml.SX(0)),
    "U3": lambda t: qml.U3(t, 0.4, -0.9, wires=2),
    "U2": lambda t: qml.U2(t, 0.3, wires=0),
    "ISWAP": lambda t: qml.ISWAP(wires=[2, 0]),
    "IsingXY": lambda t: qml.IsingXY(t, wires=[0, 2]),
    "PauliRot": lambda t: qml.PauliRot(t, "XYZ", wires=[1, 2, 0]),
    "ctrl(RY)": lambda t: qml.ctrl(qml.RY(t, 2), control=[0, 1]),
    "MatrixOnly": lambda t: MatrixOnly(t, wires=[2, 1]),
}


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_ops_without_native_rule(name, check_parity):
    """Ops outside GATES run through their decomposition or matrix, state included."""
    theta = torch.tensor(0.73, dtype=torch.float64, requires_grad=True)
    x = torch.tensor([0.2, 1.1, -0.8], dtype=torch.float64, requires_grad=True)
    ops = [qml.RX(x, 0), qml.RY(0.5, 1), qml.Hadamard(2), qml.CNOT([0, 1])]
    ops += [FALLBACKS[name](theta), qml.RZ(0.3, 2)]
    ms = [qml.expval(qml.PauliX(2)), qml.probs(), qml.state()]
    check_parity(qml.tape.QuantumScript(ops, ms), [theta, x])


def test_global_phase_is_kept_in_the_state(check_parity):
    """qml.GlobalPhase changes qml.state() (not expectation values): it must not be dropped."""
    theta = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    tape = qml.tape.QuantumScript([qml.RX(0.3, 0), qml.GlobalPhase(theta)], [qml.state()])
    check_parity(tape, [theta])


# --------------------------------------------------------------------------------------------
# Wires, measurements, structure


def test_non_integer_non_contiguous_wires(check_parity, helpers):
    """Wire labels like ["a", 3, 1] keep PennyLane's order in states and probabilities."""
    rng = np.random.default_rng(3)
    x = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    w = torch.tensor([0.4, 0.9, -0.2], dtype=torch.float64, requires_grad=True)
    ops = [
        qml.RX(x, 1),
        qml.Rot(w[0], w[1], w[2], "a"),
        qml.CNOT([1, 3]),
        qml.CRY(w[1], wires=[3, "a"]),
        qml.QubitUnitary(helpers.unitary(4, rng), wires=["a", 1]),
        qml.IsingZZ(x, wires=[1, "a"]),
    ]
    ms = [
        qml.state(),
        qml.probs(),
        qml.probs(wires=[3, "a"]),
        qml.expval(qml.PauliZ("a") @ qml.PauliX(3)),
        qml.expval(qml.Hermitian(helpers.hermitian(4, rng), wires=[1, "a"])),
        qml.var(qml.PauliY(1)),
    ]
    tape = qml.tape.QuantumScript(ops, ms)
    assert list(tape.wires) == [1, "a", 3]
    check_parity(tape, [x, w])


MEASUREMENTS = {
    "expval_Z": qml.expval(qml.PauliZ(0)),
    "expval_matmul": qml.expval(qml.PauliZ(0) @ qml.PauliX(1)),
    "expval_prod": qml.expval(qml.prod(qml.PauliY(2), qml.PauliZ(0))),
    "expval_dot": qml.expval(qml.dot([0.5, -1.5], [qml.PauliX(1), qml.PauliZ(0) @ qml.PauliY(2)])),
    "expval_hamiltonian": qml.expval(
        qml.Hamiltonian([0.3, 2.0, -0.4], [qml.Identity(0), qml.PauliX(2), qml.PauliY(1)])
    ),
    "expval_hermitian": qml.expval(
        qml.Hermitian(np.array([[1.0, 0.5 - 0.2j], [0.5 + 0.2j, -2.0]]), wires=1)
    ),
    "var_X": qml.var(qml.PauliX(0)),
    "var_sum": qml.var(qml.dot([0.5, 0.7], [qml.PauliX(0), qml.PauliY(0)])),
    "var_hermitian_2w": qml.var(qml.Hermitian(np.diag([1.0, 2.0, 3.0, 5.0]) + 0.1, [2, 0])),
    "probs": qml.probs(),
    "probs_subset": qml.probs(wires=[1]),
    "probs_reordered": qml.probs(wires=[2, 0]),
    "state": qml.state(),
}


@pytest.mark.parametrize("name", sorted(MEASUREMENTS))
@pytest.mark.parametrize("batched", [False, True])
def test_each_measurement(name, batched, check_parity):
    """Each measurement type alone (single result, not a tuple), with and without a batch."""
    x = torch.tensor([0.4, -1.3] if batched else 0.4, dtype=torch.float64, requires_grad=True)
    w = torch.tensor([0.7, 1.9, -0.6], dtype=torch.float64, requires_grad=True)
    ops = [qml.RX(x, 0), qml.RY(w[0], 1), qml.Hadamard(2), qml.CNOT([0, 2])]
    ops += [qml.CRX(w[1], [2, 1]), qml.RZ(w[2], 0), qml.RY(x, 2)]
    ours, _ = check_parity(qml.tape.QuantumScript(ops, [MEASUREMENTS[name]]), [x, w])
    assert isinstance(ours, torch.Tensor)


def test_trainable_observable_coefficients(check_parity):
    """Gradients reach torch coefficients of a Hamiltonian inside the tape."""
    coeffs = torch.tensor([0.5, -0.3, 1.2], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([0.1, 0.9], dtype=torch.float64, requires_grad=True)
    obs = qml.Hamiltonian(coeffs, [qml.PauliX(0), qml.PauliZ(0) @ qml.PauliZ(1), qml.PauliY(1)])
    ops = [qml.RY(x, 0), qml.RX(0.4, 1), qml.CNOT([0, 1])]
    check_parity(qml.tape.QuantumScript(ops, [qml.expval(obs)]), [coeffs, x])


def _float_tape(batched: bool):
    x = np.array([0.3, 1.4, -0.2]) if batched else 0.3
    ops = [qml.RX(x, 0), qml.CRY(0.8, [0, 1]), qml.Hadamard(2)]
    ms = [qml.expval(qml.PauliZ(1)), qml.probs(wires=[1, 0]), qml.state()]
    return qml.tape.QuantumScript(ops, ms)


@pytest.mark.parametrize("batched", [False, True])
def test_float_parameters_give_numpy(batched, pl_execute, helpers):
    """Tapes with plain float (numpy) parameters return numpy, like PennyLane."""
    tape = _float_tape(batched)
    ours, ref = execute(tape), pl_execute(tape)
    helpers.same_result(ours, ref)
    assert type(ours[0]) is type(ref[0])  # np.float64 scalar, or ndarray under broadcasting
    single = qml.tape.QuantumScript(tape.operations, [qml.expval(qml.PauliX(2))])
    helpers.same_result(execute(single), pl_execute(single))


def test_list_of_tapes_gives_list(pl_execute, helpers):
    """A list of tapes gives a list of results in order."""
    x = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    tapes = [
        qml.tape.QuantumScript([qml.RX(x, 0)], [qml.expval(qml.PauliZ(0))]),
        qml.tape.QuantumScript([qml.RY(0.2, 1), qml.CNOT([1, 0])], [qml.probs(), qml.state()]),
        _float_tape(False),
    ]
    ours = execute(tapes)
    assert isinstance(ours, list) and len(ours) == 3
    helpers.same_result(ours, [pl_execute(t) for t in tapes])


def test_gradients_of_a_list_of_tapes(pl_execute, helpers):
    """Gradients flow through every tape of a list."""
    w = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
    tapes = [
        qml.tape.QuantumScript([qml.RX(w[0], 0), qml.RY(w[1], 0)], [qml.expval(qml.PauliX(0))]),
        qml.tape.QuantumScript([qml.IsingYY(w[1], [0, 1])], [qml.expval(qml.PauliZ(1))]),
    ]
    ours = helpers.gradients(tuple(execute(tapes)), [w])
    ref = helpers.gradients(tuple(pl_execute(t) for t in tapes), [w])
    assert ours[0].abs().sum() > 0.1
    helpers.same_grads(ours, ref)


def test_float32_dtype_is_close(pl_execute):
    """execute(tape, dtype=torch.float32) agrees with PennyLane to float32 accuracy."""
    tape, _ = _template_case("StronglyEntanglingLayers")
    ours, ref = execute(tape, dtype=torch.float32), pl_execute(tape)
    for o, r in zip(ours, ref, strict=True):
        assert o.dtype in (torch.float32, torch.complex64)
        torch.testing.assert_close(o.detach().to(r.dtype), r.detach(), atol=2e-5, rtol=0)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_execute_cuda_matches_cpu(helpers):
    """The same tape on CUDA and on the CPU gives the same values and gradients."""
    results, grads = [], []
    for dev in ("cpu", "cuda"):
        tape, params = _template_case("StronglyEntanglingLayers", device=dev)
        out = execute(tape)
        assert all(o.device.type == dev for o in out)
        on_cpu = tuple(o.cpu() for o in out)
        grads.append([g.cpu() for g in helpers.gradients(on_cpu, params)])
        results.append(tuple(o.detach() for o in on_cpu))
    helpers.same_result(results[1], results[0])
    helpers.same_grads(grads[1], grads[0])


@pytest.mark.parametrize(
    "wires, measured",
    [([1, 0, 2], 3), ([1, 0, 5], 7), (["b", "a", 0], "c"), ([2, 0, 1], 3), ([0, 1, 2], 4)],
)
def test_state_and_probs_order_the_wires_as_default_qubit(wires, measured, check_parity):
    """Wires 0..k-1 come in their own order wherever they first appear; other labels in the
    order the gates use them; a wire only measured comes last."""
    x = torch.tensor([0.3, 1.1, 2.0], dtype=torch.float64, requires_grad=True)
    a, b, c = wires
    ops = [qml.RX(x[0], a), qml.RY(x[1], b), qml.CNOT([a, c]), qml.CRZ(x[2], [c, b])]
    ms = [qml.state(), qml.probs(), qml.probs(wires=[c, measured]), qml.expval(qml.Z(b))]
    tape = qml.tape.QuantumScript(ops, ms)
    check_parity(tape, [x])
