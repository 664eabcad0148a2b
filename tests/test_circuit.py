"""The circuit IR: a compiled CircuitModule agrees with its PennyLane twin, with the QNode of
``Circuit.to_pennylane`` and with ``execute(Circuit.to_tape(...))`` in values and gradients;
``Circuit.from_tape`` imports tapes; states, probabilities, parameter counts and seeds."""

from __future__ import annotations

import math

import numpy as np
import pennylane as qml
import pytest
import torch

from qlearn.sim import GATES, Circuit, CircuitModule, execute
from qlearn.sim.angles import Angle

N_RANDOM = 12
N_INPUTS = 3
ANGLE_KINDS = ("const", "input", "weight", "affine", "w*x+b", "mixed", "scaled", "scalar_weight")


class IRBuilder:
    """A random Circuit using every gate and every kind of angle."""

    def __init__(self, seed: int, n: int, helpers):
        self.rng = np.random.default_rng(seed)
        self.n, self.h = n, helpers
        self.c = c = Circuit(n)
        self.x = list(c.inputs(2)) + list(c.inputs(1))  # two declarations: offsets add up
        self.theta = c.weights("theta", (4, 3))
        self.v = c.weights("v", 5, init="normal")
        self.s = c.weights("s")
        self.kind_counter = 0
        self.kinds_used: set[str] = set()

    def _x(self) -> Angle:
        return self.x[self.rng.integers(N_INPUTS)]

    def _w(self) -> Angle:
        if self.rng.integers(2):
            return self.theta[int(self.rng.integers(4)), int(self.rng.integers(3))]
        return self.v[int(self.rng.integers(5))]

    def _c(self) -> float:
        return float(self.rng.uniform(-2, 2))

    def angle(self, multi: bool):
        kinds = ANGLE_KINDS[1:] if multi else ANGLE_KINDS  # see test_rot_mixing_constants
        kind = kinds[self.kind_counter % len(kinds)]
        self.kind_counter += 1
        self.kinds_used.add(kind)
        if kind == "const":
            return self._c()
        if kind == "input":
            return self._x()
        if kind == "weight":
            return self._w()
        if kind == "affine":
            return self._c() * self._x() + self._c()
        if kind == "w*x+b":
            return self._w() * self._x() + self._c()
        if kind == "mixed":
            return self._w() * self._x() - 0.5 * self._x() + self._w() - self._c()
        if kind == "scaled":
            return self._x() / 3 - self._w()
        return self.s  # a scalar WeightRef given directly

    def wires(self, k: int) -> list[int]:
        return [int(w) for w in self.rng.choice(self.n, size=k, replace=False)]

    def add_gate(self, name: str) -> None:
        spec = GATES[name]
        if name == "QubitUnitary":
            k = int(self.rng.integers(1, min(2, self.n) + 1))
            self.c.unitary(self.wires(k), self.h.unitary(2**k, self.rng))
            return
        k = spec.n_wires or int(self.rng.integers(1, self.n + 1))
        angles = [self.angle(spec.n_params > 1) for _ in range(spec.n_params)]
        self.c.gate(name, self.wires(k), *angles)

    def build(self) -> Circuit:
        c, n = self.c, self.n
        for q in range(n):
            c.ry(q, self.x[q % N_INPUTS])
            c.rx(q, self.angle(False))
        names = [m for m in GATES if (GATES[m].n_wires or 1) <= n]
        names += ["QubitUnitary", "QubitUnitary"] + list(self.rng.choice(names, size=6))
        for i in self.rng.permutation(len(names)):
            self.add_gate(str(names[i]))
        c.expval("Z", n - 1)
        c.expval_sum([(0.5, "X", 0), (-1.25, "I", 0), (0.75, "Y", n - 1)])
        if n >= 2:
            c.expval("XY", (1, 0))
            c.expval(f"Y0 Z{n - 1}")
            c.expval("Z0@X1")
        return c


def _stack(result) -> torch.Tensor:
    parts = result if isinstance(result, tuple | list) else (result,)
    return torch.stack([torch.as_tensor(p) for p in parts], -1)


