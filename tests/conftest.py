"""Shared fixtures for the simulator tests: PennyLane reference runs, result comparison,
gradient comparison, a memory-limit fixture that always restores the default, and
``one_thread`` for tests of tiny circuits."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest
import torch

from qlearn import config
from qlearn.sim import engine, execute, jit

VALUE_ATOL = 1e-10
GRAD_ATOL = 1e-8


@pytest.fixture(scope="session")
def pl_device():
    """PennyLane's reference simulator."""
    return qml.device("default.qubit")


def _flatten(result) -> list:
    if isinstance(result, tuple | list):
        return [leaf for part in result for leaf in _flatten(part)]
    return [result]


def assert_same_result(ours, ref, atol: float = VALUE_ATOL, path: str = "result") -> None:
    """Same structure (tuple/list nesting), container type, shape, dtype and values."""
    if isinstance(ref, tuple | list):
        assert isinstance(ours, type(ref)), f"{path}: {type(ours).__name__} != {type(ref)}"
        assert len(ours) == len(ref), f"{path}: {len(ours)} results != {len(ref)}"
        for i, (o, r) in enumerate(zip(ours, ref, strict=True)):
            assert_same_result(o, r, atol, f"{path}[{i}]")
        return
    if isinstance(ref, torch.Tensor):
        assert isinstance(ours, torch.Tensor), f"{path}: {type(ours).__name__} is no tensor"
        assert ours.shape == ref.shape, f"{path}: shape {ours.shape} != {ref.shape}"
        assert ours.dtype == ref.dtype, f"{path}: dtype {ours.dtype} != {ref.dtype}"
        torch.testing.assert_close(
            ours.detach(), ref.detach(), atol=atol, rtol=0, msg=lambda m: f"{path}: {m}"
        )
        return
    assert not isinstance(ours, torch.Tensor), f"{path}: torch result for a numpy tape"
    assert isinstance(ours, np.ndarray | np.generic), f"{path}: {type(ours).__name__}"
    assert np.shape(ours) == np.shape(ref), f"{path}: {np.shape(ours)} != {np.shape(ref)}"
    np.testing.assert_allclose(ours, ref, atol=atol, rtol=0, err_msg=path)


def scalar_loss(result, seed: int = 1234) -> torch.Tensor:
    """A fixed random linear functional of every real number in ``result`` (complex: re, im)."""
    gen = torch.Generator().manual_seed(seed)
    total = torch.zeros((), dtype=torch.float64)
    for leaf in _flatten(result):
        t = torch.view_as_real(leaf) if leaf.is_complex() else leaf
        coeff = torch.randn(t.shape, generator=gen, dtype=torch.float64)
        total = total + (coeff * t.to(torch.float64)).sum()
    return total


def gradients(result, params) -> list[torch.Tensor]:
    """Gradients of :func:`scalar_loss` of ``result`` wrt ``params`` (zeros where unused)."""
    loss = scalar_loss(result)
    return list(torch.autograd.grad(loss, list(params), allow_unused=True, materialize_grads=True))


def assert_same_grads(ours, ref, atol: float = GRAD_ATOL) -> None:
    assert len(ours) == len(ref)
    for i, (g, r) in enumerate(zip(ours, ref, strict=True)):
        assert g.shape == r.shape, f"grad[{i}]: shape {g.shape} != {r.shape}"
        torch.testing.assert_close(g, r, atol=atol, rtol=0, msg=lambda m, i=i: f"grad[{i}]: {m}")


@pytest.fixture
def pl_execute(pl_device):
    """``pl_execute(tape)``: PennyLane's result with backprop (the reference)."""

    def run(tape):
        return qml.execute([tape], pl_device, diff_method="backprop")[0]

    return run


@pytest.fixture
def check_parity(pl_execute):
    """``check_parity(tape, params)``: execute() equals PennyLane in values and gradients."""

    def check(tape, params=(), atol: float = VALUE_ATOL, gtol: float = GRAD_ATOL, **kwargs):
        ref = pl_execute(tape)
        ours = execute(tape, **kwargs)
        assert_same_result(ours, ref, atol)
        for leaf in _flatten(ref):
            if isinstance(leaf, torch.Tensor):
                assert leaf.dtype in (torch.float64, torch.complex128)
        params = [p for p in params if isinstance(p, torch.Tensor) and p.requires_grad]
        if params:
            assert_same_grads(gradients(ours, params), gradients(ref, params), gtol)
        return ours, ref

    return check


@pytest.fixture
def one_thread():
    """Tiny circuits: one torch thread (extra threads only cost synchronisation on a busy CPU);
    the thread count is restored afterwards. Use with ``pytest.mark.usefixtures``."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def reverse_mode(monkeypatch):
    """Every run in the reverse mode (qlearn.sim.reverse), whatever the size of the state,
    with the compiled loops of qlearn.sim.jit wherever they apply."""
    monkeypatch.setattr(engine, "REVERSE_MIN_AMPLITUDES", 0)
    monkeypatch.setattr(jit, "PHASE_MIN_ELEMENTS", 0)


@pytest.fixture(params=["autograd", "reverse", "reverse-torch"])
def either_mode(request, monkeypatch):
    """Runs a test three times: small states under plain autograd, then in the reverse mode
    with the compiled loops of qlearn.sim.jit, then in the reverse mode with torch alone."""
    if request.param.startswith("reverse"):
        monkeypatch.setattr(engine, "REVERSE_MIN_AMPLITUDES", 0)
        monkeypatch.setattr(jit, "PHASE_MIN_ELEMENTS", 0)
    if request.param == "reverse-torch":
        monkeypatch.setattr(jit, "ENABLED", False)
    return request.param


@pytest.fixture
def memory_limit():
    """``memory_limit(n_bytes)`` sets the simulator's limit; the default is restored after."""
    yield config.set_memory_limit
    config.set_memory_limit(None)


def random_unitary(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-ish random ``d x d`` unitary (QR of a complex Gaussian matrix)."""
    z = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def random_hermitian(d: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    return (a + a.conj().T) / 2


@pytest.fixture
def helpers():
    """Plain helper functions for test modules (no import of conftest needed)."""

    class H:
        same_result = staticmethod(assert_same_result)
        same_grads = staticmethod(assert_same_grads)
        gradients = staticmethod(gradients)
        loss = staticmethod(scalar_loss)
        unitary = staticmethod(random_unitary)
        hermitian = staticmethod(random_hermitian)

    return H
