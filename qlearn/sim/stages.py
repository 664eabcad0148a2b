r"""Stages: the passes over the state that a compiled program makes.

Every stage applies a run of gates in one pass over the amplitude-major state ``psi``
(``(2^n, 1)`` while no per-row gate has acted yet, else ``(2^n, B)``):

* :class:`PhaseStage` — diagonal gates, ``psi *= exp(i*phi)``. A term acting on one wire
  contributes a per-wire factor ``(e^{iθ g_0}, e^{iθ g_1})``; the factors of all wires multiply
  into the full phase by outer products, with no ``exp`` over the whole state. Other terms
  (CZ, IsingZZ, or a single-wire phase moved through a CNOT) carry a full pattern
  :math:`p(k)`, and :math:`\phi = P^\top\theta` is one small matrix product.
* :class:`PermStage` — permutation gates composed into one gather.
* :class:`PermPhaseStage` — a permutation and the phases after it, in one pass.
* :class:`LocalStage` — single-qubit gates fused per wire, neighbouring wires applied as 4×4
  blocks; wires whose gates are real (RY, Hadamard) use real arithmetic.
* :class:`DenseStage` — one multi-qubit gate by its matrix.
* :class:`FullStage` — shared gates multiplied into one unitary (small registers).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from qlearn.sim import jit
from qlearn.sim.gates import gate_spec, matrix, permutation_source, phase_pattern
from qlearn.sim.kernels import (
    apply_block,
    apply_block_real,
    apply_matrix,
    apply_phase,
    apply_wire_batched,
    block_gram,
    block_into,
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
            idx = _index(tuple(k for _, k in slots), self.shared.device)
            return self.shared.index_select(0, idx).to(real)[:, None]
        if kinds == {"b"}:
            idx = _index(tuple(k for _, k in slots), self.batched.device)
            return self.batched.index_select(1, idx).to(real).T
        batch = self.batched.shape[0]
        rows = [
            self.shared[k].expand(batch) if kind == "s" else self.batched[:, k] for kind, k in slots
        ]
        return torch.stack(rows).to(real)


@functools.lru_cache(maxsize=4096)
def _index(ks: tuple[int, ...], device: torch.device) -> Tensor:
    """A cached index tensor (building one from a list costs more than the gather)."""
    return torch.tensor(ks, dtype=torch.long, device=device)


def real_of(psi: Tensor) -> torch.dtype:
    return torch.float64 if psi.dtype == torch.complex128 else torch.float32


class Stage:
    """One pass over the state; subclasses precompute structure and apply it.

    A stage's parameters — the matrices or phases its gates amount to — are built from the
    tables by :meth:`params` (with autograd), and applied by :meth:`apply_params`. The reverse
    mode of :mod:`qlearn.sim.reverse` also calls :meth:`forward_into` (the same, into reusable
    buffers) and :meth:`reverse` (adjoint and parameter gradients). The generic :meth:`reverse`
    recomputes the stage from its kept input with autograd; hot stages override it.
    """

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

    def params(
        self, t: Tables, cplx: torch.dtype, device: torch.device, memo: dict
    ) -> tuple[Tensor | None, ...]:
        """The stage's parameter tensors for this run (``memo`` shares equal ones)."""
        return ()

    def apply_params(self, psi: Tensor, params: Sequence[Tensor | None]) -> Tensor:
        raise NotImplementedError  # pragma: no cover - abstract

    def apply(self, psi: Tensor, t: Tables) -> Tensor:
        return self.apply_params(psi, self.params(t, psi.dtype, psi.device, {}))

    # ---- reverse mode (see qlearn.sim.reverse) ------------------------------------------------
    def psi_needed(self, needs: Sequence[bool]) -> str | None:
        """Which state :meth:`reverse` needs: ``"in"``, ``"either"`` (input or output) or None."""
        return "in"

    def forward_into(self, psi: Tensor, params: Sequence[Tensor | None], ws: Buffers) -> Tensor:
        """:meth:`apply_params` without autograd; may take its output from ``ws``."""
        return self.apply_params(psi, params)

    def reverse(
        self,
        psi: Tensor | None,
        at: str,
        lam: Tensor,
        params: Sequence[Tensor | None],
        needs: Sequence[bool],
        ws: Buffers,
    ) -> tuple[Tensor, list[Tensor | None]]:
        """``(lam_in, grads)`` from the adjoint ``lam`` after the stage and the state ``psi``
        (before it if ``at == "in"``, after it if ``"out"``).

        Generic rule: recompute the stage from its input with autograd (one extra pass).
        """
        with torch.enable_grad():
            x = psi.detach().requires_grad_(True)
            ps = [
                None if p is None else (p.detach().requires_grad_(True) if need else p.detach())
                for p, need in zip(params, needs, strict=True)
            ]
            out = self.apply_params(x, ps)
            wrt = [x] + [p for p in ps if p is not None and p.requires_grad]
            grads = list(torch.autograd.grad(out, wrt, lam, allow_unused=True))
        lam_in, rest = grads[0], iter(grads[1:])
        return lam_in, [next(rest) if p is not None and p.requires_grad else None for p in ps]


