"""Amazon Braket through its PennyLane plugin (hardware extra), offline.

``"braket:local"`` runs on Braket's local simulator. ``"braket:<arn>"`` goes through the plugin's
``braket.aws.qubit`` with its AWS device replaced by a fake that runs the local simulator, so the
real translation, task batching and credential handling are exercised without the network.
"""

from __future__ import annotations

import json

import pytest
import torch

from qlearn import hardware as hw
from qlearn.hardware import extras, targets
from qlearn.models import DRQC, ReuploadingClassifier

F64 = torch.float64
SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
QPU = "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1"
KEY_ID, SECRET = "AKIA-TEST-ID", "aws-SECRET-987654"
AWS_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
            "AWS_DEFAULT_REGION", "AWS_REGION")  # fmt: skip


@pytest.fixture
def plugin():
    try:
        return extras.require_braket("these tests")
    except hw.MissingExtraError as err:
        pytest.skip(str(err))


@pytest.fixture
def aws_env(monkeypatch):
    """No AWS variable of the caller's shell leaks into a test; returns monkeypatch."""
    for name in AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture(scope="module")
def x():
    return torch.rand(5, 2, generator=torch.Generator().manual_seed(3), dtype=F64) * 2 - 1


def shot_bound(shots: int) -> float:
    """Five standard deviations of a +-1 expectation value estimated from ``shots`` samples."""
    return 5 / shots**0.5


@pytest.mark.parametrize("name", ["braket:local", "pennylane:braket.local.qubit"])
def test_braket_local_simulator_agrees_with_exact(plugin, x, name):
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)  # X, Y and Z: 3 settings
    drqc = DRQC(2, 3, 2, seed=0, dtype=F64)
    for model in (clf, drqc):
        exact = hw.run(model, x, "sim", shots=None).values
        analytic = hw.run(model, x, name, shots=None)
        assert torch.allclose(analytic.values, exact, atol=1e-9)
        sampled = hw.run(model, x, name, shots=4000)
        err = (sampled.values - exact).abs().max()
        assert 0 < err < shot_bound(4000)
    target = hw.get_target(name)
    assert not target.real and target.exact and not target.broadcasts
    assert (analytic.jobs, analytic.circuits) == (len(x), len(x))  # DRQC: 1 setting


def count_local_tasks(monkeypatch, plugin) -> list[int]:
    """Patch Braket's LocalSimulator to log the number of tasks of every submission."""
    local = plugin.braket_device.LocalSimulator
    log: list[int] = []
    run, run_batch = local.run, local.run_batch

    def logged_run(self, task, *args, **kwargs):
        log.append(1)
        return run(self, task, *args, **kwargs)

    def logged_batch(self, tasks, *args, **kwargs):
        log.append(len(tasks))
        return run_batch(self, tasks, *args, **kwargs)

    monkeypatch.setattr(local, "run", logged_run)
    monkeypatch.setattr(local, "run_batch", logged_batch)
    return log


def test_braket_local_runs_the_estimated_number_of_tasks(plugin, monkeypatch, x):
    log = count_local_tasks(monkeypatch, plugin)
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    est = hw.estimate(clf, len(x), "braket:local", shots=100)
    assert (est.jobs, est.circuits) == (3 * len(x), 3 * len(x))
    assert "one task per circuit and per input" in est.notes[0]
    assert log == []
    res = hw.run(clf, x, "braket:local", shots=100)
    assert sum(log) == est.circuits == res.circuits


class FakeAwsDevice:
    """Stands in for ``braket.aws.AwsDevice``: the local simulator under an ARN, no network."""

    made: list[FakeAwsDevice] = []
    DEFAULT_SHOTS_QPU, DEFAULT_SHOTS_SIMULATOR = 1000, 0

    def __init__(self, arn, aws_session=None):
        from braket.aws import AwsDeviceType
        from braket.devices import LocalSimulator

        self.arn, self.aws_session = arn, aws_session
        self.type = AwsDeviceType.QPU if "/qpu/" in arn else AwsDeviceType.SIMULATOR
        self.sim = LocalSimulator()
        self.tasks: list[int] = []
        self.shots: list[int] = []
        FakeAwsDevice.made.append(self)

    def __getattr__(self, name):  # properties, name: the local simulator's
        return getattr(self.sim, name)

    def run(self, circuit, shots=0, inputs=None, **aws_options):
        self.tasks.append(1)
        self.shots.append(shots)
        return self.sim.run(circuit, shots=shots, inputs=inputs or {})

    def run_batch(self, circuits, shots=0, inputs=None, **aws_options):
        self.tasks.append(len(circuits))
        self.shots.append(shots)
        batch = self.sim.run_batch(circuits, shots=shots, inputs=inputs or {})

        class Batch:  # AwsQuantumTaskBatch.results takes retry options
            unsuccessful: set = set()

            def results(self, fail_unsuccessful=False, max_retries=0):
                return batch.results()

        return Batch()


