"""The timing helpers behind bench/sim_vs_pennylane.py and chapter 1's speed plot."""

from __future__ import annotations

import math

from qlearn.sim import benchmark


def test_compare_takes_turns_round_by_round(monkeypatch):
    """Each round runs every backend in turn (a warm-up step, then the timed repeats), so
    every backend is sampled across the same stretch of time."""
    calls: list[str] = []

    def fake_step(backend, *args, **kwargs):
        return lambda: calls.append(backend) or 0.0

    monkeypatch.setattr(benchmark, "make_step", fake_step)
    times = benchmark.compare(2, 1, 4, repeats=2, backends=("a", "b"), rounds=2)
    assert calls == ["a"] * 3 + ["b"] * 3 + ["a"] * 3 + ["b"] * 3
    assert set(times) == {"a", "b"}


def test_compare_times_every_backend():
    times = benchmark.compare(2, 1, 8, repeats=1, rounds=2)
    assert set(times) == set(benchmark.BACKENDS)
    assert all(0 < t < math.inf for t in times.values())
