r"""Small plotting helpers for the book; each returns a matplotlib ``Figure``.

The figures are made without ``pyplot``, so nothing accumulates in a global figure list and
nothing is shown twice. They display themselves in a notebook (as PNG) whatever matplotlib's
backend is, and a helper given an existing ``ax=`` draws there and returns that axes' figure.

==========================  =======================================================
:func:`probabilities`       bar chart of basis-state probabilities (one or more series)
:func:`bloch`               Bloch-sphere picture of one-qubit Bloch vectors
:func:`curves`              line plot of one or more series against a common x
:func:`timings`             wall times of several backends against a size, log scales
:func:`decision_regions`    a 2-D classifier's predicted classes, with the data
:func:`spectrum`            Fourier coefficient magnitudes, accessible spectrum shaded
:func:`coefficient_cloud`   Re/Im of Fourier coefficients over random weight draws
:func:`loss_sweep`          final loss (and its floor) against a swept setting
:func:`series_fit`          a target series, its fits and the training samples
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
from collections.abc import Callable, Mapping, Sequence

import matplotlib.colors
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
    "coefficient_cloud",
    "curves",
    "decision_regions",
    "loss_sweep",
    "new_figure",
    "probabilities",
    "series_fit",
    "spectrum",
    "timings",
    "forecast",
    "distributions",
    "image_panels",
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


def _probability_vector(values: ArrayLike) -> np.ndarray:
    """A probability vector; a ``(1, 2^n)`` row is flattened."""
    v = _numpy(values)
    return v.reshape(-1) if v.ndim == 2 and v.shape[0] == 1 else v


def _axes(ax: Axes | None, width: float, height: float, **kwargs) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(width, height)
    return fig, fig.add_subplot(**kwargs)


def _series(
    values: ArrayLike | Mapping[str, ArrayLike],
    what: str,
    convert: Callable[[ArrayLike], np.ndarray],
    valid: Callable[[np.ndarray], bool],
    hint: str,
) -> tuple[dict[str, np.ndarray], int]:
    """One vector or a mapping ``name -> vector`` as ``{name: array}`` (``""`` for one vector)
    and their common length; ``convert`` makes each array, ``valid`` checks its shape (else
    a ValueError naming the argument ``what``, the shape and ``hint``)."""
    series = dict(values) if isinstance(values, Mapping) else {"": values}
    if not series:
        raise ValueError(f"{what} is an empty mapping; give at least one series.")
    data = {}
    for name, entry in series.items():
        v = convert(entry)
        if not valid(v):
            raise ValueError(f"{what}{f'[{name!r}]' if name else ''} has shape {v.shape}; {hint}")
        data[name] = v
    sizes = {v.size for v in data.values()}
    if len(sizes) != 1:
        raise ValueError(f"the series have different lengths {sorted(sizes)}; use equal lengths.")
    return data, sizes.pop()


def _grouped_bars(ax: Axes, x: np.ndarray, data: Mapping[str, np.ndarray], **kwargs) -> None:
    """The series of ``data`` as bars side by side around the positions ``x``."""
    width = 0.8 / len(data)
    for i, (name, v) in enumerate(data.items()):
        ax.bar(x + (i - (len(data) - 1) / 2) * width, v, width, label=name or None, **kwargs)


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
    data, size = _series(
        probs,
        "probs",
        _probability_vector,
        lambda v: v.ndim == 1 and v.size >= 1,
        "pass one vector of 2**n probabilities (select a row first, e.g. p[0]).",
    )
    if labels is None:
        n = int(round(math.log2(size)))
        labels = basis_labels(n) if 2**n == size else [str(k) for k in range(size)]
    if len(labels) != size:
        raise ValueError(f"labels has {len(labels)} entries but there are {size} probabilities.")
    fig, ax = _axes(ax, max(3.0, 0.45 * size * len(data) + 1.5), 3.0)
    x = np.arange(size)
    _grouped_bars(ax, x, data)
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


# --------------------------------------------------------------------------------------------
# Chapter 2: classifiers and Fourier spectra


def decision_regions(
    grid: Mapping[str, ArrayLike],
    x: ArrayLike | None = None,
    y: ArrayLike | None = None,
    *,
    boundary_radius: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""A 2-D classifier's predicted classes as coloured regions, with the data on top.

    Args:
        grid: the dict of :func:`qlearn.experiments.reuploading.decision_grid` (``"x0"``,
            ``"x1"`` axes and ``"label"`` indexed ``[i1, i0]``).
        x, y: points ``(n, 2)`` and their true labels ``(n,)`` to scatter (optional).
        boundary_radius: draw the true circle of this radius (the ``circle`` data set).
        title: axes title.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.
    """
    x0, x1, label = (_numpy(grid[k]) for k in ("x0", "x1", "label"))
    if label.shape != (x1.size, x0.size):
        raise ValueError(
            f"grid['label'] has shape {label.shape} but the axes have {x1.size} and {x0.size} "
            "points; pass the dict returned by decision_grid."
        )
    fig, ax = _axes(ax, 3.6, 3.4)
    n_classes = int(max(label.max(), _numpy(y).max() if y is not None else 0)) + 1
    levels = np.arange(n_classes + 1) - 0.5
    cmap = matplotlib.colors.ListedColormap([f"C{c}" for c in range(n_classes)])
    ax.contourf(x0, x1, label, levels=levels, cmap=cmap, alpha=0.25)
    if x is not None:
        pts = _numpy(x)
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise ValueError(f"x has shape {pts.shape}; pass (n, 2) points.")
        colors = cmap(_numpy(y).astype(int)) if y is not None else "k"
        ax.scatter(pts[:, 0], pts[:, 1], c=colors, s=8, edgecolors="none")
    if boundary_radius is not None:
        t = np.linspace(0, 2 * np.pi, 200)
        ax.plot(boundary_radius * np.cos(t), boundary_radius * np.sin(t), "k--", linewidth=1)
    ax.set(xlim=(x0[0], x0[-1]), ylim=(x1[0], x1[-1]), xlabel="$x_0$", ylabel="$x_1$")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return fig


