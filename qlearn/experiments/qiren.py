r"""Chapter 3 experiments: QIREN (arXiv 2406.03873) against classical networks, honestly.

Stable API (the chapter, its checks and the exercises call these):

* ``run_signal(*, seeds, size, epochs, models) -> Result`` — fit the 1000-point
  :func:`qlearn.data.audio_like_signal`: QIREN, SIREN, FFN (Fourier features) and MLP at matched
  parameter counts; MSE, PSNR, and the error in three frequency bands (the spectrum experiment:
  which frequencies each model captures). The first seed's predictions are stored for plots.
* ``run_image(*, seeds, size, epochs, images, models) -> Result`` — scikit-image ``camera``
  and ``coffee`` (grayscale) at 32×32: fitting MSE / PSNR; then **super-resolution**: the same
  trained models evaluated on the 64×64 grid against the 64×64 ground truth, beside bicubic
  interpolation of the 32×32 image (row ``model="bicubic"``).
* ``run_ablation(*, seeds, size, epochs) -> Result`` — the hybrid layer with and without its
  Linear map and its BatchNorm (``qiren``, ``no_batchnorm``, ``no_linear``, ``neither``).
* ``run_noise(*, seeds, size, epochs, settings) -> Result`` — QIREN trained exactly, evaluated
  with finite shots and depolarizing noise (:class:`qlearn.sim.Noise`).
* ``headline(results) -> list[dict]`` — per task, QIREN's error against the best classical
  model (paired by seed): the relative error reduction
  :math:`1 - \mathrm{MSE}_{\text{QIREN}} / \mathrm{MSE}_{\text{best}}`, beside the paper's "up
  to 35% lower error" (:data:`CLAIMED_REDUCTION`).
* ``observations(results) -> list[str]`` — the same as sentences, for the chapter text.
* ``load_result(name, directory=None)``, ``matched_models(...)``, ``sr_grid(...)``,
  ``band_errors(...)``, ``amplitude_spectrum(...)``, ``EXPERIMENTS``, ``SIZES``.

Results are :class:`qlearn.experiments.common.Result` objects (same JSON layout as chapter 4).

Protocol (all experiments): full-batch Adam on the MSE, QIREN with the authors' learning rate
0.03, the baselines with :data:`LEARNING_RATES`; every baseline has as many hidden layers as
QIREN has hybrid layers and its width chosen by :func:`~qlearn.models.match_parameters` to
QIREN's parameter count. Models are evaluated in ``eval()`` mode; QIREN's BatchNorm statistics
are first set to those of the training grid (:meth:`~qlearn.models.QIREN.calibrate`), since
the running averages lag behind the weights in full-batch training. **Epochs**: the full size
trains 300 epochs, a budget set by our shared 2-core CPU, not by the paper; the JSON
``settings`` record it.

Command line::

    python -m qlearn.experiments.qiren all --full --seeds 0 1 2 --out book/ch03/results
    python -m qlearn.experiments.qiren signal --seeds 0 --epochs 20
    python -m qlearn.experiments.qiren ablation --full --seeds 1 --out /tmp/ablation_1.json
    python -m qlearn.experiments.qiren merge /tmp/ablation_*.json --out book/ch03/results

(``merge`` joins results of one experiment run in parts, e.g. one process per seed or image,
into one JSON with the summary and headline recomputed: :func:`merge_results`.)

Example:
    >>> r = run_ablation(seeds=[0], epochs=3)
    >>> sorted({row["model"] for row in r.runs})
    ['neither', 'no_batchnorm', 'no_linear', 'qiren']
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from qlearn import data
from qlearn.experiments import common
from qlearn.experiments.common import Result, as_result, summarise
from qlearn.experiments.qrun import BASELINES, psnr
from qlearn.models import QIREN, match_parameters
from qlearn.models.base import n_parameters
from qlearn.sim import Noise
from qlearn.train import fit

Tensor = torch.Tensor

__all__ = [
    "CLAIMED_REDUCTION",
    "EXPERIMENTS",
    "LEARNING_RATES",
    "RESULTS_DIR",
    "SIZES",
    "amplitude_spectrum",
    "band_errors",
    "headline",
    "image_figure",
    "load_result",
    "main",
    "matched_models",
    "merge_results",
    "observations",
    "run_ablation",
    "run_image",
    "run_noise",
    "run_signal",
    "signal_figure",
    "sr_grid",
    "summary_lines",
]

#: Where the stored full-size results live (``<name>.json``).
RESULTS_DIR = Path(__file__).resolve().parents[2] / "book" / "ch03" / "results"
#: The paper's claim: up to 35% lower fitting error than the best classical model.
CLAIMED_REDUCTION = 0.35
#: Adam learning rates (QIREN: the authors' 0.03).
LEARNING_RATES = {"qiren": 0.03, "siren": 1e-3, "ffn": 3e-3, "mlp": 3e-3}
#: The models compared; the baselines come from :data:`qlearn.experiments.qrun.BASELINES`.
MODELS = ("qiren", "siren", "ffn", "mlp")
F32 = torch.float32

#: Sizes per experiment. ``width``/``hidden_layers``/``reuploads``: QIREN's width, hybrid layers
#: after the first, and re-uploads L (block depth K = 2 throughout).
SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "signal": {
        "fast": dict(n_points=200, epochs=40, width=4, hidden_layers=1, reuploads=2),
        "full": dict(n_points=1000, epochs=300, width=8, hidden_layers=2, reuploads=2),
    },
    "image": {
        "fast": dict(image_size=12, epochs=30, width=4, hidden_layers=1, reuploads=2),
        "full": dict(image_size=32, epochs=300, width=8, hidden_layers=2, reuploads=2),
    },
    "ablation": {
        "fast": dict(n_points=200, epochs=40, width=4, hidden_layers=1, reuploads=2),
        "full": dict(n_points=1000, epochs=300, width=8, hidden_layers=2, reuploads=2),
    },
    "noise": {
        "fast": dict(n_points=100, epochs=30, width=4, hidden_layers=1, reuploads=2,
                     trajectories=4),
        "full": dict(n_points=1000, epochs=300, width=8, hidden_layers=2, reuploads=2,
                     trajectories=20),
    },
}  # fmt: skip

#: Noise settings of :func:`run_noise` (label -> Noise options without the seed).
NOISE_SETTINGS: dict[str, dict[str, Any]] = {
    "exact": {},
    "shots=100": dict(shots=100),
    "shots=1000": dict(shots=1000),
    "shots=10000": dict(shots=10000),
    "depol=0.001": dict(depolarizing=0.001),
    "depol=0.01": dict(depolarizing=0.01),
    "depol=0.001+shots=1000": dict(depolarizing=0.001, shots=1000),
}

#: Frequency bands of :func:`band_errors`, in cycles per unit of t (the signal spans 2 units).
BANDS = {"low": (0.0, 10.0), "mid": (10.0, 30.0), "high": (30.0, math.inf)}


# --------------------------------------------------------------------------------------------
# Settings, models, metrics


def _settings(name: str, size: str, overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    base = common.base_sizes(SIZES, name, size)
    unknown = set(overrides) - set(base)
    if unknown:
        raise ValueError(f"{name}: unknown size argument(s) {sorted(unknown)}; known: "
                         f"{sorted(base)}.")  # fmt: skip
    given = {k: v for k, v in overrides.items() if v is not None}
    for k, v in given.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < (0 if k == "hidden_layers" else 1):
            raise ValueError(f"{k}={v!r} must be a positive integer.")
    label = "custom" if any(base[k] != v for k, v in given.items()) else size
    base.update(given)
    base["learning_rates"] = dict(LEARNING_RATES)
    base["block_depth"] = 2
    return label, base


def _qiren(in_features: int, s: Mapping[str, Any], seed: int, **kw) -> QIREN:
    return QIREN(in_features, 1, s["width"], s["hidden_layers"], s["reuploads"], seed=seed, **kw)


def matched_models(
    names: Sequence[str], in_features: int, s: Mapping[str, Any], *, seed: int = 0
) -> dict[str, nn.Module]:
    """``"qiren"`` (sizes from ``s``) and baselines (``"siren"``, ``"ffn"``, ``"mlp"``, ...,
    :data:`qlearn.experiments.qrun.BASELINES`) with as many hidden layers as QIREN has hybrid
    layers, sized to QIREN's parameter count by :func:`~qlearn.models.match_parameters`.

    Example:
        >>> m = matched_models(["qiren", "siren", "mlp"], 1, SIZES["signal"]["full"])
        >>> {k: v.n_parameters for k, v in m.items()}
        {'qiren': 649, 'siren': 664, 'mlp': 664}
    """
    unknown = [n for n in names if n != "qiren" and n not in BASELINES]
    if unknown:
        raise ValueError(f"unknown model(s) {unknown}; choose from {['qiren', *BASELINES]}.")
    q = _qiren(in_features, s, seed)
    out: dict[str, nn.Module] = {}
    for name in names:
        if name == "qiren":
            out[name] = q
            continue
        cls, lo = BASELINES[name]
        factory = partial(cls, in_features, out_features=1, n_layers=s["hidden_layers"] + 1,
                          seed=seed)  # fmt: skip
        out[name] = match_parameters(factory, q.n_parameters, over="hidden_features", lo=lo)
    return out


def _train(model: nn.Module, x: Tensor, y: Tensor, s: Mapping[str, Any], seed: int, name: str):
    lr = s["learning_rates"].get(name.split("_")[0] if name not in LEARNING_RATES else name, 3e-3)
    model.train()
    fit(model, x, y, epochs=s["epochs"], lr=lr, seed=seed, progress=False)
    if isinstance(model, QIREN):
        model.calibrate(x)  # BatchNorm statistics of the training grid (QIREN.calibrate)
    model.eval()


def _predict(model: nn.Module, x: Tensor) -> Tensor:
    model.eval()
    with torch.no_grad():
        out = model(x)
    return (out[:, 0] if out.ndim == 2 else out).double()


def _mse(pred: Tensor, y: Tensor) -> float:
    return float(((pred.double() - y.double()) ** 2).mean())


def _audio_row(
    name: str, seed: int, model: nn.Module, pred: Tensor, y: Tensor, *, bands: bool = True, **extra
) -> dict[str, Any]:
    """A run row of the audio signal: ``mse``, ``psnr`` (peak 2), ``extra``, and (``bands``)
    the :func:`band_errors` as ``band_low/mid/high``."""
    mse = _mse(pred, y)
    row = {"task": "audio", "model": name, "seed": seed, "n_parameters": n_parameters(model),
           "mse": mse, "psnr": psnr(mse, 2.0), **extra}  # fmt: skip
    if bands:
        row.update({f"band_{k}": v for k, v in band_errors(pred, y).items()})
    return row


def amplitude_spectrum(y: Tensor | np.ndarray, span: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Frequencies (cycles per unit) and amplitudes :math:`|\hat y_k| / N` of a sampled signal
    (``numpy.fft.rfft`` of :math:`N` equispaced samples over an interval of length ``span``).

    Example:
        >>> t = np.linspace(-1, 1, 200, endpoint=False)
        >>> f, a = amplitude_spectrum(np.sin(2 * np.pi * 5 * t))
        >>> float(f[np.argmax(a)])
        5.0
    """
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    return np.fft.rfftfreq(len(y), d=span / len(y)), np.abs(np.fft.rfft(y)) / len(y)


