"""qlearn.plot: every helper returns a Figure with the expected content, and explains errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.container import BarContainer

from qlearn import plot

PNG = b"\x89PNG"


def bars(fig) -> list[BarContainer]:
    return [c for c in fig.axes[0].containers if isinstance(c, BarContainer)]


def test_basis_labels():
    assert plot.basis_labels(1) == [r"$|0\rangle$", r"$|1\rangle$"]
    assert plot.basis_labels(3)[5] == r"$|101\rangle$"
    with pytest.raises(ValueError, match="n_bits"):
        plot.basis_labels(0)


def test_probabilities_single_and_several_series():
    fig = plot.probabilities(torch.tensor([[0.25, 0.75]]), title="t")
    assert isinstance(fig, plot.Figure)
    (container,) = bars(fig)
    np.testing.assert_allclose([b.get_height() for b in container], [0.25, 0.75])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == plot.basis_labels(1)
    assert fig.axes[0].get_title() == "t"
    fig = plot.probabilities({"exact": [0.5, 0, 0, 0.5], "sampled": np.array([0.4, 0, 0, 0.6])})
    assert len(bars(fig)) == 2
    assert fig._repr_png_().startswith(PNG)


def test_probabilities_errors():
    with pytest.raises(ValueError, match="one vector"):
        plot.probabilities(torch.ones(2, 4) / 4)
    with pytest.raises(ValueError, match="different lengths"):
        plot.probabilities({"a": [1.0, 0.0], "b": [1.0, 0, 0, 0]})
    with pytest.raises(ValueError, match="labels"):
        plot.probabilities([1.0, 0.0], labels=["a"])
    with pytest.raises(ValueError, match="complex"):
        plot.probabilities(torch.ones(2, dtype=torch.complex64))


def test_bloch_draws_one_arrow_per_vector():
    fig = plot.bloch(torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]), labels=["a", "b"])
    ax = fig.axes[0]
    assert ax.name == "3d"
    assert len(ax.collections) >= 4  # sphere, 2 arrows, 2 points
    assert fig._repr_png_().startswith(PNG)
    with pytest.raises(ValueError, match=r"\(m, 3\)"):
        plot.bloch([1.0, 0.0])
    fig2 = plot.new_figure()
    with pytest.raises(ValueError, match="3D"):
        plot.bloch([0, 0, 1.0], ax=fig2.add_subplot())


def test_curves_and_existing_axes():
    x = np.linspace(0, 1, 5)
    fig = plot.curves(x, {"a": x, "b": x**2}, xlabel="x", logy=False)
    assert len(fig.axes[0].lines) == 2 and fig.axes[0].get_xlabel() == "x"
    host = plot.new_figure()
    ax = host.add_subplot()
    assert plot.curves(x, x, ax=ax) is host
    with pytest.raises(ValueError, match="one y per x"):
        plot.curves(x, x[:3])


def test_timings_plots_milliseconds_on_log_axes():
    fig = plot.timings([8, 64], {"ours": [0.001, 0.002], "theirs": [0.01, 0.05]}, note="here")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 2.0])
    assert any(t.get_text() == "here" for t in fig.texts)
    with pytest.raises(ValueError, match="sizes"):
        plot.timings([8, 64], {"ours": [0.001]})
    with pytest.raises(ValueError, match="positive"):
        plot.timings([8], {"ours": [0.0]})
    with pytest.raises(ValueError, match="empty"):
        plot.timings([8], {})


def test_ratios_chart_draws_one_bar_per_task_and_rejects_bad_input():
    """plot.ratios: log-scale bars, one per task; empty or non-positive input is an error."""
    rows = [
        {
            "experiment": "a",
            "task": "x",
            "ratio_geomean": 20.0,
            "ratio_min": 5.0,
            "ratio_max": 80.0,
        },
        {"experiment": "b", "task": "y", "ratio_geomean": 0.5, "ratio_min": 0.3, "ratio_max": 0.7},
    ]
    fig = plot.ratios(rows, title="t")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    at = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True))
    assert at == {1: "a/x", 0: "b/y"}  # first row on top
    assert len(ax.patches) >= 2
    with pytest.raises(ValueError, match="rows is empty"):
        plot.ratios([])
    with pytest.raises(ValueError, match="positive"):
        plot.ratios([dict(rows[0], ratio_min=0.0)])
