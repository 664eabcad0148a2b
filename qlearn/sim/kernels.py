r"""Tensor kernels that apply gates to amplitude-major states ``psi`` of shape ``(2^n, B)``.

Each kernel touches the state once. Three have hand-written backward passes because autograd's
generic rules are several times slower than the forward on CPU:

* :func:`apply_block` — a shared matrix on contiguous wires. For ``out = m @ v`` the weight
  gradient is :math:`\bar g_m = \sum_a g_a v_a^\dagger` (one batched product and a sum) and
  :math:`\bar g_v = m^\dagger g`.
* :func:`apply_block_real` — the same for a *real* matrix (RY, Hadamard), applied to the real
  view of the state: half the arithmetic of a complex product.
* :func:`gather_rows` — a permutation of basis states; its backward is the inverse
  permutation (another gather), not a scatter.

Example:
    >>> import torch
    >>> from qlearn.sim.kernels import apply_block
    >>> psi = torch.tensor([[1.0], [0.0]], dtype=torch.complex128)      # |0>
    >>> x = torch.tensor([[0, 1], [1, 0]], dtype=torch.complex128)
    >>> apply_block(psi, x, first=0).flatten()
    tensor([0.+0.j, 1.+0.j], dtype=torch.complex128)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from qlearn.sim import jit

Tensor = torch.Tensor


def log2_int(size: int, what: str) -> int:
    """``n`` with ``2**n == size``, or a clear error naming ``what``."""
    n = int(round(math.log2(size))) if size > 0 else -1
    if n < 0 or 2**n != size:
        raise ValueError(f"{what} has length {size}, which is not a power of two (2**n_qubits).")
    return n


class _BlockApply(torch.autograd.Function):
    """``out = m @ v`` on a block of wires (see the module docstring).

    ``v`` is a complex state, or the real view of one with a real ``m`` (``conj`` is then a
    no-op), so one rule serves both.
    """

    @staticmethod
    def forward(ctx, m: Tensor, v: Tensor, first: int) -> Tensor:
        ctx.save_for_backward(m, v)
        ctx.first = first
        # detached: torch.matmul takes a much slower path for inputs flagged requires_grad
        return _block_matmul(m.detach(), v.detach(), first)

    @staticmethod
    def backward(ctx, grad: Tensor):
        m, v = (t.detach() for t in ctx.saved_tensors)
        d = m.shape[-1]
        g = grad.reshape(2**ctx.first, d, -1)
        grad_m = grad_v = None
        if ctx.needs_input_grad[0]:
            view = v.reshape(2**ctx.first, d, -1)
            grad_m = torch.matmul(g, view.transpose(1, 2).conj()).sum(0)
        if ctx.needs_input_grad[1]:
            grad_v = torch.matmul(m.T.conj(), g).reshape(v.shape)
        return grad_m, grad_v, None


def _block_matmul(m: Tensor, v: Tensor, first: int) -> Tensor:
    return torch.matmul(m, v.reshape(2**first, m.shape[-1], -1)).reshape(v.shape)


def apply_block(psi: Tensor, m: Tensor, first: int) -> Tensor:
    """Apply a shared ``(2^k, 2^k)`` matrix to the contiguous wires ``first .. first+k-1``."""
    if m.requires_grad or psi.requires_grad:
        return _BlockApply.apply(m, psi, first)
    return _block_matmul(m, psi, first)


def block_into(psi: Tensor, m: Tensor, first: int, out: Tensor) -> Tensor:
    """:func:`apply_block` (:func:`apply_block_real` for a real ``m``) into ``out``, no autograd."""
    src, dst = (psi, out) if m.is_complex() else (torch.view_as_real(psi), torch.view_as_real(out))
    d = m.shape[-1]
    x, y = src.reshape(2**first, d, -1), dst.view(2**first, d, -1)
    if not m.is_complex() and jit.usable(x, y):
        jit.block(m, x, y)
    else:
        torch.matmul(m, x, out=y)
    return out


def block_gram(lam: Tensor, psi: Tensor, first: int, d: int, complex_: bool) -> Tensor:
    r"""``(d, d)`` matrix :math:`\sum \lambda\,\psi^\dagger` over every index except the ``d``
    amplitudes of the wires ``first ..``: the gradient of a block's matrix, up to a factor.

    For a real block the sum runs over the real view (real and imaginary parts as columns).
    With the block on the leading wires the sum is split in two halves, so two threads share it.
    """
    if not complex_:
        lam, psi = torch.view_as_real(lam), torch.view_as_real(psi)
    lv, pv = lam.reshape(2**first, d, -1), psi.reshape(2**first, d, -1)
    if not complex_ and lv.shape == pv.shape and jit.usable(lv, pv):
        return jit.gram(lv, pv)
    if first == 0 and lv.shape[-1] % 2 == 0:  # one long product: cut it in two
        lv = lv.reshape(d, 2, -1).transpose(0, 1)
        pv = pv.reshape(d, 2, -1).transpose(0, 1)
    return torch.matmul(lv, pv.transpose(1, 2).conj()).sum(0)


def apply_block_real(psi: Tensor, m: Tensor, first: int) -> Tensor:
    """Apply a shared *real* ``(2^k, 2^k)`` matrix to wires ``first .. first+k-1`` of ``psi``.

    The real and imaginary parts are transformed by one real product on
    ``torch.view_as_real(psi)``, half the arithmetic of a complex product.
    """
    return torch.view_as_complex(apply_block(torch.view_as_real(psi), m, first))


class _GatherRows(torch.autograd.Function):
    @staticmethod
    def forward(ctx, psi: Tensor, src: Tensor, inverse: Tensor) -> Tensor:
        ctx.save_for_backward(inverse)
        return psi.index_select(0, src)

    @staticmethod
    def backward(ctx, grad: Tensor):
        (inverse,) = ctx.saved_tensors
        return grad.index_select(0, inverse), None, None


def gather_rows(psi: Tensor, src: Tensor, inverse: Tensor) -> Tensor:
    """``psi[src]`` for a permutation ``src`` whose inverse is ``inverse``."""
    if psi.requires_grad:
        return _GatherRows.apply(psi, src, inverse)
    return psi.index_select(0, src)


class _PhaseApply(torch.autograd.Function):
    r"""``out = psi * f * s`` for unit-modulus phases ``f`` (per row) and ``s`` (one column).

    With :math:`h = g\,\overline{\text{out}}`, the gradients are :math:`\bar g_s = s
    \sum_b h`, :math:`\bar g_f = f\,h` and :math:`\bar g_\psi = g\,\overline{f s}`:
    one pass over the state for the phases instead of autograd's several.
    """

    @staticmethod
    def forward(ctx, psi: Tensor, f: Tensor | None, s: Tensor | None) -> Tensor:
        phase = f.detach() if f is not None else None
        if s is not None:
            phase = s.detach() if phase is None else phase * s.detach()
        out = psi.detach() * phase
        ctx.save_for_backward(out, phase, f, s)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        out, phase, f, s = ctx.saved_tensors
        need_psi, need_f, need_s = ctx.needs_input_grad
        grad_psi = grad * phase.conj() if need_psi else None
        grad_f = grad_s = None
        if need_f:
            grad_f = f.detach() * (grad * out.conj())
            if grad_f.shape[1] != f.shape[1]:
                grad_f = grad_f.sum(1, keepdim=True)
        if need_s:  # Σ_b g·conj(out) as a dot product along the batch: no temporary
            grad_s = s.detach() * torch.linalg.vecdot(out, grad, dim=1)[:, None]
        return grad_psi, grad_f, grad_s


def apply_phase(psi: Tensor, f: Tensor | None, s: Tensor | None) -> Tensor:
    """``psi * f * s`` for phases ``f`` (``(2^n, B)`` or ``(2^n, 1)``) and ``s`` (``(2^n, 1)``).

    Either may be ``None``. Both must have modulus one (they are ``exp(i·phi)``).
    """
    if f is None and s is None:
        return psi
    if any(x is not None and x.requires_grad for x in (psi, f, s)):
        return _PhaseApply.apply(psi, f, s)
    phase = f if s is None else (s if f is None else f * s)
    return psi * phase


def apply_wire_batched(psi: Tensor, m: Tensor, wire: int) -> Tensor:
    """Apply per-row 2×2 matrices ``m`` of shape ``(B, 2, 2)`` to one wire.

    ``psi`` may have a single column (a state shared by all rows); the result has ``B``.
    """
    view = psi.reshape(2**wire, 2, -1, psi.shape[1])
    s0, s1 = view[:, 0], view[:, 1]
    out0 = m[:, 0, 0] * s0 + m[:, 0, 1] * s1
    out1 = m[:, 1, 0] * s0 + m[:, 1, 1] * s1
    return torch.stack((out0, out1), dim=1).reshape(psi.shape[0], -1)


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