def band_errors(pred: Tensor, y: Tensor, span: float = 2.0) -> dict[str, float]:
    r"""Relative error per frequency band (:data:`BANDS`):
    :math:`\|\hat p - \hat y\|_B / \|\hat y\|_B` over the rFFT coefficients in band :math:`B`.
    0 means the band is captured exactly, 1 that it is missing (or as wrong as missing).

    Example:
        >>> t = torch.linspace(-1, 1, 400)
        >>> y = torch.sin(2 * math.pi * 3 * t) + torch.sin(2 * math.pi * 40 * t)
        >>> e = band_errors(torch.sin(2 * math.pi * 3 * t), y)  # the 40-cycle part is missing
        >>> round(e["low"], 2), round(e["high"], 2)
        (0.0, 1.0)
    """
    freqs = np.fft.rfftfreq(len(y), d=span / len(y))
    fy = np.fft.rfft(np.asarray(y, dtype=np.float64))
    fp = np.fft.rfft(np.asarray(pred, dtype=np.float64))
    out = {}
    for name, (lo, hi) in BANDS.items():
        band = (freqs >= lo) & (freqs < hi)
        norm = np.linalg.norm(fy[band])
        out[name] = float(np.linalg.norm(fp[band] - fy[band]) / norm) if norm > 0 else math.nan
    return out


