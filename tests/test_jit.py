"""The compiled CPU loops of qlearn.sim.jit against plain torch, and the engine with them off."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import numba
import pytest
import torch

from qlearn.sim import jit
from qlearn.sim.benchmark import reupload_circuit


def _real(shape, dtype, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _complex(shape, dtype, seed):
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    return torch.complex(_real(shape, real, seed), _real(shape, real, seed + 1))


# shapes (A, d, C): C below, at and above one tile, and not a multiple of it
SHAPES = [(1, 4, 3), (2, 4, jit.TILE), (4, 4, 2 * jit.TILE + 5), (3, 2, 700), (2, 8, 130)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_block_equals_matmul(shape, dtype):
    d = shape[1]
    m, x = _real((d, d), dtype, 0), _real(shape, dtype, 1)
    out = jit.block(m, x, torch.empty_like(x))
    tol = 1e-12 if dtype == torch.float64 else 1e-4
    torch.testing.assert_close(out, torch.matmul(m, x), atol=tol, rtol=0)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_gram_equals_contraction(shape, dtype):
    lam, psi = _real(shape, dtype, 2), _real(shape, dtype, 3)
    ref = torch.einsum("aic,ajc->ij", lam.double(), psi.double()).to(dtype)
    tol = 1e-10 if dtype == torch.float64 else 1e-3
    torch.testing.assert_close(jit.gram(lam, psi), ref, atol=tol, rtol=0)


@pytest.mark.parametrize("firsts", [(0, 2), (2, 0, 4), (0, 2, 4, 6), (5, 1, 3, 0, 2)])
@pytest.mark.parametrize("cols", [2, 3 * jit.CHAIN_TILE + 6])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_chain_equals_blocks_in_turn(firsts, cols, dtype):
    """Every block in one pass equals one product per block, for any number of blocks (the
    tile buffers ping-pong), tile-sized or not, and any thread count."""
    n = 8
    ms, x = _real((len(firsts), 4, 4), dtype, 20), _real((2**n, cols), dtype, 21)
    ref = x
    for m, f in zip(ms, firsts, strict=True):
        ref = torch.matmul(m, ref.reshape(2**f, 4, -1)).reshape(ref.shape)
    tol = 1e-12 if dtype == torch.float64 else 1e-4
    threads = torch.get_num_threads()
    try:
        for t in (1, threads):
            torch.set_num_threads(t)
            out = jit.chain(ms, firsts, x, torch.full_like(x, torch.nan))
            torch.testing.assert_close(out, ref, atol=tol, rtol=0)
    finally:
        torch.set_num_threads(threads)


BLOCKS = [((0,),), ((0, 1), (2, 3), (4, 5), (6, 7)), ((5,), (1,), (3,)), ((6, 2), (7,), (0, 1))]


@pytest.mark.parametrize("blocks", BLOCKS)
@pytest.mark.parametrize("cols", [3, 3 * jit.RY_GRADS_TILE + 6])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_ry_grads_equal_the_derivative_of_the_layer(blocks, cols, dtype):
    """The gradient of sum(lam_out * U(theta) psi) by each angle, from lam_in = U^T lam_out,
    for blocks of one or two wires (either order, any distance apart)."""
    from qlearn.sim.gates import matrix

    n = 8
    wires = tuple(w for b in blocks for w in b)
    lam_out, psi = _real((2**n, cols), torch.float64, 22), _real((2**n, cols), dtype, 23)
    theta = _real((len(wires),), torch.float64, 24)

    def layer(angles, y, transpose=False):  # RY on each wire of the real view, in turn
        gates = list(zip(wires, angles, strict=True))
        for w, t in reversed(gates) if transpose else gates:
            r = matrix("RY", (t,), dtype=torch.complex128).real
            y = torch.matmul(r.T if transpose else r, y.reshape(2**w, 2, -1)).reshape(y.shape)
        return y

    expected = torch.autograd.functional.jacobian(
        lambda a: (layer(a, psi.double()) * lam_out).sum(), theta
    )
    lam_in = layer(theta, lam_out, transpose=True).to(dtype)
    tol = 1e-9 if dtype == torch.float64 else 1e-2
    got = jit.ry_grads(blocks, lam_in, psi)
    torch.testing.assert_close(got.double(), expected, atol=tol, rtol=0)


def test_ry_grads_take_blocks_of_one_or_two_distinct_wires():
    x = torch.zeros(8, 2, dtype=torch.float64)
    for bad in ([(0, 1, 2)], [(1, 1)]):
        with pytest.raises(ValueError, match="one or two distinct wires"):
            jit.ry_grads(bad, x, x)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_ry_pairs_are_kronecker_products(dtype):
    from qlearn.sim.gates import matrix

    theta = _real((6,), dtype, 24)
    mats = jit.ry_pairs(theta)
    assert mats.dtype == dtype
    ry = [matrix("RY", (t,), dtype=torch.complex128).real for t in theta.double()]
    for p in range(3):
        torch.testing.assert_close(mats[p].double(), torch.kron(ry[2 * p], ry[2 * p + 1]))


def test_chain_from_two_python_threads_at_once():
    """Each calling thread has its own tile buffers: concurrent calls do not mix."""
    from concurrent.futures import ThreadPoolExecutor

    ms = _real((4, 4, 4), torch.float64, 22)
    firsts = (0, 2, 4, 6)
    xs = [_real((256, 6 * jit.CHAIN_TILE), torch.float64, 23 + i) for i in range(2)]
    refs = [jit.chain(ms, firsts, x, torch.empty_like(x)) for x in xs]

    def run(i):
        return all(
            torch.equal(jit.chain(ms, firsts, xs[i], torch.empty_like(xs[i])), refs[i])
            for _ in range(20)
        )

    with ThreadPoolExecutor(2) as pool:
        assert all(pool.map(run, [0, 1]))


def _factors(n, b, dtype, seed, split):
    """A per-row phase as given to the loops, ``(hi, lo)``, and as one tensor ``f``."""
    if not split:
        f = _complex((n, b), dtype, seed)
        return (f, None), f
    hi, lo = _complex((n // 4, b), dtype, seed), _complex((4, b), dtype, seed + 2)
    return (hi, lo), (hi[:, None, :] * lo[None, :, :]).reshape(n, b)


@pytest.mark.parametrize("split", [False, True])
@pytest.mark.parametrize("dtype", [torch.complex128, torch.complex64])
def test_phase_and_its_reverse(dtype, split):
    n, b = 16, 37
    psi, lam = _complex((n, b), dtype, 4), _complex((n, b), dtype, 8)
    (hi, lo), f = _factors(n, b, dtype, 6, split)
    s = _complex((n, 1), dtype, 10)
    tol = 1e-12 if dtype == torch.complex128 else 1e-4
    out = jit.phase(psi, hi, lo, s, torch.empty_like(psi))
    torch.testing.assert_close(out, psi * f * s, atol=tol, rtol=0)
    for at_out in (False, True):
        lam_in = torch.empty_like(lam)
        h = jit.phase_reverse(lam, hi, lo, s, psi, lam_in, at_out)
        ref_in = lam * f.conj() * s.conj()
        torch.testing.assert_close(lam_in, ref_in, atol=tol, rtol=0)
        ref_h = ((lam if at_out else ref_in) * psi.conj()).sum(1, keepdim=True)
        torch.testing.assert_close(h, ref_h, atol=100 * tol, rtol=0)


@pytest.mark.parametrize("split", [False, True])
def test_phase_after_a_row_permutation(split):
    """``rows`` gathers the input first; the reverse scatters the adjoint back."""
    n, b = 8, 5
    dtype = torch.complex128
    psi, lam = _complex((n, b), dtype, 20), _complex((n, b), dtype, 24)
    (hi, lo), f = _factors(n, b, dtype, 22, split)
    s = _complex((n, 1), dtype, 26)
    rows = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    out = jit.phase(psi, hi, lo, s, torch.empty_like(psi), rows=rows)
    torch.testing.assert_close(out, psi[rows] * f * s, atol=1e-12, rtol=0)
    for at_out, state in ((True, out), (False, psi)):
        lam_in = torch.empty_like(lam)
        h = jit.phase_reverse(lam, hi, lo, s, state, lam_in, at_out, rows=rows)
        mid = lam * f.conj() * s.conj()
        ref_in = torch.empty_like(mid)
        ref_in[rows] = mid
        torch.testing.assert_close(lam_in, ref_in, atol=1e-12, rtol=0)
        ref_h = ((lam * out.conj()) if at_out else (mid * psi[rows].conj())).sum(1, keepdim=True)
        torch.testing.assert_close(h, ref_h, atol=1e-10, rtol=0)


def test_phase_of_a_one_column_state_fills_every_column():
    """A state no per-row gate has touched is one column shared by all rows of the batch."""
    n, b = 8, 5
    dtype = torch.complex128
    psi = _complex((n, 1), dtype, 30)
    (hi, lo), f = _factors(n, b, dtype, 32, True)
    s = _complex((n, 1), dtype, 34)
    rows = torch.randperm(n, generator=torch.Generator().manual_seed(1))
    out = jit.phase(psi, hi, lo, s, torch.empty(n, b, dtype=dtype), rows=rows)
    torch.testing.assert_close(out, psi[rows] * f * s, atol=1e-12, rtol=0)


@pytest.mark.parametrize("cols", [3, 2 * jit.READOUT_TILE + 5])
@pytest.mark.parametrize("dtype", [torch.complex128, torch.complex64])
def test_readout_and_its_adjoint(cols, dtype):
    """Values d @ |psi|^2 and the adjoint 2 psi (d^T g), with zero entries in d skipped."""
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    n = 32
    psi = _complex((n, cols), dtype, 40)
    d = torch.randint(-1, 2, (5, n), generator=torch.Generator().manual_seed(0)).to(real)
    d[2] = _real((n,), real, 41)  # a general real row too
    g = _real((5, cols), real, 42)
    tol = 1e-12 if dtype == torch.complex128 else 1e-4
    ref = d @ (psi.abs() ** 2)
    torch.testing.assert_close(jit.readout(d, psi), ref, atol=tol * n, rtol=tol)
    lam = jit.readout_adjoint(d, g, psi, torch.empty_like(psi))
    torch.testing.assert_close(lam, 2 * psi * (d.T @ g), atol=tol * n, rtol=tol)


def test_results_do_not_depend_on_the_thread_count():
    """The loops follow torch's thread count (set per call), and their sums go tile by tile."""
    x, lam = _real((8, 4, 3000), torch.float64, 11), _real((8, 4, 3000), torch.float64, 12)
    psi = _complex((64, 1500), torch.complex128, 13)
    d = _real((3, 64), torch.float64, 14)

    def results():
        flat_x, flat_lam = x.reshape(32, -1), lam.reshape(32, -1)
        return [
            jit.gram(lam, x),
            jit.ry_grads([(0, 1), (2,), (3, 4)], flat_lam, flat_x),
            jit.readout(d, psi),
        ]

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = results()
        assert numba.get_num_threads() == 1
        torch.set_num_threads(2)
        two = results()
        assert numba.get_num_threads() == min(2, numba.np.ufunc.parallel.NUM_THREADS)
    finally:
        torch.set_num_threads(before)
    for a, b in zip(one, two, strict=True):
        assert torch.equal(a, b)