@pytest.fixture
def fake_aws(plugin, monkeypatch):
    FakeAwsDevice.made = []
    monkeypatch.setattr(plugin.braket_device, "AwsDevice", FakeAwsDevice)
    return FakeAwsDevice.made


def test_braket_device_arn_goes_through_the_plugins_aws_device(fake_aws, aws_env, x):
    aws_env.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    aws_env.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    aws_env.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    target = hw.get_target(f"braket:{SV1}", rates=hw.Rates(per_circuit=0.075, per_shot=0.00075))
    est = hw.estimate(clf, len(x), target, shots=2000)
    assert (est.jobs, est.circuits) == (3 * len(x), 3 * len(x))  # one task per circuit and input
    assert est.cost == pytest.approx(15 * 0.075 + 15 * 2000 * 0.00075)
    with pytest.raises(hw.SubmissionRefused, match="without confirmation"):
        hw.run(clf, x, target, shots=2000)
    with pytest.raises(hw.SubmissionRefused, match="exceeds budget"):
        hw.run(clf, x, target, shots=2000, budget=1.0)
    assert fake_aws == []  # nothing was created, let alone submitted
    res = hw.run(clf, x, target, shots=2000, confirm=True)
    (device,) = fake_aws
    assert device.arn == SV1 and sum(device.tasks) == est.circuits == res.circuits
    assert set(device.shots) == {2000}
    exact = hw.run(clf, x, "sim", shots=None).values
    assert (res.values - exact).abs().max() < shot_bound(2000)
    boto = device.aws_session.boto_session
    assert boto.region_name == "eu-west-2"
    assert boto.get_credentials().access_key == KEY_ID  # from the environment, as given
    assert SECRET not in json.dumps(res.to_dict()) and SECRET not in repr(target)


def test_braket_missing_credentials_are_named(aws_env, x):
    made: list = []
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    target = hw.get_target(f"braket:{SV1}", client_factory=lambda s: made.append(s))
    with pytest.raises(hw.MissingCredentialsError, match="AWS_ACCESS_KEY_ID") as err:
        hw.run(clf, x, target, shots=10, confirm=True)
    assert "AWS_PROFILE" in str(err.value) and "AWS_DEFAULT_REGION" in str(err.value)
    aws_env.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    with pytest.raises(hw.MissingCredentialsError, match="AWS_SECRET_ACCESS_KEY"):
        hw.run(clf, x, target, shots=10, confirm=True)
    aws_env.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    with pytest.raises(hw.MissingCredentialsError, match="variable AWS_DEFAULT_REGION") as err:
        hw.run(clf, x, target, shots=10, confirm=True)  # SV1's ARN names no region
    assert SECRET not in str(err.value)
    assert made == []
    # the guard comes first: no credentials are read without confirmation
    aws_env.delenv("AWS_ACCESS_KEY_ID")
    with pytest.raises(hw.SubmissionRefused):
        hw.run(clf, x, target, shots=10)


def test_braket_credentials_from_keys_profile_or_arn_region(aws_env):
    sv1, qpu = targets.BraketTarget(SV1), targets.BraketTarget(QPU)
    aws_env.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    aws_env.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    assert qpu.credentials() == {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
                                 "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
    aws_env.setenv("AWS_SESSION_TOKEN", "session")
    aws_env.setenv("AWS_DEFAULT_REGION", "us-west-1")
    assert sv1.credentials()["AWS_SESSION_TOKEN"] == "session"
    assert sv1.credentials()["AWS_DEFAULT_REGION"] == "us-west-1"
    assert qpu.credentials()["AWS_DEFAULT_REGION"] == "us-east-1"  # the device's own region
    for name in AWS_VARS:
        aws_env.delenv(name, raising=False)
    aws_env.setenv("AWS_PROFILE", "teaching")  # its region may come from the AWS config
    assert sv1.credentials() == {"AWS_PROFILE": "teaching"}


def test_braket_without_the_plugin_names_the_extra(aws_env, monkeypatch, x):
    import sys

    aws_env.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    aws_env.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    aws_env.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setitem(sys.modules, "braket", None)
    monkeypatch.setitem(sys.modules, "braket.pennylane_plugin", None)
    pattern = r"\[hardware\]' \(amazon-braket-pennylane-plugin\)"
    with pytest.raises(hw.MissingExtraError, match=pattern):
        hw.get_target("braket:local")
    clf = ReuploadingClassifier(2, 2, seed=0, dtype=F64)
    assert hw.run(clf, x, f"braket:{SV1}", shots=10, dry_run=True).circuits == 3 * len(x)
    with pytest.raises(hw.MissingExtraError, match=pattern):
        hw.run(clf, x, f"braket:{SV1}", shots=10, confirm=True)
