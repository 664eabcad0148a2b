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
``full``          (n <= 6, large batch) a run of shared gates multiplied into one
                  :math:`2^n\times 2^n` unitary first, then one matrix product
================  ===================================================================

Parameters are passed as two tables, gathered by each stage with one indexing operation:
``shared`` of shape ``(P_s,)`` (angles equal for every row) and ``batched`` of shape
``(B, P_b)`` (angles that differ per row), plus a list of matrices for ``QubitUnitary``.
The state starts as a single column and only becomes ``B`` columns at the first per-row gate,
so a leading block of shared gates is simulated once, not ``B`` times.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from qlearn import config
from qlearn.sim.gates import gate_spec, matrix, permutation_source, phase_pattern

Tensor = torch.Tensor

#: Largest register for which a run of shared gates becomes one dense unitary.
DENSE_MAX_QUBITS = 6
#: Largest register the simulator accepts at all (2^30 amplitudes is 16 GiB per state row).
MAX_QUBITS = 30


Slot = tuple[str, int]  # ("s", k) shared angle, ("b", k) per-row angle, ("m"/"M", k) matrix


@dataclass(frozen=True)
class GateRef:
    """A gate in a compiled program: name, wires, and where its parameters come from.

    ``slots[i]`` is ``("s", k)`` for ``shared[k]``, ``("b", k)`` for ``batched[:, k]``,
    ``("m", k)`` / ``("M", k)`` for a shared / per-row matrix ``matrices[k]``.
    """

    name: str
    wires: tuple[int, ...]
    slots: tuple[Slot, ...] = ()

    @property
    def batched(self) -> bool:
        return any(kind in ("b", "M") for kind, _ in self.slots)


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


@dataclass
class Tables:
    """Parameter values of one run: ``shared (P_s,)``, ``batched (B, P_b)``, ``matrices``."""

    shared: Tensor
    batched: Tensor
    matrices: list[Tensor]

    def values(self, ref: GateRef) -> tuple[Tensor, ...]:
        out = []
        for kind, k in ref.slots:
            if kind == "s":
                out.append(self.shared[k])
            elif kind == "b":
                out.append(self.batched[:, k])
            else:
                out.append(self.matrices[k])
        return tuple(out)


def tables_from_calls(
    calls: Sequence[Call], real: torch.dtype, device: torch.device
) -> tuple[tuple[GateRef, ...], Tables]:
    """Turn concrete calls into gate references and parameter tables (stacked in one go)."""
    shared: list[Tensor] = []
    batched: list[Tensor] = []
    matrices: list[Tensor] = []
    refs = []
    for call in calls:
        slots: list[Slot] = []
        if call.name == "QubitUnitary":
            m = call.params[0]
            slots.append(("M" if m.ndim == 3 else "m", len(matrices)))
            matrices.append(m)
        else:
            for p in call.params:
                if p.ndim:
                    slots.append(("b", len(batched)))
                    batched.append(p)
                else:
                    slots.append(("s", len(shared)))
                    shared.append(p)
        refs.append(GateRef(call.name, tuple(call.wires), tuple(slots)))
    s = (
        torch.stack(shared).to(device, real)
        if shared
        else torch.zeros(0, dtype=real, device=device)
    )
    b = (
        torch.stack(batched, 1).to(device, real)
        if batched
        else torch.zeros(1, 0, dtype=real, device=device)
    )
    return tuple(refs), Tables(s, b, matrices)


# --------------------------------------------------------------------------------------------
# Planning: group gates into stages


def _kind(ref: GateRef) -> str:
    kind = gate_spec(ref.name).kind
    if len(ref.wires) == 1 and kind == "dense":  # a 1-wire QubitUnitary
        return "local"
    return kind


