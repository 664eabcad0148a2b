r"""Compiled CPU loops (numba) for the passes that dominate a large re-uploading circuit.

A layer of shared ``RY`` gates is applied as real :math:`4\times4` blocks on pairs of wires
(:class:`qlearn.sim.stages.LocalStage`). As a matrix product that is a contraction of length 4,
where a BLAS library spends most of its time on set-up: on a 2-core CPU, MKL reaches about a
fifth of the arithmetic peak. The loops here work through the state in cache-sized tiles
instead, at about twice the speed:

* :func:`block` — :math:`y_{a,i,c} = \sum_j m_{ij}\,x_{a,j,c}` for a real ``(d, d)`` matrix and
  a real view ``x`` of shape ``(A, d, C)`` of the state (real and imaginary parts side by side
  in ``C``);
* :func:`gram` — :math:`g_{ij} = \sum_{a,c} \lambda_{a,i,c}\,\psi_{a,j,c}`, the partial trace
  that gives a real block's gradient in the adjoint method;
* :func:`chain` — a whole layer of :math:`4\times4` blocks in one pass: each tile of columns
  goes through every block in per-thread buffers that stay in the L2 cache;
* :func:`ry_grads` — the angle gradients of a layer of ``RY`` gates in one pass, and
  :func:`ry_pairs` — that layer's blocks (a dozen small tensor operations otherwise, each
  costing more than the arithmetic);
* :func:`phase` and :func:`phase_reverse` — a per-row phase (after a row permutation) and its
  adjoint;
* :func:`readout` and :func:`readout_adjoint` — expectation values of diagonal observables and
  the adjoint state they start the backward pass with.

They take and return torch tensors (CPU, float32 or float64, or complex for the phases; contiguous)
and share memory with them. :func:`usable` says whether they apply; the callers in
:mod:`qlearn.sim.kernels` and :mod:`qlearn.sim.stages` fall back to torch otherwise (CUDA, other
dtypes, numba missing) or when ``ENABLED`` is False. The tiles are fixed by the shapes, not by the
number of threads, so results do not depend on the thread count; the loops use as many threads as
torch (``torch.set_num_threads``). A process forked after the loops ran uses torch instead (GNU
OpenMP's threads do not survive a fork); for parallel runs, the ``spawn`` start method of
:mod:`multiprocessing` avoids the question.

Example:
    >>> import torch
    >>> from qlearn.sim import jit
    >>> m = torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64)   # X on one wire
    >>> x = torch.arange(8, dtype=torch.float64).reshape(2, 2, 2)
    >>> jit.block(m, x, torch.empty_like(x))[0]
    tensor([[2., 3.],
            [0., 1.]], dtype=torch.float64)
    >>> jit.gram(x, x)
    tensor([[42., 62.],
            [62., 98.]], dtype=torch.float64)
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Sequence

import torch

Tensor = torch.Tensor

try:
    import numba
    import numpy as np
    from numba import njit, prange
except ImportError:  # pragma: no cover - numba is a dependency; a broken install falls back
    njit = None

#: Use the compiled loops where they apply (tests switch this off to compare with torch).
ENABLED = True

#: Smallest state (amplitudes) for the phase loops: below it torch's vectorized multiply is
#: as fast and has less overhead per call (measured at 4 qubits and batch 1024).
PHASE_MIN_ELEMENTS = 2**16

#: Real numbers per tile row: 4 KiB in float64, so a tile of a 4×4 block stays in L1.
TILE = 512

#: Columns per tile of :func:`chain`: two tile buffers of 256 float64 rows fill half of L2.
CHAIN_TILE = 128

#: Columns per tile of :func:`ry_grads` (measured: 256 real columns beat 128 and 512).
RY_GRADS_TILE = 256

#: Columns per tile of :func:`readout` and :func:`readout_adjoint`.
READOUT_TILE = 256

_DTYPES = (torch.float64, torch.float32, torch.complex128, torch.complex64)


#: Set in a process forked after the compiled loops ran: GNU OpenMP's threads do not survive
#: a fork (numba ends such a child at its first parallel loop), so the child uses torch.
_FORKED = False
_USED = False


def _after_fork_in_child() -> None:
    global _FORKED
    _FORKED = _FORKED or _USED


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _launch() -> int:
    """Before a parallel loop: note the use (see ``_FORKED``), follow torch's thread count,
    and return the number of threads numba will use.

    numba's settings are global to the process, and Amazon Braket's local simulator sets
    some when imported (the ``workqueue`` threading layer, which is not thread-safe and was
    4x slower here, and ``NUMBA_NUM_THREADS = -1``, which makes ``numba.set_num_threads``
    refuse every count). Before numba starts its threads we ask for its default layer; the
    thread count follows torch's where numba accepts it.
    """
    global _USED
    if not _USED and not numba.np.ufunc.parallel._is_initialized:
        numba.config.THREADING_LAYER = "default"
    _USED = True
    threads = max(1, min(torch.get_num_threads(), numba.np.ufunc.parallel.NUM_THREADS))
    now = numba.get_num_threads()
    if now != threads:
        with contextlib.suppress(ValueError):
            numba.set_num_threads(threads)
        now = numba.get_num_threads()
    return now


def usable(*tensors: Tensor) -> bool:
    """Whether the loops apply to these tensors: CPU, one float or complex dtype, contiguous,
    and not in a process forked after the loops ran."""
    return (
        ENABLED
        and njit is not None
        and not _FORKED
        and all(
            t.device.type == "cpu" and t.dtype in _DTYPES and t.is_contiguous() for t in tensors
        )
        and len({t.dtype for t in tensors}) == 1
    )


def _tiles(a: int, c: int) -> int:
    return a * ((c + TILE - 1) // TILE)


if njit is not None:
    _jit = njit(parallel=True, fastmath=True, boundscheck=False, cache=True)

    @njit(inline="always", cache=True)
    def _tile(t, per, n_c):  # pragma: no cover - compiled
        """Task ``t`` of ``per`` tiles per row: the row and the column range ``[c0, c1)``."""
        c0 = (t % per) * TILE
        return t // per, c0, min(n_c, c0 + TILE)

    @njit(inline="always", cache=True)
    def _rows4(x, a, c0, c1):  # pragma: no cover - compiled
        """The four rows of block ``a`` of ``x`` on the columns ``[c0, c1)``."""
        return x[a, 0, c0:c1], x[a, 1, c0:c1], x[a, 2, c0:c1], x[a, 3, c0:c1]

    @njit(inline="always", cache=True)
    def _apply4(m, src, s0, dst, d0, w, stride):  # pragma: no cover - compiled
        """``dst = m @ src`` on the column range of one tile, blocks of rows ``stride`` apart
        (``src`` and ``dst`` never alias, or the loop would not vectorize)."""
        m00, m01, m02, m03 = m[0, 0], m[0, 1], m[0, 2], m[0, 3]
        m10, m11, m12, m13 = m[1, 0], m[1, 1], m[1, 2], m[1, 3]
        m20, m21, m22, m23 = m[2, 0], m[2, 1], m[2, 2], m[2, 3]
        m30, m31, m32, m33 = m[3, 0], m[3, 1], m[3, 2], m[3, 3]
        for top in range(0, src.shape[0], 4 * stride):
            for k in range(top, top + stride):
                a0, a1 = src[k, s0 : s0 + w], src[k + stride, s0 : s0 + w]
                a2, a3 = src[k + 2 * stride, s0 : s0 + w], src[k + 3 * stride, s0 : s0 + w]
                o0, o1 = dst[k, d0 : d0 + w], dst[k + stride, d0 : d0 + w]
                o2, o3 = dst[k + 2 * stride, d0 : d0 + w], dst[k + 3 * stride, d0 : d0 + w]
                for c in range(w):
                    v0, v1, v2, v3 = a0[c], a1[c], a2[c], a3[c]
                    o0[c] = m00 * v0 + m01 * v1 + m02 * v2 + m03 * v3
                    o1[c] = m10 * v0 + m11 * v1 + m12 * v2 + m13 * v3
                    o2[c] = m20 * v0 + m21 * v1 + m22 * v2 + m23 * v3
                    o3[c] = m30 * v0 + m31 * v1 + m32 * v2 + m33 * v3

    @_jit
    def _block4(m, x, out):  # pragma: no cover - compiled
        n_a, _, n_c = x.shape
        per = (n_c + TILE - 1) // TILE
        for t in prange(n_a * per):
            a, c0, c1 = _tile(t, per, n_c)
            _apply4(m, x[a], c0, out[a], c0, c1 - c0, 1)

    @_jit
    def _block(m, x, out):  # pragma: no cover - compiled
        n_a, d, n_c = x.shape
        per = (n_c + TILE - 1) // TILE
        for t in prange(n_a * per):
            a, c0, c1 = _tile(t, per, n_c)
            for i in range(d):
                o = out[a, i, c0:c1]
                x0, m0 = x[a, 0, c0:c1], m[i, 0]
                for k in range(c1 - c0):
                    o[k] = m0 * x0[k]
                for j in range(1, d):
                    xj, mj = x[a, j, c0:c1], m[i, j]
                    for k in range(c1 - c0):
                        o[k] += mj * xj[k]

    @_jit
    def _gram4(lam, psi, acc):  # pragma: no cover - compiled
        n_a, _, n_c = lam.shape
        per = (n_c + TILE - 1) // TILE
        for t in prange(n_a * per):
            a, c0, c1 = _tile(t, per, n_c)
            p0, p1, p2, p3 = _rows4(psi, a, c0, c1)
            for i in range(4):
                li = lam[a, i, c0:c1]
                s0 = s1 = s2 = s3 = 0.0
                for k in range(c1 - c0):
                    v = li[k]
                    s0 += v * p0[k]
                    s1 += v * p1[k]
                    s2 += v * p2[k]
                    s3 += v * p3[k]
                acc[t, i, 0], acc[t, i, 1], acc[t, i, 2], acc[t, i, 3] = s0, s1, s2, s3

    @_jit
    def _gram(lam, psi, acc):  # pragma: no cover - compiled
        n_a, d, n_c = lam.shape
        per = (n_c + TILE - 1) // TILE
        for t in prange(n_a * per):
            a, c0, c1 = _tile(t, per, n_c)
            for i in range(d):
                li = lam[a, i, c0:c1]
                for j in range(d):
                    pj = psi[a, j, c0:c1]
                    s = 0.0
                    for k in range(c1 - c0):
                        s += li[k] * pj[k]
                    acc[t, i, j] = s

    @_jit
    def _chain4(ms, strides, x, out, width, scratch):  # pragma: no cover - compiled
        n_c, nb, n_th = x.shape[1], ms.shape[0], scratch.shape[0]
        n_t = (n_c + width - 1) // width
        for th in prange(n_th):  # each thread its two tile buffers
            buf = scratch[th, 0], scratch[th, 1]
            for t in range(th, n_t, n_th):
                c0 = t * width
                w = min(width, n_c - c0)
                if nb == 1:
                    _apply4(ms[0], x, c0, out, c0, w, strides[0])
                    continue
                _apply4(ms[0], x, c0, buf[0], 0, w, strides[0])
                for b in range(1, nb - 1):
                    _apply4(ms[b], buf[(b - 1) % 2], 0, buf[b % 2], 0, w, strides[b])
                _apply4(ms[nb - 1], buf[nb % 2], 0, out, c0, w, strides[nb - 1])

    @njit(inline="always", cache=True)
    def _pair_grads(lam, psi, sh, sl, c0, w):  # pragma: no cover - compiled
        """Two wires' angle gradients (strides ``sh > sl``) over the columns ``[c0, c0+w)``:
        the four rows of each group are read once for both."""
        ga = gb = 0.0
        for top in range(0, lam.shape[0], 2 * sh):
            for mid in range(top, top + sh, 2 * sl):
                for k in range(mid, mid + sl):
                    l00, l01 = lam[k, c0 : c0 + w], lam[k + sl, c0 : c0 + w]
                    l10, l11 = lam[k + sh, c0 : c0 + w], lam[k + sh + sl, c0 : c0 + w]
                    p00, p01 = psi[k, c0 : c0 + w], psi[k + sl, c0 : c0 + w]
                    p10, p11 = psi[k + sh, c0 : c0 + w], psi[k + sh + sl, c0 : c0 + w]
                    for c in range(w):
                        ga += l10[c] * p00[c] - l00[c] * p10[c] + l11[c] * p01[c] - l01[c] * p11[c]
                        gb += l01[c] * p00[c] - l00[c] * p01[c] + l11[c] * p10[c] - l10[c] * p11[c]
        return ga, gb

    @njit(inline="always", cache=True)
    def _wire_grad(lam, psi, s, c0, w):  # pragma: no cover - compiled
        """One wire's angle gradient (stride ``s``) over the columns ``[c0, c0+w)``."""
        total = 0.0
        for top in range(0, lam.shape[0], 2 * s):
            for k in range(top, top + s):
                l0, l1 = lam[k, c0 : c0 + w], lam[k + s, c0 : c0 + w]
                p0, p1 = psi[k, c0 : c0 + w], psi[k + s, c0 : c0 + w]
                for c in range(w):
                    total += l1[c] * p0[c] - l0[c] * p1[c]
        return total

    @_jit
    def _ry_grads(blocks, lam, psi, width, out):  # pragma: no cover - compiled
        n_c = lam.shape[1]
        n_t = (n_c + width - 1) // width
        acc = np.zeros((n_t, out.shape[0]), dtype=out.dtype)
        for t in prange(n_t):  # a tile of columns, every block
            c0 = t * width
            w = min(width, n_c - c0)
            for j in range(blocks.shape[0]):  # (stride, position in out) of its 1 or 2 wires
                sh, ih, sl, il = blocks[j, 0], blocks[j, 1], blocks[j, 2], blocks[j, 3]
                if sl == 0:
                    acc[t, ih] = _wire_grad(lam, psi, sh, c0, w)
                else:
                    acc[t, ih], acc[t, il] = _pair_grads(lam, psi, sh, sl, c0, w)
        for a in range(out.shape[0]):  # the tiles' partial sums, in a fixed order
            out[a] = 0.5 * acc[0, a]
            for t in range(1, n_t):
                out[a] += 0.5 * acc[t, a]

    @njit(cache=True)
    def _ry_pairs(theta, mats):  # pragma: no cover - compiled
        for p in range(mats.shape[0]):
            ca, sa = np.cos(0.5 * theta[2 * p]), np.sin(0.5 * theta[2 * p])
            cb, sb = np.cos(0.5 * theta[2 * p + 1]), np.sin(0.5 * theta[2 * p + 1])
            ra = ((ca, -sa), (sa, ca))
            rb = ((cb, -sb), (sb, cb))
            for i in range(2):
                for j in range(2):
                    for k in range(2):
                        for m in range(2):
                            mats[p, 2 * i + k, 2 * j + m] = ra[i][j] * rb[k][m]

    @_jit
    def _phase(psi, rows, hi, lo, shift, s, out):  # pragma: no cover - compiled
        mask = (1 << shift) - 1
        one_column = psi.shape[1] == 1
        for k in prange(out.shape[0]):
            sk = s[k, 0]
            r = rows[k]
            h, low = hi[k >> shift], lo[k & mask]
            if one_column:  # a state no per-row gate has touched yet: one column for all rows
                v = psi[r, 0] * sk
                for b in range(out.shape[1]):
                    out[k, b] = v * (h[b] * low[b])
            else:
                for b in range(out.shape[1]):
                    out[k, b] = psi[r, b] * (h[b] * low[b] * sk)

    @_jit
    def _phase_reverse(lam, hi, lo, shift, s, psi, rows, lam_in, hsum, at_out):  # pragma: no cover
        mask = (1 << shift) - 1
        for k in prange(lam.shape[0]):
            sk = s[k, 0].conjugate()
            r = rows[k]
            h, low = hi[k >> shift], lo[k & mask]
            phi = psi[k] if at_out else psi[r]
            acc = 0j
            for b in range(lam.shape[1]):
                v = lam[k, b]
                w = v * ((h[b] * low[b]).conjugate() * sk)
                lam_in[r, b] = w
                acc += (v if at_out else w) * phi[b].conjugate()
            hsum[k] = acc

    @_jit
    def _readout(d, x, width, out):  # pragma: no cover - compiled
        n_obs, n_r = d.shape
        n_c = out.shape[1]
        n_t = (n_c + width - 1) // width
        for t in prange(n_t):  # a tile of columns: its |psi|^2 row by row, into every output
            c0 = t * width
            w = min(width, n_c - c0)
            p = np.empty(w, dtype=out.dtype)
            acc = np.zeros((n_obs, w), dtype=out.dtype)
            for k in range(n_r):
                row = x[k, 2 * c0 : 2 * (c0 + w)]
                for c in range(w):
                    p[c] = row[2 * c] * row[2 * c] + row[2 * c + 1] * row[2 * c + 1]
                for o in range(n_obs):
                    dk = d[o, k]
                    if dk != 0.0:
                        a = acc[o]
                        for c in range(w):
                            a[c] += dk * p[c]
            out[:, c0 : c0 + w] = acc

    @_jit
    def _readout_adjoint(d, g, x, width, lam):  # pragma: no cover - compiled
        n_obs, n_r = d.shape
        n_c = g.shape[1]
        n_t = (n_c + width - 1) // width
        for t in prange(n_t):
            c0 = t * width
            w = min(width, n_c - c0)
            v = np.empty(w, dtype=g.dtype)
            for k in range(n_r):  # v = 2 (d^T g)[k] on the tile, then lam = v psi
                v[:] = 0.0
                for o in range(n_obs):
                    dk = 2.0 * d[o, k]
                    if dk != 0.0:
                        go = g[o, c0 : c0 + w]
                        for c in range(w):
                            v[c] += dk * go[c]
                src, dst = x[k, 2 * c0 : 2 * (c0 + w)], lam[k, 2 * c0 : 2 * (c0 + w)]
                for c in range(w):
                    dst[2 * c] = v[c] * src[2 * c]
                    dst[2 * c + 1] = v[c] * src[2 * c + 1]


