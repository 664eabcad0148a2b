r"""Chapter 7 experiments: a trained chapter-2 classifier on noisy emulators and a fake device.

The model is the re-uploading classifier of chapter 2 (:class:`~qlearn.models.
ReuploadingClassifier`, one qubit, 4 layers) trained on the ``circle`` data set by
:func:`qlearn.experiments.reuploading.train_classifier`. Its output is the Bloch vector
:math:`(\langle X\rangle, \langle Y\rangle, \langle Z\rangle)`, so every prediction takes three
measurement settings. On its test points we measure

* ``rmse``: the root-mean-square error of the measured Bloch components against the exact ones;
* ``accuracy``: the test accuracy of the class read off the measured values (``exact_accuracy``:
  of the exact values).

Experiments (each a function with ``size="fast"|"full"`` and ``seeds``; every seed trains its own
model and draws its own shots):

* :func:`shots_sweep` — error versus shots on our simulator, with the :math:`1/\sqrt{N}` law;
* :func:`noise_sweep` — error versus noise strength on the ``default.mixed`` emulator, raw,
  with readout mitigation, and with readout mitigation plus zero-noise extrapolation;
* :func:`fake_backend` — the same three on a calibrated fake IBM device (:data:`FAKE_TARGET`,
  qiskit-ibm-runtime's ``FakeManilaV2`` snapshot simulated by qiskit-aer; needs the hardware
  extra), with the compilation report.

Command line (stores JSON next to the chapter)::

    python -m qlearn.experiments.hardware all --full --out book/ch07/results

Example:
    >>> import torch
    >>> tiny = {"n_samples": 40, "epochs": 3, "n_test": 10}
    >>> rows = shots_sweep(seeds=[0], shots=[10, 1000], **tiny)["runs"]
    >>> [r["shots"] for r in rows], rows[0]["rmse"] > rows[1]["rmse"]
    ([10, 1000], True)
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from qlearn import hardware as hw
from qlearn.experiments import common
from qlearn.experiments.reuploading import train_classifier
from qlearn.hardware.run import versions
from qlearn.models import ReuploadingClassifier

Tensor = torch.Tensor
F64 = torch.float64

RESULTS_DIR = Path(__file__).resolve().parents[2] / "book" / "ch07" / "results"

#: Sizes: training data and epochs of the classifier, test points, the sweeps' grids.
SIZES: dict[str, dict[str, Any]] = {
    "fast": {"n_layers": 4, "n_samples": 200, "epochs": 60, "n_test": 30,
             "shots": [10, 100, 1000], "scales": [0.0, 1.0, 4.0], "noise_shots": 1000,
             "fake_shots": 1000},
    "full": {"n_layers": 4, "n_samples": 400, "epochs": 200, "n_test": 100,
             "shots": [10, 30, 100, 300, 1000, 3000, 10000],
             "scales": [0.0, 0.5, 1.0, 2.0, 4.0, 8.0], "noise_shots": 4000, "fake_shots": 4000},
}  # fmt: skip

#: The emulator's noise at strength 1 (each probability is multiplied by the strength).
BASE_NOISE = hw.NoiseModel(p1=0.01, p2=0.02, damping=0.005, readout=0.02)

#: The fake device of :func:`fake_backend`: IBM's calibrated 5-qubit Manila snapshot (a line of
#: qubits, read-out errors of 1.4-9.6 %, CNOT errors of 0.6-1.4 %).
FAKE_TARGET = "fake:manila"

#: Zero-noise extrapolation: fold scales and the extrapolation.
ZNE = {"scales": (1, 3, 5), "method": "linear"}


def _size(size: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
    if size not in SIZES:
        raise ValueError(f"size={size!r} must be 'fast' or 'full'.")
    s = dict(SIZES[size])
    unknown = set(overrides) - set(s)
    if unknown:
        raise ValueError(f"unknown size argument(s) {sorted(unknown)}; known: {sorted(s)}.")
    s.update({k: v for k, v in overrides.items() if v is not None})
    return s


def trained_model(seed: int, s: Mapping[str, Any]) -> tuple[ReuploadingClassifier, Tensor, Tensor]:
    """Train the chapter-2 classifier with ``seed``; return it and ``n_test`` test points."""
    run = train_classifier(s["n_layers"], n_samples=s["n_samples"], epochs=s["epochs"], seed=seed)
    return run.model, run.x_test[: s["n_test"]], run.y_test[: s["n_test"]]


def score(model, values: Tensor, x: Tensor, y: Tensor | None) -> dict[str, float]:
    """``rmse`` of measured against exact expectation values, and (given labels ``y``) the
    accuracy they give."""
    with torch.no_grad():
        exact = model.qnn(x).to(F64)
    rmse = float((values - exact).pow(2).mean().sqrt())
    if y is None:
        return {"rmse": rmse}
    pred = hw.predict(model, values).argmax(1)
    return {
        "rmse": rmse,
        "accuracy": float((pred == y).double().mean()),
        "exact_accuracy": float((model(x).argmax(1) == y).double().mean()),
    }


def shot_noise_rmse(model: ReuploadingClassifier, x: Tensor, shots: int) -> float:
    r"""The expected RMSE from shots alone: :math:`\sqrt{\overline{1-\langle P\rangle^2}/N}`."""
    with torch.no_grad():
        exact = model.qnn(x).to(F64)
    return math.sqrt(float((1 - exact**2).mean()) / shots)


def _result(name: str, size: str, s: dict, seeds: list[int], runs: list, start: float) -> dict:
    return {
        "name": name, "size": size, "settings": s, "seeds": seeds, "runs": runs,
        "summary": summarise(runs), "seconds": round(time.perf_counter() - start, 2),
        "versions": versions(),
    }  # fmt: skip


def summarise(runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Mean, min and max over seeds of every number, per (model, method, shots, scale) group.

    Example:
        >>> summarise([{"method": "raw", "seed": 0, "rmse": 0.1},
        ...            {"method": "raw", "seed": 1, "rmse": 0.3}])[0]["rmse_mean"]
        0.2
    """
    keys = ("model", "method", "shots", "scale")
    groups: dict[tuple, list[Mapping[str, Any]]] = {}
    for r in runs:
        groups.setdefault(tuple(r.get(k) for k in keys), []).append(r)
    out = []
    for group, rows in groups.items():
        s: dict[str, Any] = {k: v for k, v in zip(keys, group, strict=True) if v is not None}
        s["n_seeds"] = len(rows)
        for key, value in rows[0].items():
            if key in (*keys, "seed") or not isinstance(value, int | float):
                continue
            values = [float(r[key]) for r in rows]
            s[f"{key}_mean"] = round(statistics.fmean(values), 10)
            s[f"{key}_min"], s[f"{key}_max"] = min(values), max(values)
        out.append(s)
    return out


