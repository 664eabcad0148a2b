r"""The circuit IR on qiskit: conversion, transpilation to a backend, and noisy Aer runs.

:func:`to_qiskit` writes a :class:`~qlearn.sim.Circuit` as a qiskit ``QuantumCircuit`` with one
``Parameter`` per gate angle, so a circuit is transpiled **once** and every input of a batch is
bound afterwards (as one would on a device). qiskit numbers bits the other way round (qubit 0 is
the least significant bit); :func:`counts_to_probabilities` turns a counts dict back into the
IR's order (wire 0 most significant).

Needs the hardware extra (``qiskit``, ``qiskit-aer``; the calibrated snapshots of
:func:`snapshot_backend` also ``qiskit-ibm-runtime``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import torch

from qlearn.hardware.extras import require
from qlearn.sim import Circuit

Tensor = torch.Tensor

#: IR gate name -> qiskit ``QuantumCircuit`` method (angles first, then qubits).
QISKIT_GATES = {
    "RX": "rx", "RY": "ry", "RZ": "rz", "PhaseShift": "p", "Hadamard": "h", "PauliX": "x",
    "PauliY": "y", "PauliZ": "z", "S": "s", "T": "t", "CNOT": "cx", "CZ": "cz", "CRX": "crx",
    "CRY": "cry", "CRZ": "crz", "SWAP": "swap", "CSWAP": "cswap", "Toffoli": "ccx",
    "IsingXX": "rxx", "IsingYY": "ryy", "IsingZZ": "rzz",
}  # fmt: skip


def to_qiskit(circuit: Circuit, measure: bool = True):
    """``(QuantumCircuit, parameters)``: the circuit with one ``Parameter`` per gate angle.

    ``parameters[i]`` belongs to the i-th angle in gate order (``Rot`` becomes RZ·RY·RZ).
    """
    qiskit = require("qiskit", "running on a qiskit backend")
    qc = qiskit.QuantumCircuit(circuit.n_qubits, circuit.n_qubits if measure else 0)
    params = []
    for op in circuit.ops:
        angles = []
        for _ in op.angles:
            params.append(qiskit.circuit.Parameter(f"a{len(params)}"))
            angles.append(params[-1])
        if op.name == "Rot":
            phi, theta, omega = angles
            qc.rz(phi, op.wires[0])
            qc.ry(theta, op.wires[0])
            qc.rz(omega, op.wires[0])
        elif op.name == "QubitUnitary":
            qc.unitary(op.matrix.cpu().numpy(), list(reversed(op.wires)))
        elif op.name in QISKIT_GATES:
            getattr(qc, QISKIT_GATES[op.name])(*angles, *op.wires)
        else:
            raise ValueError(
                f"gate {op.name} has no qiskit translation here; use one of "
                f"{sorted([*QISKIT_GATES, 'Rot', 'QubitUnitary'])}."
            )
    if measure:
        qc.measure(range(circuit.n_qubits), range(circuit.n_qubits))
    return qc, params


def angle_values(circuit: Circuit, weights: Tensor | None, inputs: Tensor) -> Tensor:
    """Every gate angle for every input row: ``(B, n_angles)`` float64, in :func:`to_qiskit`'s
    order."""
    columns = []
    batch = inputs.shape[0]
    for op in circuit.ops:
        for a in op.angles:
            v = torch.as_tensor(a.evaluate(inputs, weights), dtype=torch.float64)
            columns.append(v.expand(batch) if v.ndim == 0 else v)
    if not columns:
        return torch.zeros(batch, 0, dtype=torch.float64)
    return torch.stack(columns, 1)


def counts_to_probabilities(counts: Mapping[str, int], n_qubits: int) -> Tensor:
    """A qiskit counts dict (bit strings, qubit 0 rightmost) as frequencies ``(2^n,)`` in the
    IR's order (wire 0 most significant).

    Example:
        >>> counts_to_probabilities({"01": 3, "00": 1}, 2)   # qubit 0 read 1 three times
        tensor([0.2500, 0.0000, 0.7500, 0.0000], dtype=torch.float64)
    """
    p = torch.zeros(2**n_qubits, dtype=torch.float64)
    total = 0
    for bits, n in counts.items():
        clean = bits.replace(" ", "")
        p[int(clean[::-1], 2)] += n
        total += n
    return p / max(total, 1)


def transpile(circuits: Sequence, backend, optimization_level: int, seed: int,
              initial_layout: Sequence[int] | None = None):  # fmt: skip
    """qiskit's ``transpile`` to the backend's native gates and coupling map (one process)."""
    qiskit = require("qiskit", "transpiling to a backend")
    with warnings.catch_warnings():  # qiskit-ibm-runtime 0.45 registers a deprecated plugin
        warnings.filterwarnings("ignore", "Since backends now support", DeprecationWarning)
        return qiskit.transpile(
            list(circuits), backend=backend, optimization_level=optimization_level,
            seed_transpiler=seed, num_processes=1, initial_layout=initial_layout,
        )  # fmt: skip


def binds(params: Sequence, transpiled, values: Tensor) -> dict:
    """Aer ``parameter_binds`` for one transpiled circuit: parameter -> list of B values."""
    kept = {p.name for p in transpiled.parameters}
    return {p: values[:, i].tolist() for i, p in enumerate(params) if p.name in kept}


def line_coupling(n_qubits: int) -> list[list[int]]:
    """Qubits on a line, coupled to their neighbours in both directions.

    Example:
        >>> line_coupling(3)
        [[0, 1], [1, 0], [1, 2], [2, 1]]
    """
    return [pair for q in range(n_qubits - 1) for pair in ([q, q + 1], [q + 1, q])]


def ordered_values(params: Sequence, transpiled, values: Tensor):
    """Angle values ``(B, k)`` in the order of ``transpiled.parameters`` (qiskit sorts them by
    name), for a Sampler's parameter values; ``None`` for a circuit without parameters."""
    if not transpiled.parameters:
        return None
    column = {p.name: i for i, p in enumerate(params)}
    return values[:, [column[p.name] for p in transpiled.parameters]].numpy()


