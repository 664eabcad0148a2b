r"""Reverse-mode differentiation of a compiled program, with few states kept and buffers reused.

Autograd keeps every intermediate state of a circuit for the backward pass and allocates a fresh
tensor for each; on CPU, both cost more than the gates (the kept states leave the cache, and
fresh tensors of a few MiB arrive one zeroed page at a time). :func:`run_program` instead runs
the stages into reusable buffers (:mod:`qlearn.sim.workspace`) and keeps only the states the
backward pass cannot rebuild cheaply: the input of each stage that mixes amplitudes. The
backward pass is the adjoint method (as in PennyLane's ``adjoint`` differentiation) with those
states: for a stage :math:`\psi_{out} = U(\theta)\psi_{in}` and the adjoint
:math:`\lambda = \partial L/\partial\bar\psi_{out}`,

.. math:: \lambda_{in} = U^\dagger\lambda, \qquad
          \frac{\partial L}{\partial\theta} = \mathrm{Re}\,\lambda^\dagger
          \frac{\partial U}{\partial\theta}\psi_{in},

with hand-written rules for the hot stages (phases, permutations, shared single-qubit blocks)
and autograd on one recomputed stage for the rest. Everything but the stages' small parameter
tensors stays outside autograd.

Example:
    >>> import torch
    >>> from qlearn.sim import Circuit
    >>> c = Circuit(7)
    >>> x = c.inputs(1)
    >>> w = c.weights("w", (7,), init=torch.linspace(0.1, 0.7, 7))
    >>> for q in range(7):
    ...     c.ry(q, w[q])
    ...     c.rz(q, x[0])
    >>> c.cnot_ring()
    >>> c.expval("Z", 6)
    0
    >>> m = c.module(dtype=torch.float64)
    >>> m(torch.ones(3, 1)).sum().backward()
    >>> m.weights["w"].grad.shape
    torch.Size([7])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from qlearn.sim import jit
from qlearn.sim.stages import Buffers, Stage, Tables, shared_phases
from qlearn.sim.workspace import WORKSPACE

Tensor = torch.Tensor


def run_program(
    stages: Sequence[Stage], psi: Tensor, t: Tables, readout: Tensor | None = None
) -> Tensor:
    """Apply ``stages`` to the amplitude-major ``psi``; differentiable with the adjoint method.

    Returns a new ``(2^n, cols)`` state (``cols`` is 1 while no per-row gate has acted), or with
    ``readout`` — a real ``(n_obs, 2^n)`` matrix ``D`` of diagonal observables — the expectation
    values ``D @ |psi|^2`` of shape ``(n_obs, cols)``. Phases after the last mixing stage cannot
    change those, so they are then skipped (their angles get zero gradients), and a permutation
    there moves into the columns of ``D`` instead of a pass over the state.
    """
    memo: dict = {}
    shared_phases(stages, t, psi.dtype, memo)
    params = [st.params(t, psi.dtype, psi.device, memo) for st in stages]
    sizes = [len(p) for p in params]
    flat = [p for ps in params for p in ps]
    live = len(stages)
    if readout is not None:
        while live and stages[live - 1].kind in ("diag", "perm"):
            if stages[live - 1].kind == "perm":  # D |P psi|^2 = (D P) |psi|^2
                readout = readout.index_select(1, stages[live - 1].indices(readout.device)[1])
            live -= 1
    tracked = psi.requires_grad or any(p is not None and p.requires_grad for p in flat)
    if not (torch.is_grad_enabled() and tracked):
        with torch.no_grad():
            out = _forward(stages[:live], psi, params[:live], None, readout)[0]
            return out if readout is None else out[0]
    return _Reverse.apply(tuple(stages), tuple(sizes), live, readout, psi, *flat)


def _split(flat: Sequence, sizes: Sequence[int]) -> list[list]:
    out, k = [], 0
    for size in sizes:
        out.append(list(flat[k : k + size]))
        k += size
    return out


def _plan(stages: Sequence[Stage], needs: Sequence[Sequence[bool]]) -> tuple[list[bool], list]:
    """Which stage inputs to keep, and where each stage's reverse pass finds its state."""
    keep = [False] * len(stages)
    at: list[str | None] = [None] * len(stages)
    for i in range(len(stages) - 1, -1, -1):
        want = stages[i].psi_needed(needs[i])
        if want == "either" and (i == len(stages) - 1 or keep[i + 1]):
            at[i] = "out"  # the next stage keeps its input, or it is the result
        elif want is not None:
            keep[i], at[i] = True, "in"
    return keep, at


