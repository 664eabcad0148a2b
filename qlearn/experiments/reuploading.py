r"""Chapter 2 experiments: data re-uploading, as a classifier and as a Fourier series.

**The classifier** (Pérez-Salinas, Cervera-Lierta, Gil-Fuster and Latorre, *Quantum* 4, 226,
2020): one qubit, :math:`L` layers :math:`U(\vec\theta_\ell + \vec w_\ell \circ \vec x)`, trained
with the fidelity cost :math:`\frac1N\sum_i (1 - F_{y_i}(x_i))^2` on the ``circle`` data set.

* :func:`fidelity_cost`, :func:`accuracy` — the paper's cost and the success rate;
* :func:`train_classifier` — one seeded training run; :func:`layer_sweep` — accuracy versus
  layers; :func:`decision_grid` — a model's predicted class on a grid of the plane.

**Fourier series** (Schuld, Sweke and Meyer, *Phys. Rev. A* 103, 032430, 2021): a model whose
input enters through :math:`K` Pauli rotations :math:`R(a_k x)` is a trigonometric polynomial
with frequencies in the sums of :math:`\{-a_k, 0, a_k\}`.

* :func:`spectral_floor` — the least mean squared error any model with frequencies
  :math:`|k| \le K` can reach on a target series;
* :func:`fit_series` — fit a random target series of degree :math:`D` with a
  :class:`~qlearn.models.DRQC`; :func:`fit_sweep` — final loss versus the number of re-uploads.

Every function takes ``seed``; the same seed gives the same numbers on the CPU. The circuits here
have one or two qubits, so the default device is the CPU (a GPU only adds launch overhead).

Command line (full-size runs, JSON output)::

    python -m qlearn.experiments.reuploading classifier --layers 1 2 3 4 6 8 --seeds 0 1 2 3 4 \
        --out book/ch02/results/classifier_sweep.json
    python -m qlearn.experiments.reuploading fourier --degree 3 --layers 1 2 3 4 5 6

Example:
    >>> rows = fit_sweep(degree=2, layers=[1, 2], epochs=150, seed=0)
    >>> [(r["n_layers"], r["loss"] > 1e-3, r["floor"] > 1e-3) for r in rows]
    [(1, True, True), (2, False, False)]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from qlearn import config, fourier
from qlearn.data import circle, evaluate_fourier, fourier_series, train_test_split
from qlearn.models import DRQC, ReuploadingClassifier
from qlearn.models.drqc import fidelity_cost
from qlearn.train import History, fit

Tensor = torch.Tensor

__all__ = [
    "ClassifierRun",
    "SeriesFit",
    "accuracy",
    "decision_grid",
    "fidelity_cost",
    "fit_series",
    "fit_sweep",
    "layer_sweep",
    "main",
    "spectral_floor",
    "summarise",
    "train_classifier",
]

F64 = torch.float64


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer.")
    return value


# --------------------------------------------------------------------------------------------
# The re-uploading classifier


def _labels(scores: Tensor) -> Tensor:
    """Class labels: argmax of ``(B, C)`` scores, or ``score > 0`` for one output column."""
    return (scores[:, 0] > 0).long() if scores.shape[1] == 1 else scores.argmax(1)


def _predict(model: nn.Module, x: Tensor) -> Tensor:
    """Class labels of the model's scores at ``x`` (see :func:`_labels`)."""
    with torch.no_grad():
        scores = model(x)
    return _labels(scores[:, None] if scores.ndim == 1 else scores)


def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """The fraction of points whose predicted class (argmax of the output) equals ``y``."""
    pred = _predict(model, x).cpu()
    return float((pred == torch.as_tensor(y).cpu()).double().mean())


