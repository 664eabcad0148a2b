r"""Checks for the chapter 6 exercises (``exercises/ch06_exercises.ipynb``).

=====  ======================================  ===============================================
check  the student writes                      what it verifies
=====  ======================================  ===============================================
ex1    ``weak_p_minus(theta, g)``              :math:`P(s=-1 \mid \theta, g)` of the weak-
                                               measurement neuron, against the probabilities of
                                               :func:`~qlearn.models.neuron_circuit` simulated
ex2    ``sign_network(x, layers)``             the classical sign network (sign(0) = +1),
                                               against :class:`~qlearn.models.
                                               NaturalQuantizedMLP` at ``a = 0``
ex3    ``majority_vote(pass_logits)``          the majority vote over stochastic passes (ties to
                                               the smaller class), on crafted cases and against
                                               ``NaturalQuantizedMLP.predict``
=====  ======================================  ===============================================

Example:
    >>> from qlearn import checks
    >>> checks.ch06.ex1(lambda theta, g: torch.sin(theta / 2) ** 2)
    ❌ ch06.ex1 failed: weak_p_minus ignores g: at g = 0 the ancilla learns nothing and P(s = −1) must be 1/2 whatever θ is; sin²(θ/2) is only the strong (g = π/2) limit.
"""  # noqa: E501

from __future__ import annotations

import math

import torch

from qlearn.checks import assert_close, call, check, expect, fail, to_tensor
from qlearn.models import NaturalQuantizedMLP, neuron_circuit

F64 = torch.float64

__all__ = ["ex1", "ex2", "ex3"]


# --------------------------------------------------------------------------------------------
# Exercise 1: the outcome law of the weak measurement