def sr_grid(low: int, high: int) -> Tensor:
    r"""Coordinates of the pixel centres of a ``high × high`` image in the frame in which the
    ``low × low`` training image has its pixel centres at ``linspace(-1, 1, low)``
    (:func:`qlearn.data.pixel_grid`): a centre at :math:`u \in [0, 1]` (image fraction) has
    coordinate :math:`-1 + 2 (u\,\text{low} - 1/2) / (\text{low} - 1)`. Slightly outside
    :math:`[-1, 1]` at the borders.

    Example:
        >>> sr_grid(2, 4)[:4, 1].tolist()
        [-1.5, -0.5, 0.5, 1.5]
    """
    u = (torch.arange(high, dtype=torch.float64) + 0.5) / high
    axis = -1 + 2 * (u * low - 0.5) / (low - 1)
    return torch.cartesian_prod(axis, axis)


def _bicubic(image: Tensor, size: int) -> Tensor:
    from skimage.transform import resize

    return torch.from_numpy(resize(image.numpy(), (size, size), order=3, mode="reflect").copy())


def _rounded(t: Tensor, digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in t.reshape(-1)]


# --------------------------------------------------------------------------------------------
# 1 and 4. Signal representation and its spectrum


def run_signal(
    *,
    seeds: Iterable[int] = (0,),
    size: str = "fast",
    epochs: int | None = None,
    models: Sequence[str] = MODELS,
    **sizes,
) -> Result:
    """Fit :func:`qlearn.data.audio_like_signal` (``n_points`` samples, signal ``seed``) with
    every model; rows hold ``mse``, ``psnr`` (peak 2: values in [-1, 1]) and
    ``band_low/mid/high`` (:func:`band_errors`); the first seed's rows also hold the
    ``prediction`` (and the ``"target"`` row the signal) for the chapter's plots.

    Example:
        >>> r = run_signal(seeds=[0], epochs=2, models=["qiren", "mlp"])
        >>> [(row["model"], row["n_parameters"]) for row in r.runs]
        [('target', 0), ('qiren', 193), ('mlp', 193)]
    """
    start = time.perf_counter()
    label, s = _settings("signal", size, {"epochs": epochs, **sizes})
    seeds = common.seeds(seeds)
    if "qiren" not in models:
        raise ValueError("models must include 'qiren' (the baselines are sized to it).")
    s["models"] = list(models)
    runs = []
    for seed in seeds:
        t, y = data.audio_like_signal(s["n_points"], seed=seed)
        x, y32 = t[:, None].to(F32), y.to(F32)
        if seed == seeds[0]:
            runs.append({"task": "audio", "model": "target", "seed": seed, "n_parameters": 0,
                         "prediction": _rounded(y)})  # fmt: skip
        for name, model in matched_models(models, 1, s, seed=seed).items():
            _train(model, x, y32, s, seed, name)
            pred = _predict(model, x)
            row = _audio_row(name, seed, model, pred, y)
            if seed == seeds[0]:
                row["prediction"] = _rounded(pred)
            runs.append(row)  # fmt: skip
    return common.result("signal", label, s, seeds, runs, start)


