r"""Stages: the passes over the state that a compiled program makes.

Every stage applies a run of gates in one pass over the amplitude-major state ``psi``
(``(2^n, 1)`` while no per-row gate has acted yet, else ``(2^n, B)``):

* :class:`PhaseStage` — diagonal gates, ``psi *= exp(i*phi)``. A term acting on one wire
  contributes a per-wire factor ``(e^{iθ g_0}, e^{iθ g_1})``; the factors of all wires multiply
  into the full phase by outer products, with no ``exp`` over the whole state. Other terms
  (CZ, IsingZZ, or a single-wire phase moved through a CNOT) carry a full pattern
  :math:`p(k)`, and :math:`\phi = P^\top\theta` is one small matrix product.
* :class:`PermStage` — permutation gates composed into one gather.
* :class:`LocalStage` — single-qubit gates fused per wire, neighbouring wires applied as 4×4
  blocks; wires whose gates are real (RY, Hadamard) use real arithmetic.
* :class:`DenseStage` — one multi-qubit gate by its matrix.
* :class:`FullStage` — shared gates multiplied into one unitary (small registers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from qlearn.sim.gates import gate_spec, matrix, permutation_source, phase_pattern
from qlearn.sim.kernels import (
    apply_block,
    apply_block_real,
    apply_matrix,
    apply_phase,
    apply_wire_batched,
    gather_rows,
)

Tensor = torch.Tensor
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

    def gather(self, slots: Sequence[Slot], real: torch.dtype) -> Tensor:
        """Angles of ``slots`` as ``(K, 1)`` when all are shared, else ``(K, B)``."""
        kinds = {kind for kind, _ in slots}
        if kinds == {"s"}:
            return self.shared[[k for _, k in slots]].to(real)[:, None]
        if kinds == {"b"}:
            return self.batched[:, [k for _, k in slots]].to(real).T
        batch = self.batched.shape[0]
        rows = [
            self.shared[k].expand(batch) if kind == "s" else self.batched[:, k] for kind, k in slots
        ]
        return torch.stack(rows).to(real)


def real_of(psi: Tensor) -> torch.dtype:
    return torch.float64 if psi.dtype == torch.complex128 else torch.float32


class Stage:
    """One pass over the state; subclasses precompute structure and ``apply`` it."""

    kind = ""

    def __init__(self, refs: Sequence[GateRef], n: int):
        self.refs = tuple(refs)
        self.n = n
        self.slot_kinds = frozenset(kind for r in self.refs for kind, _ in r.slots)
        self._cache: dict[tuple, object] = {}

    def cached(self, key: tuple, device: torch.device, build):
        """A structural tensor built once per device."""
        full = (*key, str(device))
        if full not in self._cache:
            self._cache[full] = build(device)
        return self._cache[full]

    def needs_grad(self, t: Tables) -> bool:
        """Whether any angle of this stage carries a gradient in this run."""
        return ("s" in self.slot_kinds and t.shared.requires_grad) or (
            "b" in self.slot_kinds and t.batched.requires_grad
        )

    def apply(self, psi: Tensor, t: Tables) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError


# --------------------------------------------------------------------------------------------
# Diagonal gates

#: Per-wire phase generators of single-qubit diagonal gates: U = diag(e^{iθ g0}, e^{iθ g1});
#: for the parameter-free ones θ = 1.
LOCAL_PHASE = {
    "RZ": (-0.5, 0.5),
    "PhaseShift": (0.0, 1.0),
    "PauliZ": (0.0, math.pi),
    "S": (0.0, math.pi / 2),
    "T": (0.0, math.pi / 4),
    "Identity": (0.0, 0.0),
}


@dataclass(frozen=True)
class PhaseTerm:
    """A diagonal factor ``exp(i θ p(k))``: θ from ``slot`` (1 when ``None``).

    Either one wire with generators ``gens`` (``p = g0`` where the wire's bit is 0, ``g1`` where
    it is 1), or a full ``pattern`` of shape ``(2^n,)``.
    """

    slot: Slot | None
    wire: int | None = None
    gens: tuple[float, float] | None = None
    pattern: Tensor | None = None

    @staticmethod
    def of_gate(ref: GateRef, n: int) -> PhaseTerm:
        slot = ref.slots[0] if ref.slots else None
        if len(ref.wires) == 1 and ref.name in LOCAL_PHASE:
            return PhaseTerm(slot, ref.wires[0], LOCAL_PHASE[ref.name])
        return PhaseTerm(slot, pattern=phase_pattern(ref.name, n, ref.wires, "cpu"))

    def full_pattern(self, n: int) -> Tensor:
        if self.pattern is not None:
            return self.pattern
        bit = (torch.arange(2**n) >> (n - 1 - self.wire)) & 1
        g0, g1 = self.gens
        return g0 + (g1 - g0) * bit.to(torch.float64)

    def permuted(self, src: Tensor, n: int) -> PhaseTerm:
        """The term seen after a permutation: ``P D = D' P`` with ``p'(k) = p(src(k))``."""
        return PhaseTerm.from_pattern(self.slot, self.full_pattern(n)[src], n)

    @staticmethod
    def from_pattern(slot: Slot | None, p: Tensor, n: int) -> PhaseTerm:
        """A term from a full pattern, in per-wire form when it depends on one wire only."""
        support = [w for w in range(n) if not _independent_of(p, w, n)]
        if len(support) == 1:
            w = support[0]
            return PhaseTerm(slot, w, (float(p[0]), float(p[1 << (n - 1 - w)])))
        return PhaseTerm(slot, pattern=p)

    def support(self, n: int) -> set[int]:
        if self.wire is not None:
            return {self.wire}
        return {w for w in range(n) if not _independent_of(self.pattern, w, n)}


def _independent_of(p: Tensor, wire: int, n: int) -> bool:
    view = p.reshape(2**wire, 2, -1)
    return bool(torch.equal(view[:, 0], view[:, 1]))


class PhaseStage(Stage):
    """``psi *= exp(i*phi)`` for a set of diagonal terms (see the module docstring).

    The phase is split into a per-row factor (terms with per-row angles, usually the data
    encoding) and a one-column factor (fixed and shared angles, usually trainable): the
    gradient of the shared angles then needs one pass over the state (:func:`apply_phase`).
    """

    kind = "diag"

    def __init__(self, terms: Sequence[PhaseTerm], n: int, refs: Sequence[GateRef] = ()):
        super().__init__(refs, n)
        self.terms = tuple(terms)
        self.slot_kinds = frozenset(t.slot[0] for t in self.terms if t.slot is not None)
        rows = [t for t in self.terms if t.slot is not None and t.slot[0] == "b"]
        shared = [t for t in self.terms if t.slot is None or t.slot[0] == "s"]
        self.parts = [_PhasePart(rows, n), _PhasePart(shared, n)]

    @staticmethod
    def of_gates(refs: Sequence[GateRef], n: int) -> PhaseStage:
        return PhaseStage([PhaseTerm.of_gate(r, n) for r in refs], n, refs)

    def apply(self, psi, t):
        real = real_of(psi)
        f, s = (part.phase(self, t, real, psi.dtype, psi.device) for part in self.parts)
        return apply_phase(psi, f, s)


class _PhasePart:
    """The product of some phase terms: per-wire factors times a general ``exp(i P^T θ)``."""

    def __init__(self, terms: Sequence[PhaseTerm], n: int):
        self.n = n
        self.terms = list(terms)
        self.local = [t for t in self.terms if t.wire is not None]
        self.general = [t for t in self.terms if t.wire is None]
        self.wires = sorted({t.wire for t in self.local})
        self.key = id(self)

    def _structure(self, device):
        """Per-wire generators (2·n_w, K) and constants, general patterns (2^n, K), constants."""
        pos = {w: i for i, w in enumerate(self.wires)}
        loc = [t for t in self.local if t.slot is not None]
        gen = torch.zeros(2 * len(self.wires), max(len(loc), 1), dtype=torch.float64)
        lconst = torch.zeros(2 * len(self.wires), 1, dtype=torch.float64)
        for k, term in enumerate(loc):
            i = 2 * pos[term.wire]
            gen[i : i + 2, k] = torch.tensor(term.gens, dtype=torch.float64)
        for term in self.local:
            if term.slot is None:
                i = 2 * pos[term.wire]
                lconst[i : i + 2, 0] += torch.tensor(term.gens, dtype=torch.float64)
        gnr = [t for t in self.general if t.slot is not None]
        pats = torch.stack([t.full_pattern(self.n) for t in gnr]).T.contiguous() if gnr else None
        gconst = torch.zeros(2**self.n, 1, dtype=torch.float64)
        for term in self.general:
            if term.slot is None:
                gconst[:, 0] += term.full_pattern(self.n)
        has_gconst = any(t.slot is None for t in self.general)
        return (
            gen.to(device),
            lconst.to(device),
            [t.slot for t in loc],
            None if pats is None else pats.to(device),
            gconst.to(device),
            has_gconst,
            [t.slot for t in gnr],
        )

    def phase(self, stage: Stage, t: Tables, real, cplx, device) -> Tensor | None:
        if not self.terms:
            return None
        gen, lconst, lslots, pats, gconst, has_gconst, gslots = stage.cached(
            ("part", self.key), device, self._structure
        )
        phase = None
        if self.local:
            angles = lconst.to(real)
            if lslots:
                angles = angles + gen.to(real) @ t.gather(lslots, real)
            e = torch.complex(torch.cos(angles), torch.sin(angles)).to(cplx)
            phase = _outer_chain(e.reshape(len(self.wires), 2, -1), self.wires, self.n)
        if self.general:
            phi = gconst.to(real) if has_gconst else 0.0
            if gslots:
                phi = phi + pats.to(real) @ t.gather(gslots, real)
            e = torch.complex(torch.cos(phi), torch.sin(phi)).to(cplx)
            phase = e if phase is None else phase * e
        return phase


def _outer_chain(e: Tensor, wires: list[int], n: int) -> Tensor:
    """Full phase from per-wire factors ``e[i] = (e_0, e_1)`` of ``wires``: ``(2^n, cols)``."""
    cols = e.shape[-1]
    phase = torch.ones(1, cols, dtype=e.dtype, device=e.device)
    for w in range(n):
        if w in wires:
            phase = (phase[:, None, :] * e[wires.index(w)][None]).reshape(-1, cols)
        else:
            phase = phase[:, None, :].expand(-1, 2, -1).reshape(-1, cols)
    return phase


# --------------------------------------------------------------------------------------------
# Permutations


class PermStage(Stage):
    """``psi = psi[src]`` for the composed permutation of the run."""

    kind = "perm"

    def source(self, device: torch.device | str = "cpu") -> Tensor:
        src = torch.arange(2**self.n, device=device)
        for r in self.refs:
            src = src[permutation_source(r.name, self.n, r.wires, device)]
        return src

    def _indices(self, device):
        src = self.source(device)
        return src, torch.argsort(src)

    def apply(self, psi, t):
        src, inverse = self.cached(("src",), psi.device, self._indices)
        return gather_rows(psi, src, inverse)


# --------------------------------------------------------------------------------------------
# Single-qubit gates

#: Gates whose matrices are real: a wire made only of these is applied with real arithmetic.
REAL_GATES = frozenset({"RY", "Hadamard", "PauliX", "Identity"})


class LocalStage(Stage):
    """Single-qubit gates fused per wire; neighbouring shared wires applied as 4×4 blocks."""

    kind = "local"

    def __init__(self, refs, n):
        super().__init__(refs, n)
        self.shared_groups: dict[str, list[int]] = {}
        for i, r in enumerate(self.refs):
            if not r.batched and r.name != "QubitUnitary":
                self.shared_groups.setdefault(r.name, []).append(i)
        self.real_wires = {r.wires[0] for r in self.refs} - {
            r.wires[0] for r in self.refs if r.name not in REAL_GATES or r.batched
        }
        shared_wires = sorted(
            {r.wires[0] for r in self.refs} - {r.wires[0] for r in self.refs if r.batched}
        )
        self.blocks: list[tuple[int, ...]] = []
        i = 0
        while i < len(shared_wires):
            w = shared_wires[i]
            if i + 1 < len(shared_wires) and shared_wires[i + 1] == w + 1:
                self.blocks.append((w, w + 1))
                i += 2
            else:
                self.blocks.append((w,))
                i += 1

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
        for block in self.blocks:
            real = all(w in self.real_wires for w in block)
            if len(block) == 1:
                m = per_wire[block[0]]
            else:
                a, b = per_wire[block[0]], per_wire[block[1]]
                m = (a[:, None, :, None] * b[None, :, None, :]).reshape(4, 4)
            psi = apply_block_real(psi, m.real, block[0]) if real else apply_block(psi, m, block[0])
        return psi


# --------------------------------------------------------------------------------------------
# Multi-qubit gates and dense unitaries


class DenseStage(Stage):
    """One multi-qubit gate applied by its matrix."""

    kind = "dense"

    def apply(self, psi, t):
        r = self.refs[0]
        real = real_of(psi)
        params = tuple(p if p.is_complex() else p.to(real) for p in t.values(r))
        m = matrix(r.name, params, n_wires=len(r.wires), dtype=psi.dtype, device=psi.device)
        return apply_matrix(psi, m.to(psi.dtype), r.wires)


class FullStage(Stage):
    """A run of shared gates multiplied into one dense unitary (small registers only)."""

    kind = "full"

    def __init__(self, refs, n, sub: Sequence[Stage]):
        super().__init__(refs, n)
        self.sub = list(sub)

    def apply(self, psi, t):
        if psi.shape[1] < 2**self.n:  # cheaper to apply the gates to the few columns directly
            for st in self.sub:
                psi = st.apply(psi, t)
            return psi
        u = torch.eye(2**self.n, dtype=psi.dtype, device=psi.device)
        for st in self.sub:
            u = st.apply(u, t)
        return u @ psi