def _simulated(theta: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    module = neuron_circuit(weak=True).module(dtype=F64, device="cpu")
    return module.probs(torch.stack([theta, g], 1), wires=[1])[:, 1]


@check
def ex1(weak_p_minus):
    """Exercise 1: ``weak_p_minus(theta, g)`` -> :math:`P(s=-1)` elementwise."""
    gen = torch.Generator().manual_seed(6)
    theta = torch.rand(50, generator=gen, dtype=F64) * math.pi
    g = torch.rand(50, generator=gen, dtype=F64) * math.pi / 2
    label = "weak_p_minus(theta, g)"
    got = to_tensor(call(weak_p_minus, theta.clone(), g.clone(), label=label), label)
    expect(tuple(got.shape) == (50,), f"{label} has shape {tuple(got.shape)} for 50 angles; "
           "return one probability per (θ, g) pair, elementwise.")  # fmt: skip
    want = _simulated(theta, g)
    zero = to_tensor(call(weak_p_minus, theta.clone(), torch.zeros_like(g), label=label), label)
    if (zero.to(F64) - 0.5).abs().max() > 1e-6:
        fail("weak_p_minus ignores g: at g = 0 the ancilla learns nothing and "
             "P(s = −1) must be 1/2 whatever θ is; sin²(θ/2) is only the strong (g = π/2) "
             "limit.")  # fmt: skip
    if (got.to(F64) - (1 - want)).abs().max() < 1e-6:
        fail(f"{label} is P(s = +1); the outcome s = −1 is the ancilla reading 1.")
    square = 0.5 * (1 - torch.sin(g) ** 2 * torch.cos(theta))
    if (got.to(F64) - square).abs().max() < 1e-6:
        fail(f"{label} uses sin²g where the law has sin g: the ancilla's two states are "
             "R_Y(π/2 ∓ g)|0⟩, and P(1) of R_Y(α)|0⟩ is (1 − cos α)/2, so cos(π/2 ∓ g) = ±sin g "
             "enters linearly.")  # fmt: skip
    assert_close(got, want, atol=1e-9, what=label)
    return (
        "P(s = −1 | θ, g) = (1 − sin g cos θ)/2: the readout copies the neuron's outcome "
        "and flips it with probability (1 − sin g)/2; it matches the simulated circuit."
    )


# --------------------------------------------------------------------------------------------
# Exercise 2: the classical limit


def _network(seed: int) -> NaturalQuantizedMLP:
    net = NaturalQuantizedMLP([5, 7, 6, 3], a=0.0, seed=seed, dtype=F64, device="cpu").eval()
    with torch.no_grad():
        net.layers[0].bias[:2] = 0.0  # row 0 of the inputs below is zero: exact z = 0
    return net


@check
def ex2(sign_network):
    """Exercise 2: ``sign_network(x, layers)`` -> the logits of the classical sign network."""
    for seed in (0, 1):
        net = _network(seed)
        x = torch.randn(40, 5, generator=torch.Generator().manual_seed(seed), dtype=F64)
        x[0] = 0.0
        layers = [(layer.weight.detach().clone(), layer.bias.detach().clone())
                  for layer in net.layers]  # fmt: skip
        label = "sign_network(x, layers)"
        got = to_tensor(call(sign_network, x.clone(), layers, label=label), label)
        expect(tuple(got.shape) == (40, 3), f"{label} has shape {tuple(got.shape)}; return the "
               "logits of the last (linear) layer, shape (40, 3).")  # fmt: skip
        with torch.no_grad():
            want = net(x)
        if (got[1:].to(F64) - want[1:]).abs().max() < 1e-9 and (got[0] - want[0]).abs().max() > 0:
            fail(f"{label} is right except where a pre-activation is exactly 0: torch.sign(0) "
                 "is 0, but the network's convention is sign(0) = +1 (θ = 0, the qubit stays "
                 "in |0⟩). Use torch.where(z >= 0, 1.0, -1.0).")  # fmt: skip
        assert_close(got, want, atol=1e-9, what=f"{label} (seed {seed})")
    return ("at a = 0 every neuron's outcome is certain, so the qubit network is exactly the sign "
            "network with sign(0) = +1.")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Exercise 3: majority vote


def _crafted():
    # three passes, two images, three classes
    a = torch.tensor([[[5.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
                      [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]],
                      [[0.0, 1.1, 0.0], [0.0, 0.0, 9.0]]])  # fmt: skip
    # image 0: votes 0, 1, 1 -> 1 (the mean logits would say 0); image 1: 1, 1, 2 -> 1
    yield "a vote that the mean logits would get wrong", a, [1, 1]
    tie = torch.tensor([[[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]]])
    yield "a tie between classes 2 and 0", tie, [0]


@check
def ex3(majority_vote):
    """Exercise 3: ``majority_vote(pass_logits)`` -> the winning class of each image."""
    for what, logits, want in _crafted():
        label = f"majority_vote(...) for {what}"
        got = to_tensor(call(majority_vote, logits.clone(), label=label), label)
        expect(tuple(got.shape) == (len(want),), f"{label} has shape {tuple(got.shape)}; "
               f"return one class per image, shape ({len(want)},).")  # fmt: skip
        got = [int(v) for v in got.tolist()]
        if what.startswith("a vote") and got[0] == 0:
            fail(
                f"{label} gives {got}: that is the class of the mean logits. Count one "
                "vote per pass (the argmax of each pass) and take the most frequent class."
            )
        if what.startswith("a tie") and got == [2]:
            fail(f"{label} gives class 2; break ties towards the smaller class index (as "
                 "torch.argmax does on the vote counts).")  # fmt: skip
        expect(got == want, f"{label} gives {got}, expected {want}.")
    net = NaturalQuantizedMLP([6, 10, 10, 4], a=2.0, seed=3, device="cpu").eval()
    x = torch.rand(30, 6, generator=torch.Generator().manual_seed(0))
    n_votes = 11
    net.reseed(5)
    with torch.no_grad():
        logits = net(x.repeat(n_votes, 1), how="sample").reshape(n_votes, 30, 4)
    label = "majority_vote(...) on 11 passes of a network"
    got = to_tensor(call(majority_vote, logits, label=label), label)
    assert_close(got, net.predict(x, n_votes, seed=5), atol=0, what=label)
    return ("each pass casts one vote (its argmax); the most frequent class wins, ties to the "
            "smaller index — NaturalQuantizedMLP.predict does the same.")  # fmt: skip
