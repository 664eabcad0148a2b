"""Chapter 5 explorer (:mod:`qlearn.widgets`) and plot helpers: the pure function gives
consistent data, the figures draw, the explorer builds, bad settings raise."""

from __future__ import annotations

import ipywidgets
import pytest
import torch

from qlearn import plot, widgets
from qlearn.data import qru_oscillations
from qlearn.models import QRU


def test_qru_view_is_consistent():
    view = widgets.qru_view(2, 1, epochs=2, n_train=10, n_forecast=5)
    assert view["series"].shape == (2, 16) and view["start"] == 11
    assert view["forecast"].shape == (2, 5) and view["hidden"].shape == (2, 11, 4)
    torch.testing.assert_close(view["series"], qru_oscillations(16).float())
    truth = view["series"][:, 11:]
    assert view["test_mse"] == pytest.approx(float(((view["forecast"] - truth) ** 2).mean()))
    model = QRU(1, 2, 1, layer_gates="u2", block_gate="u2")
    assert view["n_parameters"] == model.n_parameters and view["n_qubits"] == 5
    assert view["hidden"].abs().max() <= 1


def test_qru_view_training_lowers_the_loss():
    short = widgets.qru_view(2, 1, epochs=1, n_train=12, n_forecast=3)
    longer = widgets.qru_view(2, 1, epochs=15, n_train=12, n_forecast=3)
    assert longer["loss"] < short["loss"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [(dict(hidden_qubits=1), "hidden_qubits=1"), (dict(n_layers=0), "n_layers=0"),
     (dict(n_train=110, n_forecast=50), "n_forecast=50")],
)  # fmt: skip
def test_qru_view_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        widgets.qru_view(epochs=1, **kwargs)


def test_qru_figure_and_explorer():
    fig = widgets.qru_figure(2, 1, epochs=1)
    assert isinstance(fig, plot.Figure) and len(fig.axes) == 3
    assert isinstance(widgets.qru_explorer(), ipywidgets.interactive)


def test_forecast_and_distribution_plots():
    fig = plot.forecast(torch.sin(torch.arange(20.0)), 15, {"a": torch.zeros(5)}, title="t")
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="predictions"):
        plot.forecast(torch.zeros(10), 8, {"a": torch.zeros(5)})
    fig = plot.distributions({"x": [1.0, 2.0], "y": [3.0]}, logy=True, reference=1.5)
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="empty"):
        plot.distributions({})
