"""Fake IBM backends (hardware extra), real-device paths with fake clients, the guard."""

from __future__ import annotations

import json
import sys

import pytest
import torch

from qlearn import hardware as hw
from qlearn.hardware import extras, targets
from qlearn.models import DRQC, ReuploadingClassifier

F64 = torch.float64
TOKEN = "tok-SECRET-123456"


@pytest.fixture(scope="module")
def drqc():
    return DRQC(2, 3, 2, seed=0, dtype=F64)


@pytest.fixture(scope="module")
def x():
    return torch.rand(8, 2, generator=torch.Generator().manual_seed(1), dtype=F64) * 2 - 1


def test_fake_backend_runs_close_to_exact_with_shots(drqc, x):
    pytest.importorskip("qiskit_aer")
    exact = drqc(x).detach()
    res = hw.run(drqc, x, "fake", shots=4000, seed=0)
    assert res.jobs == 1 and res.circuits == 1
    err = (res.values - exact).abs()
    assert err.max() < 0.15 and err.max() > 0  # noisy and sampled, but the same function
    again = hw.run(drqc, x, "fake", shots=4000, seed=0)
    assert torch.equal(res.values, again.values)


def test_compile_report_counts_native_gates(drqc):
    pytest.importorskip("qiskit_aer")
    ir = hw.compile_report(drqc, "sim")
    fake = hw.compile_report(drqc, "fake")
    assert ir["two_qubit_gates"] == 9 and ir["gate_counts"]["CNOT"] == 9
    assert set(fake["gate_counts"]) <= set(fake["native_gates"])
    assert fake["two_qubit_gates"] >= ir["two_qubit_gates"] and fake["depth"] > ir["depth"]


def test_too_many_qubits_for_the_target():
    pytest.importorskip("qiskit_aer")
    big = DRQC(1, 6, 1, seed=0)
    with pytest.raises(ValueError, match="6 qubits but target .* has only 5"):
        hw.run(big, torch.zeros(2, 1), "fake", shots=10)
    with pytest.raises(ValueError, match="needs shots"):
        hw.run(big, torch.zeros(2, 1), "fake:6", shots=None)


def test_calibrated_snapshot_has_the_devices_map_gates_and_noise(drqc, x):
    pytest.importorskip("qiskit_ibm_runtime")
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    t = hw.get_target("fake:manila")
    device = FakeManilaV2()
    assert t.name == "fake:manila" and t.max_qubits == 5
    edges = set(device.coupling_map.get_edges())
    assert set(t.backend.coupling_map.get_edges()) == edges  # a line: 0-1-2-3-4
    report = hw.compile_report(drqc, t)
    assert report["target"] == "fake:manila"
    assert report["native_gates"] == sorted(device.operation_names)
    assert set(report["gate_counts"]) <= {"cx", "rz", "sx", "x"}
    assert report["two_qubit_gates"] > 9  # the CNOT ring of 3 qubits needs SWAPs on a line
    ((tq, _),) = t.compile([drqc.circuit])
    pairs = {tuple(tq.find_bit(q).index for q in inst.qubits) for inst in tq.data
             if inst.operation.name == "cx"}  # fmt: skip
    assert pairs and pairs <= edges  # every CNOT on a coupled pair of physical qubits
    exact = drqc(x).detach()
    noisy = hw.run(drqc, x, t, shots=4000, seed=0).values
    shots_only = hw.run(drqc, x, "sim", shots=4000, seed=0).values
    rmse = lambda v: float((v - exact).pow(2).mean().sqrt())  # noqa: E731
    assert rmse(noisy) > 4 * rmse(shots_only)  # the calibrated noise, not the shots, dominates
    assert noisy.abs().mean() < 0.9 * exact.abs().mean()  # depolarized towards 0


def test_snapshot_readout_mitigation_helps_the_classifier(x):
    pytest.importorskip("qiskit_ibm_runtime")
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    t = hw.get_target("fake:manila")
    exact = clf.qnn(x).detach()
    cal = hw.calibrate_readout(t, 1, shots=4000, seed=1)
    assert 0.01 < 1 - cal.matrix.diagonal().min() < 0.1  # manila's read-out error, a few %
    raw = hw.run(clf, x, t, shots=4000, seed=0).values
    mitigated = hw.run(clf, x, t, shots=4000, seed=0, calibration=cal).values
    assert (mitigated - exact).pow(2).mean() < 0.5 * (raw - exact).pow(2).mean()