# --------------------------------------------------------------------------------------------
# 2 and 3. Images and super-resolution


def run_image(
    *,
    seeds: Iterable[int] = (0,),
    size: str = "fast",
    epochs: int | None = None,
    images: Sequence[str] = ("camera", "coffee"),
    models: Sequence[str] = MODELS,
    **sizes,
) -> Result:
    """Fit each image at ``image_size`` (grey values in [0, 1], PSNR peak 1), then evaluate the
    trained models on the pixel centres of the ``2 × image_size`` image (:func:`sr_grid`)
    against that image (``sr_mse``, ``sr_psnr``), beside bicubic interpolation (row
    ``"bicubic"``, no parameters). The first seed's rows hold the super-resolved images
    (``"sr_image"``) and the ground truths (row ``"target"``).

    Example:
        >>> r = run_image(seeds=[0], epochs=1, images=["coffee"], models=["qiren"])
        >>> [row["model"] for row in r.runs]
        ['target', 'bicubic', 'qiren']
    """
    start = time.perf_counter()
    label, s = _settings("image", size, {"epochs": epochs, **sizes})
    seeds = common.seeds(seeds)
    for name in images:
        if name not in data.SKIMAGE_IMAGES:
            raise ValueError(f"images={list(images)!r}: each must be one of "
                             f"{list(data.SKIMAGE_IMAGES)}.")  # fmt: skip
    if "qiren" not in models:
        raise ValueError("models must include 'qiren' (the baselines are sized to it).")
    s["images"], s["models"] = list(images), list(models)
    low = s["image_size"]
    high = 2 * low
    s["sr_size"] = high
    runs = []
    for image in images:
        lo_img, hi_img = data.skimage_image(image, low), data.skimage_image(image, high)
        x, y = data.pixel_grid(low).to(F32), lo_img.reshape(-1)
        x_hi, y_hi = sr_grid(low, high).to(F32), hi_img.reshape(-1)
        cubic = _bicubic(lo_img, high).reshape(-1)
        runs.append(
            {
                "task": image,
                "model": "target",
                "seed": seeds[0],
                "n_parameters": 0,
                "image": _rounded(lo_img, 3),
                "sr_image": _rounded(hi_img, 3),
            }
        )
        sr = _mse(cubic, y_hi)
        runs.append(
            {
                "task": image,
                "model": "bicubic",
                "seed": seeds[0],
                "n_parameters": 0,
                "sr_mse": sr,
                "sr_psnr": psnr(sr),
                "sr_image": _rounded(cubic, 3),
            }
        )
        for seed in seeds:
            for name, model in matched_models(models, 2, s, seed=seed).items():
                _train(model, x, y.to(F32), s, seed, name)
                mse, sr = _mse(_predict(model, x), y), _mse(_predict(model, x_hi), y_hi)
                row = {
                    "task": image,
                    "model": name,
                    "seed": seed,
                    "n_parameters": n_parameters(model),
                    "mse": mse,
                    "psnr": psnr(mse),
                    "sr_mse": sr,
                    "sr_psnr": psnr(sr),
                }
                if seed == seeds[0]:
                    row["sr_image"] = _rounded(_predict(model, x_hi), 3)
                runs.append(row)  # fmt: skip
    return common.result("image", label, s, seeds, runs, start)