def _forward(stages, psi0: Tensor, params, keep: Sequence[bool] | None, readout=None):
    """Run the stages; returns (result, kept inputs, column counts of the inputs).

    The result is the final state (a tensor of its own), or with ``readout`` the pair
    ``(values, final state)`` where the state is a workspace buffer.
    """
    ws = Buffers(WORKSPACE, psi0.device)
    kept: list[Tensor | None] = [None] * len(stages)
    cols = []
    psi, owned = psi0, False
    for i, (st, p) in enumerate(zip(stages, params, strict=True)):
        cols.append(psi.shape[1])
        if keep is not None and keep[i]:
            kept[i] = psi
        out = st.forward_into(psi, p, ws)
        if owned and out is not psi and kept[i] is not psi:
            ws.give(psi)
        owned = owned if out is psi else True
        psi = out
    if readout is not None:
        values = _readout(readout, psi, ws)
        if owned and keep is None:
            ws.give(psi)
        return (values, psi if keep is not None else None), kept, cols
    if psi is psi0 or any(psi is k for k in kept):
        psi = psi.clone()  # the result leaves: it must not be a buffer that is given back
    return psi, kept, cols


def _readout(d: Tensor, psi: Tensor, ws: Buffers) -> Tensor:
    """The values ``d @ |psi|^2`` ``(n_obs, cols)`` of a real readout matrix ``d``."""
    real = torch.view_as_real(psi)
    if jit.usable(real):  # (d is converted to the state's real dtype there)
        return jit.readout(d, psi)
    sq = torch.mul(real, real, out=ws.take(real.shape, real.dtype))
    values = (d.to(real.dtype) @ sq.view(real.shape[0], -1)).view(len(d), -1, 2).sum(-1)
    ws.give(sq)
    return values


def _readout_adjoint(d: Tensor, grad: Tensor, psi: Tensor, ws: Buffers) -> Tensor:
    """The adjoint state ``2 psi (d^T grad)`` that :func:`_readout`'s gradient starts with (a
    workspace buffer)."""
    real = torch.view_as_real(psi).dtype
    lam = ws.take(psi.shape, psi.dtype)
    if jit.usable(torch.view_as_real(psi)):  # (d and grad are converted there)
        return jit.readout_adjoint(d, grad, psi, lam)
    w = torch.matmul(d.to(real).T, grad, out=ws.take(psi.shape, real))
    torch.mul(torch.view_as_real(psi), w.mul_(2)[..., None], out=torch.view_as_real(lam))
    ws.give(w)
    return lam


class _Reverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, stages, sizes, live, readout, psi0, *flat):
        params = _split(flat, sizes)
        needs = _split(ctx.needs_input_grad[5:], sizes)
        keep, at = _plan(stages[:live], needs[:live])
        out, kept, cols = _forward(stages[:live], psi0, params[:live], keep, readout)
        ctx.stages, ctx.sizes, ctx.live, ctx.readout = stages, sizes, live, readout
        ctx.keep, ctx.at, ctx.cols, ctx.kept = keep, at, cols, kept
        if readout is not None:
            out, ctx.final = out
            ctx.save_for_backward(psi0, None, *flat)
        else:
            ctx.final = None
            ctx.save_for_backward(psi0, out, *flat)
        return out

    @staticmethod
    def backward(ctx, grad):
        psi0, out, *flat = ctx.saved_tensors
        stages, live, at, cols = ctx.stages, ctx.live, ctx.at, ctx.cols
        params = _split(flat, ctx.sizes)
        needs = _split(ctx.needs_input_grad[5:], ctx.sizes)
        kept, final = ctx.kept, ctx.final
        ws = Buffers(WORKSPACE, grad.device)
        if kept is None:  # a second backward (retain_graph): rebuild the kept states
            result, kept, _ = _forward(stages[:live], psi0, params[:live], ctx.keep, ctx.readout)
            final = result[1] if ctx.readout is not None else None
        ctx.kept = ctx.final = None
        if ctx.readout is not None:
            out = final
            lam, owned = _readout_adjoint(ctx.readout, grad, final, ws), True
        else:
            lam, owned = grad, False
        grads: list[list[Tensor | None]] = [[] for _ in stages]
        for i in range(live, len(stages)):  # skipped phases: zero gradients, not None
            grads[i] = [
                torch.zeros_like(p) if p is not None and need else None
                for p, need in zip(params[i], needs[i], strict=True)
            ]
        for i in range(live - 1, -1, -1):
            if at[i] == "out":
                psi = out if i == live - 1 else kept[i + 1]
            else:
                psi = kept[i]
            lam_in, grads[i] = stages[i].reverse(psi, at[i] or "in", lam, params[i], needs[i], ws)
            if lam_in is not lam and owned:
                ws.give(lam)
            owned = owned if lam_in is lam else True
            if cols[i] == 1 and lam_in.shape[1] > 1:  # the input was one column shared by all
                summed = lam_in.sum(1, keepdim=True)
                if owned:
                    ws.give(lam_in)
                lam_in, owned = summed, False
            lam = lam_in
        mine = {id(k): k for k in (*kept, final) if k is not None and k is not psi0}
        ws.give(*mine.values())
        ws.release()
        flat_grads = [g for gs in grads for g in gs]
        grad_psi = lam if ctx.needs_input_grad[4] else None
        if owned:  # a workspace buffer: hand out a copy, keep the buffer
            grad_psi = None if grad_psi is None else grad_psi.clone()
            ws.give(lam)
        return (None, None, None, None, grad_psi, *flat_grads)