def spectrum(
    coeffs: ArrayLike | Mapping[str, ArrayLike],
    *,
    accessible: Sequence[float] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""Magnitudes :math:`|c_k|` of Fourier coefficients against the frequency :math:`k`.

    Args:
        coeffs: complex ``(2D+1,)`` coefficients :math:`c_{-D}, \dots, c_D` (as returned by
            :func:`qlearn.fourier.coefficients`), or a mapping ``name -> coefficients`` of equal
            length to draw side by side.
        accessible: the frequencies a model can express (e.g. from
            :func:`qlearn.fourier.spectrum`); they are shaded.
        title: axes title.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.
    """
    mags, size = _series(
        coeffs,
        "coeffs",
        lambda c: torch.as_tensor(c).detach().to("cpu").abs().to(torch.float64).numpy(),
        lambda m: m.ndim == 1 and m.size % 2 == 1,
        "pass the 2D+1 coefficients of one input.",
    )
    degree = (size - 1) // 2
    k = np.arange(-degree, degree + 1)
    fig, ax = _axes(ax, max(3.5, 0.3 * size + 1.5), 3.0)
    if accessible is not None:
        inside = sorted({float(f) for f in accessible if abs(f) <= degree + 0.5})
        for i, f in enumerate(inside):
            label = "model spectrum" if i == 0 else None
            ax.axvspan(f - 0.5, f + 0.5, color="0.9", zorder=0, label=label)
    _grouped_bars(ax, k, mags, zorder=2)
    step = math.ceil(size / 15)
    ax.set_xticks(k[k % step == 0])
    ax.set(xlabel="frequency $k$", ylabel="$|c_k|$", xlim=(-degree - 0.6, degree + 0.6))
    if len(mags) > 1 or any(mags) or accessible is not None:
        ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def coefficient_cloud(
    cloud: ArrayLike,
    *,
    frequencies: Sequence[int] | None = None,
    title: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    r"""Coefficient clouds: :math:`\mathrm{Re}\,c_k` against :math:`\mathrm{Im}\,c_k` over many
    random weight draws, one small panel per frequency :math:`k \ge 0`.

    Args:
        cloud: complex ``(n_samples, 2D+1)`` from :func:`qlearn.fourier.coefficient_cloud`.
        frequencies: which :math:`k` to show (default ``0 .. D``).
        title: figure title.
        fig: draw into this figure instead of a new one.

    Returns:
        The figure.
    """
    c = torch.as_tensor(cloud).detach().to("cpu")
    if c.ndim != 2 or c.shape[1] % 2 == 0 or not c.is_complex():
        raise ValueError(
            f"cloud has shape {tuple(c.shape)} and dtype {c.dtype}; pass the complex "
            "(n_samples, 2D+1) result of qlearn.fourier.coefficient_cloud."
        )
    degree = (c.shape[1] - 1) // 2
    ks = list(range(degree + 1)) if frequencies is None else [int(k) for k in frequencies]
    if any(abs(k) > degree for k in ks):
        raise ValueError(f"frequencies={ks} exceed the cloud's degree {degree}.")
    fig = fig if fig is not None else new_figure(1.9 * len(ks) + 0.4, 2.3)
    lim = max(float(c.abs().max()), 1e-3) * 1.1
    for i, k in enumerate(ks):
        ax = fig.add_subplot(1, len(ks), i + 1)
        v = c[:, degree + k].numpy()
        ax.scatter(v.real, v.imag, s=4, alpha=0.5, color=f"C{i}")
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), title=f"$k = {k}$", xlabel=r"Re $c_k$")
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.set_ylabel(r"Im $c_k$")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def loss_sweep(
    rows: Sequence[Mapping[str, float]],
    *,
    x: str = "n_layers",
    xlabel: str = "re-uploads $L$",
    degree: int | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""Final training loss against a swept setting, with the best possible loss (the floor).

    Args:
        rows: dicts with keys ``x``, ``"loss"`` and optionally ``"floor"`` (e.g. from
            :func:`qlearn.experiments.reuploading.fit_sweep`).
        x, xlabel: the key to put on the horizontal axis and its label.
        degree: draw a vertical line at the target's degree :math:`D`.
        title: axes title.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure (log-scale loss; a floor of 0 is not drawn).
    """
    if not rows:
        raise ValueError("rows is empty; give at least one result.")
    xs = np.array([float(r[x]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    tiny = 1e-32
    fig, ax = _axes(ax, 4.8, 3.0)
    ax.plot(xs, np.maximum(loss, tiny), "o-", label="trained (final loss)")
    if all("floor" in r for r in rows):
        floor = np.array([float(r["floor"]) for r in rows])
        keep = floor > 0
        ax.plot(xs[keep], floor[keep], "s", mfc="none", ms=9, label="floor: missing frequencies")
    if degree is not None:
        ax.axvline(degree, color="0.5", linestyle=":", label=f"target degree $D = {degree}$")
    ax.set_yscale("log")
    ax.set_xticks(xs)
    ax.set(xlabel=xlabel, ylabel="mean squared error")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def series_fit(
    x: ArrayLike,
    series: Mapping[str, ArrayLike],
    *,
    points: tuple[ArrayLike, ArrayLike] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""Curves of a target and its fits on a fine grid, with the training samples as dots.

    Args:
        x: the fine grid, ``(m,)``.
        series: ``name -> (m,)`` values, e.g. ``{"target": ..., "L = 2": ...}``.
        points: ``(x_data, y_data)`` samples to draw as dots.
        title: axes title.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.
    """
    fig = curves(x, dict(series), xlabel="$x$", ylabel="$f(x)$", ax=ax)
    ax = ax if ax is not None else fig.axes[0]
    if points is not None:
        px, py = _numpy(points[0]), _numpy(points[1])
        ax.plot(px, py, "k.", ms=4, label="samples")
        ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def ratios(
    rows: Sequence[Mapping[str, object]],
    *,
    claimed: tuple[float, float] | None = (10.0, 1000.0),
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    r"""Error ratios per task on a log scale, with their spread and a claimed range.

    Args:
        rows: dicts with ``"task"``, ``"ratio_geomean"``, ``"ratio_min"``, ``"ratio_max"`` and
            optionally ``"experiment"`` (e.g. :func:`qlearn.experiments.qrun.headline`).
        claimed: a range to shade (a paper's claim), or ``None``.
        title: axes title.
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure: one horizontal bar per task (geometric mean over seeds) with the min–max
        range as an error bar; ratio 1 (parity) is marked.
    """
    if not rows:
        raise ValueError("rows is empty; give at least one ratio.")
    labels = [f"{r.get('experiment', '')}/{r['task']}".lstrip("/") for r in rows]
    mid = np.array([float(r["ratio_geomean"]) for r in rows])
    lo = np.array([float(r["ratio_min"]) for r in rows])
    hi = np.array([float(r["ratio_max"]) for r in rows])
    if (lo <= 0).any() or (mid <= 0).any():
        raise ValueError("ratios must be positive to be drawn on a log scale.")
    y = np.arange(len(rows))[::-1]
    fig, ax = _axes(ax, 5.6, 0.45 * len(rows) + 1.4)
    if claimed is not None:
        ax.axvspan(*claimed, color="tab:green", alpha=0.15, label="claimed range")
    ax.axvline(1.0, color="0.4", linestyle="--", linewidth=1, label="parity (ratio 1)")
    colors = ["tab:blue" if m >= 1 else "tab:red" for m in mid]
    ax.barh(y, mid, color=colors, alpha=0.8, left=0)
    ax.errorbar(mid, y, xerr=[mid - lo, hi - mid], fmt="none", ecolor="black", capsize=3)
    ax.set_xscale("log")
    ax.set_yticks(y, labels)
    ax.set_xlabel("error ratio (> 1: the compared model wins)")
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------------------------
# Chapter 7: running on (emulated) hardware


def error_bands(
    x: ArrayLike,
    series: Mapping[str, Mapping[str, ArrayLike]],
    *,
    xlabel: str = "",
    ylabel: str = "error",
    logx: bool = False,
    logy: bool = False,
    reference: tuple[str, ArrayLike] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Mean error of several methods against a swept setting, with the min–max band over seeds.

    Args:
        x: the swept values (shots, noise strength, ...).
        series: ``name -> {"mean", "min", "max"}``, each one value per ``x`` (e.g.
            :func:`qlearn.experiments.hardware.rows`).
        xlabel, ylabel, title: labels.
        logx, logy: logarithmic axes.
        reference: ``(label, values)`` of a dashed theory line (e.g. pure shot noise).
        ax: draw into this axes instead of a new figure.

    Returns:
        The figure.
    """
    if not series:
        raise ValueError("series is empty; give at least one method's errors.")
    xs = _numpy(x)
    fig, ax = _axes(ax, 5.0, 3.2)
    for name, s in series.items():
        mean, lo, hi = (_numpy(s[k]) for k in ("mean", "min", "max"))
        if not mean.shape == lo.shape == hi.shape == xs.shape:
            raise ValueError(
                f"series[{name!r}] has {mean.size} means, {lo.size} minima and {hi.size} maxima "
                f"but there are {xs.size} x values; give one of each per x."
            )
        (line,) = ax.plot(xs, mean, "o-", label=name)
        ax.fill_between(xs, lo, hi, color=line.get_color(), alpha=0.2)
    if reference is not None:
        ax.plot(xs, _numpy(reference[1]), "k--", linewidth=1, label=reference[0])
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def error_bars(
    x: ArrayLike,
    series: Mapping[str, tuple[ArrayLike, ArrayLike]],
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str | None = None,
    reference: Mapping[str, float] | None = None,
    mark: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Means with error bars (e.g. over seeds) against a swept setting, one line per series.

    Args:
        x: the ``m`` settings.
        series: ``name -> (means, errors)``, each ``(m,)``.
        reference: horizontal lines ``label -> y`` (e.g. chance level).
        mark: a vertical line at this x (e.g. a critical value), or ``None``.
        ax: draw into this axes instead of a new figure.

    Example:
        >>> fig = error_bars([0, 1, 2], {"a": ([0.3, 0.2, 0.25], [0.01, 0.02, 0.01])})
        >>> len(fig.axes[0].lines) > 0
        True
    """
    xs = _numpy(x)
    fig, ax = _axes(ax, 5.0, 3.0)
    for name, (mean, err) in series.items():
        m, e = _numpy(mean), _numpy(err)
        if m.shape != xs.shape or e.shape != xs.shape:
            raise ValueError(
                f"series[{name!r}] has shapes {m.shape} and {e.shape} but x has shape "
                f"{xs.shape}; give one mean and one error per x."
            )
        ax.errorbar(xs, m, yerr=e, marker="o", markersize=3, capsize=3, label=name)
    for label, y in (reference or {}).items():
        ax.axhline(y, color="0.5", linestyle=":", linewidth=1, label=label)
    if mark is not None:
        ax.axvline(mark, color="tab:red", linestyle="--", linewidth=1)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


__all__ += ["error_bars"]


# --------------------------------------------------------------------------------------------
# Chapter 5: forecasts and distributions over restarts


def forecast(
    series: ArrayLike,
    start: int,
    predictions: Mapping[str, ArrayLike],
    *,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """A series (steps ``0..n-1``) with forecasts of its steps ``start, start+1, ...``.

    Args:
        series: the true values, ``(n,)``.
        start: the first forecast step; everything before it was seen (shaded).
        predictions: ``name -> (k,)`` forecasts of steps ``start..start+k-1``.
        title: axes title.
        ax: draw into this axes instead of a new figure.

    Example:
        >>> fig = forecast([0.0, 1.0, 0.0, -1.0], 2, {"model": [0.1, -0.9]})
        >>> len(fig.axes[0].lines)
        2
    """
    ys = _numpy(series)
    fig, ax = _axes(ax, 6.0, 3.0)
    ax.axvspan(0, start - 1, color="0.92", label="seen")
    ax.plot(np.arange(len(ys)), ys, "k-", lw=1.2, label="true")
    for i, (name, values) in enumerate(predictions.items()):
        p = _numpy(values)
        if start + len(p) > len(ys):
            raise ValueError(
                f"predictions[{name!r}] has {len(p)} values from step {start} but the series "
                f"has only {len(ys)} steps."
            )
        ax.plot(np.arange(start, start + len(p)), p, ["--", ":", "-."][i % 3], lw=1.5,
                label=name)  # fmt: skip
    ax.set(xlabel="step $t$", ylabel="$y_t$")
    ax.legend(fontsize=8, loc="lower left")
    if title:
        ax.set_title(title)
    return fig


def distributions(
    groups: Mapping[str, ArrayLike],
    *,
    ylabel: str = "",
    logy: bool = False,
    reference: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """One box (median, quartiles) per group, with every value as a dot (e.g. test errors over
    restarts, accuracies over seeds).

    Args:
        groups: ``label -> values``.
        ylabel, title: labels.
        logy: logarithmic y axis.
        reference: draw a horizontal line there (e.g. a paper's number).
        ax: draw into this axes instead of a new figure.

    Example:
        >>> fig = distributions({"a": [1.0, 2.0, 3.0], "b": [2.0]}, reference=2.5)
        >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
        ['a', 'b']
    """
    if not groups:
        raise ValueError("groups is empty; give at least one group of values.")
    labels = list(groups)
    data = [_numpy(groups[k]).reshape(-1) for k in labels]
    fig, ax = _axes(ax, max(4.0, 0.9 * len(labels) + 1.5), 3.2)
    ax.boxplot(data, widths=0.5, showfliers=False)
    for i, values in enumerate(data, start=1):
        ax.plot(np.full(len(values), i, dtype=float), values, "o", ms=3, alpha=0.6,
                color="tab:blue")  # fmt: skip
    ax.set_xticks(np.arange(1, len(labels) + 1), labels)
    if reference is not None:
        ax.axhline(reference, color="tab:red", linestyle="--", linewidth=1)
    if logy:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return fig


# ---- chapter 3 (QIREN) ------------------------------------------------------------------------


def image_panels(
    images: Mapping[str, ArrayLike],
    *,
    reference: str | None = None,
    title: str | None = None,
    vmax_error: float | None = None,
) -> Figure:
    r"""Grayscale images side by side (values in :math:`[0, 1]`), and with ``reference`` a
    second row of absolute-error maps :math:`|I - I_{\mathrm{ref}}|` of every other image.

    Args:
        images: ``name -> (h, w)`` or flat ``(h*w,)`` square images.
        reference: the name of the ground truth for the error maps, or ``None``.
        title: figure title.
        vmax_error: top of the error colour scale (default: the largest error shown).

    Returns:
        The figure.

    Example:
        >>> fig = image_panels({"a": np.zeros((4, 4)), "b": np.ones(16)}, reference="a")
        >>> len(fig.axes)  # 2 images, 2 error-map slots (the reference's left blank), a bar
        5
    """
    if not images:
        raise ValueError("images is empty; give at least one image.")
    if reference is not None and reference not in images:
        raise ValueError(f"reference={reference!r} is not one of {list(images)}.")
    arrays = {}
    for name, img in images.items():
        a = _numpy(img)
        if a.ndim == 1:
            side = math.isqrt(a.size)
            if side * side != a.size:
                raise ValueError(f"image {name!r} has {a.size} values: not a square image.")
            a = a.reshape(side, side)
        arrays[name] = a
    n = len(arrays)
    rows = 2 if reference is not None else 1
    fig = new_figure(2.2 * n + 0.6, 2.3 * rows + 0.3)
    axes = fig.subplots(rows, n, squeeze=False)
    for ax, (name, a) in zip(axes[0], arrays.items(), strict=True):
        ax.imshow(a, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(name, fontsize=9)
        ax.set_axis_off()
    if reference is not None:
        ref = arrays[reference]
        errs = {
            k: np.abs(a - ref) for k, a in arrays.items() if k != reference and a.shape == ref.shape
        }
        top = vmax_error or max((float(e.max()) for e in errs.values()), default=1.0) or 1.0
        im = None
        for ax, name in zip(axes[1], arrays, strict=True):
            ax.set_axis_off()
            if name in errs:
                im = ax.imshow(errs[name], cmap="magma", vmin=0, vmax=top, interpolation="nearest")
                ax.set_title(f"|error|, mean {errs[name].mean():.3f}", fontsize=8)
        if im is not None:
            fig.colorbar(im, ax=list(axes[1]), shrink=0.8)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig
