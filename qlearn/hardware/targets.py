r"""Targets by name: where a circuit of the IR runs, and how many jobs that takes.

=====================  =====================================================================
name                   what runs the circuit
=====================  =====================================================================
``"sim"``              our batched simulator (:mod:`qlearn.sim`); shots drawn by
                       :func:`qlearn.sim.measure.sample_indices`
``"pennylane:NAME"``   any installed PennyLane device, e.g. ``"pennylane:default.qubit"``, or
                       pennylane-qiskit's ``"pennylane:qiskit.aer"`` and ``"pennylane:qiskit.
                       remote"`` (``backend=snapshot_backend("manila")`` runs a fake device)
``"emulator"``         PennyLane ``default.mixed`` with a :class:`~qlearn.hardware.NoiseModel`
``"fake:SNAPSHOT"``    a calibrated IBM snapshot, e.g. ``"fake:manila"`` (``qiskit-ibm-runtime``'s
                       ``FakeManilaV2``): transpiled to its native gates and coupling map, run on
                       ``AerSimulator.from_backend`` with its measured noise (hardware extra)
``"fake"``,            qiskit's ``GenericBackendV2`` (5 qubits, or N) on a line, with error rates
``"fake:N"``           drawn from a seed (not a device's calibration), transpiled and run alike
``"ibm:BACKEND"``      a real IBM Quantum device (``qiskit-ibm-runtime``, ``QISKIT_IBM_TOKEN``)
``"braket:local"``     Braket's local simulator (offline, free) through the PennyLane plugin's
                       ``braket.local.qubit`` (also ``"pennylane:braket.local.qubit"``): the
                       same translation and one task per circuit and input, as on AWS
``"braket:ARN"``       an Amazon Braket device by its ARN through the plugin's
                       ``braket.aws.qubit`` (hardware extra; AWS credentials from the
                       environment)
=====================  =====================================================================

Every target takes a list of circuits (one per measurement setting), the weights and a batch of
inputs, and returns the measured frequencies ``(B, 2^n)`` of each circuit, all in as few jobs as
it allows: :meth:`Target.plan` says how many.

Example:
    >>> t = get_target("sim")
    >>> t.plan(n_circuits=3, batch=100)
    (1, 3)
    >>> get_target("nowhere")
    Traceback (most recent call last):
    ...
    ValueError: target='nowhere' is unknown; use 'sim', 'pennylane:<device>', 'emulator', 'fake:<snapshot>' (a calibrated IBM device: armonk, athens, belem, bogota, casablanca, jakarta, lagos, lima, manila, nairobi, ourense, quito, rome, santiago, valencia, vigo, yorktown), 'fake', 'fake:<n_qubits>', 'ibm:<backend>', 'braket:local' or 'braket:<device arn>'.
"""  # noqa: E501

from __future__ import annotations

import copy
import math
import os
import re
import warnings
from collections.abc import Callable, Sequence

import torch

from qlearn.hardware import qiskit_backend as qk
from qlearn.hardware.extras import require, require_braket
from qlearn.hardware.guard import MissingCredentialsError, credential
from qlearn.hardware.noise import NoiseModel
from qlearn.sim import Circuit
from qlearn.sim.measure import sample_indices

Tensor = torch.Tensor
F64 = torch.float64


def check_shots(shots: int | None, allow_exact: bool) -> None:
    """``shots`` must be a positive integer (or ``None`` for exact results where allowed)."""
    if shots is None and allow_exact:
        return
    if isinstance(shots, bool) or not isinstance(shots, int) or shots <= 0:
        raise ValueError(
            f"shots={shots!r} must be a positive integer number of repetitions"
            + (
                " (or None for exact probabilities)."
                if allow_exact
                else "; this target only samples, so it needs shots."
            )  # fmt: skip
        )


