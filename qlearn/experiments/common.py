"""What the experiment modules share: the :class:`Result` record, seeds, summaries, stored
results and the command line.

Every experiment module (:mod:`~qlearn.experiments.qrun`, :mod:`~qlearn.experiments.qiren`,
:mod:`~qlearn.experiments.qru`, :mod:`~qlearn.experiments.natural`,
:mod:`~qlearn.experiments.hardware`) stores its full-size results as ``<name>.json`` next to its
chapter and runs from ``python -m qlearn.experiments.<module> <experiment|all> [--full]``; the
pieces below are that common part.

Example:
    >>> runs = [{"task": "t", "model": "m", "seed": s, "n_parameters": 3, "mse": v}
    ...         for s, v in [(0, 0.1), (1, 0.3)]]
    >>> r = result("demo", "fast", {}, seeds([0, 1]), runs, start=0.0)
    >>> r.summary[0]["mse_mean"], Result.from_dict(r.to_dict()) == r
    (0.2, True)
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

import qlearn

__all__ = [
    "Result",
    "as_result",
    "base_sizes",
    "load_json",
    "load_result",
    "parser",
    "result",
    "run_cli",
    "seeds",
    "stored",
    "summarise",
    "versions",
    "write_json",
]


@dataclass
class Result:
    """One experiment's output: settings, one row per (task, model, seed), a summary."""

    name: str
    size: str
    settings: dict[str, Any]
    seeds: list[int]
    runs: list[dict[str, Any]] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what ``--out`` writes)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Result:
        """Inverse of :meth:`to_dict`."""
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    def rows(self, task: str | None = None, model: str | None = None) -> list[dict[str, Any]]:
        """The runs of one task and/or model."""
        return [
            r
            for r in self.runs
            if (task is None or r["task"] == task) and (model is None or r["model"] == model)
        ]

    def table(self, metric: str | None = None) -> list[dict[str, Any]]:
        """The summary rows (optionally only ``task``, ``model``, parameters and one metric)."""
        if metric is None:
            return list(self.summary)
        keys = ("task", "model", "n_parameters", f"{metric}_mean", f"{metric}_min",
                f"{metric}_max")  # fmt: skip
        return [{k: s[k] for k in keys if k in s} for s in self.summary]


def format_table(result: Result, metric: str) -> str:
    """The summary of ``metric`` as text: one line per model with its size, mean and range.

    Example:
        >>> runs = [{"task": "t", "model": "qru", "seed": s, "n_parameters": 35, "acc": a}
        ...         for s, a in [(0, 0.9), (1, 0.8)]]
        >>> r = Result("wdbc", "fast", {}, [0, 1], runs=runs, summary=summarise(runs))
        >>> print(format_table(r, "acc"))
        wdbc (fast size, seeds [0, 1]), acc:
          qru          35 params  mean 0.85  [0.8, 0.9]
    """
    lines = [f"{result.name} ({result.size} size, seeds {result.seeds}), {metric}:"]
    for row in result.table(metric):
        lines.append(
            f"  {row['model']:9s} {row['n_parameters']:5d} params  "
            f"mean {row[metric + '_mean']:.4g}  [{row[metric + '_min']:.4g}, "
            f"{row[metric + '_max']:.4g}]"
        )
    return "\n".join(lines)


def values_by_model(result: Result, metric: str) -> dict[str, list[float]]:
    r"""Per model (labelled with its parameter count), the values of ``metric`` over all runs.

    Example:
        >>> runs = [{"task": "t", "model": "qru", "seed": s, "n_parameters": 35, "acc": a}
        ...         for s, a in [(0, 0.9), (1, 0.8)]]
        >>> values_by_model(Result("wdbc", "fast", {}, [0, 1], runs=runs), "acc")
        {'qru\n(35)': [0.9, 0.8]}
    """
    models = dict.fromkeys(r["model"] for r in result.runs)
    return {
        f"{m}\n({result.rows(model=m)[0]['n_parameters']})": [
            r[metric] for r in result.rows(model=m)
        ]
        for m in models
    }