def decision_grid(
    model: nn.Module,
    resolution: int = 101,
    bounds: tuple[float, float] = (-1.0, 1.0),
) -> dict[str, Tensor]:
    r"""A 2-D classifier's predictions on a ``resolution × resolution`` grid of the plane.

    Args:
        model: maps ``(B, 2)`` points to ``(B, C)`` class scores (predicted class: argmax) or
            to one score per point (predicted class: ``score > 0``).
        resolution: grid points per axis.
        bounds: ``(low, high)`` of both axes.

    Returns:
        ``"x0"``, ``"x1"``: the ``(R,)`` axes; ``"label"``: ``(R, R)`` int64 classes and
        ``"scores"``: ``(R, R, C)`` float64 outputs, both indexed ``[i1, i0]`` (row = ``x1``,
        as ``contourf(x0, x1, label)`` expects).

    Example:
        >>> half_planes = lambda p: torch.stack([p[:, 0], -p[:, 0]], dim=1)  # class 1 iff x0 < 0
        >>> grid = decision_grid(half_planes, resolution=3)
        >>> grid["label"]
        tensor([[1, 0, 0],
                [1, 0, 0],
                [1, 0, 0]])
    """
    _positive_int("resolution", resolution)
    low, high = (float(b) for b in bounds)
    if not low < high:
        raise ValueError(f"bounds={bounds!r} must be (low, high) with low < high.")
    axis = torch.linspace(low, high, resolution, dtype=F64)
    g1, g0 = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([g0.reshape(-1), g1.reshape(-1)], dim=1)
    ref = next(iter(model.parameters()), None) if isinstance(model, nn.Module) else None
    if ref is not None:
        points = points.to(ref.device, ref.dtype if ref.is_floating_point() else F64)
    with torch.no_grad():
        scores = torch.as_tensor(model(points)).detach().to("cpu", F64)
    scores = scores[:, None] if scores.ndim == 1 else scores
    label = _labels(scores)
    return {
        "x0": axis,
        "x1": axis.clone(),
        "label": label.reshape(resolution, resolution),
        "scores": scores.reshape(resolution, resolution, -1),
    }


@dataclass
class ClassifierRun:
    """One trained re-uploading classifier and what was measured on it."""

    n_layers: int
    seed: int
    model: ReuploadingClassifier
    history: History
    x_train: Tensor
    x_test: Tensor
    y_train: Tensor
    y_test: Tensor
    train_accuracy: float
    test_accuracy: float
    seconds: float

    def row(self) -> dict[str, Any]:
        """The numbers of this run as a JSON-friendly dict."""
        return {
            "n_layers": self.n_layers,
            "seed": self.seed,
            "n_parameters": self.model.n_parameters,
            "loss": self.history.losses[-1] if self.history.losses else math.nan,
            "train_accuracy": self.train_accuracy,
            "test_accuracy": self.test_accuracy,
            "seconds": round(self.seconds, 3),
        }


def train_classifier(
    n_layers: int,
    *,
    n_samples: int = 400,
    test_fraction: float = 0.25,
    epochs: int = 200,
    lr: float = 0.05,
    batch_size: int | None = None,
    seed: int = 0,
    dtype: torch.dtype = F64,
    device: str | torch.device = "cpu",
    progress: bool = False,
) -> ClassifierRun:
    r"""Train a :class:`~qlearn.models.ReuploadingClassifier` on the ``circle`` data set.

    The data (``circle(n_samples, seed)``, split with ``seed``), the initial weights and the
    mini-batch order all come from ``seed``. Training minimises :func:`fidelity_cost` with Adam
    (the paper used L-BFGS; the cost and the model are the paper's).

    Args:
        n_layers: re-uploading layers :math:`L`.
        n_samples: points in the data set, before the train/test split.
        test_fraction: share of the points held out for testing.
        epochs, lr, batch_size: of :func:`qlearn.train.fit` (``batch_size=None``: full batch).
        seed: the one seed of the run.
        dtype, device: of the model.
        progress: show a progress bar.

    Returns:
        A :class:`ClassifierRun` with the model, its loss history, the split data and the train
        and test accuracies.
    """
    _positive_int("n_layers", n_layers)
    _positive_int("n_samples", n_samples)
    x, y = circle(n_samples, seed=seed)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_fraction, seed=seed)
    model = ReuploadingClassifier(2, n_layers, 2, seed=seed, dtype=dtype, device=device)
    dev = model.targets.device
    x_train, x_test, y_train, y_test = (t.to(dev) for t in (x_train, x_test, y_train, y_test))
    start = time.perf_counter()
    history = fit(
        model,
        x_train,
        y_train,
        loss=fidelity_cost,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        seed=seed,
        progress=progress,
    )
    seconds = time.perf_counter() - start
    return ClassifierRun(
        n_layers,
        seed,
        model,
        history,
        x_train,
        x_test,
        y_train,
        y_test,
        accuracy(model, x_train, y_train),
        accuracy(model, x_test, y_test),
        seconds,
    )


