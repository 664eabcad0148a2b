r"""Small plotting helpers for the book; each returns a matplotlib ``Figure``.

The figures are made without ``pyplot``, so nothing accumulates in a global figure list and
nothing is shown twice. They display themselves in a notebook (as PNG) whatever matplotlib's
backend is, and a helper given an existing ``ax=`` draws there and returns that axes' figure.

==========================  =======================================================
:func:`probabilities`       bar chart of basis-state probabilities (one or more series)
:func:`bloch`               Bloch-sphere picture of one-qubit Bloch vectors
:func:`curves`              line plot of one or more series against a common x
:func:`timings`             wall times of several backends against a size, log scales
==========================  =======================================================

Example:
    >>> from qlearn import plot
    >>> fig = plot.probabilities([0.5, 0.0, 0.0, 0.5], title="Bell state")
    >>> type(fig).__name__, plot.basis_labels(2)
    ('Figure', ['$|00\\rangle$', '$|01\\rangle$', '$|10\\rangle$', '$|11\\rangle$'])
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import matplotlib.figure
import matplotlib.ticker
import numpy as np
import torch
from matplotlib.axes import Axes

ArrayLike = torch.Tensor | np.ndarray | Sequence[float]

__all__ = [
    "Figure",
    "basis_labels",
    "bloch",
    "curves",
    "new_figure",
    "probabilities",
    "timings",
]


class Figure(matplotlib.figure.Figure):
    """A matplotlib Figure that shows itself as a PNG in Jupyter, with any backend."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight")
        return buf.getvalue()


def new_figure(width: float = 6.0, height: float = 3.5) -> Figure:
    """An empty :class:`Figure` of the given size in inches, with constrained layout."""
    return Figure(figsize=(width, height), layout="constrained")


def _numpy(values: ArrayLike) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().to("cpu")
        if values.is_complex():
            raise ValueError("values are complex; plot probabilities or expectation values.")
        return values.to(torch.float64).numpy()
    return np.asarray(values, dtype=np.float64)


def _axes(ax: Axes | None, width: float, height: float, **kwargs) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(width, height)
    return fig, fig.add_subplot(**kwargs)


def basis_labels(n_bits: int) -> list[str]:
    r"""Ket labels of the :math:`2^n` basis states, wire 0 first: ``$|00\rangle$``, ..."""
    if isinstance(n_bits, bool) or not isinstance(n_bits, int) or n_bits < 1:
        raise ValueError(f"n_bits={n_bits!r} must be a positive integer.")
    return [f"$|{k:0{n_bits}b}\\rangle$" for k in range(2**n_bits)]