def _inputs(batch: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    x = (torch.rand(batch, N_INPUTS, generator=gen, dtype=torch.float64) * 2 - 1) * math.pi
    return x.requires_grad_(True)


@pytest.mark.parametrize("seed", range(N_RANDOM))
def test_module_matches_pennylane(seed, helpers):
    """Module, its twin, Circuit.to_pennylane and execute(to_tape) agree (values, gradients)."""
    builder = IRBuilder(seed, 1 + seed % 5, helpers)
    c = builder.build()
    module = c.module(dtype=torch.float64, seed=seed)
    x = _inputs(4 + seed % 3, seed)
    params = [*module.parameters(), x]
    out = module(x)
    assert out.shape == (x.shape[0], len(c.observables)) and out.dtype == torch.float64
    references = {
        "twin": module.to_pennylane()(x),
        "qnode": _stack(c.to_pennylane()(x, module.weight_dict())),
        "execute": _stack(execute(c.to_tape(x, module.weight_dict()))),
    }
    grads = helpers.gradients(out, params)
    assert sum(float(g.abs().sum()) for g in grads) > 1e-3
    for name, ref in references.items():
        assert ref.shape == out.shape, name
        torch.testing.assert_close(out, ref, atol=1e-10, rtol=0, msg=lambda m, n=name: f"{n}: {m}")
        helpers.same_grads(grads, helpers.gradients(ref, params))


def test_random_ir_circuits_cover_every_gate_and_angle_kind(helpers):
    """The random IR circuits use every gate (QubitUnitary via c.unitary) and angle kind."""
    names = set()
    for seed in range(N_RANDOM):
        builder = IRBuilder(seed, 1 + seed % 5, helpers)
        names |= {op.name for op in builder.build().ops}
        if builder.n >= 2:
            assert builder.kinds_used == set(ANGLE_KINDS)
    assert names == set(GATES)


def test_rot_mixing_constants_and_weights_exports_to_pennylane():
    """A Rot/CRot with a constant angle next to a weight and an input exports to PennyLane."""
    c = Circuit(2)
    x, w = c.inputs(1), c.weights("w", (2,))
    c.h(1)
    c.rot(0, 0.5, w[0], x[0])
    c.gate("CRot", (0, 1), x[0], 0.3, w[1])
    c.expval("X", 1)
    module = c.module(dtype=torch.float64, seed=0)
    xb = torch.tensor([[0.1], [0.7], [-1.3]], dtype=torch.float64)
    torch.testing.assert_close(module(xb), module.to_pennylane()(xb), atol=1e-10, rtol=0)


@pytest.mark.parametrize("kind", ANGLE_KINDS)
def test_each_angle_kind(kind, helpers):
    """One angle kind at a time, in a 1-parameter and a diagonal gate."""
    b = IRBuilder(0, 3, helpers)
    b.kind_counter = ANGLE_KINDS.index(kind)
    c = b.c
    c.h(0)
    c.ry(1, b.x[2])
    c.rx(0, b.angle(False))
    b.kind_counter = ANGLE_KINDS.index(kind)
    c.gate("CRZ", (0, 2), b.angle(False))
    c.gate("CRY", (2, 1), b.angle(False) if kind == "const" else b.x[0])
    c.expval("XZ", (0, 2))
    c.expval("Y", 2)
    module = c.module(dtype=torch.float64, seed=1)
    x = _inputs(3, 1)
    out, ref = module(x), module.to_pennylane()(x)
    torch.testing.assert_close(out, ref, atol=1e-10, rtol=0)
    params = [*module.parameters(), x]
    helpers.same_grads(helpers.gradients(out, params), helpers.gradients(ref, params))


def test_angle_arithmetic_and_repr():
    """Angles combine as const + Σ coeff·w·x, and print readably."""
    c = Circuit(1)
    x, w = c.inputs(2), c.weights("w", (2,))
    assert repr(0.5 * x[0] + 1) == "Angle(1 + 0.5·x[0])"
    assert repr(w[1] * x[1] - w[0]) == "Angle(w[1]·x[1] - w[0])"
    a = 2 * (w[0] * x[1] + 3) - w[0] * x[1]  # like terms merge
    assert a.const == 6 and len(a.terms) == 1 and a.terms[0].coeff == 1
    value = a.evaluate(torch.tensor([[0.0, 2.0]]), torch.tensor([5.0, 0.0]))
    assert value.tolist() == [16.0]
    with pytest.raises(ValueError, match="two weights"):
        _ = w[0] * w[1]
    with pytest.raises(ValueError, match="two inputs"):
        _ = x[0] * x[1]


# --------------------------------------------------------------------------------------------
# Circuit.from_tape


def _import_case(x):
    """A tape with inputs at parameter positions 0 and 3, templates, constants and weights."""
    gen = torch.Generator().manual_seed(3)
    sel = torch.rand(2, 3, 3, generator=gen, dtype=torch.float64).requires_grad_()
    phi = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    u = torch.tensor(
        qml.matrix(qml.Rot(0.1, 0.2, 0.3, wires=0) @ qml.RX(0.5, 1), wire_order=[0, 1])
    )
    ops = [
        qml.RX(x[0], "a"),  # parameter 0: input
        qml.RY(0.4, 3),  # 1: constant
        qml.CRZ(phi, wires=[3, 1]),  # 2: weight
        qml.RZ(x[1], 1),  # 3: input
        qml.StronglyEntanglingLayers(sel, wires=["a", 3, 1]),  # decomposed: weights
        qml.adjoint(qml.S(3)),
        qml.QubitUnitary(u, wires=[1, "a"]),
        qml.IsingXX(phi, wires=["a", 1]),
    ]
    ms = [
        qml.expval(qml.PauliZ("a")),
        qml.expval(qml.dot([0.5, -0.2], [qml.PauliX(1) @ qml.PauliY(3), qml.PauliZ(1)])),
    ]
    return qml.tape.QuantumScript(ops, ms), sel.numel() + 2


def test_from_tape_round_trip(pl_execute):
    """Import a tape (inputs marked), compile, and match PennyLane on a batch of inputs."""
    tape, n_trainable = _import_case([0.0, 0.0])
    c = Circuit.from_tape(tape, input_params=[0, 3])
    assert (c.n_qubits, c.n_inputs, len(c.observables)) == (3, 2, 2)
    module = c.module(dtype=torch.float64)
    assert module.n_parameters == n_trainable
    xb = torch.tensor([[0.3, -1.0], [1.7, 0.2], [-2.2, 2.9]], dtype=torch.float64)
    ref_tape, _ = _import_case([xb[:, 0], xb[:, 1]])
    ref = _stack(pl_execute(ref_tape))
    torch.testing.assert_close(module(xb), ref, atol=1e-10, rtol=0)
    torch.testing.assert_close(module.to_pennylane()(xb), ref, atol=1e-10, rtol=0)


# --------------------------------------------------------------------------------------------
# Parameters, states, probabilities, seeds, dtypes


def _small_circuit() -> Circuit:
    c = Circuit(3)
    x, w = c.inputs(2), c.weights("w", (2, 3))
    s = c.weights("s")
    for q in range(3):
        c.ry(q, x[q % 2])
        c.rot(q, w[0, q], w[1, q], s)
    c.cnot_ring()
    c.crx(2, 0, w[1, 2] * x[0] + 0.5)
    c.expval("Z", 0)
    c.expval("X2 Y1")
    return c


def test_n_parameters_counts_trainable_scalars():
    """n_parameters counts every trainable scalar (and only trainable ones)."""
    c = _small_circuit()
    module = c.module(seed=0)
    assert c.n_weights == 7 and module.n_parameters == 7
    assert dict(module.named_parameters()).keys() == {"weights.w", "weights.s"}
    module.weights["s"].requires_grad_(False)
    assert module.n_parameters == 6


def test_state_and_probs_match_pennylane(pl_execute):
    """module.state is batch-first (B, 2^n); module.probs(wires) matches qml.probs."""
    c = _small_circuit()
    module = c.module(dtype=torch.float64, seed=4)
    x = _inputs(5, 2)[:, :2]
    ops = c.to_tape(x, module.weight_dict()).operations
    state = module.state(x)
    assert state.shape == (5, 8) and state.dtype == torch.complex128
    ref_state = pl_execute(qml.tape.QuantumScript(ops, [qml.state()]))
    torch.testing.assert_close(state, ref_state, atol=1e-10, rtol=0)
    for wires in (None, [1], [2, 0], [0, 2, 1]):
        probs = module.probs(x, wires)
        ref = pl_execute(qml.tape.QuantumScript(ops, [qml.probs(wires=wires)]))
        assert probs.shape == (5, 2 ** len(wires or range(3)))
        torch.testing.assert_close(probs, ref, atol=1e-10, rtol=0)


def test_circuit_without_inputs():
    """A circuit with no inputs runs with inputs=None as one row."""
    c = Circuit(2)
    w = c.weights("w", (2,))
    c.ry(0, w[0])
    c.isingxx(0, 1, w[1])
    c.expval("Z", 1)
    module = c.module(dtype=torch.float64, seed=0)
    out = module()
    w0, w1 = module.weights["w"].detach()
    assert out.shape == (1, 1)
    # <Z1> after RY(w0) on 0 then IsingXX(w1): cos(w1) (independent of w0)
    torch.testing.assert_close(out[0, 0].detach(), torch.cos(w1), atol=1e-12, rtol=0)


def test_same_seed_same_numbers():
    """Building a module twice with the same seed gives identical weights and outputs."""
    c = _small_circuit()
    x = _inputs(6, 0)[:, :2].detach()
    a, b = c.module(dtype=torch.float64, seed=7), c.module(dtype=torch.float64, seed=7)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert na == nb and torch.equal(pa, pb)
    assert torch.equal(a(x), b(x))
    other = c.module(dtype=torch.float64, seed=8)
    assert not torch.equal(other.weights["w"], a.weights["w"])


def test_default_dtype_float32_close_to_float64():
    """The default (training) precision is float32, within 1e-5 of float64."""
    c = _small_circuit()
    x = _inputs(4, 1)[:, :2].detach()
    f32 = c.module(seed=3, device="cpu")
    f64 = c.module(seed=3, device="cpu", dtype=torch.complex128)
    out32, out64 = f32(x), f64(x)
    assert out32.dtype == torch.float32 and out64.dtype == torch.float64
    torch.testing.assert_close(out32.double(), out64, atol=1e-5, rtol=0)


def test_weights_init_options():
    """init="zeros" / a tensor / a function set the initial weights."""
    c = Circuit(1)
    c.weights("a", (2,), init="zeros")
    c.weights("b", (2,), init=torch.tensor([0.5, -0.5]))
    c.weights("c", (3,), init=lambda shape, gen: torch.full(shape, 2.0))
    m = c.module(dtype=torch.float64, seed=0)
    assert m.weights["a"].tolist() == [0.0, 0.0]
    assert m.weights["b"].tolist() == [0.5, -0.5]
    assert m.weights["c"].tolist() == [2.0, 2.0, 2.0]


def test_later_changes_to_the_circuit_do_not_change_the_module():
    """A compiled module and its twin keep the circuit as it was when compiled."""
    c = _small_circuit()
    module = c.module(dtype=torch.float64, seed=0)
    x = _inputs(3, 5)[:, :2].detach()
    before = module(x).detach()
    c.rx(0, 1.0)
    c.expval("X", 1)
    torch.testing.assert_close(module(x), before, atol=0, rtol=0)
    torch.testing.assert_close(module.to_pennylane()(x), before, atol=1e-10, rtol=0)


def test_helper_methods_record_their_gates():
    """The named helpers record the PennyLane gate with the given wires."""
    c = Circuit(3)
    calls = [
        (c.rx, (0, 0.1), "RX", (0,)), (c.ry, (1, 0.1), "RY", (1,)), (c.rz, (2, 0.1), "RZ", (2,)),
        (c.rot, (0, 0.1, 0.2, 0.3), "Rot", (0,)), (c.phaseshift, (1, 0.1), "PhaseShift", (1,)),
        (c.h, (0,), "Hadamard", (0,)), (c.x, (1,), "PauliX", (1,)), (c.y, (2,), "PauliY", (2,)),
        (c.z, (0,), "PauliZ", (0,)), (c.s, (1,), "S", (1,)), (c.t, (2,), "T", (2,)),
        (c.cnot, (2, 0), "CNOT", (2, 0)), (c.cz, (0, 1), "CZ", (0, 1)),
        (c.crx, (1, 2, 0.1), "CRX", (1, 2)), (c.cry, (2, 1, 0.1), "CRY", (2, 1)),
        (c.crz, (0, 2, 0.1), "CRZ", (0, 2)), (c.swap, (0, 2), "SWAP", (0, 2)),
        (c.cswap, (1, 0, 2), "CSWAP", (1, 0, 2)), (c.toffoli, (0, 1, 2), "Toffoli", (0, 1, 2)),
        (c.isingxx, (0, 1, 0.1), "IsingXX", (0, 1)), (c.isingyy, (1, 2, 0.1), "IsingYY", (1, 2)),
        (c.isingzz, (2, 0, 0.1), "IsingZZ", (2, 0)),
    ]  # fmt: skip
    for method, args, name, wires in calls:
        method(*args)
        assert (c.ops[-1].name, c.ops[-1].wires) == (name, wires), method.__name__
    before = len(c.ops)
    c.cnot_ring()
    assert [op.wires for op in c.ops[before:]] == [(0, 1), (1, 2), (2, 0)]
    c.cz_ring([2, 0])
    assert c.ops[-1].wires == (2, 0) and len(c.ops) == before + 4
    assert "n_gates=26" in repr(c)


def test_draw_shows_every_wire():
    """Circuit.draw returns PennyLane's drawing of the circuit."""
    text = _small_circuit().draw()
    assert isinstance(text, str)
    assert all(f"{q}: " in text for q in range(3)) and "Rot" in text


def test_module_is_a_torch_module_that_trains():
    """The module's weights are nn.Parameters that an optimiser updates."""
    c = _small_circuit()
    module = c.module(dtype=torch.float64, seed=0)
    assert isinstance(module, CircuitModule) and isinstance(module, torch.nn.Module)
    x = _inputs(8, 3)[:, :2].detach()
    opt = torch.optim.SGD(module.parameters(), lr=0.2)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = module(x)[:, 0].mean()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0] - 1e-3


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_module_cuda_matches_cpu(helpers):
    """The same module on CUDA and on the CPU gives the same values and gradients."""
    c = IRBuilder(3, 4, helpers).build()
    x = _inputs(16, 0).detach()
    outs, grads = [], []
    for dev in ("cpu", "cuda"):
        module = c.module(dtype=torch.float64, seed=0, device=dev)
        xd = x.to(dev).requires_grad_()
        out = module(xd)
        assert out.device.type == dev
        params = [*module.parameters(), xd]
        grads.append([g.cpu() for g in helpers.gradients(out.cpu(), params)])
        outs.append(out.detach().cpu())
        samples = module.sample(xd.detach(), shots=50, seed=0)
        assert samples.device.type == dev
    torch.testing.assert_close(outs[1], outs[0], atol=1e-10, rtol=0)
    helpers.same_grads(grads[1], grads[0])