# --------------------------------------------------------------------------------------------
# Ablation and noise

#: Ablation variants: QIRENLayer options.
ABLATIONS = {
    "qiren": dict(),
    "no_batchnorm": dict(batchnorm=False),
    "no_linear": dict(linear=False),
    "neither": dict(batchnorm=False, linear=False),
}


def run_ablation(
    *, seeds: Iterable[int] = (0,), size: str = "fast", epochs: int | None = None, **sizes
) -> Result:
    """QIREN on the audio signal with each hybrid layer's Linear and/or BatchNorm removed
    (:data:`ABLATIONS`); same training as :func:`run_signal`. Rows: ``mse``, ``psnr``,
    ``band_*`` and the angle statistics ``angle_std`` (std of the first layer's encoded
    angles after training, over samples and qubits)."""
    start = time.perf_counter()
    label, s = _settings("ablation", size, {"epochs": epochs, **sizes})
    seeds = common.seeds(seeds)
    runs = []
    for seed in seeds:
        t, y = data.audio_like_signal(s["n_points"], seed=seed)
        x = t[:, None].to(F32)
        for name, options in ABLATIONS.items():
            model = _qiren(1, s, seed, **options)
            _train(model, x, y.to(F32), s, seed, "qiren")
            pred = _predict(model, x)
            with torch.no_grad():
                angles = model.layers[0].angles(x)
            runs.append(_audio_row(name, seed, model, pred, y, angle_std=float(angles.std())))
    return common.result("ablation", label, s, seeds, runs, start)