def layer_sweep(
    layers: Sequence[int], *, seeds: Sequence[int] = (0,), **kwargs: Any
) -> list[dict[str, Any]]:
    """Train one classifier per number of layers and seed; one row of numbers per run.

    Args:
        layers: the numbers of layers :math:`L` to try.
        seeds: one run per seed (data, split and initial weights change with it).
        **kwargs: passed to :func:`train_classifier` (``n_samples``, ``epochs``, ``lr``, ...).

    Returns:
        Rows of :meth:`ClassifierRun.row`, ordered by layers, then seed.
    """
    if not layers or not seeds:
        raise ValueError(f"layers={layers!r} and seeds={seeds!r} must both be non-empty.")
    return [train_classifier(n, seed=s, **kwargs).row() for n in layers for s in seeds]


def summarise(rows: Sequence[Mapping[str, Any]], key: str = "n_layers") -> list[dict[str, Any]]:
    """Mean and standard deviation over seeds of every numeric column, per value of ``key``.

    Example:
        >>> summarise([{"n_layers": 1, "acc": 0.5}, {"n_layers": 1, "acc": 0.7}])
        [{'n_layers': 1, 'n_runs': 2, 'acc_mean': 0.6, 'acc_std': 0.1}]
    """
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    out = []
    for value, group in groups.items():
        entry: dict[str, Any] = {key: value, "n_runs": len(group)}
        for col in group[0]:
            if col in (key, "seed") or not isinstance(group[0][col], int | float):
                continue
            vals = torch.tensor([float(r[col]) for r in group], dtype=F64)
            entry[f"{col}_mean"] = round(float(vals.mean()), 12)
            entry[f"{col}_std"] = round(float(vals.std(unbiased=False)), 12)
        out.append(entry)
    return out


# --------------------------------------------------------------------------------------------
# Quantum models as Fourier series


def spectral_floor(coeffs: Tensor, max_frequency: float) -> float:
    r"""The least mean squared error of any function with frequencies :math:`|k| \le K`.

    For a target :math:`g(x) = \sum_{|k| \le D} c_k e^{ikx}` sampled on :math:`N > 2D` equispaced
    points of :math:`[0, 2\pi)`, the samples of the frequencies are orthogonal, so the best
    approximation with frequencies :math:`|k| \le K` keeps :math:`c_k` for :math:`|k| \le K` and
    misses the rest (Parseval):

    .. math:: \min_f \mathrm{MSE}(f, g) = \sum_{K < |k| \le D} |c_k|^2 .

    A model with spectrum :math:`\{-K, \dots, K\}` cannot go below this, whatever its weights.

    Args:
        coeffs: the ``(2D+1,)`` coefficients :math:`c_{-D}, \dots, c_D` (as returned by
            :func:`qlearn.data.fourier_series`).
        max_frequency: :math:`K`, the largest frequency the model can express.

    Returns:
        The floor (0 when :math:`K \ge D`).

    Example:
        >>> c = torch.tensor([0.5, 0.0, 1.0, 0.0, 0.5], dtype=torch.complex128)  # 1 + cos 2x
        >>> spectral_floor(c, 1), spectral_floor(c, 2)
        (0.5, 0.0)
    """
    coeffs = torch.as_tensor(coeffs)
    if coeffs.ndim != 1 or coeffs.numel() % 2 == 0:
        raise ValueError(
            f"coeffs has shape {tuple(coeffs.shape)}; pass the 2D+1 coefficients c_-D..c_D."
        )
    degree = (coeffs.numel() - 1) // 2
    k = torch.arange(-degree, degree + 1, dtype=F64)
    return float((coeffs.abs() ** 2)[k.abs() > max_frequency + 1e-9].sum())