def block(m: Tensor, x: Tensor, out: Tensor) -> Tensor:
    """``out = m @ x`` batched over the first axis: ``m`` ``(d, d)``, ``x`` ``(A, d, C)``."""
    _launch()
    mn = m.detach().to(x.dtype).contiguous().numpy()
    (_block4 if m.shape[-1] == 4 else _block)(mn, x.detach().numpy(), out.detach().numpy())
    return out


def gram(lam: Tensor, psi: Tensor) -> Tensor:
    r"""``(d, d)`` matrix :math:`\sum_{a,c}\lambda_{a,:,c}\,\psi_{a,:,c}^\top` of two
    ``(A, d, C)`` tensors (per-tile partial sums, added in a fixed order)."""
    _launch()
    n_a, d, n_c = lam.shape
    acc = torch.empty(_tiles(n_a, n_c), d, d, dtype=lam.dtype)
    kernel = _gram4 if d == 4 else _gram
    kernel(lam.detach().numpy(), psi.detach().numpy(), acc.numpy())
    return acc.sum(0)


def chain(ms: Tensor, firsts: tuple[int, ...], x: Tensor, out: Tensor) -> Tensor:
    r"""``out`` = the real ``(4, 4)`` blocks ``ms[0], ms[1], ...`` applied in turn to ``x``, a
    real ``(2^n, C)`` view of a state, block ``b`` on the wires ``firsts[b]`` and the next.

    One pass: each tile of ``CHAIN_TILE`` columns goes through all blocks in per-thread
    buffers (in L2), instead of one pass over the state per block.

    Example (:math:`X\otimes X` on wires 0, 1, then on wires 1, 2: ``k -> k ^ 0b101``):
        >>> xx = torch.eye(4, dtype=torch.float64).flip(0)
        >>> x = torch.arange(8.0, dtype=torch.float64)[:, None]
        >>> chain(torch.stack([xx, xx]), (0, 1), x, torch.empty_like(x)).flatten().tolist()
        [5.0, 4.0, 7.0, 6.0, 1.0, 0.0, 3.0, 2.0]
    """
    threads = _launch()
    n = x.shape[0].bit_length() - 1
    strides = _strides(tuple(n - f - 2 for f in firsts))
    scratch = _scratch(threading.get_ident(), threads, x.shape[0], CHAIN_TILE, x.dtype)
    mn = ms.detach().to(x.dtype).contiguous().numpy()
    _chain4(mn, strides, x.detach().numpy(), out.detach().numpy(), CHAIN_TILE, scratch)
    return out


