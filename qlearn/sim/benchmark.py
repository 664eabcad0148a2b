"""Timing the simulator against PennyLane on the book's reference workload.

The workload is a re-uploading circuit: per layer, ``StronglyEntanglingLayers`` (a Rot on every
qubit, then a CNOT ring) followed by an ``RZ(x_q)`` encoding on every qubit, measured as
``<Z_q>`` on every qubit, for a batch of inputs. One *step* is a forward pass and a backward pass of
the summed outputs, in float64 on both sides. Three ways to run it are timed:

* ``"pennylane"`` — ``qml.execute`` on ``default.qubit`` (backprop, parameter broadcasting);
* ``"execute"`` — the same tape through :func:`qlearn.sim.execute`;
* ``"module"`` — the same circuit as a compiled :class:`qlearn.sim.CircuitModule`.

``bench/sim_vs_pennylane.py`` prints the ratios; chapter 1 plots a small sweep.

Example:
    >>> from qlearn.sim.benchmark import time_step
    >>> t = time_step("module", n_qubits=2, n_layers=1, batch=8, repeats=1)
    >>> t > 0
    True
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pennylane as qml
import torch

from qlearn.sim.circuit import Circuit
from qlearn.sim.interop import execute

BACKENDS = ("pennylane", "execute", "module")


def reupload_circuit(n_qubits: int, n_layers: int, init="uniform") -> Circuit:
    """The benchmark circuit as IR: L x (Rot layer, CNOT ring, RZ(x_q) on every qubit)."""
    c = Circuit(n_qubits)
    x = c.inputs(n_qubits)
    w = c.weights("weights", (n_layers, n_qubits, 3), init=init)
    for layer in range(n_layers):
        for q in range(n_qubits):
            c.rot(q, w[layer, q, 0], w[layer, q, 1], w[layer, q, 2])
        c.cnot_ring()
        for q in range(n_qubits):
            c.rz(q, x[q])
    for q in range(n_qubits):
        c.expval("Z", q)
    return c


def reupload_tape(inputs: torch.Tensor, weights: torch.Tensor) -> qml.tape.QuantumScript:
    """The benchmark circuit as a PennyLane tape (StronglyEntanglingLayers + RZ encodings)."""
    n_layers, n_qubits, _ = weights.shape
    ops = []
    for layer in range(n_layers):
        ops.append(qml.StronglyEntanglingLayers(weights[layer : layer + 1], wires=range(n_qubits)))
        ops.extend(qml.RZ(inputs[:, q], wires=q) for q in range(n_qubits))
    measurements = [qml.expval(qml.PauliZ(q)) for q in range(n_qubits)]
    return qml.tape.QuantumScript(ops, measurements)


def make_step(
    backend: str, n_qubits: int, n_layers: int, batch: int, seed: int = 0
) -> Callable[[], float]:
    """A function that runs one forward + backward step of ``backend`` and returns the loss."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r} is unknown; use one of {BACKENDS}.")
    gen = torch.Generator().manual_seed(seed)
    inputs = torch.rand(batch, n_qubits, generator=gen, dtype=torch.float64) * torch.pi
    weights = torch.rand(n_layers, n_qubits, 3, generator=gen, dtype=torch.float64) * 2 * torch.pi
    if backend == "module":
        module = reupload_circuit(n_qubits, n_layers, init=weights).module(
            dtype=torch.float64, device="cpu"
        )

        def step() -> float:
            module.zero_grad(set_to_none=True)
            loss = module(inputs).sum()
            loss.backward()
            return float(loss.detach())

        return step
    weights.requires_grad_(True)
    device = qml.device("default.qubit")

    def step() -> float:
        weights.grad = None
        tape = reupload_tape(inputs, weights)
        if backend == "pennylane":
            out = qml.execute([tape], device, diff_method="backprop")[0]
        else:
            out = execute(tape)
        loss = torch.stack(list(out)).sum()
        loss.backward()
        return float(loss.detach())

    return step


def time_step(
    backend: str, n_qubits: int, n_layers: int, batch: int, repeats: int = 3, seed: int = 0
) -> float:
    """Best wall time in seconds of one forward + backward step (after one warm-up step).

    The best of several repeats is the least disturbed by other work on the machine.
    """
    return _best_of(make_step(backend, n_qubits, n_layers, batch, seed), repeats)


def _best_of(step: Callable[[], float], repeats: int) -> float:
    step()  # warm-up: caches, buffers and compiled code of this backend
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def losses(n_qubits: int, n_layers: int, batch: int, seed: int = 0) -> dict[str, float]:
    """The loss of one step of each backend: equal up to rounding, since the work is the same."""
    return {b: make_step(b, n_qubits, n_layers, batch, seed)() for b in BACKENDS}


def compare(
    n_qubits: int,
    n_layers: int,
    batch: int,
    repeats: int = 3,
    backends=BACKENDS,
    rounds: int = 1,
) -> dict[str, float]:
    """Best step time of each backend, in seconds.

    In each of ``rounds`` rounds every backend runs in turn: a warm-up step, then ``repeats``
    timed steps. With several rounds each backend's best comes from the same stretch of time,
    so a busy spell on a shared machine does not fall on one backend only.
    """
    steps = {b: make_step(b, n_qubits, n_layers, batch) for b in backends}
    best = dict.fromkeys(backends, float("inf"))
    for _ in range(rounds):
        for b, step in steps.items():
            best[b] = min(best[b], _best_of(step, repeats))
    return best