def shots_sweep(
    seeds: Sequence[int] = (0, 1, 2), size: str = "fast", **overrides: Any
) -> dict[str, Any]:
    """Error and accuracy versus shots on our simulator (``"sim"``), one model per seed."""
    start, seeds = time.perf_counter(), common.seeds(seeds)
    s = _size(size, overrides)
    runs = []
    for seed in seeds:
        model, x, y = trained_model(seed, s)
        for shots in s["shots"]:
            res = hw.run(model, x, "sim", shots=shots, seed=seed)
            runs.append({"method": "sim", "shots": shots, "seed": seed,
                         **score(model, res.values, x, y),
                         "expected_rmse": shot_noise_rmse(model, x, shots)})  # fmt: skip
    return _result("shots", size, s, seeds, runs, start)


def _three_ways(model, x, y, target, shots: int, seed: int) -> list[dict]:
    """Raw, readout-mitigated, and readout + ZNE results of one model on one target."""
    n_qubits = model.circuit.n_qubits
    raw = hw.run(model, x, target, shots=shots, seed=seed)
    cal = hw.calibrate_readout(target, n_qubits, shots=shots, seed=seed + 1000)
    ro = hw.run(model, x, target, shots=shots, seed=seed, calibration=cal)
    z = hw.zne(model, x, target, shots=shots, seed=seed, calibration=cal, **ZNE)
    return [
        {"method": "raw", **score(model, raw.values, x, y)},
        {"method": "readout", **score(model, ro.values, x, y)},
        {"method": "readout+zne", **score(model, z["mitigated"], x, y)},
    ]


def noise_sweep(
    seeds: Sequence[int] = (0, 1, 2), size: str = "fast", **overrides: Any
) -> dict[str, Any]:
    """Error versus noise strength (:data:`BASE_NOISE` times ``scale``) on the emulator."""
    start, seeds = time.perf_counter(), common.seeds(seeds)
    s = _size(size, overrides)
    s["base_noise"] = vars(BASE_NOISE).copy()
    s["zne"] = dict(ZNE)
    runs = []
    for seed in seeds:
        model, x, y = trained_model(seed, s)
        for scale in s["scales"]:
            target = hw.get_target("emulator", noise=BASE_NOISE.scaled(scale))
            for row in _three_ways(model, x, y, target, s["noise_shots"], seed):
                runs.append({"scale": scale, "seed": seed, **row})
    return _result("noise", size, s, seeds, runs, start)