def ry_grads(blocks: Sequence[Sequence[int]], lam: Tensor, psi: Tensor) -> Tensor:
    r"""Gradients of the angles of a layer of ``RY`` gates on the wires of ``blocks`` (one or
    two wires each; results in the order of the wires), from the real ``(2^n, C)`` views of
    the adjoint :math:`\lambda` and the state :math:`\psi` before the layer (per-tile partial
    sums, added in a fixed order).

    With :math:`\partial_\theta R(\theta) = R(\theta)\,G`, :math:`G = \frac12[[0, -1],
    [1, 0]]`, and the other gates of the layer orthogonal, the gradient of wire :math:`a`'s
    angle is :math:`\sum\lambda\cdot G_a\psi = \frac12\sum(\lambda_{k_1}\psi_{k_0} -
    \lambda_{k_0}\psi_{k_1})` over the rows :math:`k_0` where wire :math:`a` is 0,
    :math:`k_1 = k_0` with that bit set, and every column: one pass, two products per pair of
    rows; the two wires of a block share their reads of the state.

    Example (one wire: :math:`\lambda = |1\rangle`, :math:`\psi = |0\rangle` gives
    :math:`\frac12`):
        >>> lam = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
        >>> ry_grads([(0,)], lam, torch.tensor([[1.0], [0.0]], dtype=torch.float64)).tolist()
        [0.5]
    """
    _launch()
    n = lam.shape[0].bit_length() - 1
    table = _grad_blocks(n, tuple(tuple(b) for b in blocks))
    out = torch.empty(sum(len(b) for b in blocks), dtype=lam.dtype)
    _ry_grads(table, lam.detach().numpy(), psi.detach().numpy(), RY_GRADS_TILE, out.numpy())
    return out


