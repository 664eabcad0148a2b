"""Bad input raises ValueError / TypeError naming the argument and the value and saying what to
do; too-large simulations raise SimulationMemoryError before allocating."""

from __future__ import annotations

import re

import numpy as np
import pennylane as qml
import pytest
import torch

from qlearn import config
from qlearn.sim import Circuit, SimulationMemoryError, estimate_bytes, execute
from qlearn.sim.measure import parse_word


def _module(n_inputs: int = 2, n_qubits: int = 2):
    c = Circuit(n_qubits)
    x = c.inputs(n_inputs)
    w = c.weights("w", (n_qubits,))
    for q in range(n_qubits):
        c.ry(q, x[q % n_inputs])
        c.rx(q, w[q])
    c.cnot_ring()
    c.expval("Z", 0)
    return c.module(dtype=torch.float64, seed=0)


def _tape(*ops, measurements=None, **kwargs):
    ops = ops or (qml.RX(0.3, 0),)
    return qml.tape.QuantumScript(list(ops), measurements or [qml.expval(qml.PauliZ(0))], **kwargs)


# --------------------------------------------------------------------------------------------
# Module inputs


def test_wrong_input_width():
    """(B, 3) inputs for 2 features: the message names the shape and how to reshape."""
    with pytest.raises(ValueError, match=r"inputs has shape \(4, 3\).*\(batch, 2\).*reshape"):
        _module()(torch.zeros(4, 3))


def test_one_dimensional_inputs():
    """1-D inputs are rejected with the shape and the expected (batch, d)."""
    with pytest.raises(ValueError, match=r"inputs has shape \(2,\).*\(batch, 2\)"):
        _module()(torch.zeros(2))


def test_missing_inputs():
    """inputs=None for a circuit with inputs says how many features to pass."""
    with pytest.raises(ValueError, match=r"inputs=None.*2 features"):
        _module()(None)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_input_to_module(bad):
    """A NaN/inf feature is reported instead of silently producing NaN outputs."""
    x = torch.tensor([[0.1, 0.2], [bad, 0.3]], dtype=torch.float64)
    with pytest.raises(ValueError, match=r"not finite.*inputs"):
        _module()(x)


@pytest.mark.parametrize("wires", [[2], [0, 0], [-1]])
def test_probs_with_bad_wires(wires):
    """module.probs with a wire out of range or repeated names the wires."""
    with pytest.raises(ValueError, match=re.escape(f"wires={wires}")):
        _module().probs(torch.zeros(1, 2), wires)


# --------------------------------------------------------------------------------------------
# Building circuits


def test_unknown_gate():
    """An unknown gate name lists the known gates and suggests QubitUnitary."""
    with pytest.raises(ValueError, match=r"gate='FOO' is not a known gate.*RX.*QubitUnitary"):
        Circuit(1).gate("FOO", 0)


@pytest.mark.parametrize("wire", [3, -1])
def test_wire_out_of_range(wire):
    """A gate wire outside 0..n-1 names the wire and the valid range."""
    with pytest.raises(ValueError, match=rf"wire={wire} is out of range.*0\.\.2"):
        Circuit(3).rx(wire, 0.1)
    with pytest.raises(ValueError, match=rf"wire={wire}"):
        Circuit(3).cnot(0, wire)


@pytest.mark.parametrize(
    ("word", "wires"), [("Z5", None), ("X0 Y5", None), ("Z", 5), ("XY", (0, 7))]
)
def test_pauli_word_wire_out_of_range(word, wires):
    """A measured Pauli word on a wire out of range names the wire."""
    with pytest.raises(ValueError, match=r"wire=\d+ in word=.*out of range.*0\.\.2"):
        Circuit(3).expval(word, wires)


@pytest.mark.parametrize(
    ("word", "wires", "pattern"),
    [
        ("Q0", None, r"token 'Q0'"),
        ("XY", 0, r"2 letters but wires=\(0,\)"),
        ("XA", (0, 1), r"contains 'A'"),
        ("Z0 X0", None, r"names a wire twice"),
    ],
)
def test_bad_pauli_words(word, wires, pattern):
    """Malformed Pauli words name the bad part."""
    with pytest.raises(ValueError, match=pattern):
        parse_word(word, wires, 3)