def as_result(r: Result | Mapping[str, Any]) -> Result:
    """``r`` itself if it is a :class:`Result`, else :meth:`Result.from_dict` of it (a stored
    JSON dict)."""
    return r if isinstance(r, Result) else Result.from_dict(r)


def versions() -> dict[str, str]:
    """Versions of what produced the numbers."""
    return {
        "qlearn": getattr(qlearn, "__version__", "unknown"),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "threads": str(torch.get_num_threads()),
    }


def seeds(values: Iterable[int]) -> list[int]:
    """``values`` as a list, checked to be a non-empty list of integers.

    Example:
        >>> seeds((0, 1))
        [0, 1]
        >>> seeds([])
        Traceback (most recent call last):
        ...
        ValueError: seeds=[] must be a non-empty list of integers.
    """
    out = list(values)
    if not out or any(isinstance(s, bool) or not isinstance(s, int) for s in out):
        raise ValueError(f"seeds={values!r} must be a non-empty list of integers.")
    return out


def base_sizes(sizes: Mapping[str, Mapping[str, Mapping[str, Any]]], name: str, size: str
               ) -> dict[str, Any]:  # fmt: skip
    """A copy of ``sizes[name][size]`` (a module's ``SIZES``), ``size`` checked to be
    ``"fast"`` or ``"full"``.

    Example:
        >>> base_sizes({"a": {"fast": {"epochs": 2}, "full": {"epochs": 9}}}, "a", "full")
        {'epochs': 9}
    """
    if size not in ("fast", "full"):
        raise ValueError(
            f"size={size!r} must be 'fast' or 'full' (override single sizes by keyword)."
        )
    return dict(sizes[name][size])