def test_snapshot_calibration_is_per_physical_qubit_and_follows_the_routing(drqc, x):
    pytest.importorskip("qiskit_ibm_runtime")
    t = hw.get_target("fake:manila")
    cal = hw.calibrate_readout(t, 3, shots=20000, seed=3)
    for q, props in t.backend.target["measure"].items():  # the snapshot's read-out errors
        assert 1 - cal.per_qubit[q[0]].diagonal().mean() == pytest.approx(props.error, abs=0.01)
    exact = drqc(x).detach()
    raw = hw.run(drqc, x, t, shots=4000, seed=0).values
    wires = t.measured_qubits[0]
    assert sorted(wires) != [0, 1, 2]  # routed away from the trivial layout
    m = cal.for_qubits(wires).matrix
    per = [cal.per_qubit[q] for q in wires]
    assert torch.allclose(m, torch.kron(torch.kron(per[0], per[1]), per[2]))
    assert torch.allclose(m.sum(0), torch.ones(8, dtype=F64))  # columns are distributions
    mitigated = hw.run(drqc, x, t, shots=4000, seed=0, calibration=cal).values
    assert (mitigated - exact).pow(2).mean() < (raw - exact).pow(2).mean()
    z = hw.zne(drqc, x, t, scales=(1, 3, 5), method="linear", shots=4000, seed=0,
               calibration=cal)  # fmt: skip
    assert (z["values"][0] - mitigated).abs().max() < 0.1  # the folds run on the same qubits
    assert (z["mitigated"] - exact).pow(2).mean() < (mitigated - exact).pow(2).mean()


def test_unknown_snapshot_lists_the_snapshots():
    with pytest.raises(ValueError, match="fake:<snapshot>.*manila.*'fake:<n_qubits>'"):
        hw.get_target("fake:paris")
    with pytest.raises(ValueError, match="lima, manila"):
        hw.get_target("nowhere")


def test_pennylane_qiskit_aer_agrees_with_exact_within_shot_noise(drqc, x):
    pytest.importorskip("pennylane_qiskit")
    exact = drqc(x).detach()
    t = hw.get_target("pennylane:qiskit.aer")
    est = hw.estimate(drqc, len(x), t, shots=4000)
    assert (est.jobs, est.circuits) == (1, len(x))  # one Aer job, one circuit per input
    res = hw.run(drqc, x, t, shots=4000, seed=0)
    bound = 5 * ((1 - exact**2) / 4000).sqrt() + 1e-3
    assert ((res.values - exact).abs() <= bound).all()
    assert torch.equal(res.values, hw.run(drqc, x, t, shots=4000, seed=0).values)
    with pytest.raises(ValueError, match="needs shots"):
        hw.run(drqc, x, t, shots=None)


def test_pennylane_qiskit_remote_runs_a_snapshot_like_the_fake_target(drqc, x):
    pytest.importorskip("pennylane_qiskit")
    pytest.importorskip("qiskit_ibm_runtime")
    t = hw.get_target("pennylane:qiskit.remote", backend=hw.snapshot_backend("manila"))
    est = hw.estimate(drqc, len(x), t, shots=4000)
    assert (est.jobs, est.circuits) == (len(x), len(x))  # one Sampler job per circuit
    assert "one task per circuit and per input" in est.notes[0]
    exact = drqc(x).detach()
    via_pl = hw.run(drqc, x, t, shots=4000, seed=0).values
    ours = hw.run(drqc, x, "fake:manila", shots=4000, seed=0).values
    assert float((via_pl - ours).pow(2).mean().sqrt()) < 0.06  # the same device's noise
    assert via_pl.abs().mean() < 0.9 * exact.abs().mean()


def test_missing_extra_names_the_extra(monkeypatch, x):
    for name in ("qiskit", "qiskit_aer", "qiskit_ibm_runtime", "qiskit.providers.fake_provider",
                 "qiskit_ibm_runtime.fake_provider", "pennylane_qiskit"):  # fmt: skip
        monkeypatch.setitem(sys.modules, name, None)  # "import name" now raises ImportError
    with pytest.raises(hw.MissingExtraError, match=r"hardware extra: pip install -e '\.\[hardware"):
        hw.get_target("fake")
    with pytest.raises(hw.MissingExtraError, match=r"hardware extra: pip install -e '\.\[hardware"):
        hw.get_target("fake:manila")
    with pytest.raises(hw.MissingExtraError, match=r"\[hardware\]' \(pennylane-qiskit\)"):
        hw.get_target("pennylane:qiskit.aer")
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    assert hw.run(clf, x, "ibm:ibm_brisbane", shots=10, dry_run=True).circuits == 3  # offline
    with pytest.raises(hw.MissingExtraError, match="qiskit-ibm-runtime") as err:
        hw.run(clf, x, "ibm:ibm_brisbane", shots=10, confirm=True)
    assert TOKEN not in str(err.value)
    with pytest.raises(hw.MissingExtraError, match=r"\[hardware\]' \(amazon-braket-pennylane"):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "key")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        monkeypatch.setitem(sys.modules, "braket", None)
        monkeypatch.setitem(sys.modules, "braket.pennylane_plugin", None)
        hw.run(clf, x, "braket:arn:aws:braket:::device/qpu/x", shots=10, confirm=True)
    assert issubclass(extras.MissingExtraError, ImportError)