def frequencies(p: Tensor, shots: int | None, seed: int) -> Tensor:
    """Exact probabilities ``(B, 2^n)``, or the frequencies of ``shots`` samples from them."""
    if shots is None:
        return p.to(F64)
    idx = sample_indices(p, shots, seed)
    counts = torch.zeros_like(p, dtype=F64).scatter_add_(1, idx, torch.ones_like(idx, dtype=F64))
    return counts / shots


class Target:
    """Base class: a named place that runs circuits of the IR."""

    name: str = "target"
    #: the most qubits a circuit may have here (``None``: the simulator's own limit)
    max_qubits: int | None = None
    #: whether running it costs money / queue time (then :func:`~qlearn.hardware.run` asks the
    #: guard)
    real: bool = False
    #: whether a batch of inputs runs as one circuit (broadcast) or as one circuit per input
    broadcasts: bool = True
    #: the most circuits one job may hold (``None``: all of them)
    circuits_per_job: int | None = None
    #: whether exact probabilities (``shots=None``) are available
    exact: bool = True

    def plan(self, n_circuits: int, batch: int) -> tuple[int, int]:
        """``(jobs, circuits)`` for ``n_circuits`` settings over ``batch`` inputs."""
        circuits = n_circuits * (1 if self.broadcasts else batch)
        jobs = 1 if self.circuits_per_job is None else math.ceil(circuits / self.circuits_per_job)
        return jobs, circuits

    def notes(self, batch: int) -> list[str]:
        """Remarks for the estimate (e.g. one job per sample)."""
        if not self.broadcasts and batch > 1 and self.circuits_per_job == 1:
            return [f"{self.name} runs one task per circuit and per input: a batch of {batch} "
                    "inputs becomes that many tasks per measurement setting."]  # fmt: skip
        return []

    def check_qubits(self, n_qubits: int) -> None:
        if self.max_qubits is not None and n_qubits > self.max_qubits:
            raise ValueError(
                f"the circuit has {n_qubits} qubits but target {self.name!r} has only "
                f"{self.max_qubits}; use a smaller model or a larger target "
                f"(e.g. 'fake:{n_qubits}')."
            )

    def unoptimized(self) -> Target:
        """This target without circuit optimisation (for gate folding); most have none."""
        return self

    def run(
        self,
        circuits: Sequence[Circuit],
        weights: Tensor | None,
        inputs: Tensor,
        shots: int | None,
        seed: int,
    ) -> list[Tensor]:
        """Frequencies ``(B, 2^n)`` of each circuit (flat ``weights``, inputs ``(B, d)``)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class SimTarget(Target):
    """Our state-vector simulator, float64 on the CPU, with optional shot sampling."""

    name = "sim"

    def run(self, circuits, weights, inputs, shots, seed):
        check_shots(shots, allow_exact=True)
        out = []
        for k, c in enumerate(circuits):
            module = c.module(dtype=F64, device="cpu", seed=0)
            if weights is not None:
                with torch.no_grad():
                    for name, value in named_weights(c, weights).items():
                        module.weights[name].copy_(value)
            with torch.no_grad():
                p = module.probs(inputs if c.n_inputs else None)
            p = p.expand(inputs.shape[0], -1) if p.shape[0] != inputs.shape[0] else p
            out.append(frequencies(p, shots, seed + k))
        return out


def named_weights(circuit: Circuit, weights: Tensor | None) -> dict[str, Tensor]:
    """The flat weight vector as the circuit's named weight tensors."""
    if weights is None:
        return {}
    return {s.name: weights[s.offset : s.offset + s.size].reshape(s.shape)
            for s in circuit.weight_specs}  # fmt: skip


def tape_operations(circuit: Circuit, weights: Tensor | None, inputs: Tensor) -> list:
    """PennyLane operations of the circuit, broadcast over the inputs ``(B, d)``."""
    tape = circuit.to_tape(inputs if circuit.n_inputs else None, named_weights(circuit, weights))
    return list(tape.operations)