def _group_runs(refs: Sequence[GateRef]) -> list[tuple[str, list[int]]]:
    """Indices of consecutive gates grouped into diag/perm/local/dense runs."""
    runs: list[tuple[str, list[int]]] = []
    for i, ref in enumerate(refs):
        kind = _kind(ref)
        single = len(ref.wires) == 1
        if runs:
            last_kind, members = runs[-1]
            # a single-qubit gate after a local run fuses into that run, except a per-row
            # diagonal one: one phase multiply is cheaper than per-row 2x2 products
            if last_kind == "local" and single and not (kind == "diag" and ref.batched):
                members.append(i)
                continue
            if last_kind == kind and kind in ("diag", "perm", "local"):
                members.append(i)
                continue
        runs.append((kind, [i]))
    # a run of shared single-qubit diagonal gates just before a local run joins it
    # (Rot = RZ RY RZ would otherwise cost a pass of its own)
    out: list[tuple[str, list[int]]] = []
    for kind, members in runs:
        if (
            kind == "local"
            and out
            and out[-1][0] == "diag"
            and all(len(refs[i].wires) == 1 and not refs[i].batched for i in out[-1][1])
        ):
            out[-1] = ("local", out[-1][1] + members)
        else:
            out.append((kind, members))
    return out


class Stage:
    """One pass over the state. Subclasses precompute structure and ``apply`` it."""

    kind = ""

    def __init__(self, refs: Sequence[GateRef], n: int):
        self.refs = tuple(refs)
        self.n = n
        self._cache: dict[tuple, Tensor] = {}

    @property
    def batched(self) -> bool:
        return any(r.batched for r in self.refs)

    def _const(self, key: tuple, device: torch.device, build) -> Tensor:
        full = (*key, str(device))
        if full not in self._cache:
            self._cache[full] = build(device)
        return self._cache[full]

    def apply(self, psi: Tensor, t: Tables) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError


def _gather(t: Tables, slots: Sequence[Slot], real: torch.dtype) -> Tensor:
    """Angles of ``slots`` as ``(K, 1)`` when all are shared, else ``(K, B)``."""
    kinds = {kind for kind, _ in slots}
    if kinds == {"s"}:
        return t.shared[[k for _, k in slots]].to(real)[:, None]
    if kinds == {"b"}:
        return t.batched[:, [k for _, k in slots]].to(real).T
    batch = t.batched.shape[0]
    rows = [t.shared[k].expand(batch) if kind == "s" else t.batched[:, k] for kind, k in slots]
    return torch.stack(rows).to(real)


#: Per-wire phase generators of single-qubit diagonal gates: U = diag(e^{iθ g0}, e^{iθ g1}).
_LOCAL_PHASE = {
    "RZ": (-0.5, 0.5),
    "PhaseShift": (0.0, 1.0),
    "PauliZ": (0.0, math.pi),
    "S": (0.0, math.pi / 2),
    "T": (0.0, math.pi / 4),
    "Identity": (0.0, 0.0),
}


class DiagStage(Stage):
    """``psi *= exp(i phi)``, phi = sum of the gates' phase patterns times their angles."""

    kind = "diag"

    def __init__(self, refs, n):
        super().__init__(refs, n)
        self.rot = [r for r in self.refs if r.slots]
        self.fixed = [r for r in self.refs if not r.slots]
        self.slots = [r.slots[0] for r in self.rot]
        self.factorised = all(len(r.wires) == 1 for r in self.refs)
        self.wires = sorted({r.wires[0] for r in self.refs}) if self.factorised else []

    def _generators(self, device) -> tuple[Tensor, Tensor]:
        """(2·n_w, K) generator matrix and (2·n_w,) constant phases of the per-wire factors."""
        pos = {w: i for i, w in enumerate(self.wires)}
        gen = torch.zeros(2 * len(self.wires), max(len(self.rot), 1), dtype=torch.float64)
        const = torch.zeros(2 * len(self.wires), dtype=torch.float64)
        for k, r in enumerate(self.rot):
            g = _LOCAL_PHASE[r.name]
            gen[2 * pos[r.wires[0]], k], gen[2 * pos[r.wires[0]] + 1, k] = g
        for r in self.fixed:
            g = _LOCAL_PHASE[r.name]
            const[2 * pos[r.wires[0]]] += g[0]
            const[2 * pos[r.wires[0]] + 1] += g[1]
        return gen.to(device), const.to(device)

    def _phase_factorised(self, t: Tables, real, cplx, device) -> Tensor:
        gen, const = self._const(("gen",), device, self._generators)
        angles = const.to(real)[:, None]
        if self.rot:
            angles = angles + gen.to(real)[:, : len(self.rot)] @ _gather(t, self.slots, real)
        e = torch.complex(torch.cos(angles), torch.sin(angles)).to(cplx)  # (2·n_w, B)
        e = e.reshape(len(self.wires), 2, -1)
        cols = e.shape[-1]
        phase = torch.ones(1, cols, dtype=cplx, device=device)
        for w in range(self.n):
            if w in self.wires:
                phase = (phase[:, None, :] * e[self.wires.index(w)][None]).reshape(-1, cols)
            else:
                phase = phase[:, None, :].expand(-1, 2, -1).reshape(-1, cols)
        return phase

    def _patterns(self, device) -> tuple[Tensor, Tensor]:
        rows = [phase_pattern(r.name, self.n, r.wires, device) for r in self.rot]
        pats = (
            torch.stack(rows)
            if rows
            else torch.zeros(1, 2**self.n, dtype=torch.float64, device=device)
        )
        const = torch.zeros(2**self.n, dtype=torch.float64, device=device)
        for r in self.fixed:
            const = const + phase_pattern(r.name, self.n, r.wires, device)
        return pats.T.contiguous(), const

    def apply(self, psi, t):
        real = torch.float64 if psi.dtype == torch.complex128 else torch.float32
        if self.factorised:
            return psi * self._phase_factorised(t, real, psi.dtype, psi.device)
        pats_t, const = self._const(("pat",), psi.device, self._patterns)
        phi = const.to(real)[:, None]
        if self.rot:
            phi = phi + pats_t.to(real) @ _gather(t, self.slots, real)
        return psi * torch.complex(torch.cos(phi), torch.sin(phi)).to(psi.dtype)


