"""qlearn.hardware: targets, shots, noise, mitigation (offline, fixed seeds)."""

from __future__ import annotations

import math

import pytest
import torch

from qlearn import hardware as hw
from qlearn.hardware.basis import settings
from qlearn.hardware.run import unpack
from qlearn.models import DRQC, ReuploadingClassifier

F64 = torch.float64


@pytest.fixture(scope="module")
def clf():
    return ReuploadingClassifier(2, 3, seed=0, dtype=F64)


@pytest.fixture(scope="module")
def x():
    return torch.rand(24, 2, generator=torch.Generator().manual_seed(0), dtype=F64) * 2 - 1


@pytest.mark.parametrize("target", ["sim", "pennylane:default.qubit", "emulator"])
def test_exact_runs_match_the_model(clf, x, target):
    res = hw.run(clf, x, target, shots=None)
    assert torch.allclose(res.values, clf.qnn(x).detach(), atol=1e-10)


@pytest.mark.parametrize("target", ["sim", "pennylane:default.qubit", "emulator"])
def test_shots_within_statistical_bounds(clf, x, target):
    shots = 2000
    exact = clf.qnn(x).detach()
    res = hw.run(clf, x, target, shots=shots, seed=3)
    sigma = torch.sqrt((1 - exact**2).clamp_min(1e-12) / shots)
    z = (res.values - exact).abs() / sigma
    assert z.max() < 5.0  # 72 estimates: a 5-sigma deviation would be a bug
    assert (res.values - exact).abs().max() > 0  # it did sample


def test_error_shrinks_like_one_over_sqrt_shots(clf, x):
    exact = clf.qnn(x).detach()
    errs = {}
    for shots in (100, 10000):
        runs = [hw.run(clf, x, "sim", shots=shots, seed=s).values for s in range(3)]
        errs[shots] = torch.stack([(r - exact).pow(2).mean() for r in runs]).mean().sqrt()
    ratio = float(errs[100] / errs[10000])
    assert 6 < ratio < 16  # sqrt(100) = 10


def test_same_seed_same_numbers(clf, x):
    a = hw.run(clf, x, "sim", shots=500, seed=7).values
    b = hw.run(clf, x, "sim", shots=500, seed=7).values
    c = hw.run(clf, x, "sim", shots=500, seed=8).values
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_settings_group_qubitwise_commuting_words(clf):
    groups = settings(clf.circuit.observables)
    assert [g.basis for g in groups] == [{0: "X"}, {0: "Y"}, {0: "Z"}]
    d = DRQC(1, 3, 1, out_features=3, seed=0)
    assert len(settings(d.circuit.observables)) == 1  # Z0, Z1, Z2 in one setting


def test_noise_moves_results_towards_the_maximally_mixed_value(clf, x):
    exact = clf.qnn(x).detach()
    shrink = []
    for p in (0.0, 0.05, 0.2):
        t = hw.get_target("emulator", noise=hw.NoiseModel(p1=p))
        shrink.append(float(hw.run(clf, x, t, shots=None).values.abs().mean()))
    assert shrink[0] == pytest.approx(float(exact.abs().mean()))
    assert shrink[0] > shrink[1] > shrink[2]


def test_readout_noise_is_a_bit_flip_and_calibration_undoes_it(clf, x):
    exact = clf.qnn(x).detach()
    t = hw.get_target("emulator", noise=hw.NoiseModel(readout=0.1))
    noisy = hw.run(clf, x, t, shots=None).values
    assert torch.allclose(noisy, 0.8 * exact, atol=1e-10)  # <Z> -> (1 - 2p) <Z>
    cal = hw.calibrate_readout(t, 1, shots=None)
    assert torch.allclose(cal.matrix, torch.tensor([[0.9, 0.1], [0.1, 0.9]], dtype=F64))
    fixed = hw.run(clf, x, t, shots=None, calibration=cal).values
    assert (fixed - exact).abs().max() < 0.05  # exact except where the simplex clips