class PennyLaneTarget(Target):
    """Any PennyLane device by name; with a :class:`NoiseModel`, channels are inserted.

    pennylane-qiskit's devices (hardware extra) only sample, and do not broadcast: a batch becomes
    one circuit per input. ``qiskit.aer`` runs them all as one Aer job; ``qiskit.remote`` (a
    qiskit backend, e.g. ``backend=snapshot_backend("manila")``, transpiled to it and run with
    the runtime's Sampler) sends one Sampler job per circuit. The run's ``seed`` seeds their
    simulator (and ``qiskit.remote``'s transpiler).

    The Amazon Braket plugin's devices (hardware extra), ``braket.local.qubit`` (Braket's local
    simulator; exact with ``shots=None``) and ``braket.aws.qubit`` (``device_arn=...``), do not
    broadcast either: every circuit and input is one Braket task. Braket's local simulator draws
    its samples unseeded, so its shot results are not reproducible.
    """

    def __init__(self, device: str, noise: NoiseModel | None = None, **device_kwargs):
        import pennylane as qml

        self.device_name = device
        self.noise = noise
        self.device_kwargs = device_kwargs
        self.name = f"pennylane:{device}"
        self._qml = qml
        if device.startswith("qiskit."):
            require("pennylane_qiskit", f"the PennyLane device {device!r}")
            self.exact = False
            self.broadcasts = False
            self.circuits_per_job = 1 if device == "qiskit.remote" else None
        elif device.startswith("braket."):
            require_braket(f"the PennyLane device {device!r}")
            self.exact = device == "braket.local.qubit"
            self.broadcasts = False
            self.circuits_per_job = 1

    def _device(self, n_qubits: int, seed: int, shots: int | None = None):
        kwargs = dict(self.device_kwargs)
        if self.device_name.startswith(("default.", "lightning.")):
            kwargs.setdefault("seed", seed)
        elif self.device_name == "qiskit.aer":
            kwargs.setdefault("seed_simulator", seed)
            kwargs.setdefault("seed_transpiler", seed)
        elif self.device_name == "qiskit.remote":
            kwargs.setdefault("simulator", {"seed_simulator": seed})
            kwargs.setdefault("seed_transpiler", seed)
        elif self.device_name == "braket.aws.qubit":
            kwargs.setdefault("shots", shots)  # its default is 1000 (QPU) or 0 (simulator)
        try:
            with warnings.catch_warnings():  # the plugin's legacy device sets shots on itself
                warnings.filterwarnings("ignore", "Setting shots on device is deprecated")
                return self._qml.device(self.device_name, wires=n_qubits, **kwargs)
        except Exception as err:  # PennyLane raises DeviceError for unknown names
            raise ValueError(
                f"PennyLane could not create device {self.device_name!r} ({err}); check the name "
                "(e.g. 'default.qubit', 'default.mixed', 'lightning.qubit') or install its plugin."
            ) from err

    def run(self, circuits, weights, inputs, shots, seed):
        check_shots(shots, allow_exact=self.exact)
        qml = self._qml
        n = circuits[0].n_qubits
        tapes = []
        for c in circuits:
            ops = tape_operations(c, weights, inputs)
            if self.noise is not None and not self.noise.is_noiseless:
                ops = self.noise.apply(ops, range(n))
            tapes.append(qml.tape.QuantumScript(ops, [qml.probs(wires=range(n))], shots=shots))
        device = self._device(n, seed, shots)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Setting shots on device is deprecated")
            results = qml.execute(tapes, device)
        out = []
        for r in results:
            p = torch.as_tensor(r, dtype=F64)
            p = p[None] if p.ndim == 1 else p
            out.append(p.expand(inputs.shape[0], -1) if p.shape[0] != inputs.shape[0] else p)
        return out


class EmulatorTarget(PennyLaneTarget):
    """Offline noisy emulation: ``default.mixed`` with depolarizing, damping and readout noise."""

    def __init__(self, noise: NoiseModel | None = None):
        super().__init__("default.mixed", noise or NoiseModel())
        self.name = "emulator"

    def __repr__(self) -> str:
        return f"EmulatorTarget({self.noise})"