def test_repeated_wires():
    """A gate on a repeated wire names the wires."""
    with pytest.raises(ValueError, match=r"wires=\(1, 1\) repeats a wire"):
        Circuit(2).cnot(1, 1)


def test_gate_on_no_wires():
    """A gate given no wires at all is rejected."""
    with pytest.raises(ValueError, match=r"wires"):
        Circuit(2).gate("MultiRZ", [], 0.1)


@pytest.mark.parametrize(
    ("name", "wires", "angles"),
    [("RX", 0, ()), ("Rot", 0, (0.1,)), ("CNOT", (0, 1), (0.2,)), ("CNOT", (0,), ())],
)
def test_wrong_number_of_angles_or_wires(name, wires, angles):
    """Wrong numbers of angles or wires name the gate and what it takes."""
    with pytest.raises(ValueError, match=rf"gate {name} (takes|acts on)"):
        Circuit(2).gate(name, wires, *angles)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_constant_angle(bad):
    """c.rx(0, nan) is rejected when recorded."""
    with pytest.raises(ValueError, match=rf"angle={bad}.*finite"):
        Circuit(1).rx(0, bad)


def test_angle_of_wrong_type():
    """A string angle is a TypeError that lists what an angle may be."""
    with pytest.raises(TypeError, match=r"angle='a'.*number"):
        Circuit(1).rx(0, "a")


def test_tensor_angle_requiring_grad():
    """A trainable tensor as a constant angle points to c.weights()."""
    with pytest.raises(ValueError, match=r"requires grad.*c\.weights"):
        Circuit(1).rx(0, torch.tensor(0.3, requires_grad=True))


def test_undeclared_input_index():
    """x[j] beyond the declared inputs raises IndexError naming the index."""
    with pytest.raises(IndexError, match=r"input index 2"):
        Circuit(1).inputs(2)[2]


@pytest.mark.parametrize("n", [31, 0, -1, 2.0, True])
def test_bad_number_of_qubits(n):
    """Circuit(31) is too many for a state vector; non-positive / non-int n is rejected."""
    with pytest.raises(ValueError, match=rf"n_qubits={n!r}"):
        Circuit(n)


def test_too_many_qubits_suggests_the_maximum():
    """The message for too many qubits says the largest allowed number."""
    with pytest.raises(ValueError, match=r"at most 30 qubits"):
        Circuit(31)


@pytest.mark.parametrize(
    ("name", "shape", "init", "pattern"),
    [
        ("1bad", 2, "uniform", r"name='1bad'"),
        ("w", (0, 2), "uniform", r"shape=\(0, 2\)"),
        ("w", (-1,), "uniform", r"shape=\(-1,\)"),
        ("w", 3, "gauss", r"init='gauss'.*uniform"),
        ("w", (2, 2), torch.zeros(3), r"init has shape \(3,\) but shape=\(2, 2\)"),
    ],
)
def test_bad_weights(name, shape, init, pattern):
    """Bad weight names, shapes and inits are rejected with the offending value."""
    with pytest.raises(ValueError, match=pattern):
        Circuit(1).weights(name, shape, init=init)


def test_duplicate_weight_name():
    """A second weight tensor with the same name is rejected."""
    c = Circuit(1)
    c.weights("w", 2)
    with pytest.raises(ValueError, match=r"name='w'"):
        c.weights("w", 3)


def test_weight_index_out_of_range():
    """Indexing weights outside their shape names the index and the shape."""
    w = Circuit(1).weights("w", (2, 3))
    with pytest.raises(IndexError, match=r"index 3 is out of range.*\(2, 3\)"):
        w[1, 3]
    with pytest.raises(IndexError, match=r"shape \(2, 3\)"):
        w[0, 0, 0]


