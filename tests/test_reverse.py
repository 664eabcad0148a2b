"""The reverse mode of the simulator (``qlearn.sim.reverse``) and its workspace.

Every compiled program runs through it; these tests compare it with PennyLane and with plain
autograd over the same stages (wide registers, where the stages are single gates), and check
that no buffer it reuses can leak into a result.
"""

from __future__ import annotations

import pytest
import torch

from qlearn.sim import Circuit, engine
from qlearn.sim.benchmark import reupload_circuit
from qlearn.sim.reverse import run_program
from qlearn.sim.workspace import Workspace

F64 = torch.float64

# the small states here would otherwise run under plain autograd
pytestmark = pytest.mark.usefixtures("reverse_mode")


def _inputs(batch: int, n: int, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.rand(batch, n, generator=gen, dtype=F64) * torch.pi


def _grads(module, x, out):
    weights = list(module.parameters())
    return torch.autograd.grad(out, [x, *weights])


def test_module_matches_pennylane_with_input_gradients():
    """8 qubits, Z readout: values, weight gradients and input gradients equal PennyLane's."""
    module = reupload_circuit(8, 2).module(dtype=F64, seed=1)
    x = _inputs(5, 8).requires_grad_(True)
    twin = module.to_pennylane()
    mix = torch.linspace(-1.0, 1.0, 8, dtype=F64)
    ours, ref = module(x), twin(x)
    assert torch.allclose(ours, ref, atol=1e-10, rtol=0)
    got, want = _grads(module, x, (ours * mix).sum()), _grads(module, x, (ref * mix).sum())
    for a, b in zip(got, want, strict=True):
        assert torch.allclose(a, b, atol=1e-8, rtol=0)


def _trailing_phase_circuit() -> Circuit:
    c = Circuit(7)
    x = c.inputs(1)
    w = c.weights("w", (7,), init=torch.linspace(0.2, 1.4, 7, dtype=F64))
    last = c.weights("last", (1,), init=torch.tensor([0.3], dtype=F64))
    for q in range(7):
        c.ry(q, w[q])
        c.rz(q, x[0])
    c.cnot_ring()
    c.rz(3, last[0])  # after the last mixing gate: cannot change a Z readout
    c.expval_sum([(0.5, "Z", 0), (-2.0, "ZZ", (2, 3))])
    c.expval("Z", 6)
    return c


def test_trailing_phases_get_zero_gradients_not_none():
    module = _trailing_phase_circuit().module(dtype=F64)
    x = _inputs(4, 1)
    out = module(x)
    assert torch.allclose(out, module.to_pennylane()(x), atol=1e-10, rtol=0)
    out.sum().backward()
    assert module.weights["last"].grad is not None
    assert torch.equal(module.weights["last"].grad, torch.zeros(1, dtype=F64))
    assert module.weights["w"].grad.abs().sum() > 0


def _program_and_tables(n: int, batch: int, requires_grad: bool):
    module = reupload_circuit(n, 2).module(dtype=F64, seed=3)
    x = _inputs(batch, n).requires_grad_(requires_grad)
    a_s, a_b = module._angles(x, F64)
    return module._program, engine.Tables(a_s, a_b, []), x, module


@pytest.mark.parametrize("n", [3, 4, 7])
def test_dense_unitaries_only_for_small_states_of_small_registers(monkeypatch, n):
    """Runs of shared gates become one dense unitary below the reverse mode's size (where
    autograd over a few large products is cheap), never in the reverse mode itself."""
    monkeypatch.setattr(engine, "REVERSE_MIN_AMPLITUDES", 2**14)
    program = reupload_circuit(n, 2).module(dtype=F64)._program
    cpu = torch.device("cpu")
    small, large = program.stages_for(4, cpu), program.stages_for(2**14, cpu)
    assert any(st.kind == "full" for st in small) == (n <= engine.DENSE_MAX_QUBITS)
    assert large is program.stages and not any(st.kind == "full" for st in large)
    on_gpu = program.stages_for(2**14, torch.device("cuda"))  # a plan only; nothing runs
    assert any(st.kind == "full" for st in on_gpu) == (n <= engine.DENSE_MAX_QUBITS)


@pytest.mark.parametrize("n, dense", [(4, True), (4, False), (7, False)])
def test_reverse_mode_equals_autograd_over_the_same_stages(n, dense):
    """run_program against the stages applied one by one under autograd, from a batch of
    given states (gradients reach the states too, as in CircuitModule.evolve); ``dense``:
    runs of shared gates as one dense unitary each (the plan of small states)."""
    program, tables, x, module = _program_and_tables(n, 3, requires_grad=True)
    stages = program.dense_stages() if dense else program.stages
    assert any(st.kind == "full" for st in stages) == dense
    gen = torch.Generator().manual_seed(5)
    psi0 = torch.randn(2**n, 3, generator=gen, dtype=torch.complex128).requires_grad_(True)
    weight = torch.randn(2**n, 3, generator=gen, dtype=F64)

    def loss(psi):
        return ((psi.real**2 + psi.imag**2) * weight).sum() + psi.imag.sum()

    ours = run_program(stages, psi0, tables)
    ref = psi0
    for st in stages:
        ref = st.apply(ref, tables)
    assert torch.allclose(ours, ref, atol=1e-12, rtol=0)
    wrt = [psi0, x, *module.parameters()]
    got = torch.autograd.grad(loss(ours), wrt, retain_graph=True)  # the tables are shared
    for a, b in zip(got, torch.autograd.grad(loss(ref), wrt), strict=True):
        assert torch.allclose(a, b, atol=1e-10, rtol=0)


@pytest.mark.parametrize("n", [7, 8])  # 7: a lone wire beside the pairs of a layer
def test_ry_layers_before_and_after_the_encoding(n, either_mode):
    """A layer of RY gates on the one-column state before any per-row gate (above
    DENSE_MAX_QUBITS, so not one dense unitary), and another after the encoding: the same
    numbers as PennyLane in every mode."""
    init = torch.linspace(0.1, 1.0, 2 * n, dtype=F64).reshape(2, n)
    c = Circuit(n)
    x, w = c.inputs(n), c.weights("w", (2, n), init=init)
    for q in range(n):
        c.ry(q, w[0, q])
    c.cnot_ring()
    for q in range(n):
        c.rz(q, x[q])
        c.ry(q, w[1, q])
        c.expval("Z", q)
    module = c.module(dtype=F64)
    out = module(_inputs(7, n))
    out.pow(2).sum().backward()
    weights = init.clone().requires_grad_(True)
    expected = torch.stack(list(c.to_pennylane()(_inputs(7, n), {"w": weights}))).T
    expected.pow(2).sum().backward()
    torch.testing.assert_close(out.detach(), expected.detach(), atol=1e-10, rtol=0)
    torch.testing.assert_close(module.weights["w"].grad, weights.grad, atol=1e-8, rtol=0)


def test_second_backward_with_retain_graph_gives_the_same_gradients():
    module = reupload_circuit(7, 2).module(dtype=F64, seed=4)
    loss = module(_inputs(6, 7)).sum()
    loss.backward(retain_graph=True)
    first = module.weights["weights"].grad.clone()
    module.zero_grad()
    loss.backward()
    assert torch.allclose(module.weights["weights"].grad, first, atol=1e-12, rtol=0)


def test_second_backward_through_a_state_gives_the_same_gradients():
    module = reupload_circuit(7, 2).module(dtype=F64, seed=4)
    psi = module.state(_inputs(3, 7))
    loss = (psi.real**2 - psi.imag).sum()
    first = torch.autograd.grad(loss, module.weights["weights"], retain_graph=True)[0]
    again = torch.autograd.grad(loss, module.weights["weights"])[0]
    assert torch.allclose(again, first, atol=1e-12, rtol=0)


def test_results_never_alias_reused_buffers():
    """Two results in a row are separate tensors: the workspace reuses only its own buffers."""
    module = reupload_circuit(7, 1).module(dtype=F64, seed=2)
    first = module.state(_inputs(4, 7, seed=1))
    kept = first.clone()
    with torch.enable_grad():
        module(_inputs(4, 7, seed=2)).sum().backward()
    module.state(_inputs(4, 7, seed=3))
    assert torch.equal(first, kept)


def test_no_grad_forward_equals_forward_with_grad():
    module = reupload_circuit(8, 2).module(dtype=F64, seed=6)
    x = _inputs(7, 8)
    with torch.no_grad():
        cold = module(x)
    assert torch.allclose(module(x), cold, atol=1e-13, rtol=0)


def test_float32_matches_float64():
    module = reupload_circuit(7, 2).module(dtype=F64, seed=8)
    single = reupload_circuit(7, 2).module(dtype=torch.float32, seed=8)
    x = _inputs(5, 7)
    out, out32 = module(x), single(x.float())
    assert out32.dtype == torch.float32
    assert torch.allclose(out32.double(), out, atol=1e-5)
    out.sum().backward()
    out32.sum().backward()
    g, g32 = module.weights["weights"].grad, single.weights["weights"].grad
    assert torch.allclose(g32.double(), g, atol=1e-4)


# --------------------------------------------------------------------------------------------
# The workspace


def test_workspace_reuses_a_given_buffer():
    ws = Workspace(max_bytes=2**20)
    a = ws.take((8, 3), torch.complex128, torch.device("cpu"))
    ws.give(a)
    assert ws.take((8, 3), torch.complex128, torch.device("cpu")) is a
    assert ws.take((8, 3), torch.complex128, torch.device("cpu")) is not a  # it was taken


def test_workspace_respects_its_limit_and_skips_views():
    ws = Workspace(max_bytes=100)
    big = torch.empty(64, dtype=F64)  # 512 bytes: over the limit, dropped
    ws.give(big)
    assert ws.take((64,), F64, torch.device("cpu")) is not big
    view = torch.empty(4, 4, dtype=F64).T  # not contiguous: never pooled
    ws.give(view)
    assert ws.take((4, 4), F64, torch.device("cpu")) is not view


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_workspace_leaves_cuda_to_torch():
    ws = Workspace()
    a = ws.take((4,), F64, torch.device("cuda"))
    ws.give(a)
    assert a.device.type == "cuda"
    assert ws.take((4,), F64, torch.device("cuda")) is not a


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_reverse_mode_on_cuda_matches_cpu():
    cpu = reupload_circuit(8, 3).module(dtype=F64, seed=9)
    gpu = reupload_circuit(8, 3).module(dtype=F64, seed=9, device="cuda")
    x = _inputs(6, 8)
    out, out_gpu = cpu(x), gpu(x.cuda())
    assert torch.allclose(out_gpu.cpu(), out, atol=1e-10, rtol=0)
    out.sum().backward()
    out_gpu.sum().backward()
    g, g_gpu = cpu.weights["weights"].grad, gpu.weights["weights"].grad
    assert torch.allclose(g_gpu.cpu(), g, atol=1e-8, rtol=0)