class FakeBackendTarget(Target):
    """A fake IBM device: transpiled to its native gates, simulated with its noise.

    Args:
        backend: a qiskit ``BackendV2``, e.g. a calibrated snapshot
            (:func:`~qlearn.hardware.qiskit_backend.snapshot_backend`); default:
            ``GenericBackendV2(n_qubits, seed)``.
        n_qubits, backend_seed: of the generic backend.
        optimization_level: qiskit's transpiler level (0 keeps every gate, for gate folding).
        seed_transpiler: makes the layout and routing reproducible.
        initial_layout: the physical qubit of each wire (default: the transpiler's choice).

    After :meth:`run`, ``measured_qubits`` holds the physical qubit each wire of each circuit was
    read from (routing may move wires), for per-qubit readout mitigation.
    """

    exact = False

    def __init__(self, backend=None, n_qubits: int = 5, backend_seed: int = 1234,
                 optimization_level: int = 1, seed_transpiler: int = 0,
                 initial_layout: Sequence[int] | None = None):  # fmt: skip
        require("qiskit_aer", "the fake backend target")
        self.backend = (
            backend if backend is not None else qk.generic_backend(n_qubits, backend_seed)
        )
        self.max_qubits = self.backend.num_qubits
        self.optimization_level = optimization_level
        self.seed_transpiler = seed_transpiler
        self.initial_layout = None if initial_layout is None else list(initial_layout)
        self.measured_qubits: list[list[int]] = []
        self.name = f"fake:{self.backend.name.removeprefix('fake_')}"
        self._sim = None

    def unoptimized(self) -> FakeBackendTarget:
        twin = copy.copy(self)
        twin.optimization_level = 0
        return twin

    def on_layout(self, layout: Sequence[int]) -> FakeBackendTarget:
        """This target with wire ``i`` placed on physical qubit ``layout[i]``."""
        twin = copy.copy(self)
        twin.initial_layout = list(layout)
        return twin

    def compile(self, circuits: Sequence[Circuit]) -> list:
        """``(transpiled circuits, their parameter lists)`` for the backend."""
        pairs = [qk.to_qiskit(c) for c in circuits]
        layout = None
        if self.initial_layout is not None:
            layout = self.initial_layout[: circuits[0].n_qubits]
        tq = qk.transpile([qc for qc, _ in pairs], self.backend, self.optimization_level,
                          self.seed_transpiler, initial_layout=layout)  # fmt: skip
        return list(zip(tq, [p for _, p in pairs], strict=True))

    @staticmethod
    def read_qubits(transpiled, n_qubits: int) -> list[int]:
        """The physical qubit each wire of a transpiled circuit is measured on."""
        if transpiled.layout is None:
            return list(range(n_qubits))
        return transpiled.layout.final_index_layout()[:n_qubits]

    def _simulator(self):
        if self._sim is None:
            aer = require("qiskit_aer", "the fake backend target")
            self._sim = aer.AerSimulator.from_backend(self.backend)
        return self._sim

    def calibrate_qubits(self, shots: int, seed: int) -> dict[int, Tensor]:
        """``{physical qubit: 2x2 read-out matrix}`` of every qubit of the backend, from two
        circuits in one job: all qubits in :math:`|0\rangle`, all in :math:`|1\rangle`."""
        check_shots(shots, allow_exact=False)
        qiskit = require("qiskit", "the fake backend target")
        n = self.backend.num_qubits
        circuits = []
        for flip in (False, True):
            qc = qiskit.QuantumCircuit(n, n)
            if flip:
                qc.x(range(n))
            qc.measure(range(n), range(n))
            circuits.append(qc)
        tq = qk.transpile(circuits, self.backend, 1, self.seed_transpiler, list(range(n)))
        result = self._simulator().run(tq, shots=shots, seed_simulator=seed).result()
        ones = []  # P(read 1) of each qubit, prepared 0 and prepared 1
        for k in range(2):
            counts = {bits.replace(" ", ""): c for bits, c in result.get_counts(k).items()}
            total = sum(counts.values())
            ones.append([sum(c for bits, c in counts.items() if bits[-1 - q] == "1") / total
                         for q in range(n)])  # fmt: skip
        return {q: torch.tensor([[1 - ones[0][q], 1 - ones[1][q]], [ones[0][q], ones[1][q]]],
                                dtype=F64) for q in range(n)}  # fmt: skip

    def run(self, circuits, weights, inputs, shots, seed):
        check_shots(shots, allow_exact=False)
        sim = self._simulator()
        compiled = self.compile(circuits)
        self.measured_qubits = [self.read_qubits(tq, c.n_qubits)
                                for (tq, _), c in zip(compiled, circuits, strict=True)]  # fmt: skip
        batch = inputs.shape[0]
        bind_list, transpiled, n_runs = [], [], []
        for (tq, params), c in zip(compiled, circuits, strict=True):
            values = qk.angle_values(c, weights, inputs)
            b = qk.binds(params, tq, values)
            bind_list.append(b)
            transpiled.append(tq)
            n_runs.append(batch if b else 1)
        result = sim.run(transpiled, shots=shots, seed_simulator=seed,
                               parameter_binds=bind_list).result()  # fmt: skip
        out, k = [], 0
        for c, runs in zip(circuits, n_runs, strict=True):
            rows = [qk.counts_to_probabilities(result.get_counts(k + i), c.n_qubits)
                    for i in range(runs)]  # fmt: skip
            k += runs
            p = torch.stack(rows)
            out.append(p.expand(batch, -1) if runs != batch else p)
        return out


