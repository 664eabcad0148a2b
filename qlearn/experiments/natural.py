r"""Chapter 6 experiments: natural quantization of a binarized network (arXiv 2503.15482).

Stable API (the chapter, its checks and the exercises call these):

* ``run_quantumness(*, seeds=(0,), size="fast", dataset="digits", mnist_dir=None,
  **overrides) -> Result`` — rotate-and-measure networks ``[in, w, w, w, 10]`` trained on a
  small subset (two training-set sizes) with both training methods, for a sweep of the
  quantumness ``a`` (``a = 0`` is the classical sign network); validation error by majority
  vote over ``n_votes`` stochastic passes, and of one pass.
* ``run_transition(*, seeds, size, **overrides) -> Result`` — weak-measurement networks
  (``a = 0``) for a sweep of the entanglement angle ``g``, at two widths (the finite-size
  check); the critical angle :func:`critical_angle` per width.
* ``run_mnist(*, seeds, size, mnist_dir, **overrides)`` — ``run_quantumness`` on an MNIST
  subset read from local IDX files (:func:`qlearn.data.load_mnist`); raises
  :class:`MnistMissing` (a ``FileNotFoundError``) with a clear message when the files are absent.
* ``critical_angle(g, errors, chance=0.9) -> float`` — where the error curve crosses half-way
  between its value at :math:`g = \pi/2` and chance; ``transition_width(g, errors)`` — over
  how many radians it rises from a quarter to three quarters of the way.
* ``sweep(result, key)`` — mean and standard deviation over seeds against ``a`` or ``g``.
* ``best_quantum(result)`` / ``observations(results)`` — the numbers and sentences the chapter
  prints: best ``a`` against the classical limit, paired by seed; ``g_c`` per width.
* ``load_result(name)``, ``Result`` (:mod:`qlearn.experiments.common`, shared by the chapters),
  ``SIZES``, ``EXPERIMENTS``.

Every row of a result has ``task`` (method and training-set size, or width), ``model``
(``a=...`` or ``g=...``), ``seed``, ``n_parameters``, ``a``/``g``, ``val_error`` (majority vote),
``val_error_single`` (one pass), ``train_error`` and ``final_loss``. The summary has mean, min,
max and standard deviation (``*_std``) over seeds. Same seed, same numbers on the CPU.

Protocol: a seeded permutation of the data set gives ``n_train`` training and ``n_val``
validation images (the seed also sets the weights and the sampling); Adam, cross entropy on the
logits, mini-batches of ``batch_size``, ``epochs`` epochs; majority vote over ``n_votes`` passes.

Command line::

    python -m qlearn.experiments.natural all --full --seeds 0 1 2 --out book/ch06/results
    python -m qlearn.experiments.natural mnist --mnist ~/data/mnist --full --out book/ch06/results

(``mnist`` without ``--mnist DIR`` prints why it is skipped and writes nothing.)

Example:
    >>> r = run_transition(seeds=[0], g_values=[0.1, 1.5707963267948966], epochs=3)
    >>> sorted({row["task"] for row in r.runs}), r.size
    (['w=16', 'w=8'], 'custom')
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from qlearn import data
from qlearn.experiments import common
from qlearn.experiments.common import Result, as_result
from qlearn.models.natural import NaturalQuantizedMLP
from qlearn.train import fit

Tensor = torch.Tensor

__all__ = [
    "CLAIMS",
    "EXPERIMENTS",
    "RESULTS_DIR",
    "SIZES",
    "MnistMissing",
    "Result",
    "best_quantum",
    "critical_angle",
    "load_result",
    "main",
    "observations",
    "run_mnist",
    "run_quantumness",
    "run_transition",
    "split",
    "sweep",
    "train_network",
    "transition_width",
]

#: Where the stored full-size results live (``<name>.json``).
RESULTS_DIR = Path(__file__).resolve().parents[2] / "book" / "ch06" / "results"

#: The paper's claims, quoted (not numbers we measured).
CLAIMS = {
    "advantage": "on a subset of MNIST the validation error in a quantum regime is lower than in "
    "the classical limit",
    "transition": "a sharp loss of the network's ability to learn at a critical entanglement "
    "angle g_c",
}

HALF_PI = math.pi / 2

#: Default sizes; ``size="fast"`` for tests and live chapters, ``"full"`` is what is stored.
SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "quantumness": {
        "fast": dict(width=16, n_train=(150,), n_val=300, epochs=40, batch_size=50, n_votes=9,
                     a_values=(0.0, 1.0, 4.0), methods=("ste",)),
        "full": dict(width=32, n_train=(250, 1000), n_val=700, epochs=300, batch_size=64,
                     n_votes=15, a_values=(0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0),
                     methods=("ste", "expectation")),
    },
    "transition": {
        "fast": dict(widths=(8, 16), n_train=300, n_val=300, epochs=40, batch_size=50,
                     n_votes=9, g_values=(0.1, 0.4, 0.8, HALF_PI)),
        "full": dict(widths=(16, 64), n_train=500, n_val=700, epochs=200, batch_size=64,
                     n_votes=15, g_values=(0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
                                           1.0, 1.2, 1.4, HALF_PI)),
    },
    "mnist": {
        "fast": dict(width=16, n_train=(150,), n_val=300, epochs=30, batch_size=50, n_votes=9,
                     a_values=(0.0, 2.0), methods=("ste",), image_size=14),
        "full": dict(width=32, n_train=(500,), n_val=2000, epochs=200, batch_size=64,
                     n_votes=15, a_values=(0.0, 0.5, 1.0, 2.0, 4.0, 8.0),
                     methods=("ste",), image_size=28),
    },
}  # fmt: skip

LR = 1e-2


class MnistMissing(FileNotFoundError):
    """Raised when the MNIST IDX files are not on this machine (nothing is downloaded)."""


# --------------------------------------------------------------------------------------------
# Settings, data, one training run


def _settings(name: str, size: str, overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    base = common.base_sizes(SIZES, name, size)
    unknown = set(overrides) - set(base) - {"lr"}
    if unknown:
        raise ValueError(
            f"{name}: unknown size argument(s) {sorted(unknown)}; known: {sorted(base)}, lr."
        )
    given = {k: v for k, v in overrides.items() if v is not None}
    for k, v in given.items():
        if isinstance(base.get(k), int) and (
            isinstance(v, bool) or not isinstance(v, int) or v < 1
        ):
            raise ValueError(f"{k}={v!r} must be a positive integer.")
        if isinstance(base.get(k), tuple):
            given[k] = tuple(v) if isinstance(v, Iterable) and not isinstance(v, str) else (v,)
    label = "custom" if any(base.get(k) != v for k, v in given.items()) else size
    base.update(given)
    base.setdefault("lr", LR)
    return label, base


def split(x: Tensor, y: Tensor, n_train: int, n_val: int, seed: int):
    """A seeded permutation: the first ``n_train`` rows train, the next ``n_val`` validate
    (float32 features)."""
    if n_train + n_val > len(x):
        raise ValueError(
            f"n_train + n_val = {n_train + n_val} exceeds the {len(x)} images available; "
            "lower n_train or n_val."
        )
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    tr, va = perm[:n_train], perm[n_train : n_train + n_val]
    x = x.reshape(len(x), -1).float()
    return x[tr], y[tr], x[va], y[va]


def train_network(
    xt: Tensor,
    yt: Tensor,
    xv: Tensor,
    yv: Tensor,
    *,
    width: int,
    seed: int,
    epochs: int,
    batch_size: int,
    n_votes: int,
    lr: float = LR,
    **model_options,
) -> dict[str, Any]:
    """Train ``NaturalQuantizedMLP([in, w, w, w, 10], **model_options)`` and evaluate it.

    Returns ``n_parameters``, ``val_error`` (majority of ``n_votes``), ``val_error_single``,
    ``train_error`` and ``final_loss``, and the trained ``model``.
    """
    n_classes = int(max(int(yt.max()), int(yv.max()))) + 1
    net = NaturalQuantizedMLP(
        [xt.shape[1], width, width, width, max(n_classes, 10)], seed=seed, **model_options
    )
    hist = fit(net, xt, yt, loss="cross_entropy", epochs=epochs, lr=lr, batch_size=batch_size,
               seed=seed, progress=False)  # fmt: skip
    net.eval()
    return {
        "n_parameters": net.n_parameters,
        "val_error": net.error(xv, yv, n_votes, seed=seed + 1),
        "val_error_single": net.error(xv, yv, 1, seed=seed + 1),
        "train_error": net.error(xt, yt, n_votes, seed=seed + 1),
        "final_loss": hist.losses[-1] if hist.losses else float("nan"),
        "model": net,
    }


def _result(name: str, size: str, settings: dict, seeds: list[int], runs: list, start: float):
    settings = {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}
    return common.result(name, size, settings, seeds, runs, start, std=True)


# --------------------------------------------------------------------------------------------
# Experiments


def _sweep_a(name, x, y, seeds, size, overrides) -> Result:
    start = time.perf_counter()
    label, s = _settings(name, size, overrides)
    seeds = common.seeds(seeds)
    runs = []
    for n_train in s["n_train"]:
        for method in s["methods"]:
            for a in s["a_values"]:
                for seed in seeds:
                    xt, yt, xv, yv = split(x, y, n_train, s["n_val"], seed)
                    out = train_network(
                        xt, yt, xv, yv, width=s["width"], seed=seed, epochs=s["epochs"],
                        batch_size=s["batch_size"], n_votes=s["n_votes"], lr=s["lr"],
                        a=float(a), method=method,
                    )  # fmt: skip
                    out.pop("model")
                    runs.append({"task": f"{method}/n={n_train}", "model": f"a={a:g}",
                                 "seed": seed, "a": float(a), "method": method,
                                 "n_train": n_train, **out})  # fmt: skip
    return _result(name, label, s, seeds, runs, start)


def run_quantumness(*, seeds: Iterable[int] = (0,), size: str = "fast", **overrides) -> Result:
    """Validation error against the quantumness ``a`` on scikit-learn's 8×8 digits (see the
    module docstring); ``a = 0`` rows are the classical sign network.

    Overrides: ``width``, ``n_train`` (a tuple of sizes), ``n_val``, ``epochs``, ``batch_size``,
    ``n_votes``, ``a_values``, ``methods``, ``lr``.
    """
    x, y = data.digits_dataset()
    return _sweep_a("quantumness", x, y, seeds, size, overrides)


def run_mnist(
    *,
    seeds: Iterable[int] = (0,),
    size: str = "fast",
    mnist_dir: str | Path | None = None,
    **overrides,
) -> Result:
    """:func:`run_quantumness` on an MNIST subset from local IDX files in ``mnist_dir``
    (``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``, optionally ``.gz``),
    resized to ``image_size``; raises :class:`MnistMissing` when they are not there."""
    if mnist_dir is None:
        raise MnistMissing(
            "mnist_dir=None: the MNIST experiment needs local IDX files (nothing is downloaded); "
            "pass mnist_dir=DIR (CLI: --mnist DIR) holding train-images-idx3-ubyte and "
            "train-labels-idx1-ubyte."
        )
    directory = Path(mnist_dir).expanduser()
    found = [
        p
        for stem in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        for p in (directory / stem, directory / f"{stem}.gz")
        if p.exists()
    ]
    if len(found) < 2:
        raise MnistMissing(
            f"mnist_dir={str(mnist_dir)!r} does not hold train-images-idx3-ubyte and "
            "train-labels-idx1-ubyte (optionally .gz); put the MNIST IDX files there."
        )
    label, s = _settings("mnist", size, overrides)
    limit = max(s["n_train"]) + s["n_val"]
    side = s["image_size"]
    x, y = data.load_mnist(directory, "train", size=None if side == 28 else side, limit=limit)
    res = _sweep_a("mnist", x, y, seeds, size, overrides)
    res.settings["mnist_dir"] = str(directory)
    return res


def critical_angle(
    g: Sequence[float], errors: Sequence[float], chance: float = 0.9, fraction: float = 0.5
) -> float:
    r"""The entanglement angle :math:`g_c` where the error curve (``errors`` at increasing
    ``g``), followed down from :math:`g = \pi/2`, first rises above the level
    :math:`e(\pi/2) + f\,(\text{chance} - e(\pi/2))` (``fraction`` :math:`f`, half-way by
    default); linear interpolation between grid points; ``nan`` if the curve never crosses that
    level on the grid. The angles at :math:`f = 1/4` and :math:`3/4` bracket the transition;
    their difference is its width (:func:`transition_width`).

    Example:
        >>> round(critical_angle([0.1, 0.5, 1.0, 1.5], [0.9, 0.7, 0.2, 0.1]), 6)
        0.7
    """
    if len(g) != len(errors) or len(g) < 2:
        raise ValueError(
            f"g ({len(g)} values) and errors ({len(errors)}) must have the same length >= 2."
        )
    if any(b <= a for a, b in zip(g, g[1:], strict=False)):
        raise ValueError(f"g={list(g)} must increase.")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction={fraction!r} must lie strictly between 0 and 1.")
    level = errors[-1] + fraction * (chance - errors[-1])
    for i in range(len(g) - 1, 0, -1):
        hi, lo = errors[i], errors[i - 1]
        if hi < level <= lo:
            return g[i - 1] + (lo - level) / (lo - hi) * (g[i] - g[i - 1])
    return float("nan")


def transition_width(g: Sequence[float], errors: Sequence[float], chance: float = 0.9) -> float:
    """How far apart the quarter and three-quarter crossings of :func:`critical_angle` lie (in
    radians): small against :math:`g_c` for a sharp transition, comparable for a smooth one.

    Example:
        >>> round(transition_width([0.1, 0.5, 1.0, 1.5], [0.9, 0.7, 0.2, 0.1]), 6)
        0.4
    """
    return critical_angle(g, errors, chance, 0.25) - critical_angle(g, errors, chance, 0.75)


def run_transition(*, seeds: Iterable[int] = (0,), size: str = "fast", **overrides) -> Result:
    """Validation error against the entanglement angle ``g`` (weak measurement, ``a = 0``,
    straight-through training) on the digits, at two widths; ``settings["g_c"]`` holds
    :func:`critical_angle` of the seed-mean curve per width, ``settings["g_c_per_seed"]`` the
    angle of each seed's curve.

    Overrides: ``widths``, ``n_train``, ``n_val``, ``epochs``, ``batch_size``, ``n_votes``,
    ``g_values``, ``lr``.
    """
    start = time.perf_counter()
    label, s = _settings("transition", size, overrides)
    seeds = common.seeds(seeds)
    g_values = sorted(float(g) for g in s["g_values"])
    x, y = data.digits_dataset()
    runs = []
    for width in s["widths"]:
        for g in g_values:
            for seed in seeds:
                xt, yt, xv, yv = split(x, y, s["n_train"], s["n_val"], seed)
                out = train_network(
                    xt, yt, xv, yv, width=width, seed=seed, epochs=s["epochs"],
                    batch_size=s["batch_size"], n_votes=s["n_votes"], lr=s["lr"],
                    a=0.0, mode="weak", g=g,
                )  # fmt: skip
                out.pop("model")
                runs.append({"task": f"w={width}", "model": f"g={g:.4g}", "seed": seed,
                             "g": g, "width": width, **out})  # fmt: skip
    res = _result("transition", label, s, seeds, runs, start)
    res.settings["g_c"], res.settings["g_c_per_seed"] = {}, {}
    for width in s["widths"]:
        rows = [r for r in runs if r["width"] == width]
        mean = [statistics.fmean(r["val_error"] for r in rows if r["g"] == g) for g in g_values]
        res.settings["g_c"][f"w={width}"] = critical_angle(g_values, mean)
        res.settings["g_c_per_seed"][f"w={width}"] = [
            critical_angle(g_values, [r["val_error"] for g in g_values for r in rows
                                      if r["g"] == g and r["seed"] == seed])
            for seed in seeds
        ]  # fmt: skip
    return res


# --------------------------------------------------------------------------------------------
# What the chapter prints


def sweep(
    result: Result | Mapping[str, Any], key: str, metric: str = "val_error"
) -> dict[str, tuple[list[float], list[float], list[float]]]:
    """Per task, the swept values of ``key`` (``"a"`` or ``"g"``, sorted) with the mean and the
    standard deviation of ``metric`` over seeds: ``{task: (values, means, stds)}``.

    Example:
        >>> rows = [{"task": "t", "model": "m", "seed": s, "a": a, "val_error": e}
        ...         for a, s, e in [(0.0, 0, 0.2), (0.0, 1, 0.4), (1.0, 0, 0.1), (1.0, 1, 0.1)]]
        >>> sweep(Result("quantumness", "fast", {}, [0, 1], runs=rows), "a")["t"][1]
        [0.30000000000000004, 0.1]
    """
    res = as_result(result)
    out = {}
    for task in dict.fromkeys(r["task"] for r in res.runs):
        rows = [r for r in res.runs if r["task"] == task]
        values = sorted({float(r[key]) for r in rows})
        groups = [[float(r[metric]) for r in rows if float(r[key]) == v] for v in values]
        out[task] = (
            values,
            [statistics.fmean(g) for g in groups],
            [statistics.stdev(g) if len(g) > 1 else 0.0 for g in groups],
        )
    return out


def sweep_figure(
    result: Result | Mapping[str, Any],
    key: str,
    xlabel: str,
    title: str,
    marks: Mapping[str, float] | None = None,
    chance: bool = False,
):
    """Validation error against the swept ``key`` (mean ± std over seeds, one curve per task),
    with dashed lines at the values in ``marks`` and, with ``chance``, the 10-class chance level.

    Example:
        >>> rows = [{"task": "t", "model": "m", "seed": s, "g": g, "val_error": e}
        ...         for g, s, e in [(0.5, 0, 0.6), (0.5, 1, 0.7), (1.5, 0, 0.1), (1.5, 1, 0.2)]]
        >>> fig = sweep_figure(Result("transition", "fast", {}, [0, 1], runs=rows), "g",
        ...                    "g", "transition", marks={"g_c": 1.0})
        >>> len(fig.axes[0].lines) >= 2
        True
    """
    from qlearn import plot

    curves = sweep(result, key)
    series = {task: (means, stds) for task, (_, means, stds) in curves.items()}
    x = next(iter(curves.values()))[0]
    fig = plot.error_bars(x, series, xlabel=xlabel, ylabel="validation error",
                          reference={"chance": 0.9} if chance else None, title=title)  # fmt: skip
    for value in (marks or {}).values():
        fig.axes[0].axvline(value, color="tab:red", linestyle="--", linewidth=1)
    return fig


def best_quantum(result: Result | Mapping[str, Any]) -> list[dict[str, Any]]:
    r"""Per task, the quantum setting with the lowest mean validation error against the
    classical limit: ``a > 0`` against ``a = 0`` for a quantumness sweep, ``g < π/2`` against
    ``g = π/2`` (the largest ``g`` swept) for the transition. The difference is paired by seed
    (classical minus quantum: positive means the quantum network did better), with its mean,
    standard error and how many seeds favour the quantum network. ``setting`` names the swept
    knob (``"a"`` or ``"g"``) and ``best`` its best value.

    Example:
        >>> rows = [{"task": "t", "model": f"a={a}", "seed": s, "a": a, "n_parameters": 1,
        ...          "val_error": e} for a, s, e in
        ...         [(0, 0, .2), (0, 1, .3), (1, 0, .1), (1, 1, .2), (2, 0, .3), (2, 1, .3)]]
        >>> b = best_quantum(Result("quantumness", "fast", {}, [0, 1], runs=rows))[0]
        >>> b["setting"], b["best"], round(b["gain_mean"], 3), b["seeds_better"]
        ('a', 1.0, 0.1, 2)
    """
    res = as_result(result)
    key = "g" if res.name == "transition" else "a"
    out = []
    for task in dict.fromkeys(r["task"] for r in res.runs):
        rows = [r for r in res.runs if r["task"] == task]
        limit = max(float(r["g"]) for r in rows) if key == "g" else 0.0
        classical = {r["seed"]: r["val_error"] for r in rows if float(r[key]) == limit}
        quantum: dict[float, dict[int, float]] = {}
        for r in rows:
            if float(r[key]) != limit:
                quantum.setdefault(float(r[key]), {})[r["seed"]] = r["val_error"]
        if not classical or not quantum:
            continue
        best = min(quantum, key=lambda v: statistics.fmean(quantum[v].values()))
        seeds = sorted(set(classical) & set(quantum[best]))
        gains = [classical[k] - quantum[best][k] for k in seeds]
        sem = statistics.stdev(gains) / math.sqrt(len(gains)) if len(gains) > 1 else float("nan")
        out.append({
            "task": task, "setting": key, "best": best, "classical": limit, "seeds": seeds,
            "classical_error": statistics.fmean(classical[k] for k in seeds),
            "quantum_error": statistics.fmean(quantum[best][k] for k in seeds),
            "gain_mean": statistics.fmean(gains), "gain_sem": sem,
            "seeds_better": sum(g > 0 for g in gains),
        })  # fmt: skip
    return out


def _advantage(name: str, size: str, n: int, b: Mapping[str, Any]) -> str:
    resolved = n > 1 and b["gain_mean"] > 2 * b["gain_sem"]
    verdict = (
        "lower than the classical limit, resolved beyond 2 standard errors"
        if resolved
        else "not resolved from the classical limit"
        if b["gain_mean"] > 0
        else "not lower than the classical limit"
    )
    knob = b["setting"]
    return (
        f"{name}/{b['task']} ({size}, {n} seed{'s' * (n != 1)}): best {knob} = {b['best']:.3g} "
        f"gives validation error {b['quantum_error']:.3f} against {b['classical_error']:.3f} at "
        f"{knob} = {b['classical']:.3g} (gain {b['gain_mean']:+.3f} ± {b['gain_sem']:.3f}, "
        f"better on {b['seeds_better']}/{len(b['seeds'])} seeds): {verdict} (best {knob} chosen "
        "on these validation errors)."
    )


def observations(results: Iterable[Result | Mapping[str, Any]]) -> list[str]:
    """Sentences computed from results (the chapter prints these instead of quoting numbers).

    A quantum gain (:func:`best_quantum`) counts as *resolved* when the paired mean exceeds two
    standard errors. The best ``a`` (or ``g``) is picked on the same validation errors, which
    favours the quantum side slightly (a selection effect the sentence names).
    """
    lines = []
    for res in map(as_result, results):
        n = len(res.seeds)
        if res.name in ("quantumness", "mnist"):
            lines += [_advantage(res.name, res.size, n, b) for b in best_quantum(res)]
        elif res.name == "transition":
            curves = sweep(res, "g")
            found = {}
            for task, (g, means, _) in curves.items():
                gc, width = critical_angle(g, means), transition_width(g, means)
                found[task] = gc
                per = []
                for seed in res.seeds:
                    rows = {r["g"]: r["val_error"] for r in res.runs
                            if r["task"] == task and r["seed"] == seed}  # fmt: skip
                    if len(rows) == len(g):
                        per.append(critical_angle(g, [rows[v] for v in g]))
                per = [v for v in per if not math.isnan(v)]
                spread = f" (per seed {min(per):.2f}-{max(per):.2f})" if per else ""
                lines.append(
                    f"transition/{task} ({res.size}, {n} seed{'s' * (n != 1)}): the error is "
                    f"half-way to chance at g_c ≈ {gc:.2f} rad{spread}; it rises from a quarter "
                    f"to three quarters of the way over {width:.2f} rad of g "
                    f"({width / gc:.2f} g_c; a sharp transition has a small, shrinking ratio)."
                )
            if len(found) == 2:
                (t1, v1), (t2, v2) = found.items()
                moves = abs(v1 - v2) > 0.1
                lines.append(
                    f"transition: g_c {'moves' if moves else 'barely moves'} with the width "
                    f"({t1}: {v1:.2f}, {t2}: {v2:.2f}); "
                    + ("the collapse depends on the network's size. Two widths cannot tell a "
                       "finite-size shift of a critical point from a smooth crossover."
                       if moves else "consistent with a size-independent g_c at these sizes.")
                )  # fmt: skip
            lines += [_advantage(res.name, res.size, n, b) for b in best_quantum(res)]
    return lines


# --------------------------------------------------------------------------------------------
# Loading and command line

EXPERIMENTS: dict[str, Callable[..., Result]] = {
    "quantumness": run_quantumness,
    "transition": run_transition,
    "mnist": run_mnist,
}


def load_result(name: str, directory: str | Path | None = None) -> Result:
    """The stored result ``<directory>/<name>.json`` (default :data:`RESULTS_DIR`).

    Example:
        >>> load_result("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: no stored result 'nope' ...
    """
    return common.load_result("natural", name, directory or RESULTS_DIR)


def _parser() -> argparse.ArgumentParser:
    p = common.parser(
        "natural",
        "Chapter 6 experiments (natural quantization); prints or stores JSON.",
        EXPERIMENTS,
    )
    p.add_argument("--mnist", type=Path, help="directory with the MNIST IDX files")
    return p


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run experiments from the command line; print or write JSON (plus the observations).

    ``all`` runs ``mnist`` only when ``--mnist DIR`` is given; ``mnist`` without it (or with a
    directory lacking the files) prints why it is skipped and writes nothing.
    """
    args = _parser().parse_args(argv)
    if args.experiment == "all":
        names = [n for n in EXPERIMENTS if n != "mnist" or args.mnist is not None]
    else:
        names = [args.experiment]
    return common.run_cli(
        args,
        EXPERIMENTS,
        names=names,
        extra=lambda name: {"mnist_dir": args.mnist} if name == "mnist" else {},
        summary=("observations", observations),
        skip=(MnistMissing,),
    )


if __name__ == "__main__":
    main()
