"""Run the kit's circuits on noisy emulators, fake IBM backends and real devices.

* :func:`run` — expectation values of a model on a target by name (``"sim"``,
  ``"pennylane:<device>"``, ``"emulator"``, ``"fake:manila"``, ``"fake"``, ``"ibm:<backend>"``,
  ``"braket:local"``, ``"braket:<arn>"``), with shots, in as few jobs as the target allows; a
  traced :class:`RunResult`.
* :class:`NoiseModel` — depolarizing, amplitude-damping and readout noise for the emulator.
* :func:`compile_report` — depth and gate counts after transpiling to a backend.
* :func:`calibrate_readout`, :func:`zne` — readout-error mitigation and zero-noise extrapolation.
* :func:`estimate`, :class:`Rates` — the cost and safety guard: real devices need
  ``confirm=True`` or a ``budget``; credentials only from environment variables.

The fake backends (calibrated IBM snapshots, :data:`SNAPSHOTS`, and qiskit's generic one),
PennyLane's qiskit devices and Amazon Braket (its local simulator and AWS devices, through
``amazon-braket-pennylane-plugin``) need the hardware extra (``pip install -e '.[hardware]'``).
"""

from qlearn.hardware.extras import MissingExtraError
from qlearn.hardware.guard import (
    Estimate,
    MissingCredentialsError,
    Rates,
    SubmissionRefused,
    approve,
)
from qlearn.hardware.mitigation import (
    ReadoutCalibration,
    calibrate_readout,
    fold,
    linear_extrapolation,
    richardson,
    zne,
)
from qlearn.hardware.noise import NoiseModel
from qlearn.hardware.qiskit_backend import SNAPSHOTS, snapshot_backend
from qlearn.hardware.report import compile_report
from qlearn.hardware.run import RunResult, circuit_hash, estimate, predict, run
from qlearn.hardware.targets import Target, get_target

__all__ = [
    "Estimate",
    "MissingCredentialsError",
    "MissingExtraError",
    "SNAPSHOTS",
    "NoiseModel",
    "Rates",
    "ReadoutCalibration",
    "RunResult",
    "SubmissionRefused",
    "Target",
    "approve",
    "calibrate_readout",
    "circuit_hash",
    "compile_report",
    "estimate",
    "fold",
    "get_target",
    "linear_extrapolation",
    "predict",
    "richardson",
    "run",
    "snapshot_backend",
    "zne",
]
