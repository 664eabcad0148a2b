"""Sampling: shapes, bit order, seeds, and agreement of frequencies with probabilities."""

from __future__ import annotations

import math

import pytest
import torch

from qlearn.sim import Circuit
from qlearn.sim.measure import indices_to_bits, sample_indices

SHOTS = 20_000
N_SIGMA = 5.0


def _module():
    c = Circuit(3)
    x = c.inputs(2)
    w = c.weights("w", (3,))
    c.ry(0, x[0])
    c.rx(1, x[1] + w[0])
    c.cnot(0, 2)
    c.cry(1, 2, w[1])
    c.rz(2, w[2])
    c.h(1)
    c.expval("Z", 0)
    return c.module(dtype=torch.float64, seed=0)


X = torch.tensor([[0.3, 1.2], [2.0, -0.7], [math.pi / 2, 0.0]], dtype=torch.float64)


def _assert_frequencies_match(bits_or_idx: torch.Tensor, probs: torch.Tensor) -> None:
    """Per row and outcome: |frequency - p| <= 5 standard errors (exact 0 where p = 0)."""
    shots = bits_or_idx.shape[1]
    counts = torch.stack([torch.bincount(row, minlength=probs.shape[1]) for row in bits_or_idx])
    freq = counts.to(torch.float64) / shots
    stderr = torch.sqrt(probs * (1 - probs) / shots)
    assert torch.all((freq - probs).abs() <= N_SIGMA * stderr + 1e-12), (freq, probs)


def _to_index(bits: torch.Tensor) -> torch.Tensor:
    k = bits.shape[-1]
    weights = 2 ** torch.arange(k - 1, -1, -1)
    return (bits * weights).sum(-1)


def test_sample_shape_and_values():
    """module.sample returns (B, shots, k) bits in {0, 1}."""
    module = _module()
    s = module.sample(X, shots=100, seed=0)
    assert s.shape == (3, 100, 3) and s.dtype == torch.int64
    assert set(s.unique().tolist()) <= {0, 1}
    assert module.sample(X, shots=7, seed=0, wires=[2]).shape == (3, 7, 1)


def test_same_seed_same_samples_different_seed_differs():
    """The same seed gives identical samples; another seed gives different ones."""
    module = _module()
    a = module.sample(X, shots=500, seed=42)
    b = module.sample(X, shots=500, seed=42)
    c = module.sample(X, shots=500, seed=43)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_sample_frequencies_match_probs():
    """Empirical frequencies agree with module.probs within 5 standard errors."""
    module = _module()
    for wires in (None, [2, 0]):
        probs = module.probs(X, wires).detach()
        bits = module.sample(X, shots=SHOTS, seed=123, wires=wires)
        _assert_frequencies_match(_to_index(bits), probs)


def test_sample_bit_order_wire_zero_first():
    """Bit j of a sample is the outcome of the j-th requested wire (wire 0 first by default)."""
    c = Circuit(3)
    c.x(0)
    c.x(2)
    c.expval("Z", 0)
    module = c.module(dtype=torch.float64)
    assert module.sample(shots=5, seed=0)[0].tolist() == [[1, 0, 1]] * 5
    assert module.sample(shots=5, seed=0, wires=[1, 2, 0])[0].tolist() == [[0, 1, 1]] * 5


def test_sample_indices_distribution():
    """sample_indices draws (B, shots) indices with the given row-wise distribution."""
    p = torch.tensor([[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.25, 0.25], [0.0, 0.0, 0.0, 1.0]])
    idx = sample_indices(p, SHOTS, seed=7)
    assert idx.shape == (3, SHOTS) and idx.dtype == torch.int64
    _assert_frequencies_match(idx, p.double())
    assert torch.equal(idx, sample_indices(p, SHOTS, seed=7))
    assert not torch.equal(idx, sample_indices(p, SHOTS, seed=8))


def test_sample_without_seed_follows_the_global_torch_seed():
    """seed=None draws from torch's global generator: torch.manual_seed makes it repeatable,
    and it does not reseed that generator (later random numbers stay reproducible)."""
    p = torch.tensor([[0.5, 0.5], [0.2, 0.8]])
    torch.manual_seed(2024)
    a, after_a = sample_indices(p, 64, None), torch.rand(4)
    torch.manual_seed(2024)
    b, after_b = sample_indices(p, 64, None), torch.rand(4)
    assert torch.equal(a, b)
    assert torch.equal(after_a, after_b)


def test_indices_to_bits():
    """indices_to_bits writes wire 0 (most significant bit) first."""
    idx = torch.tensor([[0, 5, 6]])
    assert indices_to_bits(idx, 3).tolist() == [[[0, 0, 0], [1, 0, 1], [1, 1, 0]]]


@pytest.mark.parametrize("shots", [0, -3, 2.5])
def test_bad_shots(shots):
    """shots must be a positive integer; the message names the value."""
    with pytest.raises(ValueError, match=rf"shots={shots}"):
        sample_indices(torch.tensor([[1.0, 0.0]]), shots, seed=0)