class PermStage(Stage):
    """``psi = psi[src]`` for the composed permutation of the run."""

    kind = "perm"

    def _src(self, device):
        src = torch.arange(2**self.n, device=device)
        for r in self.refs:
            src = src[permutation_source(r.name, self.n, r.wires, device)]
        return src

    def apply(self, psi, t):
        return psi.index_select(0, self._const(("src",), psi.device, self._src))


class _BlockApply(torch.autograd.Function):
    """``out = m @ psi`` on a block of wires, with a backward shaped for speed.

    Autograd's generic rule for a broadcast matrix times a batched view materialises conjugated
    transposes and reduces slowly (≈15× the forward on CPU); here
    ``grad_m = Σ_a g_a v_a^†`` is one batched product and a sum, and ``grad_psi = m^† g``.
    """

    @staticmethod
    def forward(ctx, m: Tensor, psi: Tensor, first: int) -> Tensor:
        ctx.save_for_backward(m, psi)
        ctx.first = first
        # detached: torch.matmul takes a much slower path for inputs flagged requires_grad
        m, psi = m.detach(), psi.detach()
        return torch.matmul(m, psi.reshape(2**first, m.shape[-1], -1)).reshape(psi.shape)

    @staticmethod
    def backward(ctx, grad: Tensor):
        m, psi = ctx.saved_tensors
        d = m.shape[-1]
        g = grad.reshape(2**ctx.first, d, -1)
        m, psi = m.detach(), psi.detach()
        grad_m = grad_psi = None
        if ctx.needs_input_grad[0]:
            view = psi.reshape(2**ctx.first, d, -1)
            grad_m = torch.matmul(g, view.transpose(1, 2).conj()).sum(0)
        if ctx.needs_input_grad[1]:
            grad_psi = torch.matmul(m.conj().T, g).reshape(psi.shape)
        return grad_m, grad_psi, None


def apply_block(psi: Tensor, m: Tensor, first: int) -> Tensor:
    """Apply a shared ``(2^k, 2^k)`` matrix to the contiguous wires ``first .. first+k-1``."""
    if m.requires_grad or psi.requires_grad:
        return _BlockApply.apply(m, psi, first)
    return torch.matmul(m, psi.reshape(2**first, m.shape[-1], -1)).reshape(psi.shape)


def apply_wire_batched(psi: Tensor, m: Tensor, wire: int) -> Tensor:
    """Apply per-row 2×2 matrices ``m`` of shape ``(B, 2, 2)`` to one wire.

    ``psi`` may have a single column (a state shared by all rows); the result has ``B``.
    """
    view = psi.reshape(2**wire, 2, -1, psi.shape[1])
    s0, s1 = view[:, 0], view[:, 1]
    out0 = m[:, 0, 0] * s0 + m[:, 0, 1] * s1
    out1 = m[:, 1, 0] * s0 + m[:, 1, 1] * s1
    return torch.stack((out0, out1), dim=1).reshape(psi.shape[0], -1)


