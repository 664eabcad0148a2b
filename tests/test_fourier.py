"""Tests of qlearn.fourier: theoretical spectra (against PennyLane), FFT coefficients, clouds."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pennylane as qml
import pytest
import torch

from qlearn import fourier
from qlearn.fourier import (
    coefficient_cloud,
    coefficients,
    coefficients_from_samples,
    fourier_grid,
    frequency_axis,
    frequency_count_table,
    gate_frequencies,
    n_frequencies,
    spectrum,
)
from qlearn.sim import Circuit
from qlearn.sim.gates import GATES, matrix

F64 = torch.float64
TOL = 1e-10


# --------------------------------------------------------------------------------------------
# circuits


def serial(n_reuploads: int, scales=None) -> Circuit:
    """One qubit: [Rot, RX(a_l x)] × L, Rot, <Z>."""
    return fourier._reuploading_circuit(1, n_reuploads, scales or "none")


def parallel(n_qubits: int) -> Circuit:
    c = Circuit(n_qubits)
    x, w = c.inputs(1), c.weights("w", (2, n_qubits, 3))
    for q in range(n_qubits):
        c.rot(q, w[0, q, 0], w[0, q, 1], w[0, q, 2])
        c.ry(q, x[0])
    c.cnot_ring()
    for q in range(n_qubits):
        c.rot(q, w[1, q, 0], w[1, q, 1], w[1, q, 2])
    c.expval("Z" * n_qubits, list(range(n_qubits)))
    return c


def two_inputs() -> Circuit:
    c = Circuit(2)
    x, w = c.inputs(2), c.weights("w", (2, 2, 3))
    for layer in range(2):
        for q in range(2):
            c.rot(q, w[layer, q, 0], w[layer, q, 1], w[layer, q, 2])
        if layer == 0:
            c.rz(0, x[0])
            c.ry(1, 2 * x[1] + 0.3)
            c.isingzz(0, 1, x[0] - 0.5 * x[1])
            c.phaseshift(0, 1.5 * x[1])
            c.gate("MultiRZ", (0, 1), -x[0])
            c.isingxx(0, 1, x[1])
            c.isingyy(0, 1, w[0, 0, 0] + x[0])
    c.expval("Z", 0)
    c.expval("XY", (0, 1))
    return c


def controlled() -> Circuit:
    c = Circuit(2)
    x, w = c.inputs(1), c.weights("w", (2, 2, 3))
    for q in range(2):
        c.rot(q, w[0, q, 0], w[0, q, 1], w[0, q, 2])
    c.crx(0, 1, x[0])
    c.cry(1, 0, 0.5 * x[0])
    c.crz(0, 1, x[0])
    c.gate("ControlledPhaseShift", (1, 0), x[0])
    c.gate("CRot", (0, 1), x[0], x[0], 0.3)
    for q in range(2):
        c.rot(q, w[1, q, 0], w[1, q, 1], w[1, q, 2])
    c.expval("Z", 1)
    return c


def trainable_scale() -> Circuit:
    c = Circuit(1)
    x, s = c.inputs(1), c.weights("s", (2,), init=torch.tensor([0.75, 2.0], dtype=F64))
    c.h(0)
    c.rx(0, s[0] * x[0] + 1.0)
    c.ry(0, s[1] * x[0] + x[0])
    c.expval("X", 0)
    return c


def pl_warnings(test):
    """Silence PennyLane's numerical linearity check (a UserWarning, numpy deprecations)."""
    test = pytest.mark.filterwarnings("ignore::UserWarning")(test)
    return pytest.mark.filterwarnings("ignore::DeprecationWarning")(test)


def pl_spectrum(circuit: Circuit, module=None) -> dict[int, list[float]]:
    """PennyLane's qnode_spectrum of the exported circuit, as {feature: frequencies}."""
    qnode = circuit.to_pennylane()
    if module is None:
        module = circuit.module(dtype=F64, device="cpu", seed=0)
    weights = {k: v.detach() for k, v in module.weight_dict().items()}
    dev = qml.device("default.qubit", wires=circuit.n_qubits)
    wrapped = qml.QNode(lambda inputs: qnode.func(inputs, weights), dev, interface="torch")
    x = torch.linspace(0.1, 0.9, circuit.n_inputs, dtype=F64)
    result = qml.fourier.qnode_spectrum(wrapped, encoding_args={"inputs"})(x)["inputs"]
    assert set(result) == {(j,) for j in range(circuit.n_inputs)}  # keys: (feature index,)
    return {j: [float(f) for f in result[(j,)]] for j in range(circuit.n_inputs)}