def summarise(runs: Sequence[Mapping[str, Any]], *, std: bool = False) -> list[dict[str, Any]]:
    """Per (task, model): the number of seeds, the parameter count and, for every number in the
    rows, its mean, (with ``std=True`` its sample standard deviation,) min and max."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in runs:
        groups.setdefault((r["task"], r["model"]), []).append(r)
    out = []
    skip = {"task", "model", "seed", "n_parameters"}
    for (task, model), rows in groups.items():
        s: dict[str, Any] = {"task": task, "model": model, "n_seeds": len(rows),
                             "n_parameters": rows[0]["n_parameters"]}  # fmt: skip
        for key in rows[0]:
            if key in skip or not isinstance(rows[0][key], int | float):
                continue
            values = [float(r[key]) for r in rows]
            s[f"{key}_mean"] = statistics.fmean(values)
            if std:
                s[f"{key}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
            s[f"{key}_min"], s[f"{key}_max"] = min(values), max(values)
        out.append(s)
    return out


def result(
    name: str,
    size: str,
    settings: dict,
    seeds: list[int],
    runs: list,
    start: float,
    *,
    std: bool = False,
) -> Result:
    """A :class:`Result` with its :func:`summarise` summary, the seconds since ``start`` (a
    :func:`time.perf_counter` reading) and :func:`versions`."""
    return Result(
        name=name, size=size, settings=settings, seeds=seeds, runs=runs,
        summary=summarise(runs, std=std), seconds=round(time.perf_counter() - start, 2),
        versions=versions(),
    )  # fmt: skip


def load_json(module: str, name: str, directory: str | Path) -> dict[str, Any]:
    """The stored JSON ``<directory>/<name>.json`` of :mod:`qlearn.experiments.<module>`; a
    ``ValueError`` naming the command that produces it when it is missing.

    Example:
        >>> load_json("qrun", "nope", "/nowhere")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: no stored result 'nope' at /nowhere/nope.json; produce it with `python -m qlearn.experiments.qrun nope --full --out /nowhere`.
    """  # noqa: E501
    path = Path(directory) / f"{name}.json"
    if not path.exists():
        raise ValueError(
            f"no stored result {name!r} at {path}; produce it with "
            f"`python -m qlearn.experiments.{module} {name} --full --out {path.parent}`."
        )
    return json.loads(path.read_text())


def load_result(module: str, name: str, directory: str | Path) -> Result:
    """:func:`load_json` as a :class:`Result`."""
    return Result.from_dict(load_json(module, name, directory))


def stored(load: Callable[[str], Result], name: str, *, describe: bool = False) -> Result | None:
    """``load(name)`` (a module's ``load_result``), or ``None`` after printing why — for pages
    that show a stored full-size result when there is one and carry on without it. With
    ``describe``, a found result is announced with its size, seeds, run time and protocol.

    Example:
        >>> from qlearn.experiments import qrun
        >>> stored(qrun.load_result, "drqc").name
        'drqc'
        >>> stored(qrun.load_result, "nope")  # doctest: +ELLIPSIS
        no stored result 'nope' at ...
    """
    try:
        result = load(name)
    except ValueError as err:
        print(err)
        return None
    if describe:
        protocol = result.settings.get("protocol")
        print(
            f"stored {name}: {result.size} size, seeds {result.seeds}, {result.seconds:.0f} s"
            + (f"; protocol: {protocol}" if protocol else "")
        )
    return result


def write_json(d: Mapping[str, Any], out: Path | None, name: str, *, file: bool = True) -> None:
    """Print ``d`` as JSON (``out`` None), or write it to ``out`` (a ``.json`` file when
    ``file``, else always a directory: ``<out>/<name>.json``)."""
    text = json.dumps(d, indent=1)
    if out is None:
        print(text)
        return
    path = out if file and out.suffix == ".json" else out / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    print(f"wrote {path} ({d['seconds']:.1f} s)", flush=True)


def parser(
    module: str,
    description: str,
    experiments: Iterable[str],
    *,
    choices: Sequence[str] = ("all",),
    epochs: bool = True,
    out_help: str = "a .json file (one experiment) or a directory",
) -> argparse.ArgumentParser:
    """The command line of :mod:`qlearn.experiments.<module>`: ``experiment`` (one of
    ``experiments`` or ``choices``), ``--full``, ``--seeds``, ``--epochs`` (unless
    ``epochs=False``) and ``--out``; a module adds its own arguments to it."""
    p = argparse.ArgumentParser(prog=f"python -m qlearn.experiments.{module}",
                                description=description)  # fmt: skip
    p.add_argument("experiment", choices=[*experiments, *choices])
    p.add_argument("--full", action="store_true", help="full sizes (default: fast)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    if epochs:
        p.add_argument("--epochs", type=int, help="override the size's epochs")
    p.add_argument("--out", type=Path, help=out_help)
    return p


def run_cli(
    args: argparse.Namespace,
    experiments: Mapping[str, Callable[..., Any]],
    *,
    names: Sequence[str] | None = None,
    extra: Callable[[str], Mapping[str, Any]] | None = None,
    summary: tuple[str, Callable[[list[Any]], Any]] | None = None,
    skip: tuple[type[Exception], ...] = (),
    file: bool = True,
) -> dict[str, Any]:
    """Run ``names`` (default: ``args.experiment``, or every experiment for ``"all"``) with the
    parsed :func:`parser` arguments (plus ``extra(name)`` keywords), add
    ``summary = (key, function)`` of each result under ``key``, and print or write the JSON
    (:func:`write_json`). An exception in ``skip`` skips that experiment with a message. Returns
    ``{name: JSON dict}``."""
    if names is None:
        names = list(experiments) if args.experiment == "all" else [args.experiment]
    size = "full" if args.full else "fast"
    out: dict[str, Any] = {}
    for name in names:
        kwargs: dict[str, Any] = {"seeds": args.seeds, "size": size}
        if hasattr(args, "epochs"):
            kwargs["epochs"] = args.epochs
        kwargs.update(extra(name) if extra else {})
        try:
            res = experiments[name](**kwargs)
        except skip as err:
            print(f"skipped {name}: {err}", file=sys.stderr)
            continue
        d = res.to_dict() if isinstance(res, Result) else res
        if summary is not None:
            key, fn = summary
            d[key] = fn([res])
        out[name] = d
        write_json(d, args.out, name, file=file)
    return out