def test_mitigation_brings_a_noisy_expectation_closer(clf, x):
    exact = clf.qnn(x).detach()
    t = hw.get_target("emulator", noise=hw.NoiseModel(p1=0.02, damping=0.01, readout=0.05))
    noisy = hw.run(clf, x, t, shots=20000, seed=1).values
    cal = hw.calibrate_readout(t, 1, shots=20000, seed=2)
    readout = hw.run(clf, x, t, shots=20000, seed=1, calibration=cal).values
    zne = hw.zne(clf, x, t, shots=20000, seed=1, calibration=cal, method="linear")
    err = {k: float((v - exact).abs().mean()) for k, v in
           {"noisy": noisy, "readout": readout, "zne": zne["mitigated"]}.items()}  # fmt: skip
    assert err["readout"] < err["noisy"] and err["zne"] < err["readout"], err


def test_fold_keeps_the_unitary_and_multiplies_the_gates():
    d = DRQC(1, 2, 2, seed=0, dtype=F64)
    x = torch.linspace(-1, 1, 5, dtype=F64)[:, None]
    for scale in (3, 5):
        folded = hw.fold(d.circuit, scale)
        assert len(folded.ops) == scale * len(d.circuit.ops)
        res = hw.run(d, x, "sim", shots=None, circuit=folded)
        assert torch.allclose(res.values, d(x).detach(), atol=1e-10)
    with pytest.raises(ValueError, match="odd positive integer"):
        hw.fold(d.circuit, 2)


def test_extrapolations_are_exact_on_polynomials():
    scales = [1, 3, 5]
    quad = [1 - 0.1 * s + 0.01 * s * s for s in scales]
    assert hw.richardson(scales, quad) == pytest.approx(1.0)
    assert hw.linear_extrapolation([1, 3], [0.9, 0.7]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="two distinct"):
        hw.richardson([1, 1], [0.5, 0.5])


def test_result_save_and_load_roundtrip(clf, x, tmp_path):
    res = hw.run(clf, x, "sim", shots=100, seed=5)
    back = hw.RunResult.load(res.save(tmp_path / "r.json"))
    assert torch.equal(back.values, res.values)
    assert (back.target, back.shots, back.seed, back.circuit_hash) == (
        "sim",
        100,
        5,
        res.circuit_hash,
    )
    assert {"torch", "pennylane", "qlearn"} <= set(back.versions) and back.time.endswith("Z")
    other = ReuploadingClassifier(2, 3, seed=1, dtype=F64)
    assert hw.circuit_hash(*unpack(other)) != res.circuit_hash


def test_bad_inputs_have_clear_errors(clf, x):
    with pytest.raises(ValueError, match="unknown"):
        hw.run(clf, x, "quantum-cloud")
    for shots in (0, -5, 1.5):
        with pytest.raises(ValueError, match="shots"):
            hw.run(clf, x, "sim", shots=shots)
    with pytest.raises(ValueError, match="noise= is for target='emulator'"):
        hw.get_target("sim", noise=hw.NoiseModel())
    with pytest.raises(ValueError, match="p1=1.5"):
        hw.NoiseModel(p1=1.5)
    with pytest.raises(ValueError, match=r"\(batch, 2\)"):
        hw.run(clf, torch.zeros(3, 5), "sim")
    with pytest.raises(TypeError, match="CircuitModule"):
        hw.run(torch.nn.Linear(2, 2), x, "sim")


def test_estimate_counts_jobs_circuits_and_cost(clf):
    est = hw.estimate(clf, 50, "sim", shots=1000)
    assert (est.jobs, est.circuits, est.total_shots) == (1, 3, 3000)
    assert est.cost is None and math.isclose(
        hw.estimate(clf, 50, "sim", 1000, rates=hw.Rates(per_shot=0.001)).cost, 3.0
    )