class Buffers:
    """State-sized scratch tensors for one run, taken from and given back to a workspace."""

    def __init__(self, workspace, device: torch.device):
        self.workspace, self.device = workspace, device
        self._conj: dict[int, tuple[Tensor, Tensor]] = {}
        self._memo: dict[tuple, object] = {}

    def take(self, shape, dtype: torch.dtype) -> Tensor:
        return self.workspace.take(shape, dtype, self.device)

    def give(self, *tensors: Tensor | None) -> None:
        self.workspace.give(*tensors)

    def conj(self, t: Tensor) -> Tensor:
        """The complex conjugate of ``t`` as a real tensor, made once per run (a lazy
        ``t.conj()`` would be copied by every product that reads it)."""
        if id(t) not in self._conj:
            out = torch.conj_physical(t, out=self.take(t.shape, t.dtype))
            self._conj[id(t)] = (t, out)  # t kept alive: its id stays unique
        return self._conj[id(t)][1]

    def memo(self, key: tuple, build):
        """A value built once per run (keys hold ids of tensors the caller keeps alive)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def release(self) -> None:
        """Give back the conjugates made by :meth:`conj`."""
        self.give(*(out for _, out in self._conj.values()))
        self._conj.clear()


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
        return self.local_pattern(n, self.wire)

    def local_pattern(self, n: int, wire: int) -> Tensor:
        """A per-wire term's pattern on a register of ``n`` wires where it sits at ``wire``."""
        bit = (torch.arange(2**n) >> (n - 1 - wire)) & 1
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
        self.parts = [_PhasePart(rows, n, per_row=True), _PhasePart(shared, n, per_row=False)]

    @staticmethod
    def of_gates(refs: Sequence[GateRef], n: int) -> PhaseStage:
        return PhaseStage([PhaseTerm.of_gate(r, n) for r in refs], n, refs)

    def params(self, t, cplx, device, memo):
        """``(hi, lo, s)``: the per-row phase ``f`` ``(2^n, B)`` as the factors of its outer
        product over the rows (``f[k] = hi[k // L] * lo[k % L]``, ``lo`` ``(L, B)``; ``lo`` is
        None when ``hi`` is the whole of ``f``), and the one-column phase ``s`` ``(2^n, 1)``.
        Any may be None. Equal per-row parts (a re-uploaded encoding) are built once."""
        real = torch.float64 if cplx == torch.complex128 else torch.float32
        part = self.parts[0]
        key = ("phase", part.signature) if part.signature is not None else None
        if key is not None and key in memo:
            hi, lo = memo[key]
        else:
            hi, lo = part.factors(self, t, real, cplx)
            if key is not None:
                memo[key] = hi, lo
        shared = self.parts[1]
        s = memo.get(("shared", id(shared)))  # made for every stage at once (shared_phases)
        if s is None:
            s = shared.factors(self, t, real, cplx)[0]
        return hi, lo, s

    def apply_params(self, psi, params):
        hi, lo, s = params
        return apply_phase(psi, _outer(hi, lo), s)

    def psi_needed(self, needs):
        return "either" if any(needs) else None

    def fused(self, psi: Tensor, params) -> bool:
        """Whether the compiled loops of :func:`qlearn.sim.jit.phase` apply."""
        hi, lo, s = params
        return (
            hi is not None
            and psi.shape[0] * hi.shape[1] >= jit.PHASE_MIN_ELEMENTS
            and psi.shape[1] in (1, hi.shape[1])  # one column: not yet touched per row
            and (lo is None or lo.shape[1] == hi.shape[1])
            and jit.usable(psi, hi, *(t for t in (lo, s) if t is not None))
        )

    @staticmethod
    def out_shape(psi: Tensor, params) -> tuple[int, int]:
        """The shape of the phase's output (as many columns as the per-row phase)."""
        return psi.shape[0], params[0].shape[1]

    @staticmethod
    def compiled_params(params) -> tuple:
        """``(hi, lo, s)`` for the compiled loops: ones for a missing one-column phase."""
        hi, lo, s = params
        return (
            hi,
            lo,
            _ones(hi.shape[0] * (1 if lo is None else lo.shape[0]), hi.dtype) if s is None else s,
        )

    def compiled_reverse(self, lam, psi, at, params, needs, ws, rows=None):
        """The reverse pass in one compiled loop, or None where it does not apply (a per-row
        phase that needs a gradient, or shapes it does not take)."""
        state = lam if psi is None else psi  # no gradient needed: any state will do
        if needs[0] or needs[1] or lam.shape != state.shape or not self.fused(state, params):
            return None
        if state.shape[1] != params[0].shape[1]:  # one column: the loop wants every column
            return None
        hi, lo, s = self.compiled_params(params)
        lam_in = ws.take(lam.shape, lam.dtype)
        hsum = jit.phase_reverse(lam, hi, lo, s, state, lam_in, at == "out", rows=rows)
        return lam_in, [None, None, s * hsum if needs[2] else None]

    def forward_into(self, psi, params, ws):
        hi, lo, s = params
        if hi is None and s is None:
            return psi
        if self.fused(psi, params):
            out = ws.take(self.out_shape(psi, params), psi.dtype)
            return jit.phase(psi, *self.compiled_params(params), out)
        f = ws.memo(("outer", id(hi), id(lo)), lambda: _outer(hi, lo))
        cols = max(psi.shape[1], 1 if f is None else f.shape[1])
        out = ws.take((psi.shape[0], cols), psi.dtype)
        torch.mul(psi, s if f is None else f, out=out)
        if f is not None and s is not None:
            out.mul_(s)
        return out

    def reverse(self, psi, at, lam, params, needs, ws):
        r"""With :math:`\lambda_{in} = \bar f \bar s \lambda`, the product
        :math:`h = \lambda\,\bar\psi` is the same before and after the stage, and
        :math:`\bar g_s = s \sum_b h`, :math:`\bar g_f = f h` (as :func:`apply_phase`); the
        factors of :math:`f = hi \otimes lo` get :math:`\bar g_f` contracted with the other."""
        hi, lo, s = params
        if hi is None and s is None:
            return lam, [None, None, None]
        done = self.compiled_reverse(lam, psi, at, params, needs, ws)
        if done is not None:  # the common case (an encoding and trainable phases) in one pass
            return done
        need_f = needs[0] or needs[1]
        f = ws.memo(("outer", id(hi), id(lo)), lambda: _outer(hi, lo))
        lam_in = ws.take(lam.shape, lam.dtype)
        torch.mul(lam, ws.conj(s if f is None else f), out=lam_in)
        if f is not None and s is not None:
            lam_in.mul_(ws.conj(s))
        grads: list[Tensor | None] = [None, None, None]
        if (f is None or not need_f) and (s is None or not needs[2]):
            return lam_in, grads
        ref = lam if at == "out" else lam_in
        h = ws.take(ref.shape, ref.dtype)  # h = ref * conj(psi), in a pooled buffer
        if psi.shape == ref.shape:
            torch.conj_physical(psi, out=h).mul_(ref)
        else:
            torch.mul(ref, psi.conj().resolve_conj(), out=h)
        if s is not None and needs[2]:
            grads[2] = s * h.sum(1, keepdim=True)
        if f is not None and need_f:
            g = f * h
            g = g if g.shape[1] == f.shape[1] else g.sum(1, keepdim=True)
            grads[0], grads[1] = _outer_grads(g, hi, lo, needs)
        ws.give(h)
        return lam_in, grads