def run_noise(
    *,
    seeds: Iterable[int] = (0,),
    size: str = "fast",
    epochs: int | None = None,
    settings: Sequence[str] = tuple(NOISE_SETTINGS),
    **sizes,
) -> Result:
    """Train QIREN on the audio signal without noise, then evaluate it under each of
    :data:`NOISE_SETTINGS` (every circuit of the network, :class:`qlearn.sim.Noise` with
    ``trajectories`` Pauli trajectories per sample and noise seed = the run's seed). Rows:
    ``mse`` and ``psnr`` of the noisy prediction against the signal."""
    start = time.perf_counter()
    label, s = _settings("noise", size, {"epochs": epochs, **sizes})
    seeds = common.seeds(seeds)
    unknown = [k for k in settings if k not in NOISE_SETTINGS]
    if unknown:
        raise ValueError(f"settings {unknown} are unknown; use some of {list(NOISE_SETTINGS)}.")
    s["settings"] = {k: NOISE_SETTINGS[k] for k in settings}
    runs = []
    for seed in seeds:
        t, y = data.audio_like_signal(s["n_points"], seed=seed)
        x = t[:, None].to(F32)
        model = _qiren(1, s, seed)
        _train(model, x, y.to(F32), s, seed, "qiren")
        for key in settings:
            opts = NOISE_SETTINGS[key]
            traj = s["trajectories"] if opts.get("depolarizing") else 1
            model.set_noise(Noise(seed=seed, trajectories=traj, **opts) if opts else None)
            runs.append(_audio_row(key, seed, model, _predict(model, x), y, bands=False))
        model.set_noise(None)
    return common.result("noise", label, s, seeds, runs, start)


# --------------------------------------------------------------------------------------------
# Tables and figures for the chapter


def summary_lines(result: Result | Mapping[str, Any], metric: str) -> list[str]:
    """One line per task and model: parameters and the metric's mean [min, max] over seeds.

    Example:
        >>> r = Result("signal", "fast", {}, [0, 1], runs=[
        ...     {"task": "audio", "model": "mlp", "seed": 0, "n_parameters": 9, "mse": 0.2},
        ...     {"task": "audio", "model": "mlp", "seed": 1, "n_parameters": 9, "mse": 0.4}])
        >>> r.summary = summarise(r.runs)
        >>> summary_lines(r, "mse")
        ['audio    mlp              9 params  mse 0.3 [0.2, 0.4]']
    """
    res = as_result(result)
    lines = []
    for row in res.summary:
        if f"{metric}_mean" not in row:
            continue
        lines.append(
            f"{row['task']:8s} {row['model']:12s} {row['n_parameters']:5d} params  {metric} "
            f"{row[metric + '_mean']:.3g} [{row[metric + '_min']:.3g}, {row[metric + '_max']:.3g}]"
        )
    return lines


def signal_figure(result: Result | Mapping[str, Any], zoom: tuple[float, float] = (-0.2, 0.2)):
    """The first seed's fits of :func:`run_signal` on a window of ``t`` (left) and the amplitude
    spectra of the target and every model (right, log scale)."""
    from qlearn import plot

    res = as_result(result)
    preds = {r["model"]: np.array(r["prediction"]) for r in res.runs if "prediction" in r}
    t = np.linspace(-1, 1, len(preds["target"]))
    keep = (t >= zoom[0]) & (t <= zoom[1])
    fig = plot.new_figure(11.0, 3.4)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    plot.curves(
        t[keep],
        {k: v[keep] for k, v in preds.items()},
        xlabel="$t$",
        ylabel="signal",
        title=f"fits, $t \\in$ [{zoom[0]}, {zoom[1]}]",
        ax=left,
    )
    spectra = {k: amplitude_spectrum(v)[1] for k, v in preds.items()}
    freqs = amplitude_spectrum(preds["target"])[0]
    top = freqs <= 60
    plot.curves(freqs[top], {k: v[top] + 1e-6 for k, v in spectra.items()},
                xlabel="frequency (cycles per unit of $t$)", ylabel="amplitude", logy=True,
                title="amplitude spectra", ax=right)  # fmt: skip
    fig.suptitle(f"signal ({res.size} size, seed {res.seeds[0]})", fontsize=11)
    return fig