@dataclass
class SeriesFit:
    """A :class:`~qlearn.models.DRQC` fitted to a random Fourier series, and the numbers."""

    degree: int
    n_qubits: int
    n_layers: int
    scaling: str | None
    block_depth: int
    seed: int
    spectrum: list[float]
    model: DRQC
    x: Tensor
    y: Tensor
    coeffs: Tensor
    loss: float
    floor: float
    losses: list[float] = field(repr=False)
    restart_losses: list[float]

    @property
    def max_frequency(self) -> float:
        """The largest frequency in the model's spectrum."""
        return max(self.spectrum)

    def predict(self, x: Tensor) -> Tensor:
        """The fitted model at the points ``x`` (``(B,)`` float64)."""
        return _values(self.model, x)

    def test_loss(self, n_points: int = 400) -> float:
        r"""Mean squared error against the target on a fine grid of :math:`[0, 2\pi)`, between
        the training samples too (a model with frequencies above :math:`N/2` can fit the
        samples and still miss the target in between)."""
        _positive_int("n_points", n_points)
        x = torch.arange(n_points, dtype=F64) * (2 * math.pi / n_points)
        return float(((self.predict(x) - evaluate_fourier(x, self.coeffs)) ** 2).mean())

    def row(self) -> dict[str, Any]:
        """The numbers of this fit as a JSON-friendly dict."""
        return {
            "degree": self.degree,
            "n_qubits": self.n_qubits,
            "n_layers": self.n_layers,
            "scaling": self.scaling,
            "block_depth": self.block_depth,
            "n_encodings": self.n_qubits * self.n_layers,
            "max_frequency": self.max_frequency,
            "n_parameters": self.model.n_parameters,
            "loss": self.loss,
            "test_loss": self.test_loss(),
            "floor": self.floor,
            "restart_losses": self.restart_losses,
        }


def fit_series(
    degree: int,
    *,
    n_qubits: int = 1,
    n_layers: int = 1,
    scaling: str | Sequence[float] | None = None,
    block_depth: int = 1,
    epochs: int = 300,
    lr: float = 0.1,
    restarts: int = 1,
    n_points: int | None = None,
    seed: int = 0,
    dtype: torch.dtype = F64,
    device: str | torch.device = "cpu",
) -> SeriesFit:
    r"""Fit a random real Fourier series of degree :math:`D` with a re-uploading circuit.

    The target is ``fourier_series(degree, n_points, seed)`` (coefficients with real and
    imaginary parts uniform in :math:`[-0.15, 0.15]`). The model is
    ``DRQC(1, n_qubits, n_layers, scaling=..., block_depth=...)``: ``n_qubits`` parallel
    encodings in each of ``n_layers`` re-uploads, :math:`R_X(a x)` with scale :math:`a = 1`
    (``scaling=None``) or :math:`3^k` (``"exponential"``). It is trained with the mean squared
    error and Adam, full batch, ``restarts`` times from the initial weights of seeds ``seed``,
    ``seed + 1``, ...; the best final loss is kept.

    Args:
        degree: :math:`D` of the target series.
        n_qubits, n_layers, scaling, block_depth: of the model
            (:func:`qlearn.ansatz.reuploading`).
        epochs, lr: of :func:`qlearn.train.fit`.
        restarts: independent initialisations; the fit with the lowest final loss is returned.
        n_points: samples of the target on :math:`[0, 2\pi)` (default
            :math:`\max(32, 4D + 1)`, enough that :func:`spectral_floor` applies).
        seed: seeds the target and the first initialisation.
        dtype, device: of the model.

    Returns:
        A :class:`SeriesFit`: the model, the data, the final loss, the
        :func:`spectral_floor` of the model's largest frequency, and the loss history.
    """
    if isinstance(degree, bool) or not isinstance(degree, int) or degree < 0:
        raise ValueError(f"degree={degree!r} must be a non-negative integer.")
    _positive_int("restarts", restarts)
    n_points = max(32, 4 * degree + 1) if n_points is None else _positive_int("n_points", n_points)
    x, y, coeffs = fourier_series(degree, n_points=n_points, seed=seed)
    best: tuple[float, DRQC, History] | None = None
    finals = []
    for r in range(restarts):
        model = DRQC(
            1,
            n_qubits,
            n_layers,
            scaling=scaling,
            block_depth=block_depth,
            seed=seed + r,
            dtype=dtype,
            device=device,
        )
        dev = next(model.parameters()).device
        history = fit(
            model, x.to(dev), y.to(dev), epochs=epochs, lr=lr, seed=seed + r, progress=False
        )
        final = history.losses[-1] if history.losses else _mse(model, x, y)
        finals.append(final)
        if best is None or final < best[0]:
            best = (final, model, history)
    assert best is not None
    final, model, history = best
    spec = fourier.spectrum(model.circuit)[0]
    name = scaling if isinstance(scaling, str) or scaling is None else "custom"
    return SeriesFit(
        degree=degree,
        n_qubits=n_qubits,
        n_layers=n_layers,
        scaling=name,
        block_depth=block_depth,
        seed=seed,
        spectrum=spec,
        model=model,
        x=x,
        y=y,
        coeffs=coeffs,
        loss=final,
        floor=spectral_floor(coeffs, max(spec)),
        losses=history.losses,
        restart_losses=finals,
    )