class RealDeviceTarget(Target):
    """Common ground of real devices: credentials from the environment, a client factory.

    ``client_factory(credentials: dict) -> client`` makes the client that submits; tests pass a
    fake one. The client's ``run(circuits, weights, inputs, shots, seed)`` returns what
    :meth:`Target.run` returns. Nothing is imported or read from the environment before a
    submission, so estimates and dry runs work offline without the device's packages.
    """

    real = True
    exact = False
    #: environment variables holding the credentials (all required)
    env: tuple[str, ...] = ()
    purpose = "a real device"

    def __init__(self, device: str, client_factory: Callable[[dict], object] | None = None,
                 rates=None):  # fmt: skip
        self.device = device
        self.client_factory = client_factory
        self.rates = rates

    def credentials(self) -> dict[str, str]:
        """The secrets of :attr:`env`, from the environment only (a clear error if one is
        missing)."""
        return {name: credential(name, self.purpose) for name in self.env}

    def _client(self):
        secrets = self.credentials()
        factory = self.client_factory or self._default_client
        return factory(secrets)

    def _default_client(self, secrets: dict):
        raise NotImplementedError

    def run(self, circuits, weights, inputs, shots, seed):
        check_shots(shots, allow_exact=False)
        return self._client().run(circuits, weights, inputs, shots, seed)

    def __repr__(self) -> str:  # never shows credentials
        return f"{type(self).__name__}({self.name!r})"


class IBMTarget(RealDeviceTarget):
    """A real IBM Quantum backend: all circuits of a run in one Sampler job."""

    env = ("QISKIT_IBM_TOKEN",)
    purpose = "IBM Quantum"

    def __init__(self, backend: str, client_factory=None, rates=None):
        super().__init__(backend, client_factory, rates)
        self.name = f"ibm:{backend}"

    def _default_client(self, secrets: dict):
        return IBMClient.connect(self.device, secrets)