def generic_backend(n_qubits: int = 5, seed: int = 1234):
    """qiskit's ``GenericBackendV2`` with its qubits on a line (like IBM's 5-qubit devices):
    native gates (cx, rz, sx, x), and error rates and durations drawn from ``seed`` (realistic
    ranges, not a real device's calibration)."""
    fake = require("qiskit.providers.fake_provider", "the fake backend target")
    return fake.GenericBackendV2(
        num_qubits=n_qubits, coupling_map=line_coupling(n_qubits), seed=seed
    )


#: Calibrated IBM snapshots of at most 7 qubits in ``qiskit_ibm_runtime.fake_provider`` (the
#: ``FakeXxxV2`` classes: a retired device's coupling map, native gates and error rates).
SNAPSHOTS = (
    "armonk", "athens", "belem", "bogota", "casablanca", "jakarta", "lagos", "lima", "manila",
    "nairobi", "ourense", "quito", "rome", "santiago", "valencia", "vigo", "yorktown",
)  # fmt: skip


def snapshot_backend(name: str):
    """The calibrated IBM fake backend ``name`` (one of :data:`SNAPSHOTS`), e.g. ``"manila"``
    -> ``FakeManilaV2()``: the device's coupling map, native gates (``rz``, ``sx``, ``x``, ``cx``)
    and a snapshot of its measured gate, read-out and relaxation errors (needs
    ``qiskit-ibm-runtime``, in the hardware extra)."""
    if name not in SNAPSHOTS:
        raise ValueError(
            f"snapshot={name!r} is not one of the calibrated fake backends of at most 7 qubits; "
            f"use one of {', '.join(SNAPSHOTS)}."
        )
    fake = require("qiskit_ibm_runtime.fake_provider", "the calibrated fake backend target")
    return getattr(fake, f"Fake{name.capitalize()}V2")()


def two_qubit_gate_count(transpiled) -> int:
    """Number of gates acting on two or more qubits in a transpiled circuit."""
    return sum(1 for inst in transpiled.data if inst.operation.num_qubits >= 2
               and inst.operation.name not in ("barrier", "measure"))  # fmt: skip