def fake_backend(
    seeds: Sequence[int] = (0, 1, 2), size: str = "fast", **overrides: Any
) -> dict[str, Any]:
    """The classifier on the fake device (:data:`FAKE_TARGET`): raw, readout, readout + ZNE;
    the same for a 3-qubit :class:`~qlearn.models.DRQC` (error only: it is not trained, its CNOT
    ring needs SWAPs on the device's line of qubits); and the compilation reports of both."""
    from qlearn.models import DRQC

    start, seeds = time.perf_counter(), common.seeds(seeds)
    s = _size(size, overrides)
    s["zne"] = dict(ZNE)
    s["target"] = FAKE_TARGET
    target = hw.get_target(FAKE_TARGET)
    runs = []
    for seed in seeds:
        model, x, y = trained_model(seed, s)
        for row in _three_ways(model, x, y, target, s["fake_shots"], seed):
            runs.append({"model": "classifier", "seed": seed, **row})
        drqc = DRQC(2, 3, 2, seed=seed, dtype=F64)
        for row in _three_ways(drqc, x, None, target, s["fake_shots"], seed):
            runs.append({"model": "drqc_3q", "seed": seed, **row})
    out = _result("fake", size, s, seeds, runs, start)
    out["reports"] = {
        "classifier": {"ir": hw.compile_report(model, "sim"),
                       "fake": hw.compile_report(model, target)},
        "drqc_3q": {"ir": hw.compile_report(drqc, "sim"),
                    "fake": hw.compile_report(drqc, target)},
    }  # fmt: skip
    return out