class FakeClient:
    """Stands in for a cloud client: records submissions, runs on our simulator."""

    def __init__(self, log):
        self.log = log

    def run(self, circuits, weights, inputs, shots, seed):
        self.log.append(len(circuits))
        return targets.SimTarget().run(circuits, weights, inputs, shots, seed)


def _ibm(log, **kw):
    def factory(secrets):
        assert secrets == {"QISKIT_IBM_TOKEN": TOKEN}
        return FakeClient(log)

    return hw.get_target("ibm:ibm_fake_device", client_factory=factory, **kw)


def test_missing_credentials_fail_before_any_client(monkeypatch, x):
    monkeypatch.delenv("QISKIT_IBM_TOKEN", raising=False)
    log: list = []
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    with pytest.raises(hw.MissingCredentialsError, match="QISKIT_IBM_TOKEN"):
        hw.run(clf, x, _ibm(log), shots=100, confirm=True)
    assert log == []


def test_guard_refuses_without_confirmation_or_over_budget(monkeypatch, x):
    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    log: list = []
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    target = _ibm(log, rates=hw.Rates(per_job=1.0, per_shot=0.01))
    with pytest.raises(hw.SubmissionRefused, match="without confirmation"):
        hw.run(clf, x, target, shots=100)
    with pytest.raises(hw.SubmissionRefused, match="exceeds budget"):
        hw.run(clf, x, target, shots=100, budget=2.0)  # 1 + 3 * 100 * 0.01 = 4
    assert log == []
    est = hw.run(clf, x, target, shots=100, dry_run=True)
    assert isinstance(est, hw.Estimate) and est.cost == pytest.approx(4.0) and log == []
    res = hw.run(clf, x, target, shots=100, budget=5.0)
    assert log == [3] and res.jobs == 1 and res.target == "ibm:ibm_fake_device"
    res = hw.run(clf, x, target, shots=100, confirm=True, seed=1)
    assert log == [3, 3]
    assert TOKEN not in json.dumps(res.to_dict()) and TOKEN not in repr(target)


def test_braket_batches_one_task_per_input(monkeypatch, x):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "key")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    log: list = []
    target = hw.get_target("braket:arn:aws:braket:::device/quantum-simulator/amazon/sv1",
                           client_factory=lambda s: FakeClient(log),
                           rates=hw.Rates(per_circuit=0.075, per_shot=0.00075))  # fmt: skip
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    est = hw.estimate(clf, len(x), target, shots=100)
    assert (est.jobs, est.circuits) == (3 * len(x), 3 * len(x))
    assert "one task per circuit and per input" in est.notes[0]
    with pytest.raises(hw.SubmissionRefused):
        hw.run(clf, x, target, shots=100)
    hw.run(clf, x, target, shots=100, confirm=True)
    assert log == [3]


@pytest.mark.filterwarnings("ignore:Trying to add QuantumRegister:UserWarning")
def test_ibm_client_sends_one_sampler_job_with_parameters_in_order(monkeypatch):
    pytest.importorskip("qiskit_aer")
    primitives = pytest.importorskip("qiskit.primitives")
    jobs = []

    class Sampler:  # qiskit's reference SamplerV2 stands in for the runtime's
        def __init__(self, mode):
            self.mode = mode

        def run(self, pubs, shots):
            jobs.append(len(pubs))
            return primitives.StatevectorSampler(seed=1).run(pubs, shots=shots)

    monkeypatch.setenv("QISKIT_IBM_TOKEN", TOKEN)
    backend = hw.get_target("fake").backend
    client = targets.IBMClient(backend, Sampler)
    model = DRQC(2, 2, 3, seed=0, dtype=F64)  # 18+ angles: 'a10' sorts before 'a2' in qiskit
    x = torch.rand(5, 2, generator=torch.Generator().manual_seed(0), dtype=F64)
    target = hw.get_target("ibm:fake", client_factory=lambda secrets: client)
    res = hw.run(model, x, target, shots=20000, confirm=True)
    assert jobs == [1]
    assert (res.values - model(x).detach()).abs().max() < 0.03