def image_figure(result: Result | Mapping[str, Any], task: str = "camera"):
    """Super-resolution of one image of :func:`run_image` (first seed): the ground truth at twice
    the training size, bicubic interpolation and every model, with error maps."""
    from qlearn import plot

    res = as_result(result)
    rows = res.rows(task)
    if not rows:
        raise ValueError(f"task={task!r} is not in the result; use one of "
                         f"{sorted({r['task'] for r in res.runs})}.")  # fmt: skip
    images = {"ground truth": rows[0]["sr_image"]}
    for r in rows[1:]:
        if "sr_image" in r:
            images[f"{r['model']} ({r['sr_psnr']:.1f} dB)"] = r["sr_image"]
    low, high = res.settings["image_size"], res.settings["sr_size"]
    return plot.image_panels(images, reference="ground truth",
                             title=f"{task}: trained on {low}×{low}, shown at {high}×{high} "
                             f"({res.size} size)")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Headline, loading, command line

EXPERIMENTS: dict[str, Callable[..., Result]] = {
    "signal": run_signal,
    "image": run_image,
    "ablation": run_ablation,
    "noise": run_noise,
}

#: The error metrics compared by :func:`headline` per experiment (lower is better).
HEADLINE_METRICS = {"signal": ("mse",), "image": ("mse", "sr_mse")}


def headline(results: Iterable[Result | Mapping[str, Any]]) -> list[dict[str, Any]]:
    r"""Per task and metric, QIREN against the best classical network (lowest mean over seeds;
    bicubic interpolation is reported beside, not counted):
    the reduction :math:`1 - \mathrm{err}_s(\text{QIREN}) / \mathrm{err}_s(\text{best})` per
    seed :math:`s`, its mean, min and max, and the models' parameter counts. Positive means
    QIREN had the lower error; the paper claims up to 0.35 (:data:`CLAIMED_REDUCTION`).

    Example:
        >>> r = Result("signal", "fast", {}, [0], runs=[
        ...     {"task": "a", "model": "mlp", "seed": 0, "n_parameters": 9, "mse": 0.2},
        ...     {"task": "a", "model": "qiren", "seed": 0, "n_parameters": 9, "mse": 0.15}])
        >>> [(h["task"], h["best"], round(h["reduction_mean"], 2)) for h in headline([r])]
        [('a', 'mlp', 0.25)]
    """
    rows = []
    for res in results:
        res = as_result(res)
        for metric in HEADLINE_METRICS.get(res.name, ()):
            for task in dict.fromkeys(r["task"] for r in res.runs):
                per_model: dict[str, dict[int, dict]] = {}
                for r in res.rows(task):
                    if metric in r and r["model"] not in ("target", "bicubic"):
                        per_model.setdefault(r["model"], {})[r["seed"]] = r
                if "qiren" not in per_model or len(per_model) < 2:
                    continue
                means = {m: statistics.fmean(r[metric] for r in v.values())
                         for m, v in per_model.items()}  # fmt: skip
                best = min((m for m in means if m != "qiren"), key=means.__getitem__)
                q, b = per_model["qiren"], per_model[best]
                common = sorted(set(q) & set(b)) or sorted(q)
                red = [1 - q[k][metric] / (b[k] if k in b else next(iter(b.values())))[metric]
                       for k in common]  # fmt: skip
                rows.append({
                    "experiment": res.name, "task": task, "metric": metric, "size": res.size,
                    "seeds": common, "best": best, "qiren_mean": means["qiren"],
                    "best_mean": means[best], "reduction_mean": statistics.fmean(red),
                    "reduction_min": min(red), "reduction_max": max(red),
                    "n_parameters_qiren": next(iter(q.values()))["n_parameters"],
                    "n_parameters_best": next(iter(b.values()))["n_parameters"],
                })  # fmt: skip
    return rows