@functools.lru_cache(maxsize=64)
def _grad_blocks(n: int, blocks: tuple[tuple[int, ...], ...]):
    """Rows ``(stride, position, stride, position)`` per block for :func:`_ry_grads`: the
    wire with the larger stride first; a single wire has stride 0 for the second."""
    rows, pos = [], 0
    for block in blocks:
        entries = sorted(((1 << (n - 1 - w), pos + i) for i, w in enumerate(block)), reverse=True)
        if len(entries) not in (1, 2) or len(set(block)) != len(block):
            raise ValueError(f"blocks={blocks!r}: each block must be one or two distinct wires.")
        rows.append([x for e in entries for x in e] + [0, 0] * (2 - len(entries)))
        pos += len(block)
    return torch.tensor(rows, dtype=torch.int64).reshape(-1, 4).numpy()


def ry_pairs(theta: Tensor) -> Tensor:
    r"""For ``RY`` angles on the wires of ``P`` pairs ``(2P,)``: the pairs' matrices
    :math:`R(\theta_{2p})\otimes R(\theta_{2p+1})`, ``(P, 4, 4)``, with
    :math:`R(\theta) = [[c, -s], [s, c]]` (:math:`c, s = \cos, \sin\frac\theta2`).

    Example:
        >>> m = ry_pairs(torch.tensor([torch.pi, 0.0], dtype=torch.float64))
        >>> m[0].round().int().tolist()                  # RY(pi) = [[0, -1], [1, 0]] on wire 0
        [[0, 0, -1, 0], [0, 0, 0, -1], [1, 0, 0, 0], [0, 1, 0, 0]]
    """
    mats = torch.empty(len(theta) // 2, 4, 4, dtype=torch.float64)
    _ry_pairs(theta.detach().to(torch.float64).numpy(), mats.numpy())
    return mats.to(theta.dtype)


def readout(d: Tensor, psi: Tensor) -> Tensor:
    r"""Expectation values of diagonal observables, :math:`v_{ob} = \sum_k d_{ok}
    |\psi_{kb}|^2`, for a real ``(n_obs, 2^n)`` matrix ``d`` and a state ``(2^n, B)``: one
    pass over the state, without the ``(2^n, B)`` tensor of probabilities.

    Example (:math:`\langle Z\rangle` of :math:`|0\rangle` and of :math:`|1\rangle`):
        >>> z = torch.tensor([[1.0, -1.0]], dtype=torch.float64)
        >>> readout(z, torch.eye(2, dtype=torch.complex128)).tolist()
        [[1.0, -1.0]]
    """
    _launch()
    x = torch.view_as_real(psi).reshape(psi.shape[0], -1)
    out = torch.empty(d.shape[0], psi.shape[1], dtype=x.dtype)
    dn = d.detach().to(x.dtype).contiguous().numpy()
    _readout(dn, x.detach().numpy(), READOUT_TILE, out.numpy())
    return out


def readout_adjoint(d: Tensor, g: Tensor, psi: Tensor, lam: Tensor) -> Tensor:
    r"""The adjoint state of :func:`readout`, :math:`\lambda_{kb} = 2\,\psi_{kb}\sum_o
    d_{ok}\,g_{ob}` for the gradient ``g`` ``(n_obs, B)`` of its values, written into ``lam``
    (same shape as ``psi``).

    Example:
        >>> z = torch.tensor([[1.0, -1.0]], dtype=torch.float64)
        >>> psi = torch.tensor([[0.6], [0.8]], dtype=torch.complex128)
        >>> g = torch.ones(1, 1, dtype=torch.float64)
        >>> readout_adjoint(z, g, psi, torch.empty_like(psi)).real.flatten().tolist()
        [1.2, -1.6]
    """
    _launch()
    x = torch.view_as_real(psi).reshape(psi.shape[0], -1)
    dn = d.detach().to(x.dtype).contiguous().numpy()
    gn = g.detach().to(x.dtype).contiguous().numpy()
    out = torch.view_as_real(lam).view(x.shape)
    _readout_adjoint(dn, gn, x.detach().numpy(), READOUT_TILE, out.numpy())
    return lam


@functools.lru_cache(maxsize=64)
def _strides(shifts: tuple[int, ...]):
    return torch.tensor([1 << s for s in shifts], dtype=torch.int64).numpy()


@functools.lru_cache(maxsize=8)
def _scratch(caller: int, threads: int, rows: int, width: int, dtype: torch.dtype):
    """Tile buffers of :func:`chain`, two per numba thread, one set per calling Python thread
    (simulations run from several threads at once do not share them)."""
    return torch.empty(threads, 2, rows, width, dtype=dtype).numpy()


def phase(
    psi: Tensor,
    hi: Tensor,
    lo: Tensor | None,
    s: Tensor,
    out: Tensor,
    rows: Tensor | None = None,
) -> Tensor:
    """``out = psi[rows] * f * s`` in one pass, for ``out`` ``(N, B)``, ``psi`` ``(N, B)`` or
    ``(N, 1)`` (one column for every row), ``s`` ``(N, 1)`` and ``f[i * L + j] = hi[i] *
    lo[j]`` (``hi`` ``(N / L, B)``, ``lo`` ``(L, B)``; ``lo`` None: ``f = hi``), never built;
    ``rows`` (a permutation, default none) acts first."""
    _launch()
    rows = _identity(psi.shape[0]) if rows is None else rows
    lo, shift = _factor(lo, hi)
    arrays = (psi, rows, hi, lo)
    _phase(*(a.detach().numpy() for a in arrays), shift, s.detach().numpy(), out.numpy())
    return out


def phase_reverse(
    lam: Tensor,
    hi: Tensor,
    lo: Tensor | None,
    s: Tensor,
    psi: Tensor,
    lam_in: Tensor,
    at_out: bool,
    rows: Tensor | None = None,
) -> Tensor:
    r"""The adjoint of :func:`phase` and the row sums its shared phase's gradient needs.

    Writes :math:`\lambda_{in}[\mathrm{rows}_k] = \lambda_k\,\bar f_k\,\bar s_k` into
    ``lam_in`` and returns :math:`h_k = \sum_b r_{kb}\,\bar\phi_{kb}` of shape ``(N, 1)``:
    with ``at_out``, ``psi`` is the output of :func:`phase` and :math:`r = \lambda`,
    :math:`\phi = \psi`; otherwise ``psi`` is its input, :math:`r` the adjoint before the row
    permutation and :math:`\phi_k = \psi_{\mathrm{rows}_k}`.
    """
    _launch()
    rows = _identity(lam.shape[0]) if rows is None else rows
    lo, shift = _factor(lo, hi)
    hsum = torch.empty(lam.shape[0], dtype=lam.dtype)
    arrays = (lam, hi, lo)
    tail = (s, psi, rows, lam_in, hsum)
    _phase_reverse(
        *(a.detach().numpy() for a in arrays), shift, *(a.detach().numpy() for a in tail), at_out
    )
    return hsum[:, None]


def _factor(lo: Tensor | None, hi: Tensor) -> tuple[Tensor, int]:
    """``lo`` and ``log2(len(lo))``; a row of ones when there is no second factor."""
    if lo is None:
        return torch.ones(1, hi.shape[1], dtype=hi.dtype), 0
    return lo, lo.shape[0].bit_length() - 1


@functools.lru_cache(maxsize=16)
def _identity(n: int) -> Tensor:
    return torch.arange(n)