class IBMClient:
    """Submits all circuits of a run as one Sampler job to a qiskit backend.

    Args:
        backend: a qiskit ``BackendV2`` (from ``QiskitRuntimeService.backend``).
        sampler: a SamplerV2 class, ``sampler(mode=backend).run(pubs, shots=...)``.

    :meth:`connect` makes one for a real IBM device (needs ``qiskit-ibm-runtime``, an account and
    the network: not run offline; the tests run this class with qiskit's reference sampler).
    """

    def __init__(self, backend, sampler):
        self.backend = backend
        self.sampler = sampler

    @classmethod
    def connect(cls, backend_name: str, secrets: dict) -> IBMClient:
        import os

        runtime = require("qiskit_ibm_runtime", "submitting to IBM Quantum")
        service = runtime.QiskitRuntimeService(
            channel="ibm_quantum_platform", token=secrets["QISKIT_IBM_TOKEN"],
            instance=os.environ.get("QISKIT_IBM_INSTANCE") or None,
        )  # fmt: skip
        return cls(service.backend(backend_name), runtime.SamplerV2)

    def run(self, circuits, weights, inputs, shots, seed):
        pairs = [qk.to_qiskit(c) for c in circuits]
        transpiled = qk.transpile([qc for qc, _ in pairs], self.backend, 1, seed)
        pubs = []
        for tq, (_, params), c in zip(transpiled, pairs, circuits, strict=True):
            pubs.append((tq, qk.ordered_values(params, tq, qk.angle_values(c, weights, inputs))))
        job = self.sampler(mode=self.backend).run(pubs, shots=shots)
        out = []
        for (_, values), c, res in zip(pubs, circuits, job.result(), strict=True):
            bits = res.data.c  # the classical register of to_qiskit, one entry per input
            n = 1 if values is None else values.shape[0]
            counts = [bits.get_counts(loc=i) if values is not None else bits.get_counts()
                      for i in range(n)]  # fmt: skip
            rows = [qk.counts_to_probabilities(cnt, c.n_qubits) for cnt in counts]
            out.append(torch.stack(rows).expand(inputs.shape[0], -1))
        return out


class BraketLocalTarget(PennyLaneTarget):
    """Braket's local simulator through the plugin's ``braket.local.qubit``: offline and free.

    The circuits go through the same translation (PennyLane to a Braket circuit) and the same
    task batches as on an AWS device, one task per circuit and input, so :meth:`plan` counts
    what ``"braket:<arn>"`` would submit. Exact with ``shots=None``; its samples are unseeded.
    """

    def __init__(self, **device_kwargs):
        super().__init__("braket.local.qubit", **device_kwargs)
        self.name = "braket:local"


#: the region inside a Braket device ARN (``arn:aws:braket:us-east-1::device/qpu/...``)
ARN_REGION = re.compile(r"^arn:aws:braket:([a-z0-9-]+):")