def test_the_loops_follow_torchs_thread_count(one_thread):
    x = _real((2, 4, 8), torch.float64, 13)
    jit.gram(x, x)
    assert numba.get_num_threads() == 1


def _simulate_in_child(queue) -> None:
    x = torch.rand(64, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    torch.manual_seed(0)
    queue.put(reupload_circuit(8, 2).module(dtype=torch.float64)(x).tolist())


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_process_forked_after_the_loops_ran_still_simulates(one_thread):
    """GNU OpenMP does not survive a fork: numba would end a child that starts a parallel loop
    after its parent ran one, so the child uses torch. (One torch thread: torch's own parallel
    BLAS hangs in such a child, whatever qlearn does; use the spawn start method there.)"""
    x = torch.rand(64, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    torch.manual_seed(0)
    expected = reupload_circuit(8, 2).module(dtype=torch.float64)(x).detach()  # runs the loops
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_simulate_in_child, args=(queue,))
    child.start()
    got = torch.tensor(queue.get(timeout=120), dtype=torch.float64)
    child.join(timeout=60)
    assert child.exitcode == 0
    torch.testing.assert_close(got, expected, atol=1e-12, rtol=0)


_AFTER_BRAKET = """
import braket.default_simulator.linalg_utils  # sets numba's workqueue layer and -1 threads
import numba, torch
from qlearn.sim import jit
x = torch.ones(2, 4, 8, dtype=torch.float64)
torch.set_num_threads(1)
assert torch.equal(jit.gram(x, x), torch.full((4, 4), 16.0, dtype=torch.float64))
print(numba.threading_layer(), numba.get_num_threads())
"""


def test_the_loops_survive_brakets_numba_settings():
    """Importing Amazon Braket's local simulator first changes numba's global settings."""
    pytest.importorskip("braket.default_simulator")
    done = subprocess.run(
        [sys.executable, "-c", _AFTER_BRAKET], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    layer, threads = done.stdout.split()
    assert layer != "workqueue" and threads == "1"


def test_usable_only_for_contiguous_cpu_tensors_of_one_dtype(monkeypatch):
    x = torch.zeros(2, 4, 8, dtype=torch.float64)
    assert jit.usable(x, x)
    assert not jit.usable(x, x.float())
    assert not jit.usable(x.transpose(1, 2))
    assert not jit.usable(x.long())
    monkeypatch.setattr(jit, "ENABLED", False)
    assert not jit.usable(x)


@pytest.mark.parametrize("input_grad", [False, True])
@pytest.mark.parametrize("n", [7, 8])  # 7: a lone wire next to the pairs of blocks
def test_a_large_circuit_gives_the_same_numbers_without_the_loops(monkeypatch, input_grad, n):
    """The benchmark circuit (reverse mode): values and every gradient agree."""
    x = torch.rand(128, n, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    monkeypatch.setattr(jit, "PHASE_MIN_ELEMENTS", 0)  # the phase loops at this small size too
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(jit, "ENABLED", enabled)
        torch.manual_seed(0)
        module = reupload_circuit(n, 3).module(dtype=torch.float64)
        inputs = x.clone().requires_grad_(input_grad)
        out = module(inputs)
        out.pow(2).sum().backward()
        grads = [module.weights["weights"].grad] + ([inputs.grad] if input_grad else [])
        results.append((out.detach(), grads))
    (v1, g1), (v2, g2) = results
    torch.testing.assert_close(v1, v2, atol=1e-12, rtol=0)
    for a, b in zip(g1, g2, strict=True):
        torch.testing.assert_close(a, b, atol=1e-11, rtol=0)


def test_the_benchmark_circuit_runs_in_the_loops(monkeypatch):
    """Every layer's phases, RY blocks and gradients go through the compiled loops (a tensor
    of the wrong layout would send them to torch silently, only slower)."""
    monkeypatch.setattr(jit, "PHASE_MIN_ELEMENTS", 0)
    calls: dict[str, int] = {}
    for name in ("phase", "phase_reverse", "chain", "ry_grads", "readout", "readout_adjoint"):
        original = getattr(jit, name)

        def counted(*args, original=original, name=name, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(jit, name, counted)
    x = torch.rand(300, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    module = reupload_circuit(8, 4).module(dtype=torch.float64)
    module(x).sum().backward()
    # 4 layers: 3 ring + encoding phases between 4 RY layers, each forward and reverse
    assert calls == {
        "phase": 3,
        "phase_reverse": 3,
        "chain": 8,
        "ry_grads": 4,
        "readout": 1,
        "readout_adjoint": 1,
    }