def test_missing_weights_for_pennylane():
    """to_pennylane with a weights dict that lacks a tensor names the missing one."""
    c = Circuit(1)
    x = c.inputs(1)
    w = c.weights("w", 1)
    c.rx(0, x[0] * w[0])
    c.expval("Z", 0)
    with pytest.raises(ValueError, match=r"missing \['w'\]"):
        c.to_pennylane()(torch.zeros(2, 1), {})


def test_non_unitary_matrix():
    """c.unitary rejects a non-unitary matrix and a matrix of the wrong size."""
    with pytest.raises(ValueError, match=r"not unitary"):
        Circuit(1).unitary(0, [[1.0, 1.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"shape \(2, 2\) but 2 wire\(s\) need \(4, 4\)"):
        Circuit(2).unitary((0, 1), np.eye(2))


def test_angle_division_by_zero():
    """Dividing an angle by zero is a ValueError."""
    with pytest.raises(ValueError, match=r"non-zero number"):
        Circuit(1).inputs(1)[0] / 0


# --------------------------------------------------------------------------------------------
# Devices and dtypes


def test_unknown_device():
    """An unknown device string names the value and the valid choices."""
    with pytest.raises(ValueError, match=r"device='tpu'.*'cpu'"):
        config.resolve_device("tpu")
    with pytest.raises(ValueError, match=r"device='tpu'"):
        Circuit(1).module(device="tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_gpu():
    """Asking for CUDA without a GPU says so and suggests device='cpu'."""
    with pytest.raises(ValueError, match=r"device='cuda'.*no CUDA.*device='cpu'"):
        config.resolve_device("cuda")
    with pytest.raises(ValueError, match=r"device='cuda'"):
        Circuit(1).module(device="cuda")
    with pytest.raises(ValueError, match=r"device='cuda'"):
        execute(_tape(), device="cuda")


@pytest.mark.parametrize("dtype", [torch.int32, torch.float16, "float64"])
def test_bad_dtype(dtype):
    """Unsupported dtypes are rejected by name with the supported ones listed."""
    with pytest.raises(ValueError, match=rf"dtype={re.escape(repr(dtype))}.*float64"):
        config.resolve_dtype(dtype)
    with pytest.raises(ValueError, match=r"dtype="):
        Circuit(1).module(dtype=dtype)
    with pytest.raises(ValueError, match=r"dtype="):
        execute(_tape(), dtype=dtype)


# --------------------------------------------------------------------------------------------
# execute


def test_execute_nan_parameter():
    """A NaN angle in a tape names the operation and the value."""
    x = torch.tensor([0.1, float("nan")], dtype=torch.float64)
    with pytest.raises(ValueError, match=r"RY on wires \[1\].*non-finite.*nan"):
        execute(_tape(qml.RX(0.2, 0), qml.RY(x, 1)))


def test_execute_tape_with_shots():
    """A tape with shots says execute is exact and where sampling lives."""
    with pytest.raises(ValueError, match=r"tape.shots=.*100.*sample"):
        execute(_tape(shots=100))


@pytest.mark.parametrize(
    "measurement",
    [qml.sample(wires=[0]), qml.counts(wires=[0]), qml.density_matrix(wires=[0])],
    ids=["sample", "counts", "density_matrix"],
)
def test_execute_unsupported_measurement(measurement):
    """qml.sample and other unsupported measurements name the supported ones."""
    with pytest.raises(ValueError, match=r"not supported.*qml.expval.*CircuitModule.sample"):
        execute(_tape(measurements=[measurement]))


def test_execute_not_a_tape():
    """execute of something that is not a tape is a TypeError naming the type."""
    with pytest.raises(TypeError, match=r"tapes has type str.*QuantumScript"):
        execute("RX(0.1)")


class _Opaque(qml.operation.Operation):
    num_wires = 4
    num_params = 0


def test_execute_operation_without_matrix_or_decomposition():
    """An op on 4 wires with neither matrix nor decomposition is named in the error."""
    tape = _tape(qml.Hadamard(0), _Opaque(wires=[0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"operation _Opaque on wires \[0, 1, 2, 3\]"):
        execute(tape)


def test_from_tape_rejections():
    """from_tape rejects broadcast parameters, template inputs and non-expval measurements."""
    broadcast = _tape(qml.RX(np.array([0.1, 0.2]), 0))
    with pytest.raises(ValueError, match=r"RX has a broadcast parameter.*input_params"):
        Circuit.from_tape(broadcast)
    template = _tape(qml.AngleEmbedding(np.array([0.1, 0.2]), wires=[0, 1]))
    with pytest.raises(ValueError, match=r"input_params names a parameter of AngleEmbedding"):
        Circuit.from_tape(template, input_params=[0])
    with pytest.raises(ValueError, match=r"cannot be imported"):
        Circuit.from_tape(_tape(measurements=[qml.probs(wires=[0])]))


# --------------------------------------------------------------------------------------------
# Memory


def _big_module():
    return _module(n_inputs=2, n_qubits=6)


def test_memory_limit_raises_before_allocating(memory_limit):
    """Over the limit: SimulationMemoryError (a MemoryError and a ValueError) with the need,
    the limit and the fixes (training: smaller batch; inference: chunk_size)."""
    module = _big_module()
    x = torch.rand(4096, 2, dtype=torch.float64)
    memory_limit(256 * 2**10)
    with pytest.raises(SimulationMemoryError) as info:
        module(x)
    err = info.value
    assert isinstance(err, MemoryError) and isinstance(err, ValueError)
    msg = str(err)
    assert re.search(r"batch=4096 needs about [\d.]+ (MiB|GiB)", msg), msg
    assert re.search(r"limit is [\d.]+ (KiB|MiB|GiB)", msg), msg
    assert re.search(r"smaller batch \(about \d+ rows fit\).*accumulate gradients", msg), msg
    with torch.no_grad(), pytest.raises(SimulationMemoryError, match=r"chunk_size=\d+"):
        module(x)
    with pytest.raises(SimulationMemoryError):
        module.probs(x)
    with pytest.raises(SimulationMemoryError):
        execute(_tape(qml.RX(torch.rand(4096, dtype=torch.float64), 0), qml.Hadamard(5)))


def test_suggested_chunk_size_fits(memory_limit):
    """Under no_grad, the chunk size the error suggests runs and equals the unchunked result."""
    module = _big_module()
    x = torch.rand(4096, 2, dtype=torch.float64)
    with torch.no_grad():
        full = module(x)
        memory_limit(2**20)
        with pytest.raises(SimulationMemoryError) as info:
            module(x)
        chunk = int(re.search(r"chunk_size=(\d+)", str(info.value)).group(1))
        assert 1 <= chunk < 4096
        chunked = module(x, chunk_size=chunk)
    torch.testing.assert_close(chunked, full, atol=1e-12, rtol=0)


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
def test_chunked_forward_equals_unchunked(chunk):
    """module(x, chunk_size=k) under no_grad equals module(x)."""
    module = _module(n_qubits=3)
    x = torch.rand(200, 2, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(module(x, chunk_size=chunk), module(x), atol=1e-12, rtol=0)


def test_estimate_bytes_is_linear_in_batch():
    """estimate_bytes grows linearly with the batch, and with gradients it is not smaller."""
    for n, stages in ((4, 3), (10, 20)):
        for grad in (False, True):
            one = estimate_bytes(n, 100, stages, torch.complex128, grad)
            assert one >= 2**n * 100 * 16  # at least one complex128 state
            assert estimate_bytes(n, 300, stages, torch.complex128, grad) == 3 * one
        assert estimate_bytes(n, 100, stages, torch.complex128, True) >= estimate_bytes(
            n, 100, stages, torch.complex128, False
        )
    assert estimate_bytes(8, 64, 5, torch.complex64, True) < estimate_bytes(
        8, 64, 5, torch.complex128, True
    )


def test_set_memory_limit_rejects_non_positive():
    """set_memory_limit(0) names the value."""
    with pytest.raises(ValueError, match=r"n_bytes=0 must be positive"):
        config.set_memory_limit(0)