class BraketTarget(RealDeviceTarget):
    """An Amazon Braket device (by ARN) through the PennyLane plugin's ``braket.aws.qubit``.

    Every circuit and input is one Braket task (the plugin does not broadcast), all submitted as
    one task batch. Credentials come from the environment only: ``AWS_ACCESS_KEY_ID`` and
    ``AWS_SECRET_ACCESS_KEY`` (and ``AWS_SESSION_TOKEN`` for temporary keys), or ``AWS_PROFILE``
    naming a profile of the AWS configuration files; the region is the ARN's (QPUs), else
    ``AWS_DEFAULT_REGION`` (on-demand simulators such as SV1 have none in their ARN).
    """

    env = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    purpose = "Amazon Braket"
    broadcasts = False
    circuits_per_job = 1

    def __init__(self, device_arn: str, client_factory=None, rates=None):
        super().__init__(device_arn, client_factory, rates)
        self.name = f"braket:{device_arn}"

    def credentials(self) -> dict[str, str]:
        """``AWS_PROFILE`` or the access keys, and the region (the ARN's or
        ``AWS_DEFAULT_REGION``; with a profile, optional: the profile may name one)."""
        profile = os.environ.get("AWS_PROFILE", "").strip()
        try:
            secrets = {"AWS_PROFILE": profile} if profile else super().credentials()
            token = os.environ.get("AWS_SESSION_TOKEN", "").strip()
            if token and not profile:
                secrets["AWS_SESSION_TOKEN"] = token
            match = ARN_REGION.match(self.device)
            if match:
                secrets["AWS_DEFAULT_REGION"] = match.group(1)
            elif not profile or os.environ.get("AWS_DEFAULT_REGION", "").strip():
                secrets["AWS_DEFAULT_REGION"] = credential("AWS_DEFAULT_REGION", self.purpose)
        except MissingCredentialsError as err:
            raise MissingCredentialsError(
                f"{err} Amazon Braket takes AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
                "AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE naming a profile, and "
                "AWS_DEFAULT_REGION unless the device ARN names a region."
            ) from None
        return secrets

    def _default_client(self, secrets: dict):
        require_braket("submitting to Amazon Braket")
        boto3 = require("boto3", "submitting to Amazon Braket")
        aws = require("braket.aws", "submitting to Amazon Braket")
        session = boto3.Session(
            aws_access_key_id=secrets.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=secrets.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=secrets.get("AWS_SESSION_TOKEN"),
            profile_name=secrets.get("AWS_PROFILE"),
            region_name=secrets.get("AWS_DEFAULT_REGION"),
        )  # fmt: skip
        return PennyLaneTarget("braket.aws.qubit", device_arn=self.device, parallel=True,
                               aws_session=aws.AwsSession(boto_session=session))  # fmt: skip


def get_target(target: str | Target, noise: NoiseModel | None = None, **options) -> Target:
    """The target called ``target`` (see the module docstring); a :class:`Target` passes through.

    Args:
        noise: the emulator's noise (only for ``"emulator"``).
        **options: passed to the target's constructor (``optimization_level=``, ``rates=``,
            ``client_factory=``, PennyLane device options...).
    """
    if isinstance(target, Target):
        return target
    if not isinstance(target, str):
        raise TypeError(f"target has type {type(target).__name__}; pass a name such as 'sim'.")
    kind, _, arg = target.partition(":")
    if noise is not None and kind != "emulator":
        raise ValueError(f"noise= is for target='emulator' only, not {target!r}.")
    if kind == "sim" and not arg:
        return SimTarget()
    if kind == "emulator" and not arg:
        return EmulatorTarget(noise)
    if kind == "pennylane" and arg:
        return PennyLaneTarget(arg, **options)
    if kind == "fake":
        if arg in qk.SNAPSHOTS:
            return FakeBackendTarget(backend=qk.snapshot_backend(arg), **options)
        if arg and not arg.isdigit():
            raise ValueError(
                f"target={target!r}: write 'fake:<snapshot>' with a calibrated IBM device "
                f"({', '.join(qk.SNAPSHOTS)}), 'fake' or 'fake:<n_qubits>', e.g. 'fake:manila'."
            )
        return FakeBackendTarget(n_qubits=int(arg) if arg else 5, **options)
    if kind == "ibm" and arg:
        return IBMTarget(arg, **options)
    if target == "braket:local":
        return BraketLocalTarget(**options)
    if kind == "braket" and arg:
        return BraketTarget(arg, **options)
    raise ValueError(
        f"target={target!r} is unknown; use 'sim', 'pennylane:<device>', 'emulator', "
        f"'fake:<snapshot>' (a calibrated IBM device: {', '.join(qk.SNAPSHOTS)}), 'fake', "
        "'fake:<n_qubits>', 'ibm:<backend>', 'braket:local' or 'braket:<device arn>'."
    )


__all__ = [
    "BraketLocalTarget", "BraketTarget", "EmulatorTarget", "FakeBackendTarget", "IBMTarget",
    "PennyLaneTarget", "RealDeviceTarget", "SimTarget", "Target", "check_shots", "frequencies",
    "get_target",
]  # fmt: skip