def _values(model: nn.Module, x: Tensor) -> Tensor:
    """A one-input model's first output at the points ``x``, as ``(B,)`` float64 on the CPU."""
    ref = next(model.parameters())
    with torch.no_grad():
        return model(torch.as_tensor(x).to(ref.device, ref.dtype))[:, 0].to("cpu", F64)


def _mse(model: nn.Module, x: Tensor, y: Tensor) -> float:
    return float(((_values(model, x) - y) ** 2).mean())


def fit_sweep(
    degree: int,
    layers: Sequence[int],
    *,
    seed: int = 0,
    epochs: int = 300,
    **kwargs: Any,
) -> list[dict[str, Any]]:
    r"""Fit the same target series of degree :math:`D` with :math:`L` serial re-uploads, for
    each :math:`L` in ``layers``.

    The theory predicts: for :math:`L < D` the final loss stays at (or above) the
    :func:`spectral_floor` :math:`\sum_{L < |k| \le D} |c_k|^2`; for :math:`L \ge D` it can go
    to zero.

    Args:
        degree: :math:`D` of the target.
        layers: the numbers of re-uploads :math:`L`.
        seed, epochs: as in :func:`fit_series`.
        **kwargs: more arguments of :func:`fit_series` (``n_qubits``, ``lr``, ``restarts``,
            ``scaling``, ...).

    Returns:
        One :meth:`SeriesFit.row` per :math:`L`, with the loss history of the best restart
        under ``"losses"``.

    Example:
        >>> rows = fit_sweep(degree=1, layers=[1], epochs=100, seed=0)
        >>> rows[0]["floor"], rows[0]["loss"] < 1e-4
        (0.0, True)
    """
    if not layers:
        raise ValueError("layers is empty; give at least one number of re-uploads.")
    rows = []
    for n_layers in layers:
        result = fit_series(degree, n_layers=n_layers, seed=seed, epochs=epochs, **kwargs)
        rows.append({**result.row(), "losses": result.losses})
    return rows


# --------------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m qlearn.experiments.reuploading",
        description="Chapter 2 experiments (data re-uploading); prints or stores JSON.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("classifier", help="accuracy of the re-uploading classifier vs layers")
    c.add_argument("--layers", type=int, nargs="+", default=[1, 2, 3, 4, 6, 8])
    c.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    c.add_argument("--samples", type=int, default=config.pick(200, 1000))
    c.add_argument("--epochs", type=int, default=config.pick(50, 500))
    c.add_argument("--lr", type=float, default=0.05)
    f = sub.add_parser("fourier", help="final loss of a Fourier-series fit vs re-uploads")
    f.add_argument("--degree", type=int, default=3)
    f.add_argument("--layers", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--epochs", type=int, default=config.pick(100, 600))
    f.add_argument("--restarts", type=int, default=3)
    for s in (c, f):
        s.add_argument("--out", type=Path, help="write the results to this JSON file")
    return p


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run an experiment from the command line; print (or write, ``--out``) JSON results."""
    args = _parser().parse_args(argv)
    start = time.perf_counter()
    if args.command == "classifier":
        settings = {
            "layers": args.layers,
            "seeds": args.seeds,
            "n_samples": args.samples,
            "epochs": args.epochs,
            "lr": args.lr,
        }
        rows = layer_sweep(
            args.layers, seeds=args.seeds, n_samples=args.samples, epochs=args.epochs, lr=args.lr
        )
        result = {"settings": settings, "runs": rows, "summary": summarise(rows)}
    else:
        settings = {
            "degree": args.degree,
            "layers": args.layers,
            "seed": args.seed,
            "epochs": args.epochs,
            "restarts": args.restarts,
        }
        rows = fit_sweep(
            args.degree, args.layers, seed=args.seed, epochs=args.epochs, restarts=args.restarts
        )
        result = {"settings": settings, "runs": [{**r, "losses": r["losses"][-1:]} for r in rows]}
    result = {
        "experiment": f"reuploading.{args.command}",
        "torch": torch.__version__,
        "seconds": round(time.perf_counter() - start, 1),
        **result,
    }
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
        print(f"wrote {args.out}")
    else:
        print(text)
    return result


if __name__ == "__main__":
    main()