@functools.lru_cache(maxsize=64)
def _ones(n: int, dtype: torch.dtype) -> Tensor:
    return torch.ones(n, 1, dtype=dtype)


def _outer(hi: Tensor | None, lo: Tensor | None) -> Tensor | None:
    """The per-row phase from its factors: ``f[i * L + j] = hi[i] * lo[j]``."""
    if hi is None or lo is None:
        return hi
    cols = max(hi.shape[1], lo.shape[1])
    return (hi[:, None, :] * lo[None, :, :]).reshape(-1, cols)


def _outer_grads(g: Tensor, hi: Tensor, lo: Tensor | None, needs) -> tuple:
    """Gradients of the factors of :func:`_outer` from the gradient ``g`` of their product."""
    if lo is None:
        return g, None
    g3 = g.reshape(hi.shape[0], lo.shape[0], -1)
    grad_hi = (g3 * lo.conj()[None]).sum(1) if needs[0] else None
    grad_lo = (g3 * hi.conj()[:, None]).sum(0) if needs[1] else None
    if grad_hi is not None and grad_hi.shape[1] != hi.shape[1]:
        grad_hi = grad_hi.sum(1, keepdim=True)
    if grad_lo is not None and grad_lo.shape[1] != lo.shape[1]:
        grad_lo = grad_lo.sum(1, keepdim=True)
    return grad_hi, grad_lo


