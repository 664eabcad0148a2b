"""Natural quantization (chapter 6): qubit neurons, the weak measurement, the classical limit."""

from __future__ import annotations

import math

import pytest
import torch

from qlearn.models import NaturalQuantizedMLP, neuron_circuit
from qlearn.models.natural import expected_spin, htanh, p_minus, rotation_angle, sample_spins

F64 = torch.float64


def _angles(n: int = 40, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    theta = torch.rand(n, generator=gen, dtype=F64) * math.pi
    g = torch.rand(n, generator=gen, dtype=F64) * math.pi / 2
    theta[:3] = torch.tensor([0.0, math.pi / 2, math.pi], dtype=F64)
    g[:3] = torch.tensor([math.pi / 2, 0.0, 1e-3], dtype=F64)
    return theta, g


@pytest.mark.parametrize("weak", [False, True])
def test_outcome_distribution_matches_the_circuit(weak):
    theta, g = _angles()
    if not weak:
        g = torch.full_like(g, math.pi / 2)
    module = neuron_circuit(weak).module(dtype=F64)
    inputs = torch.stack([theta, g], 1)
    wire = 1 if weak else 0
    p1 = module.probs(inputs, wires=[wire])[:, 1]
    expected = torch.stack([p_minus(t, float(gg)) for t, gg in zip(theta, g, strict=True)])
    torch.testing.assert_close(p1, expected, atol=1e-12, rtol=0)
    # the expectation value E[s] = sin g cos θ, on our engine and in PennyLane
    torch.testing.assert_close(module(inputs)[:, 0], torch.sin(g) * torch.cos(theta))
    twin = module.to_pennylane()(inputs)[:, 0]
    torch.testing.assert_close(twin.to(F64), torch.sin(g) * torch.cos(theta), atol=1e-12, rtol=0)


def test_classical_angle_copies_and_zero_angle_is_blind():
    module = neuron_circuit(True).module(dtype=F64)
    theta = torch.tensor([0.0, math.pi, 0.7], dtype=F64)
    # g = π/2: the ancilla reads exactly the neuron's Z outcome (bits of both wires agree)
    joint = module.probs(torch.stack([theta, torch.full_like(theta, math.pi / 2)], 1))
    torch.testing.assert_close(joint[:, 1] + joint[:, 2], torch.zeros(3, dtype=F64))
    # g = 0: the ancilla is a fair coin whatever the neuron does
    blind = module.probs(torch.stack([theta, torch.zeros_like(theta)], 1), wires=[1])
    torch.testing.assert_close(blind, torch.full((3, 2), 0.5, dtype=F64))


def test_shots_agree_with_the_formula_within_five_sigma():
    theta = torch.tensor([0.3, 1.2, 2.0, 2.9], dtype=F64)
    g = torch.tensor([0.2, 0.9, 1.3, 0.5], dtype=F64)
    shots = 4000
    module = neuron_circuit(True).module(dtype=F64)
    bits = module.sample(torch.stack([theta, g], 1), shots=shots, seed=3, wires=[1])
    freq = bits[:, :, 0].double().mean(1)
    p = torch.stack([p_minus(t, float(gg)) for t, gg in zip(theta, g, strict=True)])
    sigma = torch.sqrt(p * (1 - p) / shots)
    assert torch.all((freq - p).abs() < 5 * sigma)
    # the batched sampler of the model draws from the same law
    mean = torch.sin(g) * torch.cos(theta)
    spins = sample_spins(mean.repeat(shots, 1), torch.Generator().manual_seed(4))
    assert torch.all((spins.mean(0) - mean).abs() < 10 * sigma)


def test_sampling_is_seeded():
    mean = torch.linspace(-0.9, 0.9, 50)
    a = sample_spins(mean, torch.Generator().manual_seed(7))
    b = sample_spins(mean, torch.Generator().manual_seed(7))
    c = sample_spins(mean, torch.Generator().manual_seed(8))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert set(a.tolist()) <= {-1.0, 1.0}
    net = NaturalQuantizedMLP([5, 7, 7, 3], a=2.0, seed=0)
    x = torch.rand(20, 5, generator=torch.Generator().manual_seed(0))
    assert torch.equal(net.votes(x, 9, seed=1), net.votes(x, 9, seed=1))
    assert not torch.equal(net.votes(x, 9, seed=1), net.votes(x, 9, seed=2))


def _classical_sign_mlp(net: NaturalQuantizedMLP, x: torch.Tensor) -> torch.Tensor:
    """An independent sign network with the same weights; sign(0) = +1."""
    s = x
    for layer in net.layers[:-1]:
        z = s @ layer.weight.T + layer.bias
        s = torch.where(z >= 0, 1.0, -1.0).to(z.dtype)
    return s @ net.layers[-1].weight.T + net.layers[-1].bias


@pytest.mark.parametrize("mode", ["rotate", "weak"])
def test_a_zero_is_exactly_the_classical_sign_network(mode):
    net = NaturalQuantizedMLP([6, 9, 9, 9, 4], a=0.0, mode=mode, seed=1, dtype=F64)
    x = torch.randn(64, 6, generator=torch.Generator().manual_seed(0), dtype=F64)
    x[0] = 0.0  # with the biases zeroed below, every pre-activation of row 0 is exactly 0
    with torch.no_grad():
        for layer in net.layers:
            layer.bias[:3] = 0.0
    reference = _classical_sign_mlp(net, x).detach()
    net.eval()
    for how in ("sample", "mean"):
        assert torch.equal(net(x, how=how).detach(), reference)
    assert torch.equal(net.predict(x, n_votes=5, seed=3), reference.argmax(-1))
    assert torch.equal(net.run_as_circuits(x, n_votes=3, seed=0), reference.argmax(-1))
    net.train()
    assert torch.equal(net(x).detach(), reference)


def test_sign_convention_at_zero():
    z = torch.tensor([0.0, -0.0, 1e-300], dtype=F64)
    assert htanh(z, 0.0).tolist() == [1.0, 1.0, 1.0]
    assert rotation_angle(z, 0.0).tolist() == [0.0, 0.0, 0.0]
    assert expected_spin(torch.tensor([0.0]), 1.0).tolist() == [0.0]  # a > 0: a fair coin


def test_gradients_flow_with_both_methods_and_at_a_zero():
    x = torch.rand(16, 4, generator=torch.Generator().manual_seed(0))
    for method in ("ste", "expectation"):
        for a in (0.0, 0.5, 3.0):
            net = NaturalQuantizedMLP([4, 6, 6, 3], a=a, method=method, seed=0)
            net(x).sum().backward()
            assert net.layers[0].weight.grad.abs().sum() > 0


def test_expectation_forward_is_the_mean_and_its_gradient_is_exact_for_wide_a():
    net = NaturalQuantizedMLP([3, 5, 2], a=2.0, method="expectation", seed=0, dtype=F64)
    x = torch.rand(8, 3, dtype=F64, requires_grad=True)

    def exact(inp):
        z = net.layers[0](inp)
        return net.layers[1](torch.sin(math.pi / 2 * torch.clamp(z / 2.0, -1, 1)))

    torch.testing.assert_close(net(x), exact(x))
    (g1,) = torch.autograd.grad(net(x).sum(), x)
    (g2,) = torch.autograd.grad(exact(x).sum(), x)
    torch.testing.assert_close(g1, g2)


def test_training_learns_a_separable_problem():
    from qlearn.train import fit

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(200, 2, generator=gen)
    y = (x[:, 0] + x[:, 1] > 0).long()
    for method in ("ste", "expectation"):
        net = NaturalQuantizedMLP([2, 16, 16, 2], a=0.5, method=method, seed=0)
        fit(net, x, y, loss="cross_entropy", epochs=60, lr=1e-2, batch_size=50, progress=False)
        net.eval()
        assert net.error(x, y, n_votes=11, seed=0) < 0.1


def test_circuits_reproduce_the_sampled_network_statistically():
    net = NaturalQuantizedMLP([4, 8, 8, 3], a=1.5, mode="weak", g=1.0, seed=2, dtype=F64)
    x = torch.rand(40, 4, generator=torch.Generator().manual_seed(1), dtype=F64)
    fast = net.predict(x, n_votes=401, seed=0)
    sim = net.run_as_circuits(x, n_votes=401, seed=1)
    pl = net.run_as_circuits(x[:8], n_votes=201, seed=2, backend="pennylane")
    assert (fast == sim).double().mean() > 0.85
    assert (fast[:8] == pl).double().mean() >= 0.75


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="widths"):
        NaturalQuantizedMLP([4, 3])
    with pytest.raises(ValueError, match="a=-1"):
        NaturalQuantizedMLP([4, 3, 2], a=-1)
    with pytest.raises(ValueError, match="g=2"):
        NaturalQuantizedMLP([4, 3, 2], mode="weak", g=2)
    with pytest.raises(ValueError, match="mode='strong'"):
        NaturalQuantizedMLP([4, 3, 2], mode="strong")
    with pytest.raises(ValueError, match="method='adam'"):
        NaturalQuantizedMLP([4, 3, 2], method="adam")
    net = NaturalQuantizedMLP([4, 3, 2])
    with pytest.raises(ValueError, match="n_votes=0"):
        net.predict(torch.zeros(2, 4), n_votes=0)
    with pytest.raises(ValueError, match=r"\(batch, 4\)"):
        net(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="backend='qiskit'"):
        net.run_as_circuits(torch.zeros(2, 4), backend="qiskit")


def test_weak_circuit_is_the_zy_entangling_gate():
    """R_Y(π/2 − g) then CRY(2g) equals exp(+i g/2 Z⊗Y) on an ancilla prepared by R_Y(π/2)."""
    from qlearn.sim import Circuit

    theta, g = 1.1, 0.7
    z = torch.diag(torch.tensor([1.0, -1.0], dtype=torch.complex128))
    y = torch.tensor([[0, -1j], [1j, 0]], dtype=torch.complex128)
    gate = torch.linalg.matrix_exp(0.5j * g * torch.kron(z, y))
    ref = Circuit(2)
    ref.ry(0, theta)
    ref.ry(1, math.pi / 2)
    ref.unitary([0, 1], gate)
    ours = neuron_circuit(weak=True).module(dtype=F64)
    state = ours.state(torch.tensor([[theta, g]], dtype=F64))
    torch.testing.assert_close(state, ref.module(dtype=F64).state())
