"""Noise (qlearn.sim.noise): depolarizing trajectories against default.mixed, shot statistics."""

from __future__ import annotations

import itertools
import math

import pennylane as qml
import pytest
import torch

from qlearn.sim import Circuit, Noise, NoisyCircuit
from qlearn.sim.noise import PAULI_CODES, pauli_trajectory_circuit, trajectory_inputs

F64 = torch.float64
P = 0.15


def small_circuit() -> Circuit:
    c = Circuit(2)
    x = c.inputs(1)
    w = c.weights("w", (4,))
    c.ry(0, x[0])
    c.rot(1, w[0], w[1], w[2])
    c.cnot(0, 1)
    c.rx(1, w[3] * x[0])
    c.expval("Z", 0)
    c.expval("Z", 1)
    c.expval("ZZ", (0, 1))
    return c


def mixed_reference(x: float, w: torch.Tensor, p: float) -> torch.Tensor:
    """The same circuit on default.mixed with DepolarizingChannel(p) after every gate/wire."""
    dev = qml.device("default.mixed", wires=2)

    @qml.qnode(dev)
    def run():
        qml.RY(x, wires=0)
        qml.DepolarizingChannel(p, wires=0)
        qml.Rot(*w[:3], wires=1)
        qml.DepolarizingChannel(p, wires=1)
        qml.CNOT(wires=[0, 1])
        qml.DepolarizingChannel(p, wires=0)
        qml.DepolarizingChannel(p, wires=1)
        qml.RX(w[3] * x, wires=1)
        qml.DepolarizingChannel(p, wires=1)
        return [qml.expval(qml.PauliZ(0)), qml.expval(qml.PauliZ(1)),
                qml.expval(qml.PauliZ(0) @ qml.PauliZ(1))]  # fmt: skip

    return torch.tensor([float(v) for v in run()], dtype=F64)


def test_all_trajectories_weighted_equal_default_mixed():
    c = small_circuit()
    module = c.module(dtype=F64, seed=0)
    traj_circuit, m = pauli_trajectory_circuit(c)
    assert m == 5
    traj = traj_circuit.module(dtype=F64)
    traj.weights = module.weights
    w = module.weights["w"].detach()
    for x in (0.4, -1.3):
        combos = list(itertools.product(range(4), repeat=m))
        codes = torch.tensor([[v for k in combo for v in PAULI_CODES[k]] for combo in combos],
                             dtype=F64)  # fmt: skip
        prob = torch.tensor([math.prod((1 - P) if k == 0 else P / 3 for k in combo)
                             for combo in combos], dtype=F64)  # fmt: skip
        rows = torch.cat([torch.full((len(combos), 1), x, dtype=F64), codes], 1)
        exact = prob @ traj(rows)
        torch.testing.assert_close(exact, mixed_reference(x, w, P), atol=1e-10, rtol=0)


def test_sampled_trajectories_are_unbiased():
    c = small_circuit()
    module = c.module(dtype=F64, seed=0)
    noisy = NoisyCircuit(module, Noise(depolarizing=P, seed=1, trajectories=4000))
    x = torch.tensor([[0.4]], dtype=F64)
    est = noisy(x)[0].detach()
    ref = mixed_reference(0.4, module.weights["w"].detach(), P)
    # each output is in [-1, 1]: standard error <= 1/sqrt(4000) ~ 0.016
    assert (est - ref).abs().max() < 5 / math.sqrt(4000)
    exact = module(x)[0].detach()
    assert (exact - ref).abs().max() > 0.05  # the noise is visible at p = 0.15


def test_pauli_codes_frequencies():
    gen = torch.Generator().manual_seed(0)
    e = trajectory_inputs(20000, 1, 0.3, gen)
    kinds = {tuple(code): k for k, code in enumerate(PAULI_CODES)}
    counts = torch.bincount(torch.tensor([kinds[tuple(r.tolist())] for r in e]), minlength=4)
    freq = counts.double() / 20000
    torch.testing.assert_close(freq, torch.tensor([0.7, 0.1, 0.1, 0.1], dtype=F64), atol=0.015,
                               rtol=0)  # fmt: skip


def test_shots_mean_and_variance_are_binomial():
    c = Circuit(1)
    x = c.inputs(1)
    c.ry(0, x[0])
    c.expval("Z", 0)
    module = c.module(dtype=F64, seed=0)
    theta = 1.1
    shots = 50
    noisy = NoisyCircuit(module, Noise(shots=shots, seed=3))
    est = noisy(torch.full((20000, 1), theta, dtype=F64))[:, 0]
    z = math.cos(theta)
    assert abs(float(est.mean()) - z) < 5 * math.sqrt((1 - z * z) / shots / 20000)
    var = (1 - z * z) / shots  # Var of the mean of `shots` ±1 outcomes
    assert abs(float(est.var()) / var - 1) < 0.05
    values = set((est * shots).round().long().tolist())
    assert all((v + shots) % 2 == 0 for v in values)  # estimates are (n_+ - n_-)/S


def test_shot_gradient_is_the_exact_gradient_and_seed_repeats():
    c = small_circuit()
    module = c.module(dtype=F64, seed=0)
    x = torch.tensor([[0.3], [0.9]], dtype=F64)
    noisy = NoisyCircuit(module, Noise(shots=100, seed=5))
    out = noisy(x)
    g = torch.autograd.grad(out.sum(), module.weights["w"])[0]
    g_exact = torch.autograd.grad(module(x).sum(), module.weights["w"])[0]
    torch.testing.assert_close(g, g_exact, atol=1e-12, rtol=0)
    noisy.reset()
    torch.testing.assert_close(noisy(x), out)
    assert not torch.equal(noisy(x), out)  # the generator moved on


def test_shots_with_depolarizing_run_and_converge():
    c = small_circuit()
    module = c.module(dtype=F64, seed=0)
    noisy = NoisyCircuit(module, Noise(shots=2000, depolarizing=P, seed=2, trajectories=200))
    est = noisy(torch.full((20, 1), 0.4, dtype=F64)).mean(0).detach()
    ref = mixed_reference(0.4, module.weights["w"].detach(), P)
    assert (est - ref).abs().max() < 0.03


def test_errors():
    with pytest.raises(ValueError, match="depolarizing=1.5"):
        Noise(depolarizing=1.5)
    with pytest.raises(ValueError, match="trajectories=0"):
        Noise(trajectories=0)
    c = Circuit(1)
    c.h(0)
    c.expval("X", 0)
    with pytest.raises(ValueError, match="Z-type"):
        NoisyCircuit(c.module(), Noise(shots=10))
    with pytest.raises(TypeError, match="CircuitModule"):
        NoisyCircuit(c, Noise())
    with pytest.raises(TypeError, match="noise has type"):
        NoisyCircuit(c.module(), {"shots": 10})
    assert NoisyCircuit(c.module(), Noise(depolarizing=0.1))(None).shape == (1, 1)