class _PhasePart:
    r"""``exp(i·phi)`` for some phase terms, :math:`\phi = c + \sum_k \theta_k p_k`.

    In general :math:`\phi = c + P^\top\theta` is one ``(2^n, K) @ (K, cols)`` product. When
    the angles differ per row and every term acts on one wire, the register is cut into two
    halves instead: each half's phase costs a small product and a ``cos``/``sin`` on
    ``(2^{n/2}, B)``, and the full phase is their outer product — no ``exp`` over the whole
    ``(2^n, B)`` state, and a dozen tensor operations whatever the number of gates.
    """

    def __init__(self, terms: Sequence[PhaseTerm], n: int, per_row: bool):
        self.n = n
        self.terms = list(terms)
        self.split = per_row and n >= 2 and all(t.wire is not None for t in self.terms)
        self.key = id(self)
        # parts with this signature compute the same phase from the same tables
        self.signature = (
            (per_row, tuple((t.slot, t.wire, t.gens) for t in self.terms)) if self.split else None
        )

    def _pattern(self, term: PhaseTerm, lo: int, hi: int) -> Tensor:
        """The term's pattern on wires lo..hi-1 (zero if it acts elsewhere)."""
        if term.wire is None:
            return term.full_pattern(self.n)
        if not lo <= term.wire < hi:
            return torch.zeros(2 ** (hi - lo), dtype=torch.float64)
        return term.local_pattern(hi - lo, term.wire - lo)

    def _structure(self, device):
        slotted = [t for t in self.terms if t.slot is not None]
        fixed = [t for t in self.terms if t.slot is None]
        ranges = [(0, self.n // 2), (self.n // 2, self.n)] if self.split else [(0, self.n)]
        halves = []
        for lo, hi in ranges:
            size = 2 ** (hi - lo)
            pats = torch.zeros(size, max(len(slotted), 1), dtype=torch.float64)
            for k, term in enumerate(slotted):
                pats[:, k] = self._pattern(term, lo, hi)
            const = torch.zeros(size, 1, dtype=torch.float64)
            for term in fixed:
                const[:, 0] += self._pattern(term, lo, hi)
            halves.append((pats.to(device), const.to(device)))
        return halves, [t.slot for t in slotted]

    def factors(self, stage: Stage, t: Tables, real, cplx) -> tuple[Tensor | None, Tensor | None]:
        """``(hi, lo)``: the phase is their outer product over the rows (``lo`` is None when
        the register is not cut in two); ``(None, None)`` without terms."""
        if not self.terms:
            return None, None
        device = t.shared.device
        halves, slots = stage.cached(("part", self.key), device, self._structure)
        theta = t.gather(slots, real) if slots else None
        factors = []
        for pats, const in halves:
            if theta is None:
                phi = const.to(real)
                factors.append(torch.complex(torch.cos(phi), torch.sin(phi)))
            else:
                factors.append(_ExpPhase.apply(theta, pats.to(real), const.to(real)))
        if len(factors) == 1:
            return factors[0].to(cplx), None
        return factors[0].to(cplx), factors[1].to(cplx)


def shared_phases(stages: Sequence[Stage], t: Tables, cplx: torch.dtype, memo: dict) -> None:
    r"""The one-column phases :math:`e^{i\phi}` of every phase stage among ``stages`` with
    shared angles, as one autograd node instead of one per stage, into ``memo`` (where
    :meth:`PhaseStage.params` finds them)."""
    device = t.shared.device
    parts, slots, pats, const, onehot = _shared_structure(tuple(stages), device)
    if not parts:
        return
    real = torch.float64 if cplx == torch.complex128 else torch.float32
    theta = t.gather(slots, real)
    s = _ExpPhases.apply(theta, pats.to(real), const.to(real), onehot.to(real)).to(cplx)
    for i, part in enumerate(parts):  # rows of s: contiguous (N, 1) columns
        memo[("shared", id(part))] = s[i][:, None]


@functools.lru_cache(maxsize=64)
def _shared_structure(stages: tuple[Stage, ...], device: torch.device):
    """For :func:`shared_phases`: the shared phase parts with angles, their slots, patterns
    ``(K, 2^n)``, constant phases ``(M, 2^n)`` and the angle-to-part map ``(K, M)``."""
    found = []
    for st in stages:
        phase = st if isinstance(st, PhaseStage) else getattr(st, "phase", None)
        if isinstance(phase, PhaseStage) and any(x.slot for x in phase.parts[1].terms):
            found.append((phase, phase.parts[1]))
    if not found:
        return (), (), None, None, None
    slots, pats, const, owner = [], [], [], []
    for i, (phase, part) in enumerate(found):
        halves, part_slots = phase.cached(("part", part.key), device, part._structure)
        (p, c) = halves[0]  # a shared part is never cut in two
        slots += part_slots
        pats.append(p)
        const.append(c)
        owner += [i] * len(part_slots)
    onehot = torch.zeros(len(owner), len(found), dtype=torch.float64)
    onehot[torch.arange(len(owner)), torch.tensor(owner)] = 1.0
    onehot = onehot.to(device)
    parts = tuple(part for _, part in found)
    pats_t, const_t = (torch.cat(x, 1).T.contiguous() for x in (pats, const))
    return parts, tuple(slots), pats_t, const_t, onehot


class _ExpPhases(torch.autograd.Function):
    r"""Several phases :math:`s_j = e^{i\phi_j}`, :math:`\phi_j = c_j + P_j\theta_j`, as
    one node: the rows of :math:`\Phi = C + H^\top(\operatorname{diag}(\theta)\,P)` for
    the transposed patterns :math:`P` ``(K, 2^n)`` stacked and :math:`H` ``(K, M)`` mapping
    each angle to its phase; the gradient as for :class:`_ExpPhase`, :math:`g_{\theta_k} =
    \sum_n P_{kn} (H g_\Phi)_{kn}`."""

    @staticmethod
    def forward(ctx, theta, pats, const, onehot):
        phi = const + onehot.T @ (theta * pats)
        s = torch.complex(torch.cos(phi), torch.sin(phi))
        ctx.save_for_backward(pats, onehot, s)
        return s

    @staticmethod
    def backward(ctx, grad):
        pats, onehot, s = ctx.saved_tensors
        grad_phi = (s.conj() * grad).imag
        return ((onehot @ grad_phi) * pats).sum(1, keepdim=True), None, None, None


class _ExpPhase(torch.autograd.Function):
    r""":math:`s = e^{i\phi}` with :math:`\phi = c + P\theta`, as one autograd node.

    For unit-modulus :math:`s` and torch's gradient :math:`g_s`, the phase's gradient is
    :math:`g_\phi = \mathrm{Im}(\bar s\, g_s)`, so :math:`g_\theta = P^\top g_\phi`: one
    small product instead of autograd's chain (product, sum, cos, sin, complex) per stage.
    """

    @staticmethod
    def forward(ctx, theta: Tensor, pats: Tensor, const: Tensor) -> Tensor:
        phi = const + pats @ theta
        s = torch.complex(torch.cos(phi), torch.sin(phi))
        ctx.save_for_backward(pats, s)
        return s

    @staticmethod
    def backward(ctx, grad: Tensor):
        pats, s = ctx.saved_tensors
        grad_phi = (s.conj() * grad).imag
        return pats.T @ grad_phi, None, None


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

    def indices(self, device: torch.device) -> tuple[Tensor, Tensor]:
        """``(src, inverse)``: the composed permutation and its inverse (made once per device)."""
        return self.cached(("src",), device, self._indices)

    def apply_params(self, psi, params):
        return gather_rows(psi, *self.indices(psi.device))

    def psi_needed(self, needs):
        return None

    def forward_into(self, psi, params, ws):
        src = self.indices(psi.device)[0]
        return torch.index_select(psi, 0, src, out=ws.take(psi.shape, psi.dtype))

    def reverse(self, psi, at, lam, params, needs, ws):
        inverse = self.indices(lam.device)[1]
        return torch.index_select(lam, 0, inverse, out=ws.take(lam.shape, lam.dtype)), []


class PermPhaseStage(Stage):
    """A permutation followed by phases (a CNOT ring, then the next layer's encoding): one
    pass with :func:`qlearn.sim.jit.phase` over the gathered rows, else the two stages."""

    kind = "permphase"

    def __init__(self, perm: PermStage, phase: PhaseStage):
        super().__init__(perm.refs + phase.refs, perm.n)
        self.perm, self.phase = perm, phase
        self.slot_kinds = phase.slot_kinds

    def params(self, t, cplx, device, memo):
        return self.phase.params(t, cplx, device, memo)

    def apply_params(self, psi, params):
        return self.phase.apply_params(self.perm.apply_params(psi, ()), params)

    def psi_needed(self, needs):
        return self.phase.psi_needed(needs)

    def _rows(self, device):
        return self.perm.indices(device)

    def forward_into(self, psi, params, ws):
        src, _ = self._rows(psi.device)
        if self.phase.fused(psi, params):
            out = ws.take(self.phase.out_shape(psi, params), psi.dtype)
            return jit.phase(psi, *self.phase.compiled_params(params), out, rows=src)
        mid = self.perm.forward_into(psi, (), ws)
        out = self.phase.forward_into(mid, params, ws)
        if out is not mid:
            ws.give(mid)
        return out

    def reverse(self, psi, at, lam, params, needs, ws):
        src, _ = self._rows(lam.device)
        done = self.phase.compiled_reverse(lam, psi, at, params, needs, ws, rows=src)
        if done is not None:
            return done
        if at == "in" and psi is not None:  # the phase's input is the permuted state
            psi = torch.index_select(psi, 0, src)
        lam_mid, grads = self.phase.reverse(psi, at, lam, params, needs, ws)
        lam_in, _ = self.perm.reverse(None, "in", lam_mid, (), [], ws)
        if lam_mid is not lam:
            ws.give(lam_mid)
        return lam_in, grads


# --------------------------------------------------------------------------------------------
# Single-qubit gates

#: Wires per block of a fused single-qubit layer: one matrix product of size 2^k per block.
BLOCK_WIRES = 2

#: Gates whose matrices are real: a wire made only of these is applied with real arithmetic.
REAL_GATES = frozenset({"RY", "Hadamard", "PauliX", "Identity"})


class LocalStage(Stage):
    """Single-qubit gates fused per wire; consecutive shared wires applied as blocks.

    Matrices are built per gate type in one go (RY as a real matrix). In the common case —
    shared gates, one per wire — they stay stacked, and each block's Kronecker product is one
    gather and one product (:func:`_kron`), so a layer costs a handful of tensor operations.
    """

    kind = "local"

    def __init__(self, refs, n):
        super().__init__(refs, n)
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(self.refs):
            if not r.batched and r.name != "QubitUnitary":
                groups.setdefault(r.name, []).append(i)
        self.groups = list(groups.items())
        order = [i for _, members in self.groups for i in members]
        self.row = {i: k for k, i in enumerate(order)}  # gate -> row of the stacked matrices
        wires = [r.wires[0] for r in self.refs]
        self.one_per_wire = len(order) == len(self.refs) and len(set(wires)) == len(wires)
        shared_wires = sorted(set(wires) - {r.wires[0] for r in self.refs if r.batched})
        # consecutive shared wires form blocks of up to BLOCK_WIRES, one product each
        self.blocks: list[tuple[int, ...]] = []
        for w in shared_wires:
            last = self.blocks[-1] if self.blocks else ()
            if last and last[-1] == w - 1 and len(last) < BLOCK_WIRES:
                self.blocks[-1] = (*last, w)
            else:
                self.blocks.append((w,))
        gate_of_wire = {r.wires[0]: i for i, r in enumerate(self.refs)}
        self.block_rows = (
            [torch.tensor([self.row[gate_of_wire[w]] for w in b]) for b in self.blocks]
            if self.one_per_wire
            else []
        )
        self.rowwise = sorted({r.wires[0] for r in self.refs if r.batched})
        # shared gates of known unitaries only: the hand-written reverse pass applies
        self.fast_reverse = not self.rowwise and all(r.name != "QubitUnitary" for r in self.refs)
        # one shared RY per wire (a Rot layer after the planner moved its phases): the stage's
        # parameters are the angles themselves, in block order, and the reverse pass returns
        # their gradients directly (no autograd graph through the block matrices)
        self.ry_angles: tuple[Slot, ...] | None = None
        self.ry_wires: tuple[int, ...] = ()
        if self.one_per_wire and self.fast_reverse and all(r.name == "RY" for r in self.refs):
            self.ry_wires = tuple(w for b in self.blocks for w in b)
            self.ry_angles = tuple(self.refs[gate_of_wire[w]].slots[0] for w in self.ry_wires)
        # ... and every block a pair of wires: the blocks' matrices stay stacked, (P, 4, 4)
        self.pairs = self.ry_angles is not None and all(len(b) == 2 for b in self.blocks)
        self.firsts = tuple(b[0] for b in self.blocks)

    def _stacked(self, t: Tables, cplx, device) -> Tensor | None:
        """The shared gates' 2×2 matrices, ``(G, 2, 2)``, real if every one is real."""
        real = torch.float64 if cplx == torch.complex128 else torch.float32
        parts = []
        for name, members in self.groups:
            n_par = gate_spec(name).n_params
            if name == "RY":  # real: [[c, -s], [s, c]]
                theta = t.shared[[self.refs[i].slots[0][1] for i in members]].to(real) / 2
                c, sn = torch.cos(theta), torch.sin(theta)
                parts.append(torch.stack((c, -sn, sn, c), -1).reshape(-1, 2, 2))
            elif n_par:
                idx = [self.refs[i].slots[j][1] for i in members for j in range(n_par)]
                vals = t.shared[idx].to(real).reshape(len(members), n_par)
                parts.append(matrix(name, tuple(vals.unbind(1))).to(cplx))
            else:
                m = matrix(name, dtype=cplx, device=device)
                parts.append((m.real if name in REAL_GATES else m).expand(len(members), 2, 2))
        if not parts:
            return None
        if any(p.is_complex() for p in parts):
            parts = [p.to(cplx) for p in parts]
        return torch.cat(parts) if len(parts) > 1 else parts[0]

    def params(self, t, cplx, device, memo):
        """Per-row wires' ``(B, 2, 2)`` matrices, then one Kronecker matrix per shared block.

        For a layer of RY gates: their angles in block order ``(n_wires,)``, then (for the
        reverse mode, without autograd) the blocks' matrices: stacked ``(P, 4, 4)`` when every
        block is a pair of wires, else one tensor per block."""
        if self.ry_angles is not None:
            real = torch.float64 if cplx == torch.complex128 else torch.float32
            theta = t.gather(self.ry_angles, real)[:, 0]
            with torch.no_grad():
                if self.pairs:
                    return theta, self._ry_blocks(theta)
                return (theta, *self._ry_blocks(theta))
        stacked = self._stacked(t, cplx, device)
        if self.one_per_wire:
            return tuple(_kron(stacked[rows.to(device)]) for rows in self.block_rows)
        # general case: fuse each wire's gates in order (per-row gates make a wire per-row)
        real = torch.float64 if cplx == torch.complex128 else torch.float32
        per_wire: dict[int, Tensor] = {}
        for i, r in enumerate(self.refs):
            if i in self.row:
                m = stacked[self.row[i]]
            else:
                params = tuple(p.to(real) if not p.is_complex() else p for p in t.values(r))
                m = matrix(r.name, params, n_wires=1, dtype=cplx, device=device)
            w = r.wires[0]
            if w in per_wire:
                prev = per_wire[w]
                if m.is_complex() != prev.is_complex():
                    m, prev = m.to(cplx), prev.to(cplx)
                m = m @ prev
            per_wire[w] = m
        rowwise = tuple(per_wire[w].to(cplx) for w in self.rowwise)
        blocks = []
        for block in self.blocks:
            mats = [per_wire[w] for w in block]
            if any(m.is_complex() for m in mats):
                mats = [m.to(cplx) for m in mats]
            blocks.append(_kron(torch.stack(mats)))
        return rowwise + tuple(blocks)

    @staticmethod
    def _rotations(theta: Tensor) -> Tensor:
        r""":math:`R(\theta) = [[c, -s], [s, c]]` (:math:`c, s = \cos, \sin\frac\theta2`),
        ``(n_wires, 2, 2)``."""
        c, sn = torch.cos(theta / 2), torch.sin(theta / 2)
        return torch.stack((c, -sn, sn, c), -1).reshape(-1, 2, 2)

    def _ry_blocks(self, theta: Tensor) -> Tensor | list[Tensor]:
        """The blocks' matrices from the RY angles (Kronecker products of the rotations):
        stacked ``(P, 4, 4)`` when every block is a pair of wires (on CPU without autograd,
        :func:`qlearn.sim.jit.ry_pairs`), else a list."""
        tracked = torch.is_grad_enabled() and theta.requires_grad
        if self.pairs and not tracked and jit.usable(theta):
            return jit.ry_pairs(theta)
        rot = self._rotations(theta)
        if self.pairs:  # the common case, in one product
            return _kron_pairs(rot[0::2], rot[1::2])
        mats, k = [], 0
        for block in self.blocks:
            mats.append(functools.reduce(torch.kron, rot[k : k + len(block)].unbind(0)))
            k += len(block)
        return mats

    def _ry_grads(self, lam_in: Tensor, psi: Tensor) -> Tensor:
        r"""The angles' gradients from the adjoint before the layer and its input state:
        :math:`\partial_\theta R = R\,G` with :math:`G = \frac12[[0, -1], [1, 0]]`, and the
        layer's other gates orthogonal, so :math:`\partial L/\partial\theta_a = \sum
        \lambda_{in}\cdot G_a\psi_{in}` (over the real views; :func:`qlearn.sim.jit.ry_grads`
        on CPU, two products per wire here otherwise)."""
        x, y = (torch.view_as_real(t).reshape(t.shape[0], -1) for t in (lam_in, psi))
        if jit.usable(x, y):
            return jit.ry_grads(self.blocks, x, y)
        out = []
        for w in self.ry_wires:
            lv, pv = x.view(2**w, 2, -1), y.view(2**w, 2, -1)
            out.append(0.5 * ((lv[:, 1] * pv[:, 0]).sum() - (lv[:, 0] * pv[:, 1]).sum()))
        return torch.stack(out)

    def apply_params(self, psi, params):
        if self.ry_angles is not None:  # with autograd through the angles
            params = self._ry_blocks(params[0])
        k = len(self.rowwise)
        for w, m in zip(self.rowwise, params[:k], strict=True):
            psi = apply_wire_batched(psi, m, w)
        for block, m in zip(self.blocks, params[k:], strict=True):
            psi = (apply_block if m.is_complex() else apply_block_real)(psi, m, block[0])
        return psi

    def psi_needed(self, needs):
        return "in" if any(needs) or not self.fast_reverse else None

    def forward_into(self, psi, params, ws):
        if not self.fast_reverse:
            return self.apply_params(psi, params)
        if self.ry_angles is not None:
            params = params[1] if self.pairs else params[1:]
        return self._blocks_into(psi, self.firsts, params, ws)

    @staticmethod
    def _blocks_into(psi: Tensor, firsts: Sequence[int], mats, ws: Buffers) -> Tensor:
        """Apply the blocks ``mats`` (matrices, or a stacked ``(P, d, d)`` tensor) one after
        another, block ``b`` on the wires from ``firsts[b]``, ping-ponging between buffers
        (``psi`` itself is never written); real 4×4 blocks on CPU go in one pass
        (:func:`qlearn.sim.jit.chain`)."""
        stacked = isinstance(mats, Tensor)
        if len(mats) > 1 and (
            mats.shape[1:] == (4, 4) and not mats.is_complex()
            if stacked
            else all(m.shape == (4, 4) and not m.is_complex() for m in mats)
        ):
            x = torch.view_as_real(psi).reshape(psi.shape[0], -1)
            if jit.usable(x):  # every block in one pass
                out = ws.take(psi.shape, psi.dtype)
                mats = mats if stacked else torch.stack(list(mats))
                jit.chain(mats, tuple(firsts), x, torch.view_as_real(out).view(x.shape))
                return out
        out = psi
        for first, m in zip(firsts, mats, strict=True):
            nxt = ws.take(psi.shape, psi.dtype)
            block_into(out, m, first, nxt)
            if out is not psi:
                ws.give(out)
            out = nxt
        return out

    def reverse(self, psi, at, lam, params, needs, ws):
        r"""Shared blocks on disjoint wires: :math:`\lambda_{in} = \prod_j M_j^\dagger
        \lambda`, and for each block :math:`\bar g_{M_j} = M_j \sum_{\text{other wires}}
        \lambda_{in}\psi_{in}^\dagger` (the other blocks are unitary and drop out of the
        partial trace), one small product per block; for a layer of RY gates, the angles'
        gradients directly (:meth:`_ry_grads`)."""
        if not self.fast_reverse:
            return super().reverse(psi, at, lam, params, needs, ws)
        if self.ry_angles is not None:
            mats = params[1] if self.pairs else params[1:]
            adjoints = mats.transpose(1, 2).flip(0) if self.pairs else [m.T for m in mats[::-1]]
            lam_in = self._blocks_into(lam, self.firsts[::-1], adjoints, ws)
            grad = self._ry_grads(lam_in, psi) if needs[0] else None
            return lam_in, [grad] + [None] * (len(params) - 1)
        adjoints = [m.conj().T for m in reversed(params)]
        lam_in = self._blocks_into(lam, self.firsts[::-1], adjoints, ws)
        grams = [
            block_gram(lam_in, psi, block[0], m.shape[-1], m.is_complex()) if need else None
            for block, m, need in zip(self.blocks, params, needs, strict=True)
        ]
        return lam_in, [None if g is None else m @ g for m, g in zip(params, grams, strict=True)]


def _kron_pairs(a: Tensor, b: Tensor) -> Tensor:
    """Kronecker products of stacked 2×2 matrices: ``(P, 2, 2)``, ``(P, 2, 2)`` -> ``(P, 4, 4)``."""
    return (a[:, :, None, :, None] * b[:, None, :, None, :]).reshape(-1, 4, 4)


@functools.lru_cache(maxsize=32)
def _kron_index(k: int, device: torch.device) -> tuple[Tensor, Tensor, Tensor]:
    """Index arrays so that ``M[r, c] = prod_i m_i[r_i, c_i]`` is one gather and a product."""
    r = torch.arange(2**k, device=device)
    shifts = torch.arange(k - 1, -1, -1, device=device)
    r_bits = (r[None, :] >> shifts[:, None]) & 1  # (k, 2^k)
    rows = r_bits[:, :, None].expand(k, 2**k, 2**k).reshape(k, -1)
    cols = r_bits[:, None, :].expand(k, 2**k, 2**k).reshape(k, -1)
    wire = torch.arange(k, device=device)[:, None].expand(k, 4**k)
    return wire, rows, cols


def _kron(mats: Tensor) -> Tensor:
    """Kronecker product of stacked 2×2 matrices ``(k, 2, 2)`` (first = most significant wire),
    as one gather and one product."""
    k = mats.shape[0]
    if k == 1:
        return mats[0]
    wire, rows, cols = _kron_index(k, mats.device)
    return mats[wire, rows, cols].prod(0).reshape(2**k, 2**k)


# --------------------------------------------------------------------------------------------
# Multi-qubit gates and dense unitaries


class DenseStage(Stage):
    """One multi-qubit gate applied by its matrix."""

    kind = "dense"

    def params(self, t, cplx, device, memo):
        r = self.refs[0]
        real = torch.float64 if cplx == torch.complex128 else torch.float32
        params = tuple(p if p.is_complex() else p.to(real) for p in t.values(r))
        m = matrix(r.name, params, n_wires=len(r.wires), dtype=cplx, device=device)
        return (m.to(cplx),)

    def apply_params(self, psi, params):
        return apply_matrix(psi, params[0], self.refs[0].wires)


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
        return self.apply_params(psi, self.params(t, psi.dtype, psi.device, {}))

    def params(self, t, cplx, device, memo):
        """``(u,)``: the run's unitary, its gates applied to the identity."""
        u = torch.eye(2**self.n, dtype=cplx, device=device)
        for st in self.sub:
            u = st.apply(u, t)
        return (u,)

    def apply_params(self, psi, params):
        return params[0] @ psi

    def psi_needed(self, needs):
        return "in" if any(needs) else None

    def forward_into(self, psi, params, ws):
        return torch.matmul(params[0], psi, out=ws.take(psi.shape, psi.dtype))

    def reverse(self, psi, at, lam, params, needs, ws):
        r""":math:`\lambda_{in} = u^\dagger\lambda`, :math:`\bar g_u = \lambda\psi_{in}^\dagger`."""
        u = params[0]
        lam_in = torch.matmul(u.conj().T.resolve_conj(), lam, out=ws.take(lam.shape, lam.dtype))
        grad = torch.matmul(lam, ws.conj(psi).T) if needs[0] else None
        return lam_in, [grad]
