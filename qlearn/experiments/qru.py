r"""Chapter 5 experiments: the quantum recurrent unit (arXiv 2601.18164) against classical
models, with the paper's configurations (:meth:`qlearn.models.QRU.preset`).

Stable API (the chapter, its checks and the exercises call these):

* ``run_oscillation(*, seeds, size, **sizes) -> Result`` — next-step training on the first
  100 points of the two damped oscillations (:func:`qlearn.data.qru_oscillations`), then a
  50-step autoregressive forecast as the test: QRU (72 parameters) and GRUs of several widths,
  one run per seed (= restart); test MSE per run.
* ``run_wdbc(*, seeds, size, **sizes) -> Result`` — WDBC, 30 features as 30 steps, stratified
  k-fold cross-validation: QRU (35), logistic regression (31), an MLP with 2 hidden units (65)
  and a GRU; test accuracy (mean over the folds) per seed.
* ``run_digits(*, seeds, size, **sizes) -> Result`` — scikit-learn's 8×8 digits 3 vs 5, rows as
  8 steps, stratified k-fold: QRU (132), a small CNN and a GRU; test accuracy per seed.
* ``run_ablation(*, seeds, size, **sizes) -> Result`` — the QRU with its controlled-SWAP block
  and with CNOTs in its place (``cswap=False``) on digits 3 vs 5, same folds (the full-size
  ``digits.json`` holds both as models ``"qru"`` and ``"qru_cnot"``).
* ``load_result(name, directory=None)`` — a stored full-size result
  (``book/ch05/results/<name>.json``); ``observations(results)`` — one sentence per task, set
  beside the paper's claim (:data:`CLAIMS`).
* ``EXPERIMENTS`` (name → function), ``SIZES`` (name → {"fast": ..., "full": ...}).

Results use :class:`qlearn.experiments.common.Result`: ``runs`` has one row per (task, model,
seed) with ``n_parameters`` and the metrics; ``summary`` mean/min/max per (task, model);
``settings`` records every size, including ``protocol``: what we ran where it differs from the
paper (k-fold instead of leave-one-out, no early stopping, fewer restarts).

Training (all models alike): Adam, mini-batches shuffled by the seed; MSE for the forecast,
binary cross-entropy on the logit for WDBC, cross-entropy for digits. The paper used Adam with
learning-rate halving on plateaus and early stopping. At full size we halve the learning rate
when the training loss has not improved for ``lr_patience`` epochs
(``qlearn.train.fit(lr_halving_patience=...)``) within a fixed number of epochs; there is no
validation split in the folds, hence no early stopping. In WDBC and digits every model gets the
same epochs, learning rate and schedule; in the forecast the GRUs get twice the QRU's epochs.
``qru_scale`` is the QRU's initial logit scale (the authors start at 100; in a one-fold check on
a validation split carved from a training fold, 100 trained more slowly than 10 on digits).

Command line::

    python -m qlearn.experiments.qru all --full --seeds 0 1 2 --out book/ch05/results
    python -m qlearn.experiments.qru wdbc --seeds 0 --out /tmp/wdbc.json

Example:
    >>> r = run_wdbc(seeds=[0], epochs=1, n_samples=60, folds=2)
    >>> sorted({row["model"] for row in r.runs}), r.size
    (['gru', 'logistic', 'mlp', 'qru'], 'custom')
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from qlearn import data
from qlearn.experiments import common
from qlearn.experiments.common import Result, as_result
from qlearn.models import MLP, QRU, GRUNet, SmallCNN, forecast
from qlearn.models.base import n_parameters
from qlearn.train import fit

Tensor = torch.Tensor

__all__ = [
    "CLAIMS",
    "EXPERIMENTS",
    "RESULTS_DIR",
    "SIZES",
    "load_result",
    "main",
    "observations",
    "spread",
    "run_ablation",
    "run_digits",
    "run_oscillation",
    "run_wdbc",
    "stratified_folds",
]

#: Where the stored full-size results live (``<name>.json``).
RESULTS_DIR = Path(__file__).resolve().parents[2] / "book" / "ch05" / "results"

#: Models of :func:`run_digits`; ``"qru_cnot"`` is the ablation (CNOTs for the C-SWAPs).
DIGIT_MODELS = ("qru", "cnn", "gru", "qru_cnot")

#: Sizes per experiment; every entry can be overridden by keyword.
SIZES: dict[str, dict[str, dict[str, Any]]] = {
    "oscillation": {
        "fast": dict(epochs=5, gru_epochs=60, gru_hidden=(2, 7), lr=0.1, gru_lr=0.02,
                     lr_patience=None),
        "full": dict(epochs=300, gru_epochs=600, gru_hidden=(2, 3, 4, 7), lr=0.1,
                     gru_lr=0.02, lr_patience=10),
    },
    "wdbc": {
        "fast": dict(n_samples=120, folds=2, epochs=3, batch_size=32, lr=0.05, gru_hidden=4,
                     lr_patience=3, qru_scale=10.0),
        "full": dict(n_samples=569, folds=4, epochs=30, batch_size=64, lr=0.05, gru_hidden=4,
                     lr_patience=3, qru_scale=10.0),
    },
    "digits": {
        "fast": dict(n_samples=80, folds=2, epochs=3, batch_size=32, lr=0.05, gru_hidden=4,
                     cnn_channels=4, lr_patience=3, qru_scale=10.0, models=DIGIT_MODELS),
        "full": dict(n_samples=365, folds=4, epochs=45, batch_size=64, lr=0.05, gru_hidden=4,
                     cnn_channels=4, lr_patience=3, qru_scale=10.0, models=DIGIT_MODELS),
    },
}  # fmt: skip

#: What the paper reports (quoted as claims; the chapter sets our numbers beside them).
CLAIMS: dict[str, dict[str, Any]] = {
    "oscillation": dict(qru_parameters=72, gru_parameters=197, text=(
        "QRU with 72 parameters matches a GRU with 197 (after outlier removal over 50 "
        "restarts; 307 without)")),
    "wdbc": dict(qru_parameters=35, accuracy={"qru": 0.9613, "logistic": 0.9789, "mlp": 0.9701,
                                              "gru": 0.933}, text=(
        "leave-one-out: QRU (35 parameters) 96.13%; the authors' logistic regression (31) "
        "97.89%, MLP with 2 hidden units 97.01%, GRU 93.3%")),
    "digits": dict(qru_parameters=132, accuracy={"qru": 0.9805}, text=(
        "MNIST 3 vs 5 resized to 8×8, 7-fold CV: QRU (132 parameters) 98.05%, better than a "
        "CNN with about 27,265 parameters")),
}  # fmt: skip

F32 = torch.float32


def _settings(name: str, size: str, overrides: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    base = common.base_sizes(SIZES, name, size)
    unknown = set(overrides) - set(base)
    if unknown:
        raise ValueError(
            f"{name}: unknown size argument(s) {sorted(unknown)}; known: {sorted(base)}."
        )
    given = {k: v for k, v in overrides.items() if v is not None}
    for k, v in given.items():
        if isinstance(base[k], int) and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ValueError(f"{k}={v!r} must be a positive integer.")
    label = "custom" if any(base[k] != v for k, v in given.items()) else size
    base.update(given)
    return label, base


def _budget(s: Mapping[str, Any]) -> str:
    """The training protocol of the classification experiments, in words (every model)."""
    text = f"every model: Adam, lr {s['lr']}, batch {s['batch_size']}, {s['epochs']} epochs"
    if s.get("lr_patience"):
        text += (f", lr halved after {s['lr_patience']} epochs without a lower training loss "
                 "(no early stopping: no validation split)")  # fmt: skip
    return text + f"; QRU logit scale starts at {s['qru_scale']:g} (the authors: 100)"


# --------------------------------------------------------------------------------------------
# 1. Damped oscillations: next-step training, autoregressive forecast


def _fit_quiet(model: nn.Module, x: Tensor, y: Tensor, *, epochs: int, lr: float, seed: int,
               **kw) -> float:  # fmt: skip
    torch.manual_seed(seed)
    history = fit(model, x, y, epochs=epochs, lr=lr, seed=seed, progress=False, **kw)
    return history.losses[-1] if history.losses else math.nan


def run_oscillation(*, seeds: Iterable[int] = (0,), size: str = "fast", **sizes) -> Result:
    r"""Forecast the two damped oscillations :math:`0.7 \sin(ft) e^{dt}` (151 points each).

    Each model is trained on both series at once (a batch of two sequences) to predict
    :math:`y_{t+1}` from :math:`y_0..y_t`, :math:`t < 100` (MSE over the 100 steps), then reads
    :math:`y_0..y_{100}` and forecasts :math:`y_{101}..y_{150}` feeding its own predictions back
    (:func:`qlearn.models.forecast`). Metrics: ``train_mse`` (last epoch) and ``test_mse`` of the
    50 forecast values, averaged over both series; each seed is one restart (fresh weights).
    The first seed's forecasts are stored (``forecast``) for the chapter's plot.

    Models: ``"qru"`` (``QRU.preset("oscillation")``, 72 parameters) and ``"gru_h{h}"``
    (:class:`qlearn.models.GRUNet` with ``h`` hidden units for every ``h`` in ``gru_hidden``).

    Example:
        >>> r = run_oscillation(seeds=[0], epochs=1, gru_epochs=2, gru_hidden=(2,))
        >>> [(row["model"], row["n_parameters"]) for row in r.runs]
        [('qru', 72), ('gru_h2', 33)]
    """
    start = time.perf_counter()
    label, s = _settings("oscillation", size, sizes)
    s["protocol"] = (
        "next-step MSE on points 0..100 of both series (one batch of 2), 50-step "
        "autoregressive forecast of points 101..150; Adam, full batch, "
        f"{s['epochs']} epochs at lr {s['lr']} for the QRU, {s['gru_epochs']} at lr "
        f"{s['gru_lr']} for the GRUs"
        + (f", lr halved after {s['lr_patience']} epochs without a lower training loss"
           if s["lr_patience"] else "")
        + " (the paper: learning-rate halving and early stopping); one restart per seed "
        "(the paper: 50 restarts and outlier removal)"
    )  # fmt: skip
    seeds = common.seeds(seeds)
    series = data.qru_oscillations().to(F32)
    x, y = series[:, :100, None], series[:, 1:101]
    context, truth = series[:, :101, None], series[:, 101:]
    runs = []
    for seed in seeds:
        models: dict[str, tuple[nn.Module, int, float]] = {
            "qru": (QRU.preset("oscillation", seed=seed, dtype=F32), s["epochs"], s["lr"]),
        }
        for h in s["gru_hidden"]:
            models[f"gru_h{h}"] = (GRUNet(1, h, 1, seed=seed), s["gru_epochs"], s["gru_lr"])
        for name, (model, epochs, lr) in models.items():
            train = _fit_quiet(
                model, x, y, epochs=epochs, lr=lr, seed=seed, lr_halving_patience=s["lr_patience"]
            )
            with torch.no_grad():
                pred = forecast(model, context, truth.shape[1])
            row = {"task": "oscillation", "model": name, "seed": seed,
                   "n_parameters": n_parameters(model), "train_mse": train,
                   "test_mse": float(((pred - truth) ** 2).mean())}  # fmt: skip
            if seed == seeds[0]:
                row["forecast"] = [[round(float(v), 5) for v in p] for p in pred]
            runs.append(row)
    return common.result("oscillation", label, s, seeds, runs, start)


# --------------------------------------------------------------------------------------------
# 2-4. Classification with stratified k-fold cross-validation


def stratified_folds(y: Tensor, k: int, seed: int) -> list[tuple[Tensor, Tensor]]:
    """``k`` (train, test) index pairs; every class is spread evenly over the test folds.

    Example:
        >>> folds = stratified_folds(torch.tensor([0, 0, 0, 0, 1, 1]), 2, seed=0)
        >>> [sorted(test.tolist()) for _, test in folds]
        [[2, 3, 4], [0, 1, 5]]
    """
    from sklearn.model_selection import StratifiedKFold

    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(f"k={k!r} must be an integer >= 2 (the number of folds).")
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    labels = y.numpy()
    return [
        (torch.from_numpy(tr), torch.from_numpy(te))
        for tr, te in splitter.split(np.zeros(len(labels)), labels)
    ]


def _subsample(x: Tensor, y: Tensor, n: int, seed: int) -> tuple[Tensor, Tensor]:
    """``n`` samples, stratified, the same for every model (all of them if ``n >= len``)."""
    if n >= len(y):
        return x, y
    from sklearn.model_selection import train_test_split

    idx, _ = train_test_split(
        np.arange(len(y)), train_size=n, stratify=y.numpy(), random_state=seed
    )
    idx = torch.from_numpy(np.sort(idx))
    return x[idx], y[idx]


def _bce(logits: Tensor, target: Tensor) -> Tensor:
    return nn.functional.binary_cross_entropy_with_logits(logits.reshape(-1), target.to(logits))


def _cross_validate(
    task: str,
    x: Tensor,
    y: Tensor,
    factories: Mapping[str, Callable[[int], tuple[nn.Module, Callable[[Tensor], Tensor]]]],
    s: Mapping[str, Any],
    seeds: list[int],
    binary: bool,
) -> list[dict[str, Any]]:
    """For every seed and fold: train each model on the fold's training part, test accuracy on
    the rest; one row per (model, seed) with the mean over the folds."""
    runs = []
    for seed in seeds:
        xs, ys = _subsample(x, y, s["n_samples"], seed)
        folds = stratified_folds(ys, s["folds"], seed)
        accs: dict[str, list[float]] = {name: [] for name in factories}
        params: dict[str, int] = {}
        for fold, (tr, te) in enumerate(folds):
            for name, factory in factories.items():
                model, view = factory(seed * 100 + fold)
                params[name] = n_parameters(model)
                loss = _bce if binary else "cross_entropy"
                _fit_quiet(model, view(xs[tr]), ys[tr].float() if binary else ys[tr],
                           epochs=s["epochs"], lr=s["lr"], seed=seed, loss=loss,
                           batch_size=s["batch_size"],
                           lr_halving_patience=s["lr_patience"])  # fmt: skip
                with torch.no_grad():
                    out = model(view(xs[te]))
                pred = (out.reshape(-1) > 0).long() if binary else out.argmax(1)
                accs[name].append(float((pred == ys[te]).double().mean()))
        for name in factories:
            runs.append({"task": task, "model": name, "seed": seed,
                         "n_parameters": params[name],
                         "accuracy": statistics.fmean(accs[name]),
                         "fold_accuracies": accs[name]})  # fmt: skip
    return runs


def _as_steps(x: Tensor) -> Tensor:  # (N, 30) -> (N, 30, 1): one feature per step
    return x[..., None]


def _identity(x: Tensor) -> Tensor:
    return x


def run_wdbc(*, seeds: Iterable[int] = (0,), size: str = "fast", **sizes) -> Result:
    r"""WDBC (:func:`qlearn.data.wdbc_dataset`): 30 min-max scaled features; stratified
    ``folds``-fold CV repeated per seed (``n_samples`` of the 569, stratified, in fast mode).

    Models: ``"qru"`` (``QRU.preset("wdbc")``: the 30 features as 30 steps, logit
    :math:`s\langle Z\rangle` at the last step, 35 parameters), ``"logistic"``
    (``nn.Linear(30, 1)``, 31), ``"mlp"`` (:class:`~qlearn.models.MLP` with 2 tanh hidden
    units, 65) and ``"gru"`` (:class:`~qlearn.models.GRUNet` on the 30 steps). Metric: test
    accuracy, mean over the folds (``fold_accuracies`` keeps each).

    Example:
        >>> r = run_wdbc(seeds=[0], epochs=1, n_samples=60, folds=2)
        >>> {row["model"]: row["n_parameters"] for row in r.runs}
        {'qru': 35, 'logistic': 31, 'mlp': 65, 'gru': 89}
    """
    start = time.perf_counter()
    label, s = _settings("wdbc", size, sizes)
    s["protocol"] = (
        f"stratified {s['folds']}-fold CV per seed (the paper: leave-one-out, too slow for a "
        f"simulated QRU on a shared CPU); {_budget(s)}; BCE on the logit"
    )
    seeds = common.seeds(seeds)
    x, y = data.wdbc_dataset()
    x = x.to(F32)

    def seeded(build):
        def make(seed: int):
            torch.manual_seed(seed)
            return build(seed)

        return make

    factories = {
        "qru": seeded(
            lambda sd: (
                QRU.preset("wdbc", seed=sd, dtype=F32, scale_init=s["qru_scale"]),
                _as_steps,
            )
        ),
        "logistic": seeded(lambda sd: (nn.Linear(30, 1), _identity)),
        "mlp": seeded(
            lambda sd: (MLP(30, 2, 1, n_layers=1, activation="tanh", seed=sd), _identity)
        ),  # fmt: skip
        "gru": seeded(
            lambda sd: (GRUNet(1, s["gru_hidden"], 1, head="binary", seed=sd), _as_steps)
        ),  # fmt: skip
    }
    runs = _cross_validate("wdbc", x, y, factories, s, seeds, binary=True)
    return common.result("wdbc", label, s, seeds, runs, start)


def run_digits(*, seeds: Iterable[int] = (0,), size: str = "fast", **sizes) -> Result:
    r"""Digits 3 vs 5 (:func:`qlearn.data.digits_rows`: scikit-learn's 8×8 digits, **not**
    MNIST), each image read as 8 steps of one 8-pixel row; stratified ``folds``-fold CV per seed.

    Models (``models``, default :data:`DIGIT_MODELS`): ``"qru"`` (``QRU.preset("mnist")``, 132
    parameters, logits :math:`s\langle Z_0\rangle, s\langle Z_1\rangle` after the last row),
    ``"cnn"`` (:class:`~qlearn.models.SmallCNN` on the whole image), ``"gru"``
    (:class:`~qlearn.models.GRUNet` on the rows) and ``"qru_cnot"``, the ablation: the same QRU
    with CNOTs in place of its controlled swaps (``cswap=False``, same parameters, no
    ancillas), trained on the same folds. Metric: test accuracy, mean over the folds.

    Example:
        >>> r = run_digits(seeds=[0], epochs=1, n_samples=40, folds=2)
        >>> {row["model"]: row["n_parameters"] for row in r.runs}
        {'qru': 132, 'cnn': 170, 'gru': 178, 'qru_cnot': 132}
    """
    start = time.perf_counter()
    label, s = _settings("digits", size, sizes)
    s["protocol"] = (
        f"scikit-learn 8x8 digits 3 vs 5 (the paper: MNIST resized to 8x8), stratified "
        f"{s['folds']}-fold CV per seed (the paper: 7-fold); {_budget(s)}; qru_cnot is "
        "the C-SWAP ablation"
    )
    seeds = common.seeds(seeds)
    x, y = data.digits_rows((3, 5))
    x = x.to(F32)
    known = {
        "qru": lambda sd: (
            QRU.preset("mnist", seed=sd, dtype=F32, scale_init=s["qru_scale"]),
            _identity,
        ),
        "cnn": lambda sd: (SmallCNN(s["cnn_channels"], seed=sd), _identity),
        "gru": lambda sd: (GRUNet(8, s["gru_hidden"], 2, head="classes", seed=sd), _identity),
        "qru_cnot": lambda sd: (
            QRU.preset("mnist", seed=sd, dtype=F32, cswap=False, scale_init=s["qru_scale"]),
            _identity,
        ),
    }
    unknown = [m for m in s["models"] if m not in known]
    if unknown:
        raise ValueError(f"models={s['models']!r}: unknown {unknown}; choose from {list(known)}.")
    factories = {m: known[m] for m in s["models"]}
    runs = _cross_validate("digits", x, y, factories, s, seeds, binary=False)
    return common.result("digits", label, s, seeds, runs, start)


def run_ablation(*, seeds: Iterable[int] = (0,), size: str = "fast", **sizes) -> Result:
    r"""The controlled-SWAP block against CNOTs in its place: :func:`run_digits` with only
    the models ``"qru"`` and ``"qru_cnot"`` (same folds and seeds), named ``"ablation"``. (The
    stored full-size ``digits.json`` already contains both models.)

    Example:
        >>> r = run_ablation(seeds=[0], epochs=1, n_samples=40, folds=2)
        >>> r.name, {row["model"]: row["n_parameters"] for row in r.runs}
        ('ablation', {'qru': 132, 'qru_cnot': 132})
    """
    res = run_digits(seeds=seeds, size=size, **{"models": ("qru", "qru_cnot"), **sizes})
    res.name = "ablation"
    return res


# --------------------------------------------------------------------------------------------
# Loading, observations, command line

EXPERIMENTS: dict[str, Callable[..., Result]] = {
    "oscillation": run_oscillation,
    "wdbc": run_wdbc,
    "digits": run_digits,
    "ablation": run_ablation,
}


def load_result(name: str, directory: str | Path | None = None) -> Result:
    """The stored result ``<directory>/<name>.json`` (default :data:`RESULTS_DIR`).

    Example:
        >>> load_result("nope")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: no stored result 'nope' ...
    """
    return common.load_result("qru", name, directory or RESULTS_DIR)


def _means(res: Result, metric: str) -> dict[str, float]:
    out = {}
    for model in dict.fromkeys(r["model"] for r in res.runs):
        out[model] = statistics.fmean(r[metric] for r in res.rows(model=model))
    return out


def _medians(res: Result, metric: str) -> dict[str, float]:
    out = {}
    for model in dict.fromkeys(r["model"] for r in res.runs):
        out[model] = statistics.median(r[metric] for r in res.rows(model=model))
    return out


def observations(results: Iterable[Result | Mapping[str, Any]]) -> list[str]:
    """One sentence per experiment computed from the results (the chapter prints these instead
    of quoting numbers): our numbers with the seeds' spread, the paper's claim beside them, and
    which classical model did better than the QRU.

    Example:
        >>> r = Result("wdbc", "fast", {}, [0], runs=[
        ...     {"task": "wdbc", "model": "qru", "seed": 0, "n_parameters": 35, "accuracy": 0.9},
        ...     {"task": "wdbc", "model": "logistic", "seed": 0, "n_parameters": 31,
        ...      "accuracy": 0.95}])
        >>> print(observations([r])[0])  # doctest: +NORMALIZE_WHITESPACE
        wdbc (fast, 1 seed): accuracy qru 90.0% (35 parameters), logistic 95.0% (31);
        better than the QRU: logistic. The paper (leave-one-out): QRU 96.13%, logistic 97.89%.
    """
    lines = []
    for res in results:
        res = as_result(res)
        n = len(res.seeds)
        head = f"{res.name} ({res.size}, {n} seed{'s' if n != 1 else ''}): "
        params = {r["model"]: r["n_parameters"] for r in res.runs}
        if res.name == "oscillation":
            med = _medians(res, "test_mse")
            grus = sorted((m for m in med if m.startswith("gru")), key=lambda m: params[m])
            matched = [m for m in grus if med[m] <= med["qru"]]
            text = head + f"median forecast MSE QRU {med['qru']:.3g} ({params['qru']} parameters)"
            text += "; " + ", ".join(f"{m} {med[m]:.3g} ({params[m]})" for m in grus) + ". "
            if matched:
                text += f"The smallest GRU at least as good: {matched[0]} ({params[matched[0]]} "
                text += "parameters)."
            else:
                text += "No GRU we ran reached the QRU's median."
            text += " The paper: " + CLAIMS["oscillation"]["text"] + "."
            lines.append(text)
            continue
        acc = _means(res, "accuracy")
        shown = ", ".join(
            f"{m} {100 * a:.1f}% ({params[m]}{' parameters' if i == 0 else ''})"
            for i, (m, a) in enumerate(acc.items())
        )
        text = head + f"accuracy {shown}"
        ref = "qru" if "qru" in acc else next(iter(acc))
        better = [m for m, a in acc.items() if m != ref and a > acc[ref]]
        better = [m for m in better if m != "qru_cnot"]
        if res.name != "ablation":
            text += "; better than the QRU: " + (", ".join(better) if better else "none") + "."
        if "qru_cnot" in acc:
            diff = acc["qru"] - acc["qru_cnot"]
            text += f" Ablation, C-SWAP minus CNOT block: {100 * diff:+.1f} points."
        claim = CLAIMS.get(res.name, {}).get("accuracy")
        if claim:
            paper = ", ".join(
                f"{'QRU' if m == 'qru' else m} {100 * v:.2f}%" for m, v in claim.items() if m in acc
            )
            where = "leave-one-out" if res.name == "wdbc" else "MNIST, 7-fold"
            text += f" The paper ({where}): {paper}."
        lines.append(text)
    return lines


def spread(results: Iterable[Result | Mapping[str, Any]]) -> list[str]:
    """How much single trainings differ, per classification result: each model's lowest and
    highest fold accuracy over every (seed, fold), the QRU's distance from the paper, and the
    C-SWAP ablation per seed (a mean hides whether one bad training decides it).

    Example:
        >>> r = Result("wdbc", "fast", {}, [0, 1], runs=[
        ...     {"model": "qru", "seed": s, "n_parameters": 35, "accuracy": a,
        ...      "fold_accuracies": [a - 0.01, a + 0.01]} for s, a in ((0, 0.9), (1, 0.8))])
        >>> print("\\n".join(spread([r])))
        wdbc: QRU 85.0%, -11.1 points from the paper's 96.13%; single trainings (seed x fold), lowest..highest accuracy: qru 79..91%
    """  # noqa: E501
    lines = []
    for res in map(as_result, results):
        claim = CLAIMS.get(res.name, {}).get("accuracy")
        qru = _means(res, "accuracy").get("qru") if claim else None
        if qru is None:
            continue
        folds: dict[str, list[float]] = {}
        for row in res.runs:
            folds.setdefault(row["model"], []).extend(row["fold_accuracies"])
        lines.append(
            f"{res.name}: QRU {100 * qru:.1f}%, {100 * (qru - claim['qru']):+.1f} points from the "
            f"paper's {100 * claim['qru']:.2f}%; single trainings (seed x fold), lowest..highest "
            "accuracy: "
            + ", ".join(f"{m} {100 * min(v):.0f}..{100 * max(v):.0f}%" for m, v in folds.items())
        )
        with_cnot = res.rows(model="qru_cnot")
        if with_cnot:
            diffs = [
                a["accuracy"] - b["accuracy"]
                for a, b in zip(res.rows(model="qru"), with_cnot, strict=True)
            ]
            lines.append(
                f"{res.name} ablation, C-SWAP minus CNOT block, per seed: "
                + ", ".join(f"{100 * d:+.1f}" for d in diffs)
                + " points"
            )
    return lines


def _parser() -> argparse.ArgumentParser:
    p = common.parser("qru", "Chapter 5 experiments (QRU); prints or stores JSON.", EXPERIMENTS)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    return p


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run experiments from the command line; print or write JSON (plus the observations)."""
    args = _parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    return common.run_cli(args, EXPERIMENTS, summary=("observations", observations))


if __name__ == "__main__":
    main()