def save_model(model: ReuploadingClassifier, path: str | Path, **info: Any) -> Path:
    """Store a classifier's settings and weights as JSON (read back by :func:`load_model`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    d = {"class": "ReuploadingClassifier", "in_features": model.in_features,
         "n_layers": int(model.qnn.weights["theta"].shape[0]),
         "n_classes": int(model.targets.shape[0]),
         "weights": {k: v.detach().tolist() for k, v in model.qnn.weight_dict().items()},
         **info}  # fmt: skip
    path.write_text(json.dumps(d, indent=1) + "\n")
    return path


def load_model(path: str | Path | None = None) -> ReuploadingClassifier:
    """The classifier stored by :func:`save_model` (default: the chapter's ``model.json``)."""
    path = Path(path or RESULTS_DIR / "model.json")
    if not path.exists():
        raise ValueError(
            f"no stored model at {path}; produce it with "
            f"`python -m qlearn.experiments.hardware model --out {path.parent}`."
        )
    d = json.loads(path.read_text())
    model = ReuploadingClassifier(d["in_features"], d["n_layers"], d["n_classes"], seed=0,
                                  dtype=F64, device="cpu")  # fmt: skip
    with torch.no_grad():
        for name, value in d["weights"].items():
            model.qnn.weights[name].copy_(torch.tensor(value, dtype=F64))
    return model


def load_result(name: str, directory: str | Path | None = None) -> dict[str, Any]:
    """The stored result ``<directory>/<name>.json`` (default :data:`RESULTS_DIR`)."""
    return common.load_json("hardware", name, directory or RESULTS_DIR)


def rows(
    result: Mapping[str, Any], method: str, key: str = "rmse", model: str | None = None
) -> dict[str, list[float]]:
    """From a result's summary: the swept values (``shots`` or ``scale``) and the mean, min and
    max of ``key`` for one method (and model), ready for a plot."""
    picked = [r for r in result["summary"]
              if r["method"] == method and (model is None or r.get("model") == model)]  # fmt: skip
    axis = "shots" if "shots" in picked[0] else ("scale" if "scale" in picked[0] else None)
    return {
        "x": [r[axis] for r in picked] if axis else [],
        "mean": [r[f"{key}_mean"] for r in picked],
        "min": [r[f"{key}_min"] for r in picked],
        "max": [r[f"{key}_max"] for r in picked],
    }


def _by(result: Mapping[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [s for s in result["summary"] if all(s.get(k) == v for k, v in match.items())]


def observations(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One sentence per stored experiment, computed from the results (so the chapter's text
    always matches the numbers).

    Example:
        >>> r = {"size": "full", "seeds": [0, 1], "summary": [
        ...     {"model": "classifier", "method": "raw", "rmse_mean": 0.1, "accuracy_mean": 0.9},
        ...     {"model": "classifier", "method": "readout", "rmse_mean": 0.05},
        ...     {"model": "classifier", "method": "readout+zne", "rmse_mean": 0.2}]}
        >>> print(observations({"fake": r})[0])
        fake backend, classifier (full, 2 seeds): RMSE raw 0.1, readout-mitigated 0.05, readout + ZNE 0.2; readout mitigation helped, ZNE on top of it did not.
    """  # noqa: E501
    lines = []
    if "shots" in results:
        r = results["shots"]
        rows_ = sorted(r["summary"], key=lambda s: s["shots"])
        ratio = [s["rmse_mean"] / s["expected_rmse_mean"] for s in rows_]
        lo, hi = rows_[0], rows_[-1]
        lines.append(
            f"shots ({r['size']}, {len(r['seeds'])} seeds): measured RMSE / shot-noise law "
            f"between {min(ratio):.2f} and {max(ratio):.2f} for {lo['shots']}-{hi['shots']} "
            f"shots; accuracy {lo['accuracy_mean']:.2f} at {lo['shots']} shots and "
            f"{hi['accuracy_mean']:.2f} at {hi['shots']} (exact {hi['exact_accuracy_mean']:.2f})."
        )
    if "noise" in results:
        r = results["noise"]
        scales = sorted({s["scale"] for s in r["summary"]})
        worse = [sc for sc in scales if sc > 0 and _by(r, scale=sc, method="readout+zne")[0][
            "rmse_mean"] >= _by(r, scale=sc, method="raw")[0]["rmse_mean"]]  # fmt: skip
        parts = []
        for sc in (1.0, scales[-1]):
            if sc not in scales:
                continue
            v = {m: _by(r, scale=sc, method=m)[0] for m in ("raw", "readout", "readout+zne")}
            parts.append(f"at strength {sc:g}: RMSE raw {v['raw']['rmse_mean']:.3g}, readout "
                         f"{v['readout']['rmse_mean']:.3g}, readout + ZNE "
                         f"{v['readout+zne']['rmse_mean']:.3g} (accuracy "
                         f"{v['raw']['accuracy_mean']:.2f} / "
                         f"{v['readout+zne']['accuracy_mean']:.2f})")  # fmt: skip
        verdict = ("mitigation lowered the error at every noise strength above 0"
                   if not worse else f"mitigation did not help at strength(s) {worse}")  # fmt: skip
        lines.append(f"noise ({r['size']}, {len(r['seeds'])} seeds): " + "; ".join(parts)
                     + f"; {verdict}.")  # fmt: skip
    if "fake" in results:
        r = results["fake"]
        for model in dict.fromkeys(s.get("model") for s in r["summary"]):
            v = {m: _by(r, model=model, method=m)[0] for m in ("raw", "readout", "readout+zne")}
            raw, ro, z = (v[m]["rmse_mean"] for m in ("raw", "readout", "readout+zne"))
            lines.append(
                f"fake backend, {model} ({r['size']}, {len(r['seeds'])} seeds): RMSE raw "
                f"{raw:.3g}, readout-mitigated {ro:.3g}, readout + ZNE {z:.3g}; readout "
                f"mitigation {'helped' if ro < raw else 'did not help'}, ZNE on top of it "
                f"{'helped' if z < ro else 'did not'}."
            )
    return lines


EXPERIMENTS = {"shots": shots_sweep, "noise": noise_sweep, "fake": fake_backend}


def _parser() -> argparse.ArgumentParser:
    return common.parser(
        "hardware",
        "Chapter 7 experiments (noise, shots, mitigation); prints or stores JSON.",
        EXPERIMENTS,
        choices=("model", "all"),
        epochs=False,
        out_help="a directory for the JSON files",
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run experiments from the command line; print or write JSON."""
    args = _parser().parse_args(argv)
    size = "full" if args.full else "fast"
    if args.experiment in ("model", "all"):
        s = _size(size, {})
        model, _, _ = trained_model(args.seeds[0], s)
        if args.out is not None:
            path = save_model(model, args.out / "model.json", seed=args.seeds[0], size=size,
                              settings=s)  # fmt: skip
            print(f"wrote {path}")
    names = [] if args.experiment == "model" else None
    return common.run_cli(args, EXPERIMENTS, names=names, file=False)


if __name__ == "__main__":
    main()
