"""Chapter 4 explorers (:mod:`qlearn.widgets`): the pure functions give known values, the
figures draw, the explorer builds."""

from __future__ import annotations

import ipywidgets
import pytest
import torch

from qlearn import plot, widgets


def test_sine_target_and_relative_errors():
    x, y = widgets.sine_target((1, 4), n_points=16)
    assert x.shape == y.shape == (16,)
    errors = widgets.relative_frequency_errors(torch.sin(x) + 0.5 * torch.sin(4 * x), y, [1, 4])
    torch.testing.assert_close(errors, torch.tensor([0.0, 0.5], dtype=torch.float64))
    with pytest.raises(ValueError, match="n_points"):
        widgets.sine_target((1, 9), n_points=16)


def test_matched_pair_sizes():
    pair = widgets.matched_pair(3, 16, seed=0)
    p, q = pair["MLP"].n_parameters, pair["Q-RUN"].n_parameters
    assert (q, p) == (189, 193)
    with pytest.raises(ValueError, match="n_reuploads"):
        widgets.matched_pair(0, 16)


def test_spectral_bias_view_shows_the_ordering():
    view = widgets.spectral_bias_view(epochs=200, every=50, seed=0)
    assert view["epochs"] == [50, 100, 150, 200]
    mlp = view["MLP"]["errors"]
    assert mlp.shape == (4, 3)
    assert mlp[-1, 0] < 0.2 < mlp[-1, 1] < mlp[-1, 2]  # low frequency first, k = 12 last
    assert view["Q-RUN"]["errors"][-1].max() < 0.2
    assert view["Q-RUN"]["loss"] < view["MLP"]["loss"]


@pytest.mark.parametrize(("n", "weight"), [(1, (1,)), (3, (1,)), (2, (1, 2)), (2, (2, -1))])
def test_unit_frequency_vectors_lie_on_the_weight_line(n, weight):
    view = widgets.unit_frequency_vectors(n, weight)
    assert view["measured"] == view["predicted"]
    assert len(view["measured"]) == view["unit_count"] == 3**n
    assert view["circuit_count"] == 3 ** (n * len(weight))


def test_qrun_view_and_figure():
    view = widgets.qrun_view(2, 4, epochs=20)
    assert view["k"].shape == view["target_coeffs"].shape == view["Q-RUN"]["coeffs"].shape
    assert len(view["unit_frequencies"]) == 9
    assert view["Q-RUN"]["fit"].shape == view["x"].shape
    fig = widgets.qrun_figure(2, 4, epochs=10)
    assert isinstance(fig, plot.Figure) and len(fig.axes) == 2
    assert isinstance(widgets.spectral_bias_figure(epochs=20, every=10), plot.Figure)


def test_qrun_explorer_builds():
    assert isinstance(widgets.qrun_explorer(), ipywidgets.interactive)
