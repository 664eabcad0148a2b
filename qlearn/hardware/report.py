r"""Compilation report: what a circuit becomes on a target.

On the simulator and PennyLane targets the circuit runs as written, so the report counts the
IR's gates. On a fake (or real) IBM backend it counts the *transpiled* circuit: the backend's
native gates (``rz``, ``sx``, ``x``, ``cx``), SWAPs inserted for its coupling map, and the depth
that results: the numbers that set how much noise the run collects.

Example:
    >>> from qlearn.models import DRQC
    >>> r = compile_report(DRQC(1, 2, 2, seed=0), "sim")
    >>> r["two_qubit_gates"], r["depth"] > 0
    (6, True)
"""

from __future__ import annotations

from collections import Counter

from torch import nn

from qlearn.hardware import qiskit_backend as qk
from qlearn.hardware.basis import rotated, settings
from qlearn.hardware.targets import FakeBackendTarget, Target, get_target
from qlearn.sim import Circuit, CircuitModule


def ir_depth(circuit: Circuit) -> int:
    """Circuit depth of the IR: the longest chain of gates that share wires."""
    level = [0] * circuit.n_qubits
    for op in circuit.ops:
        top = max(level[w] for w in op.wires) + 1
        for w in op.wires:
            level[w] = top
    return max(level, default=0)


def compile_report(
    model: nn.Module | CircuitModule | Circuit, target: str | Target = "sim"
) -> dict:
    """Depth, gate counts and two-qubit gate count of the model's circuit on ``target``.

    The circuit reported is the first measurement setting (the others differ by one basis
    rotation per wire). Returns ``target``, ``n_qubits``, ``depth``, ``gate_counts`` (name ->
    count, measurements excluded), ``n_gates``, ``two_qubit_gates`` and, for a backend,
    ``native_gates`` and ``layout`` (the physical qubit of each wire).
    """
    from qlearn.hardware.run import unpack

    circuit = model if isinstance(model, Circuit) else unpack(model)[0]
    t = get_target(target)
    t.check_qubits(circuit.n_qubits)
    first = rotated(circuit, settings(circuit.observables)[0].basis)
    if isinstance(t, FakeBackendTarget):
        ((tq, _),) = t.compile([first])
        ops = {k: v for k, v in tq.count_ops().items() if k not in ("measure", "barrier")}
        layout = tq.layout.final_index_layout() if tq.layout is not None else None
        return {
            "target": t.name, "n_qubits": circuit.n_qubits,
            "depth": tq.depth(lambda inst: inst.operation.name not in ("measure", "barrier")),
            "gate_counts": dict(sorted(ops.items())), "n_gates": sum(ops.values()),
            "two_qubit_gates": qk.two_qubit_gate_count(tq),
            "native_gates": sorted(t.backend.operation_names),
            "layout": layout[: circuit.n_qubits] if layout else None,
            "optimization_level": t.optimization_level,
        }  # fmt: skip
    counts = Counter(op.name for op in first.ops)
    return {
        "target": t.name, "n_qubits": circuit.n_qubits, "depth": ir_depth(first),
        "gate_counts": dict(sorted(counts.items())), "n_gates": sum(counts.values()),
        "two_qubit_gates": sum(1 for op in first.ops if len(op.wires) >= 2),
    }  # fmt: skip