def test_scalar_weight_is_an_angle_usable_in_arithmetic():
    """A weight of shape () can scale an input directly (trainable input scaling)."""
    c = Circuit(1)
    x = c.inputs(1)
    s = c.weights("s", init=torch.tensor(2.0, dtype=torch.float64))
    c.ry(0, s * x[0] + 0.5)
    c.expval("Z", 0)
    module = c.module(dtype=torch.float64)
    xs = torch.tensor([[0.1], [0.7]], dtype=torch.float64)
    torch.testing.assert_close(module(xs)[:, 0], torch.cos(2.0 * xs[:, 0] + 0.5))


def test_draw_shows_gates_and_symbolic_angles():
    """draw() has no broadcast-matrix placeholders and lists each gate's symbolic angles."""
    c = Circuit(2)
    x = c.inputs(2)
    w = c.weights("w", (2,))
    c.ry(0, w[0] * x[0])
    c.cnot(0, 1)
    c.rz(1, 0.5 * x[1] - w[1])
    c.expval("Z", 1)
    text = c.draw()
    assert "M0" not in text
    assert "RY on (0,): Angle(w[0]·x[0])" in text
    assert "RZ on (1,): Angle(0.5·x[1] - w[1])" in text


def test_module_follows_dtype_conversion():
    """module.double() after compiling in float32 simulates in float64."""
    c = Circuit(2)
    x = c.inputs(1)
    w = c.weights("w", (1,))
    c.rx(0, x[0])
    c.unitary((0, 1), torch.eye(4))
    c.ry(1, w[0])
    c.expval("Z", 0)
    module = c.module(dtype=torch.float32).double()
    out = module(torch.tensor([[0.3]], dtype=torch.float64))
    assert out.dtype == torch.float64
    torch.testing.assert_close(out[0, 0], torch.cos(torch.tensor(0.3, dtype=torch.float64)))
