r"""The batched state-vector engine.

A state of ``n`` qubits for a batch of ``B`` circuits is stored **amplitude-major**, as a complex
tensor ``psi`` of shape ``(2^n, B)``: row ``k`` holds the amplitude of basis state ``k`` (wire 0
the most significant bit) for every batch row. Public functions take and return the batch-first
``(B, 2^n)`` layout; inside, amplitude-major makes the operations that dominate a re-uploading
circuit cheap:

* a permutation (CNOT ring, SWAP) is one *row* gather, as cheap as a copy;
* a gate shared by all rows is one matrix product on a reshaped view;
* a per-row parameter broadcasts along the last axis.

A list of :class:`Call` (gate name, wires, parameters) is first *planned* into stages, each of which
touches the state once:

================  ===================================================================
stage             what it does
================  ===================================================================
``diag``          a run of diagonal gates: ``psi *= exp(i * (P.T @ theta))``
``perm``          a run of permutation gates: ``psi = psi[src]``
``local``         a run of single-qubit gates, fused per wire; shared wires are applied
                  in Kronecker blocks of up to 4 wires (one 16×16 product per block)
``dense``         one multi-qubit gate: a matrix product on its wires
``full``          (small n, large batch) a run of shared gates multiplied into one
                  :math:`2^n\times 2^n` unitary first, then one matrix product
================  ===================================================================

Plans depend only on the circuit's structure and are cached.
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
#: Wires per Kronecker block in a fused single-qubit layer.
KRON_BLOCK = 4
#: Largest register the simulator accepts at all (2^30 amplitudes is 16 GiB per state row).
MAX_QUBITS = 30


@dataclass(frozen=True)
class Call:
    """One gate application with concrete parameters.

    Attributes:
        name: canonical gate name (see :mod:`qlearn.sim.gates`).
        wires: wire indices, ``0 <= wire < n_qubits``.
        params: each a real tensor, scalar ``()`` (shared) or ``(B,)`` (one value per batch row);
            for ``QubitUnitary`` a single ``(d, d)`` or ``(B, d, d)`` complex matrix.
    """

    name: str
    wires: tuple[int, ...]
    params: tuple[Tensor, ...] = ()

    @property
    def batched(self) -> bool:
        if self.name == "QubitUnitary":
            return self.params[0].ndim == 3
        return any(p.ndim > 0 for p in self.params)

    @property
    def key(self) -> tuple:
        return (self.name, self.wires, self.batched)


# --------------------------------------------------------------------------------------------
# Planning


@dataclass(frozen=True)
class Stage:
    kind: str  # "diag" | "perm" | "local" | "dense" | "full"
    calls: tuple[int, ...]  # indices into the call list
    sub: tuple[Stage, ...] = ()  # for "full": the stages that build the unitary


def _kind(name: str, n_wires: int) -> str:
    kind = gate_spec(name).kind
    if n_wires == 1 and kind == "dense":  # a 1-wire QubitUnitary
        return "local"
    return kind


def _plan_runs(keys: Sequence[tuple], idx: Sequence[int]) -> list[Stage]:
    """Group consecutive calls into diag/perm/local/dense stages."""
    stages: list[tuple[str, list[int]]] = []
    for i in idx:
        name, wires, _batched = keys[i]
        kind = _kind(name, len(wires))
        single = len(wires) == 1
        if stages:
            last_kind, members = stages[-1]
            # a single-qubit gate after a local run fuses into that run, except a per-row
            # diagonal one: a single phase multiply is cheaper than per-row 2x2 products
            if last_kind == "local" and single and not (kind == "diag" and _batched):
                members.append(i)
                continue
            if last_kind == kind and kind in ("diag", "perm", "local"):
                members.append(i)
                continue
        stages.append((kind, [i]))
    merged = _merge_into_local(stages, keys)
    return [Stage(kind, tuple(members)) for kind, members in merged]


def _merge_into_local(stages: list[tuple[str, list[int]]], keys) -> list[tuple[str, list[int]]]:
    """Fold a run of shared single-qubit diagonal gates into the local run that follows it.

    (Rot decomposes as RZ·RY·RZ; without this the leading RZs would cost a pass of their own.)
    Batched diagonal runs stay separate: one phase multiply beats per-wire batched 2×2 products.
    """
    out: list[tuple[str, list[int]]] = []
    for kind, members in stages:
        if (
            kind == "local"
            and out
            and out[-1][0] == "diag"
            and all(len(keys[i][1]) == 1 and not keys[i][2] for i in out[-1][1])
        ):
            out[-1] = ("local", out[-1][1] + members)
            continue
        out.append((kind, members))
    return out


@functools.lru_cache(maxsize=512)
def plan(keys: tuple[tuple, ...], n_qubits: int, use_full: bool) -> tuple[Stage, ...]:
    """Plan a circuit (given by its calls' structure keys) into stages; cached.

    Args:
        keys: ``(name, wires, batched)`` per call.
        n_qubits: register size.
        use_full: whether runs of shared gates may be multiplied into one dense unitary.
    """
    if not use_full:
        return tuple(_plan_runs(keys, range(len(keys))))
    stages: list[Stage] = []
    run: list[int] = []

    def flush() -> None:
        if len(run) >= 2:
            stages.append(Stage("full", tuple(run), tuple(_plan_runs(keys, run))))
        elif run:
            stages.extend(_plan_runs(keys, run))
        run.clear()

    for i, key in enumerate(keys):
        if key[2]:  # batched
            flush()
            stages.extend(_plan_runs(keys, [i]))
        else:
            run.append(i)
    flush()
    # consecutive batched singles were planned one by one: merge neighbouring diag/perm stages
    out: list[Stage] = []
    for st in stages:
        if out and st.kind == out[-1].kind and st.kind in ("diag", "perm"):
            out[-1] = Stage(st.kind, out[-1].calls + st.calls)
        else:
            out.append(st)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Structural tensors (phase patterns, permutations), cached per device


@functools.lru_cache(maxsize=1024)
def _patterns(names_wires: tuple, n_qubits: int, device: torch.device) -> Tensor:
    rows = [phase_pattern(name, n_qubits, wires, device) for name, wires in names_wires]
    return torch.stack(rows)


@functools.lru_cache(maxsize=1024)
def _perm(names_wires: tuple, n_qubits: int, device: torch.device) -> Tensor:
    src = torch.arange(2**n_qubits, device=device)
    for name, wires in names_wires:
        src = src[permutation_source(name, n_qubits, wires, device)]
    return src


# --------------------------------------------------------------------------------------------
# Applying stages to an amplitude-major state (2^n, B)


def _real_dtype(psi: Tensor) -> torch.dtype:
    return torch.float64 if psi.dtype == torch.complex128 else torch.float32


def _apply_diag(psi: Tensor, calls: Sequence[Call], n: int) -> Tensor:
    real = _real_dtype(psi)
    fixed = tuple((c.name, c.wires) for c in calls if not c.params)
    rot = [c for c in calls if c.params]
    phi = None
    if rot:
        pats = _patterns(tuple((c.name, c.wires) for c in rot), n, psi.device).to(real)
        thetas = [c.params[0].to(real) for c in rot]
        if any(t.ndim for t in thetas):
            batch = psi.shape[1]
            theta = torch.stack([t.expand(batch) for t in thetas])  # (K, B)
            phi = pats.T @ theta  # (2^n, B)
        else:
            phi = (pats.T @ torch.stack(thetas))[:, None]  # (2^n, 1)
    if fixed:
        const = _patterns(fixed, n, psi.device).to(real).sum(0)[:, None]
        phi = const if phi is None else phi + const
    if phi is None:
        return psi
    return psi * torch.polar(torch.ones_like(phi), phi)


def _apply_perm(psi: Tensor, calls: Sequence[Call], n: int) -> Tensor:
    src = _perm(tuple((c.name, c.wires) for c in calls), n, psi.device)
    return psi.index_select(0, src)


def _call_matrix(call: Call, dtype: torch.dtype, device: torch.device) -> Tensor:
    m = matrix(call.name, call.params, n_wires=len(call.wires), dtype=dtype, device=device)
    return m.to(dtype)


def apply_block(psi: Tensor, m: Tensor, first: int, n: int) -> Tensor:
    """Apply a shared ``(2^k, 2^k)`` matrix to the contiguous wires ``first .. first+k-1``."""
    d = m.shape[-1]
    view = psi.reshape(2**first, d, -1)
    return torch.matmul(m, view).reshape(psi.shape)


def apply_wire_batched(psi: Tensor, m: Tensor, wire: int, n: int) -> Tensor:
    """Apply per-row 2×2 matrices ``m`` of shape ``(B, 2, 2)`` to one wire."""
    batch = psi.shape[1]
    view = psi.reshape(2**wire, 2, -1, batch)
    s0, s1 = view[:, 0], view[:, 1]
    out0 = m[:, 0, 0] * s0 + m[:, 0, 1] * s1
    out1 = m[:, 1, 0] * s0 + m[:, 1, 1] * s1
    return torch.stack((out0, out1), dim=1).reshape(psi.shape)


def _apply_local(psi: Tensor, calls: Sequence[Call], n: int) -> Tensor:
    per_wire: dict[int, Tensor] = {}
    for call in calls:  # fuse: later gates multiply from the left
        m = _call_matrix(call, psi.dtype, psi.device)
        w = call.wires[0]
        per_wire[w] = m if w not in per_wire else m @ per_wire[w]
    shared = {w: m for w, m in per_wire.items() if m.ndim == 2}
    for w, m in per_wire.items():
        if m.ndim == 3:
            psi = apply_wire_batched(psi, m, w, n)
    for start in range(0, n, KRON_BLOCK):
        block = [w for w in range(start, min(start + KRON_BLOCK, n)) if w in shared]
        if not block:
            continue
        if len(block) == 1:
            psi = apply_block(psi, shared[block[0]], block[0], n)
            continue
        lo, hi = block[0], block[-1]
        eye = torch.eye(2, dtype=psi.dtype, device=psi.device)
        kron = shared.get(lo, eye)
        for w in range(lo + 1, hi + 1):
            kron = torch.kron(kron, shared.get(w, eye))
        psi = apply_block(psi, kron, lo, n)
    return psi


def apply_matrix(psi: Tensor, m: Tensor, wires: Sequence[int], n: int) -> Tensor:
    """Apply a ``(2^k, 2^k)`` or per-row ``(B, 2^k, 2^k)`` matrix to arbitrary wires."""
    k, batch = len(wires), psi.shape[1]
    if list(wires) == list(range(wires[0], wires[0] + k)) and m.ndim == 2:
        return apply_block(psi, m, wires[0], n)
    t = psi.reshape([2] * n + [batch]).movedim(list(wires), list(range(k)))
    rest = t.shape[k:]
    t = t.reshape(2**k, -1, batch)
    if m.ndim == 2:
        t = torch.matmul(m, t.reshape(2**k, -1)).reshape(2**k, -1, batch)
    else:
        t = torch.einsum("bij,jrb->irb", m, t)
    t = t.reshape([2] * k + list(rest)).movedim(list(range(k)), list(wires))
    return t.reshape(psi.shape)


def _apply_dense(psi: Tensor, call: Call, n: int) -> Tensor:
    m = _call_matrix(call, psi.dtype, psi.device)
    return apply_matrix(psi, m, call.wires, n)


def _apply_stage(psi: Tensor, stage: Stage, calls: Sequence[Call], n: int) -> Tensor:
    members = [calls[i] for i in stage.calls]
    if stage.kind == "diag":
        return _apply_diag(psi, members, n)
    if stage.kind == "perm":
        return _apply_perm(psi, members, n)
    if stage.kind == "local":
        return _apply_local(psi, members, n)
    if stage.kind == "dense":
        return _apply_dense(psi, members[0], n)
    # "full": multiply the run into one unitary by running it on the identity's columns
    u = torch.eye(2**n, dtype=psi.dtype, device=psi.device)
    for sub in stage.sub:
        u = _apply_stage(u, sub, calls, n)
    return u @ psi


def run(psi: Tensor, calls: Sequence[Call], n_qubits: int) -> Tensor:
    """Apply ``calls`` to the amplitude-major state ``psi`` of shape ``(2^n, B)``."""
    if not calls:
        return psi
    keys = tuple(c.key for c in calls)
    use_full = n_qubits <= DENSE_MAX_QUBITS and psi.shape[1] >= 2**n_qubits
    for stage in plan(keys, n_qubits, use_full):
        psi = _apply_stage(psi, stage, calls, n_qubits)
    return psi


def zero_state(n_qubits: int, batch: int, *, dtype: torch.dtype, device: torch.device) -> Tensor:
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


def n_stages(calls: Sequence[Call], n_qubits: int, batch: int) -> int:
    """Number of passes over the state that ``run`` will make."""
    keys = tuple(c.key for c in calls)
    use_full = n_qubits <= DENSE_MAX_QUBITS and batch >= 2**n_qubits
    return len(plan(keys, n_qubits, use_full)) if calls else 0


def log2_int(size: int, what: str) -> int:
    """``n`` with ``2**n == size``, or a clear error naming ``what``."""
    n = int(round(math.log2(size))) if size > 0 else -1
    if n < 0 or 2**n != size:
        raise ValueError(f"{what} has length {size}, which is not a power of two (2**n_qubits).")
    return n
