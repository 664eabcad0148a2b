"""The state-level teaching API qlearn.sim.functional: known values, layout, errors."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import torch

from qlearn.sim import GATES
from qlearn.sim import functional as F
from qlearn.sim.gates import matrix

D = torch.float64
PI = math.pi


def one(gate: str, *params, wire: int = 0, n: int = 1) -> torch.Tensor:
    return F.apply(F.zero_state(n, dtype=D, device="cpu"), gate, wire, *params)


def random_state(n: int, batch: int, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(batch, 2**n, 2, generator=gen, dtype=D)
    psi = torch.view_as_complex(z)
    return psi / psi.norm(dim=1, keepdim=True)


def reference_apply(psi: torch.Tensor, m: torch.Tensor, wires: tuple[int, ...]) -> torch.Tensor:
    """Textbook reference: contract the gate's tensor with the state's wire axes (per row)."""
    batch, dim = psi.shape
    n, k = int(math.log2(dim)), len(wires)
    t = psi.reshape([batch] + [2] * n)
    axes = [1 + w for w in wires]
    m = m.expand(batch, 2**k, 2**k) if m.ndim == 2 else m
    g = m.reshape([batch] + [2] * (2 * k))
    t = t.movedim(axes, list(range(1, k + 1)))
    rest = t.shape[k + 1 :]
    out = torch.einsum("bij,bj...->bi...", g.reshape(batch, 2**k, 2**k), t.reshape(batch, 2**k, -1))
    out = out.reshape([batch] + [2] * k + list(rest)).movedim(list(range(1, k + 1)), axes)
    return out.reshape(batch, dim)


# ---- zero_state -------------------------------------------------------------------------------


def test_zero_state_layout_and_dtype():
    psi = F.zero_state(3, batch=4, dtype=D, device="cpu")
    assert psi.shape == (4, 8) and psi.dtype == torch.complex128
    assert torch.equal(psi[:, 0], torch.ones(4, dtype=psi.dtype))
    assert psi[:, 1:].abs().sum() == 0
    assert F.zero_state(1).dtype == torch.complex64  # config default float32
    assert F.zero_state(1, dtype=torch.complex128).dtype == torch.complex128


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, 31])
def test_zero_state_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="n_qubits"):
        F.zero_state(bad)
    with pytest.raises(ValueError, match="batch"):
        F.zero_state(1, batch=0)


# ---- apply: known results ---------------------------------------------------------------------


def test_rx_pi_flips_the_qubit():
    psi = one("RX", PI)
    torch.testing.assert_close(F.probs(psi), torch.tensor([[0.0, 1.0]], dtype=D))
    torch.testing.assert_close(F.expval(psi, "Z", 0), torch.tensor([-1.0], dtype=D))


def test_rotations_follow_cos_and_sin():
    thetas = torch.linspace(0, 2 * PI, 9, dtype=D)
    psi = one("RX", thetas)  # one row per angle
    assert psi.shape == (9, 2)
    torch.testing.assert_close(F.expval(psi, "Z", 0), torch.cos(thetas))
    torch.testing.assert_close(F.expval(psi, "Y", 0), -torch.sin(thetas))
    torch.testing.assert_close(F.expval(one("RY", thetas), "X", 0), torch.sin(thetas))


def test_bell_state():
    psi = F.apply(F.apply(F.zero_state(2, dtype=D), "H", 0), "CNOT", (0, 1))
    torch.testing.assert_close(F.probs(psi), torch.tensor([[0.5, 0, 0, 0.5]], dtype=D))
    for word, value in [("ZZ", 1.0), ("XX", 1.0), ("YY", -1.0), ("ZI", 0.0)]:
        torch.testing.assert_close(F.expval(psi, word, (0, 1)), torch.tensor([value], dtype=D))
    torch.testing.assert_close(F.expval(psi, "X0 X1"), torch.tensor([1.0], dtype=D))
    torch.testing.assert_close(F.probs(psi, wires=1), torch.tensor([[0.5, 0.5]], dtype=D))


def test_wire_zero_is_most_significant():
    psi = F.apply(F.zero_state(3, dtype=D), "X", 0)
    assert F.probs(psi)[0].argmax().item() == 0b100
    psi = F.apply(psi, "X", 2)
    assert F.probs(psi)[0].argmax().item() == 0b101
    torch.testing.assert_close(F.probs(psi, wires=[2, 0]), torch.tensor([[0, 0, 0, 1.0]], dtype=D))
    torch.testing.assert_close(F.probs(psi, wires=[1, 2]), torch.tensor([[0, 1.0, 0, 0]], dtype=D))


@pytest.mark.parametrize("name", sorted(GATES))
def test_every_gate_matches_the_textbook_contraction(name):
    spec = GATES[name]
    n, batch = 4, 3
    k = spec.n_wires or 2
    wires = (2, 0, 3)[:k]
    psi = random_state(n, batch, seed=1)
    gen = torch.Generator().manual_seed(2)
    if name == "QubitUnitary":
        q, _ = torch.linalg.qr(torch.randn(2**k, 2**k, dtype=torch.complex128, generator=gen))
        params, m = (q,), q
    else:
        params = tuple(
            torch.rand(batch, generator=gen, dtype=D) * 2 * PI for _ in range(spec.n_params)
        )
        m = matrix(name, params, n_wires=k)
    ours = F.apply(psi, name, wires, *params)
    torch.testing.assert_close(ours, reference_apply(psi, m, wires), atol=1e-12, rtol=0)


@pytest.mark.skipif("GlobalPhase" not in GATES, reason="no GlobalPhase gate")
def test_global_phase_needs_no_wires():
    psi = random_state(2, 2)
    out = F.apply(psi, "GlobalPhase", (), 0.3)
    torch.testing.assert_close(out, psi * torch.exp(torch.tensor(-0.3j, dtype=psi.dtype)))
    torch.testing.assert_close(F.probs(out), F.probs(psi))


def test_shared_and_per_row_angles_agree():
    psi = random_state(3, 4)
    theta = 0.7
    shared = F.apply(psi, "IsingXX", (0, 2), theta)
    per_row = F.apply(psi, "IsingXX", (0, 2), torch.full((4,), theta, dtype=D))
    torch.testing.assert_close(shared, per_row)


def test_aliases_and_input_is_not_modified():
    psi = random_state(2, 2)
    before = psi.clone()
    torch.testing.assert_close(F.apply(psi, "H", 1), F.apply(psi, "Hadamard", 1))
    torch.testing.assert_close(F.apply(psi, "CX", (1, 0)), F.apply(psi, "CNOT", (1, 0)))
    assert torch.equal(psi, before)


def test_norm_is_preserved():
    psi = random_state(3, 5)
    for gate, wires, params in [("Rot", 1, (0.1, 0.2, 0.3)), ("CRY", (2, 0), (1.1,))]:
        psi = F.apply(psi, gate, wires, *params)
    torch.testing.assert_close(psi.abs().pow(2).sum(1), torch.ones(5, dtype=D))


def test_gradients_flow_to_angles():
    theta = torch.tensor([0.3, 1.2, 2.5], dtype=D, requires_grad=True)
    F.expval(one("RX", theta), "Z", 0).sum().backward()
    torch.testing.assert_close(theta.grad, -torch.sin(theta.detach()))
    shared = torch.tensor(0.4, dtype=D, requires_grad=True)
    psi = F.apply(F.zero_state(2, batch=2, dtype=D), "RY", 1, shared)
    F.expval(psi, "Z", 1).sum().backward()
    torch.testing.assert_close(shared.grad, -2 * torch.sin(shared.detach()))


def test_python_floats_keep_double_precision():
    psi = one("RX", 0.1)
    expected = torch.cos(torch.tensor(0.1, dtype=D))
    assert abs(F.expval(psi, "Z", 0).item() - expected.item()) < 1e-14


def test_float32_default_precision():
    psi = F.apply(F.zero_state(1, device="cpu"), "RX", 0, PI / 2)
    assert psi.dtype == torch.complex64
    assert F.expval(psi, "Z", 0).dtype == torch.float32


# ---- sampling ---------------------------------------------------------------------------------


def test_sample_shapes_seed_and_frequencies():
    psi = F.apply(one("H", n=2), "RY", 1, torch.tensor([0.0, PI], dtype=D))  # 2 rows
    bits = F.sample(psi, shots=4000, seed=3)
    assert bits.shape == (2, 4000, 2) and bits.dtype == torch.int64
    assert torch.equal(bits, F.sample(psi, shots=4000, seed=3))
    assert not torch.equal(bits, F.sample(psi, shots=4000, seed=4))
    freq = F.frequencies(bits)
    torch.testing.assert_close(freq.sum(1), torch.ones(2, dtype=D))
    np.testing.assert_allclose(freq.numpy(), F.probs(psi).numpy(), atol=0.04)
    assert (bits[1, :, 1] == 1).all()  # RY(pi) on wire 1 is deterministic
    assert F.sample(psi, shots=5, seed=0, wires=[1]).shape == (2, 5, 1)


def test_sample_rejects_bad_shots():
    with pytest.raises(ValueError, match="shots"):
        F.sample(one("H"), shots=0, seed=0)


# ---- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "match"),
    [
        (torch.ones(2, dtype=torch.complex64), r"reshape\(1, -1\)"),
        (torch.ones(1, 3, dtype=torch.complex64), "power of two"),
        (torch.ones(1, 2), "complex"),
        (torch.ones(1, 1, dtype=torch.complex64), "at least one qubit"),
    ],
)
def test_bad_states_are_explained(state, match):
    with pytest.raises(ValueError, match=match):
        F.apply(state, "X", 0)
    with pytest.raises(ValueError, match=match):
        F.probs(state)


def test_bad_arguments_are_explained():
    psi = F.zero_state(2, batch=3, dtype=D)
    with pytest.raises(TypeError, match="torch tensor"):
        F.probs([[1, 0]])
    with pytest.raises(ValueError, match="not a known gate"):
        F.apply(psi, "RQ", 0, 1.0)
    with pytest.raises(ValueError, match="out of range"):
        F.apply(psi, "X", 2)
    with pytest.raises(ValueError, match="2 wire"):
        F.apply(psi, "CNOT", 0)
    with pytest.raises(ValueError, match="distinct"):
        F.apply(psi, "CNOT", (1, 1))
    with pytest.raises(ValueError, match="1 angle"):
        F.apply(psi, "RX", 0)
    with pytest.raises(ValueError, match="batch=3"):
        F.apply(psi, "RX", 0, torch.zeros(2))
    with pytest.raises(TypeError, match="real number"):
        F.apply(psi, "RX", 0, 1j)
    with pytest.raises(ValueError, match="scalar"):
        F.apply(psi, "RX", 0, torch.zeros(3, 1))
    with pytest.raises(ValueError, match="not unitary"):
        F.apply(psi, "QubitUnitary", 0, torch.ones(2, 2))
    with pytest.raises(ValueError, match=r"\(4, 4\)"):
        F.apply(psi, "QubitUnitary", (0, 1), torch.eye(2))
    with pytest.raises(ValueError, match="out of range"):
        F.expval(psi, "Z5")
    with pytest.raises(ValueError, match="samples"):
        F.frequencies(torch.zeros(3, 2))


def test_docstring_examples():
    result = doctest.testmod(F, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