def assert_same_spectrum(ours: dict, ref: dict) -> None:
    assert set(ours) == set(ref)
    for j in ref:
        np.testing.assert_allclose(ours[j], ref[j], atol=1e-7, err_msg=f"feature {j}")


# --------------------------------------------------------------------------------------------
# theoretical spectrum


def test_doctests():
    result = doctest.testmod(fourier, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0


def _generator(name: str, k: int, n_params: int) -> np.ndarray:
    """G = i dU/dθ_k at θ = 0 (central difference), for U = exp(-iθG)."""
    h = 1e-5

    def u(t: float) -> torch.Tensor:
        params = [torch.tensor(0.0, dtype=F64)] * n_params
        params[k] = torch.tensor(t, dtype=F64)
        return matrix(name, params, n_wires=3 if name == "MultiRZ" else 1)

    return (1j * (u(h) - u(-h)) / (2 * h)).numpy()


def test_generator_table_matches_gate_matrices():
    parametrised = {n for n, s in GATES.items() if s.n_params and n != "QubitUnitary"}
    assert parametrised == set(fourier.GENERATOR_EIGENVALUES)
    for name in sorted(parametrised):
        for k in range(GATES[name].n_params):
            eig = np.linalg.eigvalsh(_generator(name, k, GATES[name].n_params))
            diffs = sorted({round(float(a - b), 6) + 0.0 for a in eig for b in eig})
            assert diffs == gate_frequencies(name), (name, k)


@pl_warnings
@pytest.mark.parametrize(
    "make",
    [
        lambda: serial(3),
        lambda: parallel(3),
        lambda: serial(3, "exponential"),
        lambda: fourier._reuploading_circuit(2, 2, "exponential"),
        two_inputs,
    ],
    ids=["serial", "parallel", "scales-3^k", "2x2-scales-3^k", "two-inputs"],
)
def test_agrees_with_pennylane(make):
    c = make()
    assert_same_spectrum(spectrum(c), pl_spectrum(c))


@pl_warnings
def test_agrees_with_pennylane_on_controlled_rotations():
    c = controlled()
    assert_same_spectrum(spectrum(c), pl_spectrum(c))
    assert spectrum(c)[0] == [k / 4 for k in range(-22, 23)]  # CRY(x / 2) brings ±1/4


@pl_warnings
def test_crot_omega_is_tighter_than_pennylane():
    """PennyLane decomposes CRot and overestimates ω's spectrum; ours is the exact one."""
    c = Circuit(2)
    x = c.inputs(1)
    c.h(0)
    c.h(1)
    c.gate("CRot", (0, 1), 0.4, 0.7, x[0])
    c.expval("X", 1)
    ours, ref = spectrum(c)[0], pl_spectrum(c)[0]
    assert ours == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert set(ours) < set(ref) and max(ref) == 2.0
    model = c.module(dtype=F64, device="cpu", seed=0)
    coeffs = coefficients(model, degree=6, period=4 * math.pi)  # ω_k = k / 2
    for k, ck in zip(range(-6, 7), coeffs, strict=True):
        if abs(k) > 2:
            assert abs(ck) < TOL, k


@pl_warnings
def test_trainable_scale_needs_weights_then_matches_pennylane():
    c = trainable_scale()
    with pytest.raises(ValueError, match=r"trainable scale.*s\[0\].*weights="):
        spectrum(c)
    module = c.module(dtype=F64, device="cpu")
    ours = spectrum(module)  # the module's own weights
    assert ours == spectrum(c, weights=module.weight_dict())
    assert ours == {0: [-3.75, -3.0, -2.25, -0.75, 0.0, 0.75, 2.25, 3.0, 3.75]}
    assert_same_spectrum(ours, pl_spectrum(c, module))


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_serial_and_parallel_pauli_encodings_give_minus_l_to_l(n):
    expected = [float(k) for k in range(-n, n + 1)]
    assert spectrum(serial(n)) == {0: expected}
    assert spectrum(parallel(n)) == {0: expected}
    assert n_frequencies(serial(n)) == n + 1


@pytest.mark.parametrize("n_encodings", [1, 2, 3, 4])
def test_exponential_scales_give_3_to_the_l_frequencies(n_encodings):
    freqs = spectrum(serial(n_encodings, "exponential"))[0]
    top = (3**n_encodings - 1) // 2
    assert freqs == [float(k) for k in range(-top, top + 1)]  # balanced ternary: no gaps
    assert len(freqs) == 3**n_encodings
    assert n_frequencies(freqs) == (3**n_encodings + 1) // 2


def test_frequency_count_table():
    table = frequency_count_table([1, 2, 3], [1, 2, 3])
    assert table == {(n, L): n * L + 1 for n in (1, 2, 3) for L in (1, 2, 3)}
    table = frequency_count_table([1, 2], [1, 2, 3], scaling="exponential")
    assert table == {(n, L): (3 ** (n * L) + 1) // 2 for n in (1, 2) for L in (1, 2, 3)}
    assert frequency_count_table(2, 1) == {(2, 1): 3}


def test_spectrum_selects_inputs_and_unused_input_is_constant():
    c = Circuit(1)
    x = c.inputs(3)
    c.rx(0, x[0])
    c.ry(0, 2 * x[2])
    c.expval("Z", 0)
    assert spectrum(c) == {0: [-1.0, 0.0, 1.0], 1: [0.0], 2: [-2.0, 0.0, 2.0]}
    assert spectrum(c, 2) == {2: [-2.0, 0.0, 2.0]}
    assert spectrum(c, [2, 0]) == {2: [-2.0, 0.0, 2.0], 0: [-1.0, 0.0, 1.0]}
    assert n_frequencies(spectrum(c), feature=2) == 2
    assert n_frequencies(c, feature=1) == 1


# --------------------------------------------------------------------------------------------
# measured coefficients


def test_frequency_axis_and_grid():
    assert frequency_axis(2).tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert frequency_axis(2, period=math.pi).tolist() == [-4.0, -2.0, 0.0, 2.0, 4.0]
    g = fourier_grid(3, 2, period=3.0)
    assert g.tolist() == [[a, b] for a in (0.0, 1.0, 2.0) for b in (0.0, 1.0, 2.0)]


@pytest.mark.parametrize("n_points", [None, 11, 16, 40])
def test_coefficients_of_a_trig_polynomial_are_exact(n_points):
    def f(x):
        return 0.5 + torch.cos(x[:, 0]) + 0.25 * torch.sin(3 * x[:, 0])

    c = coefficients(f, degree=5, n_points=n_points)
    expected = torch.zeros(11, dtype=torch.complex128)
    expected[5] = 0.5
    expected[4] = expected[6] = 0.5
    expected[5 + 3] = -0.125j
    expected[5 - 3] = 0.125j
    torch.testing.assert_close(c, expected, atol=1e-14, rtol=0)


def test_coefficients_with_a_period():
    def f(x):  # period 4: cos(2π x / 4)
        return torch.cos(math.pi / 2 * x[:, 0])

    c = coefficients(f, degree=2, period=4.0)
    torch.testing.assert_close(
        c.real, torch.tensor([0, 0.5, 0, 0.5, 0], dtype=F64), atol=1e-14, rtol=0
    )


def test_coefficients_2d_trig_polynomial():
    def f(x):
        a, b = x[:, 0], x[:, 1]
        return 1 + torch.cos(a + 2 * b) + 0.5 * torch.sin(a) - 0.3 * torch.cos(2 * b)

    c = coefficients(f, degree=3, n_inputs=2)
    assert c.shape == (7, 7)
    expected = torch.zeros(7, 7, dtype=torch.complex128)
    for (k1, k2), value in {
        (0, 0): 1,
        (1, 2): 0.5,
        (-1, -2): 0.5,
        (1, 0): -0.25j,
        (-1, 0): 0.25j,
        (0, 2): -0.15,
        (0, -2): -0.15,
    }.items():
        expected[k1 + 3, k2 + 3] = value
    torch.testing.assert_close(c, expected, atol=1e-14, rtol=0)


def _allowed(freqs: list[float], degree: int, unit: float = 1.0) -> torch.Tensor:
    """Boolean mask over k = -D..D: is ω_k = k·unit in the spectrum?"""
    on = {round(f / unit) for f in freqs}
    return torch.tensor([k in on for k in range(-degree, degree + 1)])


@pytest.mark.parametrize(
    "make, unit, tight",
    [
        (lambda: serial(3), 1.0, True),
        (lambda: parallel(2), 1.0, True),
        (lambda: serial(2, "exponential"), 1.0, True),
        (controlled, 0.25, False),  # adjacent encodings: the spectrum is only an upper bound
    ],
    ids=["serial", "parallel", "scales-3^k", "controlled"],
)
def test_measured_spectrum_lies_in_the_theoretical_one(make, unit, tight):
    c = make()
    freqs = spectrum(c)[0]
    degree = round(max(freqs) / unit) + 3
    model = c.module(dtype=F64, device="cpu", seed=3)
    coeffs = coefficients(model, degree, period=2 * math.pi / unit).abs()
    mask = _allowed(freqs, degree, unit)
    assert coeffs[~mask].max() < TOL
    assert coeffs[mask].max() > 1e-3
    if tight:  # every theoretical frequency is reached, not just bounded
        assert coeffs[mask].min() > 1e-6


def test_measured_2d_spectrum_lies_in_the_product_of_spectra():
    c = two_inputs()
    spec = spectrum(c)
    assert spec[0] == [float(k) for k in range(-4, 5)]
    assert spec[1] == [x / 2 for x in range(-10, 11)]
    model = c.module(dtype=F64, device="cpu", seed=1)
    degree = 12  # period 4π: ω_k = k / 2
    for output in (0, 1):
        coeffs = coefficients(model, degree, period=4 * math.pi, output=output).abs()
        mask = _allowed(spec[0], degree, 0.5)[:, None] & _allowed(spec[1], degree, 0.5)[None, :]
        assert coeffs.shape == (25, 25)
        assert coeffs[~mask].max() < TOL
        assert coeffs[mask].max() > 1e-3


def test_coefficients_from_samples_with_a_shifted_grid():
    x0 = 0.3
    x = x0 + torch.arange(9, dtype=F64) * (2 * math.pi / 9)
    values = 0.2 + torch.sin(x) + 0.4 * torch.cos(4 * x)
    c = coefficients_from_samples(values, x)
    ref = coefficients(lambda t: 0.2 + torch.sin(t[:, 0]) + 0.4 * torch.cos(4 * t[:, 0]), 4)
    torch.testing.assert_close(c, ref, atol=1e-14, rtol=0)
    torch.testing.assert_close(coefficients_from_samples(values, x, degree=1), ref[3:6])


def test_coefficients_from_samples_2d_grids():
    g = fourier_grid(5, 2)
    values = (torch.cos(g[:, 0]) * torch.sin(g[:, 1])).reshape(5, 5)
    c1 = coefficients_from_samples(values, g)
    axis = g[::5, 0]
    c2 = coefficients_from_samples(values, (axis, axis))
    torch.testing.assert_close(c1, c2)
    assert abs(c1[3, 3] - (-0.25j)) < 1e-14  # cos·sin: c_{1,1} = (1/2)(1/2i)


def test_coefficient_cloud_shape_and_seed():
    c = serial(2)
    a = coefficient_cloud(c, n_samples=20, degree=3, seed=7, device="cpu")
    b = coefficient_cloud(c, n_samples=20, degree=3, seed=7, device="cpu")
    other = coefficient_cloud(c, n_samples=20, degree=3, seed=8, device="cpu")
    assert a.shape == (20, 7) and a.dtype == torch.complex128
    assert torch.equal(a, b)
    assert not torch.allclose(a, other)
    assert a[:, [0, 6]].abs().max() < TOL  # |k| = 3 is outside {-2, ..., 2}
    torch.testing.assert_close(a[:, 4], a[:, 2].conj())  # real model: c_{-k} = conj(c_k)
    assert a[:, 1:6].abs().max() > 1e-3
    assert len({complex(v) for v in a[:, 5]}) == 20  # every draw differs


def test_coefficient_cloud_with_a_builder_and_two_inputs():
    c = two_inputs()

    def build(seed: int):
        return c.module(seed=seed, dtype=F64, device="cpu")

    cloud = coefficient_cloud(build, n_samples=3, degree=2, n_inputs=2, output=1, seed=0)
    assert cloud.shape == (3, 5, 5)
    same = coefficient_cloud(c, n_samples=3, degree=2, output=1, seed=0, device="cpu")
    assert same.shape == (3, 5, 5)


# --------------------------------------------------------------------------------------------
# errors


def _bare_circuit(n_inputs: int = 0) -> Circuit:
    c = Circuit(1)
    w = c.weights("w", (1,))
    if n_inputs:
        c.inputs(n_inputs)
    c.rx(0, w[0])
    c.expval("Z", 0)
    return c


def test_errors_of_spectrum(monkeypatch):
    for c in (_bare_circuit(0), _bare_circuit(2)):
        with pytest.raises(ValueError, match="circuit has no encoding gates"):
            spectrum(c)
    with pytest.raises(ValueError, match="circuit has no encoding gates"):
        coefficient_cloud(_bare_circuit(1), 2, 1)
    with pytest.raises(ValueError, match=r"inputs=5: feature index 5 is out of range.*0\.\.0"):
        spectrum(serial(1), inputs=5)
    with pytest.raises(ValueError, match=r"inputs=\[0, -1\]: feature index -1"):
        spectrum(serial(1), inputs=[0, -1])
    with pytest.raises(ValueError, match=r"feature=3 is not in the spectrum"):
        n_frequencies(spectrum(serial(1)), feature=3)
    with pytest.raises(ValueError, match=r"gate='Foo' is not supported as an encoding gate"):
        gate_frequencies("Foo")
    monkeypatch.delitem(fourier.GENERATOR_EIGENVALUES, "RX")
    with pytest.raises(ValueError, match=r"gate='RX' is not supported as an encoding gate"):
        spectrum(serial(1))


def test_errors_of_spectrum_weights():
    c = trainable_scale()
    with pytest.raises(ValueError, match=r"weights has no entry 's'"):
        spectrum(c, weights={})
    with pytest.raises(ValueError, match=r"weights\['s'\] has shape \(3,\)"):
        spectrum(c, weights={"s": torch.zeros(3)})
    with pytest.raises(TypeError, match="circuit has type str"):
        spectrum("RX")
    with pytest.raises(TypeError, match="weights has type list"):
        spectrum(c, weights=[1.0, 2.0])


def test_errors_of_frequency_count_table():
    with pytest.raises(ValueError, match="scaling='linear' is unknown"):
        frequency_count_table(1, 1, scaling="linear")
    with pytest.raises(ValueError, match=r"qubits=\[0\] must be a positive integer"):
        frequency_count_table([0], 1)
    with pytest.raises(ValueError, match="reuploads=2.5 must be a positive integer"):
        frequency_count_table(1, 2.5)


def test_errors_of_coefficients():
    def f(x):
        return torch.cos(x[:, 0])

    def two_outputs(x):
        return torch.stack([torch.cos(x[:, 0]), torch.sin(x[:, 0])], -1)

    with pytest.raises(ValueError, match="degree=-1 must be a non-negative integer"):
        coefficients(f, -1)
    with pytest.raises(ValueError, match="degree=1.5 must be a non-negative integer"):
        coefficients(f, 1.5)
    with pytest.raises(ValueError, match="n_inputs=3 is not supported"):
        coefficients(f, 2, n_inputs=3)
    with pytest.raises(ValueError, match="period=0 must be a positive finite number"):
        coefficients(f, 2, period=0)
    with pytest.raises(ValueError, match=r"n_points=4 must be an integer >= 2 \* degree \+ 1 = 5"):
        coefficients(f, 2, n_points=4)
    with pytest.raises(ValueError, match=r"returns 2 outputs per sample; choose one with output"):
        coefficients(two_outputs, 2)
    with pytest.raises(ValueError, match=r"output=2 is out of range for 2 output\(s\)"):
        coefficients(two_outputs, 2, output=2)
    with pytest.raises(ValueError, match=r"f returned shape \(3,\) for 5 sample points"):
        coefficients(lambda x: torch.zeros(3), 2)
    with pytest.raises(ValueError, match="n_samples=0 must be a positive integer"):
        coefficient_cloud(serial(1), 0, 2)
    with pytest.raises(TypeError, match="model has type int"):
        coefficient_cloud(3, 2, 2)


def test_errors_of_user_grids():
    n = 8
    closed = torch.linspace(0, 2 * math.pi, n, dtype=F64)  # includes the endpoint 2π
    values = torch.cos(closed)
    with pytest.raises(ValueError, match=r"grid axis 0 includes the endpoint 6\.28319"):
        coefficients_from_samples(values, closed)
    uneven = torch.arange(n, dtype=F64) * (2 * math.pi / n)
    uneven[3] += 0.1
    with pytest.raises(ValueError, match="grid axis 0 is not a periodic equispaced grid"):
        coefficients_from_samples(values, uneven)
    wrong_period = torch.arange(n, dtype=F64) * (math.pi / n)
    with pytest.raises(ValueError, match="not a periodic equispaced grid"):
        coefficients_from_samples(values, wrong_period)
    with pytest.raises(ValueError, match="grid axis 0 has 7 points but values has 8"):
        coefficients_from_samples(values, uneven[:7])
    with pytest.raises(ValueError, match=r"values has shape \(2, 2, 2\)"):
        coefficients_from_samples(torch.zeros(2, 2, 2))
    with pytest.raises(ValueError, match=r"degree=4 needs at least 9 samples per input.*\(8,\)"):
        coefficients_from_samples(values, degree=4)
    with pytest.raises(ValueError, match=r"grid has shape \(3, 2\)"):
        coefficients_from_samples(torch.zeros(3, 3), torch.zeros(3, 2))
    g = fourier_grid(3, 2)[:, [1, 0]]  # second input varying slowest
    with pytest.raises(ValueError, match="not a product grid"):
        coefficients_from_samples(torch.zeros(3, 3), g)