def probabilities(
    probs: ArrayLike | Mapping[str, ArrayLike],
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""Bar chart of the probabilities :math:`p(k)` of basis states :math:`|k\rangle`.

    Args:
        probs: a vector of length :math:`2^n` (a ``(1, 2^n)`` row is accepted), or a mapping
            ``name -> vector`` to draw several series side by side (e.g. exact and sampled).
        labels: tick labels; default the kets of :func:`basis_labels`.
        title: axes title.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.
    """
    series = dict(probs) if isinstance(probs, Mapping) else {"": probs}
    if not series:
        raise ValueError("probs is an empty mapping; give at least one series.")
    data = {}
    for name, values in series.items():
        v = _numpy(values)
        v = v.reshape(-1) if v.ndim == 2 and v.shape[0] == 1 else v
        if v.ndim != 1 or v.size < 1:
            raise ValueError(
                f"probs{f'[{name!r}]' if name else ''} has shape {v.shape}; pass one vector "
                "of 2**n probabilities (select a row first, e.g. p[0])."
            )
        data[name] = v
    sizes = {v.size for v in data.values()}
    if len(sizes) != 1:
        raise ValueError(f"the series have different lengths {sorted(sizes)}; use equal lengths.")
    size = sizes.pop()
    if labels is None:
        n = int(round(math.log2(size)))
        labels = basis_labels(n) if 2**n == size else [str(k) for k in range(size)]
    if len(labels) != size:
        raise ValueError(f"labels has {len(labels)} entries but there are {size} probabilities.")
    fig, ax = _axes(ax, max(3.0, 0.45 * size * len(data) + 1.5), 3.0)
    width = 0.8 / len(data)
    x = np.arange(size)
    for i, (name, v) in enumerate(data.items()):
        ax.bar(x + (i - (len(data) - 1) / 2) * width, v, width, label=name or None)
    ax.set_xticks(x, labels, rotation=90 if size > 16 else 0)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("probability")
    if len(data) > 1:
        ax.legend()
    if title:
        ax.set_title(title)
    return fig


def bloch(
    vectors: ArrayLike,
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""Bloch-sphere picture of one-qubit Bloch vectors :math:`(\langle X\rangle, \langle Y\rangle,
    \langle Z\rangle)`.

    Pure states lie on the unit sphere; :math:`|0\rangle` is the north pole (:math:`z = +1`),
    :math:`|1\rangle` the south pole.

    Args:
        vectors: one vector ``(3,)`` or several ``(m, 3)``.
        labels: a legend label per vector.
        title: axes title.
        ax: a 3D axes (``fig.add_subplot(projection="3d")``) to draw into.

    Returns:
        The figure.
    """
    v = _numpy(vectors)
    v = v[None] if v.ndim == 1 else v
    if v.ndim != 2 or v.shape[1] != 3:
        raise ValueError(f"vectors has shape {v.shape}; pass (3,) or (m, 3) Bloch vectors.")
    if labels is not None and len(labels) != len(v):
        raise ValueError(f"labels has {len(labels)} entries but there are {len(v)} vectors.")
    fig, ax = _axes(ax, 3.6, 3.6, projection="3d")
    if getattr(ax, "name", "") != "3d":
        raise ValueError("ax must be a 3D axes: fig.add_subplot(projection='3d').")
    u, w = np.meshgrid(np.linspace(0, 2 * np.pi, 25), np.linspace(0, np.pi, 13))
    ax.plot_wireframe(
        np.cos(u) * np.sin(w), np.sin(u) * np.sin(w), np.cos(w), color="0.85", linewidth=0.5
    )
    for axis in np.eye(3):
        ax.plot(*np.stack([-axis, axis], 1), color="0.6", linewidth=0.8)
    for pos, text in [((0, 0, 1.2), r"$|0\rangle$"), ((0, 0, -1.3), r"$|1\rangle$")]:
        ax.text(*pos, text, ha="center")
    for pos, text in [((1.3, 0, 0), "x"), ((0, 1.3, 0), "y")]:
        ax.text(*pos, text, ha="center", color="0.4")
    colors = [f"C{i}" for i in range(len(v))]
    for i, vec in enumerate(v):
        label = labels[i] if labels is not None else None
        ax.quiver(0, 0, 0, *vec, color=colors[i], linewidth=2, arrow_length_ratio=0.12)
        ax.scatter(*vec, color=colors[i], s=18, label=label)
    ax.set(xlim=(-1, 1), ylim=(-1, 1), zlim=(-1, 1))
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(elev=20, azim=20)  # x towards the viewer, y to the right, z up
    ax.set_axis_off()
    if labels is not None:
        ax.legend(loc="upper left")
    if title:
        ax.set_title(title)
    return fig


def curves(
    x: ArrayLike,
    series: ArrayLike | Mapping[str, ArrayLike],
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str | None = None,
    logy: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Line plot of one or more series against a shared ``x`` (e.g. a loss curve).

    Args:
        x: the ``m`` x-values.
        series: one ``(m,)`` vector or a mapping ``name -> (m,)``.
        xlabel, ylabel, title: axis labels and title.
        logy: logarithmic y axis.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.
    """
    xs = _numpy(x)
    data = dict(series) if isinstance(series, Mapping) else {"": series}
    fig, ax = _axes(ax, 5.0, 3.0)
    styles = ["-", "--", ":", "-."]  # so that curves lying on top of each other stay visible
    for i, (name, values) in enumerate(data.items()):
        ys = _numpy(values)
        if ys.shape != xs.shape:
            raise ValueError(
                f"series{f'[{name!r}]' if name else ''} has shape {ys.shape} but x has shape "
                f"{xs.shape}; give one y per x."
            )
        ax.plot(xs, ys, styles[i % len(styles)], label=name or None)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if len(data) > 1 or any(data):
        ax.legend()
    if title:
        ax.set_title(title)
    return fig


def timings(
    sizes: Sequence[float],
    times: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "batch size",
    title: str | None = None,
    note: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Wall times (seconds) of several backends against a problem size, on log-log axes.

    Args:
        sizes: the sizes measured (x axis).
        times: ``backend -> seconds`` per size, e.g. from
            :func:`qlearn.sim.benchmark.compare` run once per size.
        xlabel, title: labels.
        note: a small caption under the plot, e.g. where and how it was measured.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.
    """
    if not times:
        raise ValueError("times is empty; give at least one backend's timings.")
    fig, ax = _axes(ax, 5.5, 3.5)
    xs = _numpy(sizes)
    for name, values in times.items():
        ts = _numpy(values)
        if ts.shape != xs.shape:
            raise ValueError(
                f"times[{name!r}] has {ts.size} entries but there are {xs.size} sizes."
            )
        if np.any(ts <= 0):
            raise ValueError(f"times[{name!r}] contains a time <= 0; times must be positive.")
        ax.plot(xs, ts * 1e3, marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [f"{v:g}" for v in xs])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel="time per step (ms)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    if note:
        fig.text(0.01, 0.0, note, fontsize=7, color="0.35", ha="left", va="top", wrap=True)
    return fig