def observations(results: Iterable[Result | Mapping[str, Any]]) -> list[str]:
    """One sentence per :func:`headline` row, for the chapter (numbers computed, not typed).

    Example:
        >>> r = Result("signal", "full", {}, [0], runs=[
        ...     {"task": "audio", "model": "siren", "seed": 0, "n_parameters": 9, "mse": 0.1},
        ...     {"task": "audio", "model": "qiren", "seed": 0, "n_parameters": 9, "mse": 0.2}])
        >>> print(observations([r])[0])  # doctest: +NORMALIZE_WHITESPACE
        signal/audio mse (full, 1 seed): QIREN 0.2 vs best classical siren 0.1: QIREN's error is
        100% higher (per seed QIREN/best 2 to 2; the paper claims up to 35% lower, a ratio of
        0.65).
    """
    lines = []
    for h in headline(results):
        n = len(h["seeds"])
        ratio = h["qiren_mean"] / h["best_mean"]
        verdict = (
            f"{ratio:.3g} times the best's"
            if ratio > 2
            else f"{abs(1 - ratio):.0%} {'lower' if ratio < 1 else 'higher'}"
        )
        lines.append(
            f"{h['experiment']}/{h['task']} {h['metric']} ({h['size']}, {n} seed"
            f"{'s' if n != 1 else ''}): QIREN {h['qiren_mean']:.3g} vs best classical "
            f"{h['best']} {h['best_mean']:.3g}: QIREN's error is {verdict} (per seed QIREN/best "
            f"{1 - h['reduction_max']:.3g} to {1 - h['reduction_min']:.3g}; the paper claims up "
            f"to {CLAIMED_REDUCTION:.0%} lower, a ratio of {1 - CLAIMED_REDUCTION:.2g})."
        )
    return lines


def load_result(name: str, directory: str | Path | None = None) -> Result:
    """The stored result ``<directory>/<name>.json`` (default :data:`RESULTS_DIR`).

    Example:
        >>> load_result("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: no stored result 'nope' ...
    """
    return common.load_result("qiren", name, directory or RESULTS_DIR)


def merge_results(results: Sequence[Result | Mapping[str, Any]]) -> Result:
    """One result from parts of one experiment (e.g. run per seed or per image): runs joined
    in order (rows repeated in several parts, such as an image's target, kept once), seeds and
    list settings united, summary recomputed, seconds added.

    Example:
        >>> a = run_ablation(seeds=[0], epochs=1, n_points=30)
        >>> b = run_ablation(seeds=[1], epochs=1, n_points=30)
        >>> m = merge_results([a, b])
        >>> m.seeds, len(m.runs), m.summary[0]["n_seeds"]
        ([0, 1], 8, 2)
    """
    parts = [as_result(r) for r in results]
    if not parts or len({p.name for p in parts}) != 1:
        raise ValueError(f"results must be parts of one experiment, got "
                         f"{[p.name for p in parts]}.")  # fmt: skip
    settings = dict(parts[0].settings)
    for p in parts[1:]:
        for k, v in p.settings.items():
            if isinstance(v, list) and isinstance(settings.get(k), list):
                settings[k] = list(dict.fromkeys([*settings[k], *v]))
            elif settings.get(k) != v:
                raise ValueError(f"the parts differ in setting {k!r} ({settings.get(k)!r} vs "
                                 f"{v!r}); merge only parts of the same run.")  # fmt: skip
    runs, seen = [], set()
    for p in parts:
        for row in p.runs:
            key = (row["task"], row["model"], row["seed"])
            if key not in seen:
                seen.add(key)
                runs.append(row)
    sizes = {p.size for p in parts}
    return Result(
        name=parts[0].name, size=sizes.pop() if len(sizes) == 1 else "custom",
        settings=settings, seeds=sorted({s for p in parts for s in p.seeds}), runs=runs,
        summary=summarise(runs), seconds=round(sum(p.seconds for p in parts), 2),
        versions=parts[0].versions,
    )  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    p = common.parser("qiren", "Chapter 3 experiments (QIREN); prints or stores JSON.",
                      EXPERIMENTS, choices=("all", "merge"))  # fmt: skip
    p.add_argument("parts", nargs="*", type=Path, help="merge: the JSON files to join")
    p.add_argument("--images", nargs="+", help="image: which scikit-image pictures")
    return p


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run experiments from the command line; print or write JSON (plus the headline)."""
    args = _parser().parse_args(argv)
    if args.experiment == "merge":
        res = merge_results([json.loads(p.read_text()) for p in args.parts])
        d = res.to_dict()
        d["headline"] = headline([res])
        common.write_json(d, args.out, res.name)
        return {res.name: d}
    return common.run_cli(
        args,
        EXPERIMENTS,
        extra=lambda name: {"images": args.images} if name == "image" and args.images else {},
        summary=("headline", headline),
    )


if __name__ == "__main__":
    main()
