r"""Run a model or circuit on a target: expectation values, with the guard, traced results.

:func:`run` takes a compiled circuit (a :class:`~qlearn.sim.CircuitModule`, or a quantum model
from :mod:`qlearn.models`), a batch of inputs and a target name. It groups the observables into
measurement settings (:mod:`qlearn.hardware.basis`), asks the guard (:mod:`qlearn.hardware.guard`)
before anything reaches a real device, runs all settings in as few jobs as the target allows,
and returns a :class:`RunResult`: the expectation values ``(B, n_observables)`` with what is
needed to trace and reload the run (target, shots, seed, time, circuit hash, versions).
:func:`predict` applies a model's read-out (e.g. the classifier's fidelities) to them.

Example:
    >>> import torch
    >>> from qlearn.models import DRQC
    >>> model = DRQC(1, 2, 2, seed=0, dtype=torch.float64)
    >>> x = torch.linspace(-1, 1, 4)[:, None]
    >>> exact = run(model, x, "sim", shots=None)
    >>> torch.allclose(exact.values, model(x).detach())
    True
    >>> run(model, x, "sim", shots=2000, seed=0).shots
    2000
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import torch
from torch import nn

from qlearn.hardware.basis import expectations, rotated, settings
from qlearn.hardware.guard import Estimate, Rates, approve
from qlearn.hardware.targets import Target, check_shots, get_target
from qlearn.sim import Circuit, CircuitModule

Tensor = torch.Tensor
F64 = torch.float64

#: Packages whose versions every result records (those installed).
PACKAGES = ("qlearn", "torch", "pennylane", "numpy", "qiskit", "qiskit-aer",
            "amazon-braket-pennylane-plugin", "amazon-braket-sdk")  # fmt: skip


def versions() -> dict[str, str]:
    """Installed versions of :data:`PACKAGES` (missing ones are left out)."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def unpack(model: nn.Module | CircuitModule) -> tuple[Circuit, Tensor | None]:
    """The circuit (IR) and flat float64 weights of a model or compiled circuit."""
    module = getattr(model, "qnn", model)
    if not isinstance(module, CircuitModule):
        raise TypeError(
            f"model has type {type(model).__name__}; pass a CircuitModule (circuit.module()) or "
            "a quantum model from qlearn.models (DRQC, ReuploadingClassifier, ...)."
        )
    circuit = module.circuit
    if not circuit.weight_specs:
        return circuit, None
    w = module.weight_dict()
    flat = torch.cat([w[s.name].detach().reshape(-1) for s in circuit.weight_specs])
    return circuit, flat.to("cpu", F64)


