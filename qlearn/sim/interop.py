r"""PennyLane interoperability: run tapes on our engine, export and import circuits.

The contract of :func:`execute`: for a PennyLane ``QuantumScript`` with torch parameters,

.. code-block:: python

    qlearn.sim.execute(tape)  ==  qml.execute([tape], qml.device("default.qubit"),
                                              diff_method="backprop")[0]

same structure (one tensor, or a tuple for several measurements), shapes (a leading batch axis
under parameter broadcasting), dtype (float64) and values; gradients flow to the torch tensors
inside the tape. Templates (``StronglyEntanglingLayers``, ...) are decomposed by PennyLane into
gates the engine knows; any other gate on at most 3 wires runs through its matrix.

Example:
    >>> import pennylane as qml, torch
    >>> from qlearn.sim import execute
    >>> x = torch.tensor([0.0, torch.pi], dtype=torch.float64)
    >>> tape = qml.tape.QuantumScript([qml.RX(x, 0)], [qml.expval(qml.PauliZ(0))])
    >>> execute(tape)
    tensor([ 1., -1.], dtype=torch.float64)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pennylane as qml
import torch

from qlearn import config
from qlearn.sim import engine, measure
from qlearn.sim.angles import Angle
from qlearn.sim.gates import GATES, gate_spec

Tensor = torch.Tensor

_MAX_DEPTH = 20


# --------------------------------------------------------------------------------------------
# Tape -> engine calls


def _known(op) -> bool:
    return _engine_name(op.name, len(op.wires)) is not None


def decompose(ops, depth: int = 0, stop_at=()) -> list:
    """Decompose PennyLane operations until every one is a gate the engine knows.

    Gates without a known decomposition but with a matrix on at most 3 wires become
    ``QubitUnitary``; anything else raises a ``ValueError`` naming the operation. Operations
    named in ``stop_at`` are kept as they are.
    """
    out = []
    for op in ops:
        if _known(op) or op.name in stop_at:
            out.append(op)
            continue
        if depth < _MAX_DEPTH and op.has_decomposition:
            out.extend(decompose(op.decomposition(), depth + 1, stop_at))
            continue
        if op.has_matrix and len(op.wires) <= 3:
            out.append(qml.QubitUnitary(qml.matrix(op), wires=op.wires))
            continue
        raise ValueError(
            f"operation {op.name} on wires {op.wires.tolist()} cannot be simulated: it has "
            "neither a decomposition into known gates nor a matrix on at most 3 wires. "
            f"Known gates: {', '.join(sorted(GATES))}."
        )
    return out


def _to_tensor(p, real: torch.dtype, device: torch.device) -> Tensor:
    if isinstance(p, Tensor):
        if p.dtype == real and p.device == device:
            return p  # the common case, without the cost of a call to .to
        t = p
    else:
        t = torch.as_tensor(np.asarray(p))
    target = config.complex_dtype(real) if t.is_complex() else real
    return t.to(device=device, dtype=target)


def _tape_device(tape, device) -> torch.device:
    if device is not None:
        return config.resolve_device(device)
    for p in tape.get_parameters(trainable_only=False):
        if isinstance(p, Tensor):
            return p.device
    return torch.device("cpu")


def _has_torch(tape) -> bool:
    params = tape.get_parameters(trainable_only=False)
    obs_params = [p for m in tape.measurements if m.obs is not None for p in m.obs.data]
    return any(isinstance(p, Tensor) for p in list(params) + obs_params)


def _strongly_entangling(op, builder: engine.TableBuilder, wire_index: dict) -> bool:
    """Expand ``StronglyEntanglingLayers`` from its weight tensor in one chunk.

    Same gates as PennyLane's decomposition (a Rot on every wire, then the imprimitive gate
    from wire i to wire i + range, per layer), without slicing every angle out separately.
    Returns False (use PennyLane's decomposition) for unusual hyperparameters.
    """
    weights = op.parameters[0]
    imprimitive = op.hyperparameters["imprimitive"]
    name = getattr(imprimitive, "__name__", "")
    if not isinstance(weights, Tensor) or name not in ("CNOT", "CZ"):
        return False
    wires = [wire_index[w] for w in op.wires]
    n = len(wires)
    ranges = op.hyperparameters["ranges"]
    if n > 1 and any(r % n == 0 for r in ranges):
        return False
    flat = weights.to(builder.device, builder.real)
    if weights.ndim == 4:
        kind, base = "b", builder.batched(flat)[0]
    else:
        kind, base = "s", builder.shared(flat)[0]
    refs = _layer_refs(name, tuple(wires), tuple(ranges), weights.shape[-3], kind, base)
    builder.extend(refs, "StronglyEntanglingLayers")
    return True


@functools.lru_cache(maxsize=256)
def _layer_refs(
    name: str, wires: tuple[int, ...], ranges: tuple[int, ...], layers: int, kind: str, base: int
) -> tuple[engine.GateRef, ...]:
    """The gates of :func:`_strongly_entangling`, made once per structure and slot offset."""
    n, refs = len(wires), []
    for layer in range(layers):
        for i, w in enumerate(wires):
            k = base + (layer * n + i) * 3
            refs.append(engine._gate_ref("Rot", (w,), ((kind, k), (kind, k + 1), (kind, k + 2))))
        if n > 1:
            refs.extend(
                engine._gate_ref(name, (wires[i], wires[(i + ranges[layer]) % n]), ())
                for i in range(n)
            )
    return tuple(refs)


#: Templates expanded directly from their weight tensors (see _strongly_entangling).
_BULK = {"StronglyEntanglingLayers": _strongly_entangling}


def tape_tables(
    tape, wire_index: dict, real: torch.dtype, device: torch.device
) -> tuple[tuple, engine.Tables]:
    """The gate references and parameter tables of a tape's (decomposed) operations."""
    builder = engine.TableBuilder(real, device)
    pending = list(reversed(tape.operations))  # a stack: the next operation is last
    while pending:
        op = pending.pop()
        bulk = _BULK.get(op.name)
        if bulk is not None and bulk(op, builder, wire_index):
            continue
        labels = op.wires.labels
        name = _engine_name(op.name, len(labels))
        if name is None:
            pending.extend(reversed(decompose([op], stop_at=_BULK)))
            continue
        wires = tuple([wire_index[w] for w in labels])
        params = [_to_tensor(p, real, device) for p in op.data]
        builder.gate(name, wires, params, functools.partial(_label, op))
    return builder.build()


@functools.lru_cache(maxsize=256)
def _engine_name(name: str, n_wires: int) -> str | None:
    """The engine's name of a PennyLane operation on ``n_wires`` wires; None when the engine
    does not know it (it is then decomposed)."""
    spec = GATES.get(name)
    if spec is None or (spec.n_wires is not None and spec.n_wires != n_wires):
        return None
    return gate_spec(name).name


def wire_order(tape) -> list:
    """The tape's wire labels in the order ``default.qubit`` gives them in ``qml.state()`` and
    ``qml.probs()``: labels ``0 .. k-1`` on the operations (then ``k, k+1, ...`` measured
    only) stay in that order, wherever they first appear; any other labels keep the order in
    which the operations, then the measurements, first use them.

    Example:
        >>> import pennylane as qml
        >>> tape = qml.tape.QuantumScript([qml.CNOT([1, 0]), qml.X(2)], [qml.state()])
        >>> tape.wires.tolist(), wire_order(tape)
        ([1, 0, 2], [0, 1, 2])
        >>> wire_order(qml.tape.QuantumScript([qml.X("b"), qml.X("a")]))
        ['b', 'a']
    """
    op_wires = qml.wires.Wires.all_wires([op.wires for op in tape.operations]).tolist()
    seen = set(op_wires)
    measured = [w for w in tape.wires.tolist() if w not in seen]  # measured only
    k = len(op_wires)
    standard = seen == set(range(k)) and set(measured) == set(range(k, k + len(measured)))
    return list(range(k + len(measured))) if standard else op_wires + measured


def _label(op) -> str:
    return f"operation {op.name} on wires {op.wires.tolist()}"


def _observable(obs, wire_index: dict) -> measure.Observable | None:
    rep = obs.pauli_rep
    if rep is None:
        return None
    terms = []
    for word, coeff in rep.items():
        w = tuple(
            sorted((wire_index[wire], letter) for wire, letter in word.items() if letter != "I")
        )
        terms.append((coeff, w))
    return tuple(terms)


def _matrix_expval(psi: Tensor, obs, wire_index: dict, n: int) -> Tensor:
    """<psi|O|psi> for an observable given only by its matrix (e.g. ``qml.Hermitian``)."""
    wires = [wire_index[w] for w in obs.wires]
    # numpy for float data, torch (keeping gradients) for torch data
    m = torch.as_tensor(qml.matrix(obs)).to(psi.device, psi.dtype)
    o_psi = engine.apply_matrix(psi, m, wires)
    return (psi.conj() * o_psi).real.sum(0)


def _expval(psi, obs, wire_index, n) -> Tensor:
    observable = _observable(obs, wire_index)
    if observable is not None:
        return measure.expval_observables(psi, [observable], n)[0]
    if obs.has_matrix and len(obs.wires) <= 3:
        return _matrix_expval(psi, obs, wire_index, n)
    raise ValueError(f"observable {obs} is neither a sum of Pauli words nor a small matrix.")


def _pauli_expvals(tape, wire_index: dict) -> dict[int, measure.Observable]:
    """The tape's expectation values of Pauli sums, by measurement position."""
    out = {}
    for i, m in enumerate(tape.measurements):
        if isinstance(m, qml.measurements.ExpectationMP) and m.obs is not None:
            obs = _observable(m.obs, wire_index)
            if obs is not None:
                out[i] = obs
    return out


def _diagonal_measurement(m, wire_index: dict, known: measure.Observable | None) -> bool:
    if isinstance(m, qml.measurements.ProbabilityMP) and m.obs is None:
        return True
    if known is not None:
        return measure.is_diagonal(known)
    if isinstance(m, qml.measurements.VarianceMP) and m.obs:
        obs = _observable(m.obs, wire_index)
        return obs is not None and measure.is_diagonal(obs)
    return False


def _measure(psi: Tensor, m, wire_index: dict, n: int) -> Tensor:
    if isinstance(m, qml.measurements.ExpectationMP) and m.obs is not None:
        return _expval(psi, m.obs, wire_index, n)
    if isinstance(m, qml.measurements.VarianceMP) and m.obs is not None:
        rep = m.obs.pauli_rep
        if rep is not None:
            square = _observable(qml.pauli.PauliSentence(rep @ rep).operation(), wire_index)
            second = measure.expval_observables(psi, [square], n)[0]
        else:
            second = _expval(psi, qml.prod(m.obs, m.obs), wire_index, n)
        return second - _expval(psi, m.obs, wire_index, n) ** 2
    if isinstance(m, qml.measurements.ProbabilityMP) and m.obs is None:
        wires = [wire_index[w] for w in m.wires] if len(m.wires) else None
        return measure.probs(psi, wires, n).T
    if isinstance(m, qml.measurements.StateMP) and not len(m.wires):
        return psi.T
    raise ValueError(
        f"measurement {m} is not supported by qlearn.sim.execute; use qml.expval of Pauli "
        "words, sums or products of them, qml.var, qml.probs or qml.state (exact, no shots). "
        "For samples use CircuitModule.sample(shots=..., seed=...)."
    )


def _execute_one(tape, device, dtype):
    if tape.shots:
        raise ValueError(
            f"tape.shots={tape.shots} but execute simulates exactly; build the tape without "
            "shots (sampling: CircuitModule.sample or qlearn.sim.sample)."
        )
    real = torch.float64 if dtype is None else config.resolve_dtype(dtype)
    dev = _tape_device(tape, device)
    wires = wire_order(tape)
    n = len(wires)
    if n == 0:
        raise ValueError("the tape acts on no wires; add at least one operation or measurement.")
    wire_index = {w: i for i, w in enumerate(wires)}
    refs, tables = tape_tables(tape, wire_index, real, dev)
    # the batch comes from the gates PennyLane decomposes to: a broadcast template's weights
    # make its gates broadcast even where tape.batch_size says None
    sizes = [m.shape[0] for m in tables.matrices if m.ndim == 3]
    if tables.batched.shape[1]:
        sizes.append(tables.batched.shape[0])
    # (tape.batch_size, which PennyLane recomputes by checking every operation, only when the
    # tables say nothing: it costs as much as simulating a small circuit)
    batch = max(sizes) if sizes else tape.batch_size
    rows = batch or 1
    cplx = config.complex_dtype(real)
    program = engine.compile_program(refs, n)
    engine.check_memory(n, rows, len(program), cplx, dev, torch.is_grad_enabled())
    paulis = _pauli_expvals(tape, wire_index)
    z_only = all(
        _diagonal_measurement(m, wire_index, paulis.get(i)) for i, m in enumerate(tape.measurements)
    )
    psi0 = engine.zero_state(n, dtype=cplx, device=dev)
    readout = _readout(tuple(paulis.values()), n, dev) if paulis else None
    if readout is not None and len(paulis) == len(tape.measurements):
        psi, values = None, program.expval_diagonal(psi0, tables, rows, readout)
    else:
        psi = program.run(psi0, tables, rows, z_only)
        # all expectations of Pauli sums in one pass over the state; the rest one by one
        values = measure.expval_observables(psi, list(paulis.values()), n) if paulis else None
    row = {i: k for k, i in enumerate(paulis)}
    results = []
    for i, m in enumerate(tape.measurements):
        r = values[row[i]] if i in row else _measure(psi, m, wire_index, n)  # (B, ...) or (B,)
        results.append(r if batch else r[0])
    if not _has_torch(tape):
        results = [_numpy(r) for r in results]
    return results[0] if len(results) == 1 else tuple(results)


def _readout(observables: tuple, n: int, device: torch.device) -> Tensor | None:
    """:func:`measure.diagonal_matrix`, made once per set of observables (a training loop
    measures the same ones at every step); read only."""
    if any(isinstance(c, Tensor) for obs in observables for c, _ in obs):
        return None  # a trainable coefficient: measured term by term
    try:
        return _cached_readout(observables, n, device)
    except TypeError:  # a coefficient that cannot be a key
        return measure.diagonal_matrix(list(observables), n, device)


@functools.lru_cache(maxsize=64)
def _cached_readout(observables: tuple, n: int, device: torch.device) -> Tensor | None:
    return measure.diagonal_matrix(list(observables), n, device)


def _numpy(r: Tensor):
    arr = r.detach().cpu().numpy()
    return arr[()] if arr.ndim == 0 else arr


def execute(tapes, *, device=None, dtype: torch.dtype | None = None):
    """Run PennyLane tape(s) on the qlearn engine, returning what ``default.qubit`` returns.

    Args:
        tapes: a ``QuantumScript`` (or a list of them).
        device: torch device to simulate on (default: where the tape's torch parameters live).
        dtype: real dtype of the simulation (default float64, as PennyLane).

    Returns:
        For one tape: a tensor for a single measurement, else a tuple of tensors; with parameter
        broadcasting each carries a leading batch axis. For a list of tapes: a list of those.
    """
    if isinstance(tapes, list | tuple):
        return [execute(t, device=device, dtype=dtype) for t in tapes]
    if not isinstance(tapes, qml.tape.QuantumScript):
        raise TypeError(
            f"tapes has type {type(tapes).__name__}; pass a pennylane QuantumScript "
            "(e.g. qml.tape.QuantumScript(ops, measurements)) or a list of them."
        )
    return _execute_one(tapes, device, dtype)


# --------------------------------------------------------------------------------------------
# Circuit (IR) -> PennyLane


def _pl_observable(obs: measure.Observable):
    ops, coeffs = [], []
    for coeff, word in obs:
        factors = [getattr(qml, f"Pauli{c}")(w) for w, c in word]
        ops.append(
            qml.prod(*factors) if len(factors) > 1 else (factors[0] if factors else qml.Identity(0))
        )
        coeffs.append(coeff)
    if len(ops) == 1 and coeffs[0] == 1:
        return ops[0]
    return qml.dot(coeffs, ops)


def _flat(circuit, weights: dict[str, Tensor]) -> Tensor | None:
    if not circuit.weight_specs:
        return None
    missing = [s.name for s in circuit.weight_specs if s.name not in weights]
    if missing:
        raise ValueError(f"weights is missing {missing}; pass dict(module.weight_dict()).")
    return torch.cat([torch.as_tensor(weights[s.name]).reshape(-1) for s in circuit.weight_specs])


def _emit(circuit, inputs: Tensor | None, weights: dict[str, Tensor]):
    """Queue the circuit's gates as PennyLane operations (inside a QNode or a queuing context)."""
    w = _flat(circuit, weights)
    like = w if w is not None else (inputs if isinstance(inputs, Tensor) else None)
    for op in circuit.ops:
        if op.name == "QubitUnitary":
            qml.QubitUnitary(op.matrix, wires=op.wires)
            continue
        params = [a.evaluate(inputs, w) for a in op.angles]
        if like is not None:  # PennyLane cannot mix float constants with torch angles in a gate
            params = [torch.as_tensor(p, dtype=like.dtype, device=like.device) for p in params]
        getattr(qml, op.name)(*params, wires=op.wires)
    return [qml.expval(_pl_observable(o)) for o in circuit.observables]


def circuit_to_qnode(circuit, device=None):
    """A QNode ``qnode(inputs, weights)`` on ``default.qubit`` (torch interface, backprop)."""
    dev = device or qml.device("default.qubit", wires=circuit.n_qubits)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def qnode(inputs, weights):
        return tuple(_emit(circuit, inputs, weights))

    return qnode


def circuit_to_tape(circuit, inputs: Tensor | None, weights: dict[str, Tensor]):
    """The ``QuantumScript`` of ``circuit`` at the given inputs ``(B, d)`` and weights."""
    with qml.queuing.AnnotatedQueue() as q:
        _emit(circuit, inputs, weights)
    return qml.tape.QuantumScript.from_queue(q)


# --------------------------------------------------------------------------------------------
# PennyLane -> Circuit (IR)


def circuit_from_tape(tape, input_params: Sequence[int] = ()):
    """Build a :class:`~qlearn.sim.Circuit` from a PennyLane tape.

    Args:
        tape: a ``QuantumScript`` whose measurements are expectation values of Pauli sums.
        input_params: indices (in ``tape.get_parameters(trainable_only=False)`` order) of the
            parameters that are per-sample inputs; they become ``x[0], x[1], ...`` in that order
            and must belong to gates the simulator knows (not to templates).

    Parameters that are torch tensors with ``requires_grad`` become trainable weights (one flat
    weight tensor ``"params"``, initialised to their current values); all others become
    constants. Templates are decomposed first.
    """
    from qlearn.sim.circuit import Circuit

    wires = wire_order(tape)
    wire_index = {w: i for i, w in enumerate(wires)}
    circuit = Circuit(len(wires))
    input_pos = {p: j for j, p in enumerate(input_params)}
    x = circuit.inputs(len(input_params)) if input_params else None
    pending: list[tuple] = []  # (name, wires, [value or input index], matrix)
    trainable_values: list[float] = []
    counter = 0
    for op in tape.operations:
        n_par = len(op.data)
        mine = [counter + i for i in range(n_par)]
        counter += n_par
        if _known(op) and op.name != "QubitUnitary":
            entries = []
            for pos, value in zip(mine, op.data, strict=True):
                if pos in input_pos:
                    entries.append(("x", input_pos[pos]))
                else:
                    entries.append(_param_entry(value, trainable_values, op))
            pending.append((op.name, op.wires, entries, None))
            continue
        if any(pos in input_pos for pos in mine):
            raise ValueError(
                f"input_params names a parameter of {op.name}, which the simulator decomposes; "
                "inputs must be parameters of basic gates such as RX, RY or RZ."
            )
        for sub in decompose([op]):
            if sub.name == "QubitUnitary":
                pending.append(("QubitUnitary", sub.wires, [], sub.data[0]))
            else:
                entries = [_param_entry(v, trainable_values, sub) for v in sub.data]
                pending.append((sub.name, sub.wires, entries, None))
    params = (
        circuit.weights(
            "params",
            (len(trainable_values),),
            init=torch.tensor(trainable_values, dtype=torch.float64),
        )
        if trainable_values
        else None
    )
    for name, op_wires, entries, matrix in pending:
        ws = tuple(wire_index[w] for w in op_wires)
        if name == "QubitUnitary":
            circuit.unitary(ws, torch.as_tensor(np.asarray(qml.math.unwrap(matrix))))
            continue
        angles = []
        for kind, value in entries:
            angles.append(
                x[value] if kind == "x" else params[value] if kind == "w" else Angle(value)
            )
        circuit.gate(name, ws, *angles)
    for m in tape.measurements:
        obs = None
        if isinstance(m, qml.measurements.ExpectationMP) and m.obs is not None:
            obs = _observable(m.obs, wire_index)
        if obs is None:
            raise ValueError(
                f"measurement {m} cannot be imported: a Circuit measures expectation values of "
                "Pauli words and sums of them."
            )
        circuit.observables.append(tuple((float(np.real(qml.math.unwrap(c))), w) for c, w in obs))
    return circuit


def _param_entry(value, trainable_values: list[float], op) -> tuple[str, float | int]:
    if qml.math.ndim(value) != 0:
        raise ValueError(
            f"{op.name} has a broadcast parameter of shape {qml.math.shape(value)}; import an "
            "unbroadcast tape and mark per-sample parameters with input_params."
        )
    if isinstance(value, Tensor) and value.requires_grad:
        trainable_values.append(float(value.detach()))
        return ("w", len(trainable_values) - 1)
    return ("c", float(qml.math.unwrap(value)))