class LocalStage(Stage):
    """Single-qubit gates fused per wire; shared wires applied in 4×4 pairs."""

    kind = "local"

    def __init__(self, refs, n):
        super().__init__(refs, n)
        # vectorised matrix construction: shared gates grouped by name
        self.shared_groups: dict[str, list[int]] = {}
        for i, r in enumerate(self.refs):
            if not r.batched and r.name != "QubitUnitary":
                self.shared_groups.setdefault(r.name, []).append(i)

    def _matrices(self, t: Tables, cplx, device) -> list[Tensor]:
        mats: list[Tensor | None] = [None] * len(self.refs)
        real = torch.float64 if cplx == torch.complex128 else torch.float32
        for name, members in self.shared_groups.items():
            n_par = gate_spec(name).n_params
            if n_par:
                idx = [self.refs[i].slots[j][1] for i in members for j in range(n_par)]
                vals = t.shared[idx].to(real).reshape(len(members), n_par)
                group = matrix(name, tuple(vals.unbind(1))).to(cplx)
            else:
                group = matrix(name, dtype=cplx, device=device)[None].expand(len(members), 2, 2)
            for row, i in enumerate(members):
                mats[i] = group[row]
        for i, r in enumerate(self.refs):
            if mats[i] is None:
                params = tuple(p.to(real) if not p.is_complex() else p for p in t.values(r))
                mats[i] = matrix(r.name, params, n_wires=1, dtype=cplx, device=device).to(cplx)
        return mats  # type: ignore[return-value]

    def apply(self, psi, t):
        per_wire: dict[int, Tensor] = {}
        for r, m in zip(self.refs, self._matrices(t, psi.dtype, psi.device), strict=True):
            w = r.wires[0]
            per_wire[w] = m if w not in per_wire else m @ per_wire[w]
        for w, m in per_wire.items():
            if m.ndim == 3:
                psi = apply_wire_batched(psi, m, w)
        shared = sorted(w for w, m in per_wire.items() if m.ndim == 2)
        i = 0
        while i < len(shared):
            w = shared[i]
            if i + 1 < len(shared) and shared[i + 1] == w + 1:
                a, b = per_wire[w], per_wire[w + 1]
                pair = (a[:, None, :, None] * b[None, :, None, :]).reshape(4, 4)
                psi = apply_block(psi, pair, w)
                i += 2
            else:
                psi = apply_block(psi, per_wire[w], w)
                i += 1
        return psi


def apply_matrix(psi: Tensor, m: Tensor, wires: Sequence[int]) -> Tensor:
    """Apply a ``(2^k, 2^k)`` or per-row ``(B, 2^k, 2^k)`` matrix to arbitrary wires."""
    n = log2_int(psi.shape[0], "the state")
    k = len(wires)
    if m.ndim == 2 and list(wires) == list(range(wires[0], wires[0] + k)):
        return apply_block(psi, m, wires[0])
    if m.ndim == 3 and psi.shape[1] != m.shape[0]:
        psi = psi.expand(-1, m.shape[0])
    batch = psi.shape[1]
    t = psi.reshape([2] * n + [batch]).movedim(list(wires), list(range(k)))
    rest = t.shape[k:]
    t = t.reshape(2**k, -1, batch)
    if m.ndim == 2:
        t = torch.matmul(m, t.reshape(2**k, -1)).reshape(2**k, -1, batch)
    else:
        t = torch.einsum("bij,jrb->irb", m, t)
    t = t.reshape([2] * k + list(rest)).movedim(list(range(k)), list(wires))
    return t.reshape(2**n, batch)


class DenseStage(Stage):
    """One multi-qubit gate applied by its matrix."""

    kind = "dense"

    def apply(self, psi, t):
        r = self.refs[0]
        real = torch.float64 if psi.dtype == torch.complex128 else torch.float32
        params = tuple(p if p.is_complex() else p.to(real) for p in t.values(r))
        m = matrix(r.name, params, n_wires=len(r.wires), dtype=psi.dtype, device=psi.device)
        return apply_matrix(psi, m.to(psi.dtype), r.wires)