def circuit_hash(circuit: Circuit, weights: Tensor | None) -> str:
    """A short SHA-256 of the gates, angles, observables and weight values (12 hex digits).

    Example:
        >>> c = Circuit(1); c.rx(0, 0.5); c.expval("Z", 0)
        0
        >>> circuit_hash(c, None) == circuit_hash(c, None), len(circuit_hash(c, None))
        (True, 12)
    """
    text = json.dumps([
        circuit.n_qubits, circuit.n_inputs,
        [(op.name, op.wires, [repr(a) for a in op.angles]) for op in circuit.ops],
        [[(float(c), list(w)) for c, w in o] for o in circuit.observables],
        [] if weights is None else [round(float(v), 12) for v in weights],
    ])  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class RunResult:
    """Expectation values of a run and its metadata (saved with :meth:`save`)."""

    values: Tensor
    target: str
    shots: int | None
    seed: int
    circuit_hash: str
    jobs: int
    circuits: int
    time: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    mitigation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["values"] = self.values.tolist()
        return d

    def save(self, path: str | Path) -> Path:
        """Write the result as JSON (no credentials are ever part of it)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> RunResult:
        """Read a result written by :meth:`save`."""
        d = json.loads(Path(path).read_text())
        d["values"] = torch.tensor(d["values"], dtype=F64)
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


def _inputs(circuit: Circuit, x: Tensor | None) -> Tensor:
    if x is None:
        if circuit.n_inputs:
            raise ValueError(f"x=None but the circuit takes {circuit.n_inputs} features.")
        return torch.zeros(1, 0, dtype=F64)
    x = torch.as_tensor(x).detach().to("cpu", F64)
    if x.ndim == 1 and circuit.n_inputs == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != circuit.n_inputs:
        raise ValueError(
            f"x has shape {tuple(x.shape)} but the circuit needs (batch, {circuit.n_inputs})."
        )
    return x


def estimate(
    model: nn.Module | CircuitModule | Circuit,
    batch: int,
    target: str | Target,
    shots: int,
    rates: Rates | None = None,
) -> Estimate:
    """Jobs, circuits, shots (and cost, with ``rates``) of running ``batch`` inputs.

    Example:
        >>> from qlearn.models import ReuploadingClassifier
        >>> clf = ReuploadingClassifier(2, 3, seed=0)   # measures X, Y and Z: 3 settings
        >>> print(estimate(clf, 100, "sim", shots=1000))
        sim: 1 job(s), 3 circuit(s), 3000 shots
    """
    circuit = model if isinstance(model, Circuit) else unpack(model)[0]
    t = get_target(target)
    check_shots(shots, allow_exact=False)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch={batch!r} must be a positive number of inputs.")
    jobs, circuits = t.plan(len(settings(circuit.observables)), batch)
    rates = rates if rates is not None else getattr(t, "rates", None)
    return Estimate(t.name, jobs, circuits, shots, rates, t.notes(batch))


def run(
    model: nn.Module | CircuitModule,
    x: Tensor | None,
    target: str | Target = "sim",
    *,
    shots: int | None = 1000,
    seed: int = 0,
    calibration=None,
    dry_run: bool = False,
    confirm: bool = False,
    budget: float | None = None,
    rates: Rates | None = None,
    circuit: Circuit | None = None,
) -> RunResult | Estimate:
    r"""Expectation values of the model's observables at inputs ``x`` on ``target``.

    Args:
        model: a quantum model or :class:`~qlearn.sim.CircuitModule` (its weights are used).
        x: inputs ``(B, d)``.
        target: a name (see :mod:`qlearn.hardware.targets`) or a :class:`Target`.
        shots: repetitions per circuit; ``None`` for exact probabilities where the target has
            them.
        seed: seed of the sampling (setting ``k`` uses ``seed + k``).
        calibration: a :class:`~qlearn.hardware.mitigation.ReadoutCalibration` to undo readout
            errors, or ``None``.
        dry_run: only return the :class:`~qlearn.hardware.guard.Estimate`; nothing runs.
        confirm, budget, rates: for real devices, see :func:`~qlearn.hardware.guard.approve`.
        circuit: run this circuit instead of the model's own (same weights), e.g. a folded one.
    """
    base, weights = unpack(model)
    circuit = base if circuit is None else circuit
    t = get_target(target)
    check_shots(shots, allow_exact=t.exact)
    t.check_qubits(circuit.n_qubits)
    xs = _inputs(circuit, x)
    groups = settings(circuit.observables)
    jobs, n_circuits = t.plan(len(groups), xs.shape[0])
    rates = rates if rates is not None else getattr(t, "rates", None)
    est = Estimate(t.name, jobs, n_circuits, shots, rates, t.notes(xs.shape[0]))
    if dry_run:
        return est
    approve(est, real=t.real, confirm=confirm, budget=budget)
    circuits = [rotated(circuit, g.basis) for g in groups]
    probs = t.run(circuits, weights, xs, shots, seed)
    if calibration is not None:
        measured = getattr(t, "measured_qubits", None)  # physical qubits read, per circuit
        if calibration.per_qubit is not None and measured is not None:
            probs = [calibration.for_qubits(q).apply(p) for q, p in zip(measured, probs,
                                                                          strict=True)]  # fmt: skip
        else:
            probs = [calibration.apply(p) for p in probs]
    values = expectations(probs, groups, len(circuit.observables), circuit.n_qubits)
    return RunResult(
        values=values, target=t.name, shots=shots, seed=seed,
        circuit_hash=circuit_hash(circuit, weights), jobs=jobs, circuits=n_circuits,
        time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), versions=versions(),
        mitigation=None if calibration is None else "readout",
    )  # fmt: skip


def predict(model: nn.Module, values: Tensor) -> Tensor:
    """The model's output from measured expectation values (its read-out, e.g. fidelities)."""
    readout = getattr(model, "_readout", None)
    v = values.to(F64)
    if readout is None:
        return v
    ref = next(model.parameters())
    return readout(v.to(ref.dtype)).detach().to(F64)
