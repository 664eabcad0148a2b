r"""The batched state-vector engine.

A state of ``n`` qubits for a batch of ``B`` circuits is stored **amplitude-major**, as a complex
tensor ``psi`` of shape ``(2^n, B)``: row ``k`` holds the amplitude of basis state ``k`` (wire 0
the most significant bit) for every batch row. Public functions take and return the batch-first
``(B, 2^n)`` layout; inside, amplitude-major makes the operations that dominate a re-uploading
circuit cheap:

* a permutation (CNOT ring, SWAP) is one *row* gather, as cheap as a copy;
* a gate shared by all rows is one matrix product on a reshaped view;
* a per-row parameter broadcasts along the last axis.

A circuit's structure (gate names, wires, and where each parameter comes from) is compiled once
into a :class:`Program` of *stages*, each of which touches the state once:

================  ===================================================================
stage             what it does
================  ===================================================================
``diag``          a run of diagonal gates: ``psi *= exp(i*phi)``; when every gate acts
                  on one wire the phase is a product of per-wire factors (no ``exp``
                  over the whole state)
``perm``          a run of permutation gates: ``psi = psi[src]``
``local``         a run of single-qubit gates fused per wire; shared wires are applied
                  in pairs as 4×4 blocks (the fastest block size measured on CPU)
``dense``         one multi-qubit gate: a matrix product on its wires
``full``          (n <= 6; on CPU only below the reverse mode's size) a run of shared
                  gates multiplied into one :math:`2^n\times 2^n` unitary first, then
                  one matrix product
``permphase``     a ``perm`` stage and the ``diag`` stage after it, in one pass
================  ===================================================================

On CPU the hottest passes — real blocks, their gradient sums, and phases — run as compiled
loops (:mod:`qlearn.sim.jit`, numba) rather than as BLAS products of size 4, which cost several
times a pass over the state; the blocks of a layer go through the state together, one tile of
columns at a time.

For registers of up to 16 qubits the planner also moves diagonal gates: each ``Rot`` is split
into ``RZ·RY·RZ``, and phases are kept *pending* — carried through permutations
(:math:`P D = D' P`) and past gates on other wires — until a gate touches their wires. A layer of
``Rot`` gates then costs one real RY pass, and its phases join the data encoding's phase stage.

Large states (``REVERSE_MIN_AMPLITUDES``) run through :mod:`qlearn.sim.reverse`: the stages
write into reused buffers, and gradients come from the adjoint method with a few kept states
instead of autograd's record of every intermediate state. With a diagonal readout
(:meth:`Program.expval_diagonal`) the final state never leaves those buffers. Small ones run
stage by stage under autograd, which costs less Python per call.

Parameters are passed as two tables, gathered by each stage with one indexing operation:
``shared`` of shape ``(P_s,)`` (angles equal for every row) and ``batched`` of shape
``(B, P_b)`` (angles that differ per row), plus a list of matrices for ``QubitUnitary``.
The state starts as a single column and only becomes ``B`` columns at the first per-row gate,
so a leading block of shared gates is simulated once, not ``B`` times.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from qlearn import config
from qlearn.sim.gates import gate_spec, permutation_source
from qlearn.sim.kernels import apply_block, apply_matrix, log2_int
from qlearn.sim.reverse import run_program
from qlearn.sim.stages import (
    DenseStage,
    FullStage,
    GateRef,
    LocalStage,
    PermPhaseStage,
    PermStage,
    PhaseStage,
    PhaseTerm,
    Slot,
    Stage,
    Tables,
)

Tensor = torch.Tensor

__all__ = [
    "Call",
    "GateRef",
    "Program",
    "SimulationMemoryError",
    "Tables",
    "apply_block",
    "apply_matrix",
    "check_memory",
    "compile_program",
    "estimate_bytes",
    "log2_int",
    "run",
    "TableBuilder",
    "tables_from_calls",
    "zero_state",
]

#: Largest register for which a run of shared gates becomes one dense unitary; on CPU only
#: for states below the reverse mode's size (there, the stages of larger registers cost less:
#: 1.6x at 4 qubits and 3x at 6 qubits, batch 1024, measured on a 2-core CPU).
DENSE_MAX_QUBITS = 6
#: Largest register for which diagonal gates are moved and merged (patterns cost 2^n each).
COMMUTE_MAX_QUBITS = 16
#: States of at least this many amplitudes (``2^n * batch``) run in the reverse mode of
#: :mod:`qlearn.sim.reverse`; smaller ones cost less under plain autograd (measured on CPU).
REVERSE_MIN_AMPLITUDES = 2**14
#: Largest register the simulator accepts at all (2^30 amplitudes is 16 GiB per state row).
MAX_QUBITS = 30


@dataclass(frozen=True)
class Call:
    """One gate application with concrete parameters (the convenient, unplanned form).

    Attributes:
        name: canonical gate name (see :mod:`qlearn.sim.gates`).
        wires: wire indices, ``0 <= wire < n_qubits``.
        params: each a real tensor, scalar ``()`` (shared) or ``(B,)`` (one value per batch row);
            for ``QubitUnitary`` a single ``(d, d)`` or ``(B, d, d)`` complex matrix.
    """

    name: str
    wires: tuple[int, ...]
    params: tuple[Tensor, ...] = ()


@functools.lru_cache(maxsize=2**16)
def _gate_ref(name: str, wires: tuple[int, ...], slots: tuple[Slot, ...]) -> GateRef:
    """One shared :class:`GateRef` per gate: cheaper to make than a new one, and programs are
    looked up by their tuple of references (equal tuples of the same objects compare fast)."""
    return GateRef(name, wires, slots)


class TableBuilder:
    """Collects gates and their parameter values into gate references and :class:`Tables`.

    Parameters are appended in chunks (a whole weight tensor at once, if one likes) and
    concatenated once in :meth:`build`, so a circuit with thousands of angles costs a handful of
    tensor operations, not one per angle.

    Example:
        >>> import torch
        >>> tb = TableBuilder(torch.float64, torch.device("cpu"))
        >>> tb.gate("RX", (0,), (torch.tensor(0.5),))
        >>> tb.gate("RY", (1,), (torch.tensor([0.1, 0.2]),))
        >>> refs, tables = tb.build()
        >>> refs[1].slots, tables.batched.shape
        ((('b', 0),), torch.Size([2, 1]))
    """

    def __init__(self, real: torch.dtype, device: torch.device):
        self.real, self.device = real, device
        self.refs: list[GateRef] = []
        # what each gate was, for error messages: a text, or a function that writes it (the
        # text is only needed when an angle is bad)
        self.labels: list[str | Callable[[], str]] = []
        self._shared: list[Tensor] = []
        self._batched: list[Tensor] = []
        self._n_shared = self._n_batched = 0
        self.matrices: list[Tensor] = []
        self._seen: dict[tuple, tuple[Tensor, int]] = {}

    def shared(self, values: Tensor) -> list[int]:
        """Append shared angles (any shape, flattened); returns their slot indices."""
        flat = values.reshape(-1)
        self._shared.append(flat)
        start, self._n_shared = self._n_shared, self._n_shared + flat.numel()
        return list(range(start, self._n_shared))

    def batched(self, values: Tensor) -> list[int]:
        """Append per-row angles ``(B, ...)`` (flattened after B); returns their slot indices."""
        flat = values.reshape(values.shape[0], -1)
        self._batched.append(flat)
        start, self._n_batched = self._n_batched, self._n_batched + flat.shape[1]
        return list(range(start, self._n_batched))

    def ref(
        self,
        name: str,
        wires: tuple[int, ...],
        slots: tuple[Slot, ...],
        label: str | Callable[[], str] = "",
    ) -> None:
        """Append a gate whose parameters were already added."""
        self.refs.append(_gate_ref(name, wires, slots))
        self.labels.append(label)

    def extend(self, refs: Sequence[GateRef], label: str = "") -> None:
        """Append gates whose parameters were already added, all with one label."""
        self.refs.extend(refs)
        self.labels.extend([label] * len(refs))

    def gate(
        self,
        name: str,
        wires: tuple[int, ...],
        params: Sequence[Tensor],
        label: str | Callable[[], str] = "",
    ) -> None:
        """Append a gate with concrete parameters: scalars are shared, ``(B,)`` per row."""
        slots: list[Slot] = []
        if name == "QubitUnitary":
            m = params[0]
            slots.append(("M" if m.ndim == 3 else "m", len(self.matrices)))
            self.matrices.append(m)
        else:
            for p in params:
                if p.ndim:
                    slots.append(("b", self._batched_slot(p)))
                else:
                    slots.append(("s", self.shared(p)[0]))
        self.ref(name, tuple(wires), tuple(slots), label)

    def _batched_slot(self, p: Tensor) -> int:
        """The slot of per-row angles ``p``: the same data given twice (an input re-uploaded
        every layer) shares one slot. Only tensors without a gradient are merged by address; a
        tensor with one only with itself, so each autograd path keeps its gradient."""
        key = (
            ("same", id(p))
            if p.requires_grad
            else ("data", p.data_ptr(), tuple(p.shape), p.stride(), p.dtype, p.device)
        )
        if key not in self._seen:
            self._seen[key] = (p, self.batched(p[:, None])[0])  # p kept alive: ids stay unique
        return self._seen[key][1]

    def build(self) -> tuple[tuple[GateRef, ...], Tables]:
        """The gate references and the parameter tables; raises on a non-finite angle."""

        def cat(parts, empty_shape, dim):
            if not parts:
                return torch.zeros(empty_shape, dtype=self.real, device=self.device)
            rows = {p.shape[0] for p in parts} if dim == 1 else set()
            if len(rows) > 1:
                raise ValueError(
                    f"broadcast parameters have different batch sizes {sorted(rows)}; "
                    "give every broadcast parameter the same leading size."
                )
            return torch.cat([p.to(self.device, self.real) for p in parts], dim)

        shared = cat(self._shared, (0,), 0)
        batched = cat(self._batched, (1, 0), 1)
        for table, kind in ((shared, "s"), (batched, "b")):
            if table.numel() and not bool(torch.isfinite(table).all()):
                self._raise_non_finite(table, kind)
        return tuple(self.refs), Tables(shared, batched, self.matrices)

    def _raise_non_finite(self, table: Tensor, kind: str) -> None:
        for ref, label in zip(self.refs, self.labels, strict=True):
            for slot_kind, k in ref.slots:
                if slot_kind != kind:
                    continue
                values = table[k] if kind == "s" else table[:, k]
                if not bool(torch.isfinite(values).all()):
                    shown = values.detach().cpu().reshape(-1)[:8].tolist()
                    label = label() if callable(label) else label
                    label = label or f"{ref.name} on wires {list(ref.wires)}"
                    raise ValueError(
                        f"{label} has a non-finite angle ({shown}); gate angles must be finite "
                        "numbers: check the inputs and weights."
                    )


def tables_from_calls(
    calls: Sequence[Call], real: torch.dtype, device: torch.device
) -> tuple[tuple[GateRef, ...], Tables]:
    """Turn concrete calls into gate references and parameter tables."""
    builder = TableBuilder(real, device)
    for call in calls:
        builder.gate(call.name, call.wires, call.params)
    return builder.build()


# --------------------------------------------------------------------------------------------
# Planning


def _kind(ref: GateRef) -> str:
    kind = gate_spec(ref.name).kind
    if len(ref.wires) == 1 and kind == "dense":  # a 1-wire QubitUnitary
        return "local"
    return kind


def _simple_stages(refs: Sequence[GateRef], n: int) -> list[Stage]:
    """Group consecutive gates into diag/perm/local/dense stages, in circuit order."""
    runs: list[tuple[str, list[GateRef]]] = []
    for ref in refs:
        kind, single = _kind(ref), len(ref.wires) == 1
        if runs:
            last_kind, members = runs[-1]
            # a single-qubit gate after a local run fuses into it, except a per-row diagonal
            # one: one phase multiply is cheaper than per-row 2x2 products
            if last_kind == "local" and single and not (kind == "diag" and ref.batched):
                members.append(ref)
                continue
            if last_kind == kind and kind in ("diag", "perm", "local"):
                members.append(ref)
                continue
        runs.append((kind, [ref]))
    stages: list[Stage] = []
    for kind, members in runs:
        # shared single-qubit phases just before a local run join it (Rot = RZ RY RZ)
        if (
            kind == "local"
            and stages
            and stages[-1].kind == "diag"
            and all(len(r.wires) == 1 and not r.batched for r in stages[-1].refs)
        ):
            members = list(stages.pop().refs) + members
        stages.append(_stage_of(kind, members, n))
    return stages


def _stage_of(kind: str, refs: Sequence[GateRef], n: int) -> Stage:
    if kind == "diag":
        return PhaseStage.of_gates(refs, n)
    return {"perm": PermStage, "local": LocalStage, "dense": DenseStage}[kind](refs, n)


def _split_rot(ref: GateRef) -> list[GateRef]:
    """Rot(φ, θ, ω) = RZ(ω) RY(θ) RZ(φ), exactly (PennyLane's definition)."""
    if ref.name != "Rot":
        return [ref]
    w, (phi, theta, omega) = ref.wires, ref.slots
    return [GateRef("RZ", w, (phi,)), GateRef("RY", w, (theta,)), GateRef("RZ", w, (omega,))]


def _commuting_stages(refs: Sequence[GateRef], n: int) -> list[Stage]:
    """Plan with diagonal gates moved as late as possible and merged (see the module doc)."""
    stages: list[Stage] = []
    pending: list[PhaseTerm] = []

    def flush_if_blocked(wires: set[int]) -> None:
        if any(term.support(n) & wires for term in pending):
            stages.append(PhaseStage(pending, n))
            pending.clear()

    i = 0
    while i < len(refs):
        ref = refs[i]
        kind = _kind(ref)
        if kind == "diag":
            pending.append(PhaseTerm.of_gate(ref, n))
            i += 1
        elif len(ref.wires) == 1:  # a run of single-qubit gates
            j = i
            while j < len(refs) and len(refs[j].wires) == 1:
                j += 1
            per_wire: dict[int, list[GateRef]] = defaultdict(list)
            for g in refs[i:j]:
                per_wire[g.wires[0]].extend(_split_rot(g))
            middle, after = [], []
            for gates in per_wire.values():
                a, b = 0, len(gates)
                while a < b and _kind(gates[a]) == "diag":
                    a += 1
                while b > a and _kind(gates[b - 1]) == "diag":
                    b -= 1
                pending.extend(PhaseTerm.of_gate(g, n) for g in gates[:a])
                middle.extend(gates[a:b])
                after.extend(gates[b:])
            if middle:
                flush_if_blocked({g.wires[0] for g in middle})
                stages.append(LocalStage(middle, n))
            pending.extend(PhaseTerm.of_gate(g, n) for g in after)
            i = j
        elif kind == "perm":
            src = permutation_source(ref.name, n, ref.wires, "cpu")
            pending[:] = [term.permuted(src, n) for term in pending]
            if stages and stages[-1].kind == "perm":
                stages[-1] = PermStage(stages[-1].refs + (ref,), n)
            else:
                stages.append(PermStage([ref], n))
            i += 1
        else:
            flush_if_blocked(set(ref.wires))
            stages.append(DenseStage([ref], n))
            i += 1
    if pending:
        stages.append(PhaseStage(pending, n))
    return stages


def _full_stages(refs: Sequence[GateRef], n: int) -> list[Stage]:
    """Small registers: runs of shared gates become one dense unitary each."""
    stages: list[Stage] = []
    run: list[GateRef] = []

    def flush() -> None:
        if len(run) >= 2:
            stages.append(FullStage(run, n, _simple_stages(run, n)))
        elif run:
            stages.extend(_simple_stages(run, n))
        run.clear()

    for ref in refs:
        if ref.batched:
            flush()
            stages.extend(_simple_stages([ref], n))
        else:
            run.append(ref)
    flush()
    merged: list[Stage] = []
    for st in stages:  # neighbouring per-row phases (an encoding layer) become one stage
        if merged and st.kind == merged[-1].kind == "diag":
            merged[-1] = PhaseStage(merged[-1].terms + st.terms, n)
        elif merged and st.kind == merged[-1].kind == "perm":
            merged[-1] = PermStage(merged[-1].refs + st.refs, n)
        else:
            merged.append(st)
    return merged


def _fuse_perm_phase(stages: Sequence[Stage]) -> list[Stage]:
    """A permutation followed by phases becomes one :class:`PermPhaseStage` (one pass), unless
    the phases end the program: a diagonal readout skips trailing phases."""
    out: list[Stage] = []
    i = 0
    while i < len(stages):
        st = stages[i]
        if (
            st.kind == "perm"
            and i + 1 < len(stages)
            and stages[i + 1].kind == "diag"
            and any(later.kind != "diag" for later in stages[i + 2 :])
        ):
            out.append(PermPhaseStage(st, stages[i + 1]))
            i += 2
        else:
            out.append(st)
            i += 1
    return out


class Program:
    """A circuit structure compiled into stages; build with :func:`compile_program` (cached)."""

    def __init__(self, refs: tuple[GateRef, ...], n_qubits: int):
        self.refs, self.n = refs, n_qubits
        plan = _commuting_stages if n_qubits <= COMMUTE_MAX_QUBITS else _simple_stages
        self.stages = _fuse_perm_phase(plan(refs, n_qubits))
        self._dense: list[Stage] | None = None

    def __len__(self) -> int:
        return len(self.stages)

    def stages_for(self, batch: int, device: torch.device) -> list[Stage]:
        """The stages a run of ``batch`` rows goes through: :attr:`stages`, or for at most
        ``DENSE_MAX_QUBITS`` qubits, runs of shared gates multiplied into one dense unitary
        each (made on first use) — for a small state (below the reverse mode), and on GPUs
        at any size (the plan they always had: the CPU measurement says nothing about them)."""
        if self.n > DENSE_MAX_QUBITS:
            return self.stages
        if self.reverse_mode(batch) and torch.device(device).type == "cpu":
            return self.stages
        return self.dense_stages()

    def dense_stages(self) -> list[Stage]:
        """The stages with every run of shared gates multiplied into one dense unitary."""
        if self._dense is None:
            self._dense = _fuse_perm_phase(_full_stages(self.refs, self.n))
        return self._dense

    def run(self, psi: Tensor, t: Tables, batch: int, z_only: bool = False) -> Tensor:
        """Apply the program to ``psi`` (``(2^n, 1)`` or ``(2^n, B)``); returns ``(2^n, B)``.

        With ``z_only`` (every measurement diagonal in the computational basis), trailing
        diagonal stages whose angles need no gradient are skipped: they cannot change the result.
        """
        stages = self.stages_for(batch, psi.device)
        if z_only:
            end = len(stages)
            while end and stages[end - 1].kind == "diag" and not stages[end - 1].needs_grad(t):
                end -= 1
            stages = stages[:end]
        if self.reverse_mode(batch):
            psi = run_program(stages, psi, t)
        else:
            for st in stages:
                psi = st.apply(psi, t)
        if psi.shape[1] != batch:
            psi = psi.expand(-1, batch)
        return psi

    def expval_diagonal(self, psi: Tensor, t: Tables, batch: int, readout: Tensor) -> Tensor:
        """Expectation values ``readout @ |psi_final|^2`` of shape ``(n_obs, batch)``.

        In the reverse mode the final state never leaves the workspace of
        :mod:`qlearn.sim.reverse`.
        """
        if self.reverse_mode(batch):
            stages = self.stages_for(batch, psi.device)
            values = run_program(stages, psi, t, readout.to(psi.device))
        else:
            p = self.run(psi, t, batch, z_only=True)
            values = readout.to(p.device, p.real.dtype) @ (p.real**2 + p.imag**2)
        return values.expand(-1, batch) if values.shape[1] != batch else values

    def reverse_mode(self, batch: int) -> bool:
        """Whether a run of ``batch`` rows goes through :mod:`qlearn.sim.reverse`."""
        return 2**self.n * batch >= REVERSE_MIN_AMPLITUDES


@functools.lru_cache(maxsize=256)
def compile_program(refs: tuple[GateRef, ...], n_qubits: int) -> Program:
    """The cached :class:`Program` for a circuit structure."""
    return Program(refs, n_qubits)


def run(psi: Tensor, calls: Sequence[Call], n_qubits: int) -> Tensor:
    """Apply concrete ``calls`` to the amplitude-major state ``psi`` of shape ``(2^n, B)``.

    Convenient for a few gates; compiled circuits use :class:`Program` directly.
    """
    if not calls:
        return psi
    real = torch.float64 if psi.dtype == torch.complex128 else torch.float32
    refs, tables = tables_from_calls(calls, real, psi.device)
    rows = [psi.shape[1]] + [m.shape[0] for m in tables.matrices if m.ndim == 3]
    if tables.batched.shape[1]:
        rows.append(tables.batched.shape[0])
    return compile_program(refs, n_qubits).run(psi, tables, max(rows))


def zero_state(
    n_qubits: int, batch: int = 1, *, dtype: torch.dtype, device: torch.device
) -> Tensor:
    """Amplitude-major ``|0...0>`` for ``batch`` rows: ``(2^n, batch)``."""
    psi = torch.zeros(2**n_qubits, batch, dtype=dtype, device=device)
    psi[0] = 1
    return psi


# --------------------------------------------------------------------------------------------
# Memory


class SimulationMemoryError(MemoryError, ValueError):
    """Raised when a simulation would need more memory than the configured limit."""


def estimate_bytes(n_qubits: int, batch: int, n_stages: int, dtype: torch.dtype, grad: bool) -> int:
    """Bytes one run needs: a state per stage kept for backward (with grad), plus work space.

    ``dtype`` is the complex dtype of the state.
    """
    itemsize = 16 if dtype == torch.complex128 else 8
    state = 2**n_qubits * batch * itemsize
    kept = (n_stages + 1) if grad else 1
    return state * (kept + 3)


def check_memory(
    n_qubits: int,
    batch: int,
    n_stages: int,
    dtype: torch.dtype,
    device: torch.device,
    grad: bool,
) -> None:
    """Raise :class:`SimulationMemoryError` before allocating if a run would not fit."""
    if n_qubits > MAX_QUBITS:
        raise ValueError(
            f"n_qubits={n_qubits} is too many for a state-vector simulation (the state alone "
            f"needs 2^{n_qubits} amplitudes); use at most {MAX_QUBITS} qubits."
        )
    need = estimate_bytes(n_qubits, batch, n_stages, dtype, grad)
    limit = config.memory_limit(device)
    if need > limit:
        per_row = max(1, need // max(batch, 1))
        fit = max(1, limit // per_row)
        advice = (
            f"Use a smaller batch (about {fit} rows fit) and accumulate gradients over batches"
            if grad
            else f"Pass chunk_size={fit} to simulate the batch in chunks, or use a smaller batch"
        )
        raise SimulationMemoryError(
            f"simulating {n_qubits} qubits for batch={batch} needs about {_gib(need)} "
            f"({'with' if grad else 'without'} gradients) but the limit is {_gib(limit)}. "
            f"{advice}, or raise the limit with qlearn.config.set_memory_limit()."
        )


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**28 else f"{n / 2**20:.1f} MiB"