_STAGES = {"diag": DiagStage, "perm": PermStage, "local": LocalStage, "dense": DenseStage}


def _stages(refs: Sequence[GateRef], n: int) -> list[Stage]:
    return [
        _STAGES[kind](tuple(refs[i] for i in members), n) for kind, members in _group_runs(refs)
    ]


class FullStage(Stage):
    """A run of shared gates multiplied into one dense unitary (small registers only)."""

    kind = "full"

    def __init__(self, refs, n):
        super().__init__(refs, n)
        self.sub = _stages(self.refs, n)

    def apply(self, psi, t):
        if psi.shape[1] < 2**self.n:  # cheaper to apply the gates to the few columns directly
            for st in self.sub:
                psi = st.apply(psi, t)
            return psi
        u = torch.eye(2**self.n, dtype=psi.dtype, device=psi.device)
        for st in self.sub:
            u = st.apply(u, t)
        return u @ psi


class Program:
    """A circuit structure compiled into stages; build with :func:`compile_program` (cached)."""

    def __init__(self, refs: tuple[GateRef, ...], n_qubits: int):
        self.refs, self.n = refs, n_qubits
        stages: list[Stage] = []
        if n_qubits <= DENSE_MAX_QUBITS:
            run: list[GateRef] = []
            for r in list(refs) + [None]:  # type: ignore[list-item]
                if r is not None and not r.batched:
                    run.append(r)
                    continue
                if len(run) >= 2:
                    stages.append(FullStage(run, n_qubits))
                elif run:
                    stages.extend(_stages(run, n_qubits))
                run = []
                if r is not None:
                    stages.extend(_stages([r], n_qubits))
            stages = _merge_neighbours(stages, n_qubits)
        else:
            stages = _stages(refs, n_qubits)
        self.stages = stages

    def __len__(self) -> int:
        return len(self.stages)

    def run(self, psi: Tensor, t: Tables, batch: int, z_only: bool = False) -> Tensor:
        """Apply the program to ``psi`` (``(2^n, 1)`` or ``(2^n, B)``); returns ``(2^n, B)``.

        With ``z_only`` (every measurement diagonal in the computational basis), trailing
        diagonal stages whose angles need no gradient are skipped: they cannot change the result.
        """
        stages = self.stages
        if z_only:
            end = len(stages)
            while end and stages[end - 1].kind == "diag" and not _needs_grad(stages[end - 1], t):
                end -= 1
            stages = stages[:end]
        for st in stages:
            psi = st.apply(psi, t)
        if psi.shape[1] != batch:
            psi = psi.expand(-1, batch)
        return psi


def _needs_grad(stage: Stage, t: Tables) -> bool:
    kinds = {kind for r in stage.refs for kind, _ in r.slots}
    return ("s" in kinds and t.shared.requires_grad) or ("b" in kinds and t.batched.requires_grad)


def _merge_neighbours(stages: list[Stage], n: int) -> list[Stage]:
    """Merge consecutive diag (or perm) stages produced by per-gate planning."""
    out: list[Stage] = []
    for st in stages:
        if out and st.kind == out[-1].kind and st.kind in ("diag", "perm"):
            out[-1] = _STAGES[st.kind](out[-1].refs + st.refs, n)
        else:
            out.append(st)
    return out


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
    batch = max(
        [psi.shape[1], tables.batched.shape[0] if tables.batched.shape[1] else 1]
        + [m.shape[0] for m in tables.matrices if m.ndim == 3]
    )
    return compile_program(refs, n_qubits).run(psi, tables, batch)


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
        raise SimulationMemoryError(
            f"simulating {n_qubits} qubits for batch={batch} needs about {_gib(need)} "
            f"({'with' if grad else 'without'} gradients) but the limit is {_gib(limit)}. "
            f"Use a smaller batch (at most about {fit} rows fit), pass chunk_size={fit} to run "
            "the batch in chunks, or raise the limit with qlearn.config.set_memory_limit()."
        )


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**28 else f"{n / 2**20:.1f} MiB"


def log2_int(size: int, what: str) -> int:
    """``n`` with ``2**n == size``, or a clear error naming ``what``."""
    n = int(round(math.log2(size))) if size > 0 else -1
    if n < 0 or 2**n != size:
        raise ValueError(f"{what} has length {size}, which is not a power of two (2**n_qubits).")
    return n
