"""Chapter 7 explorer (:mod:`qlearn.widgets`): more shots and less noise mean smaller errors."""

from __future__ import annotations

import ipywidgets
import numpy as np
import pytest

from qlearn import plot, widgets


def test_noise_view_errors_move_the_expected_way():
    few = widgets.noise_view(shots=30, noise_scale=0.0, n_points=20)
    many = widgets.noise_view(shots=10000, noise_scale=0.0, n_points=20)
    noisy = widgets.noise_view(shots=10000, noise_scale=8.0, n_points=20)
    assert few["rmse"] > many["rmse"] and noisy["rmse"] > 3 * many["rmse"]
    assert abs(many["rmse"] - many["shot_rmse"]) < 0.01
    # depolarizing noise shrinks the Bloch vector: measured values are smaller in magnitude
    assert noisy["measured"].abs().mean() < noisy["exact"].abs().mean()


def test_noise_view_rejects_bad_settings():
    with pytest.raises(ValueError, match="shots=0"):
        widgets.noise_view(shots=0)
    with pytest.raises(ValueError, match="noise_scale"):
        widgets.noise_view(noise_scale=-1.0)


def test_noise_figure_and_explorer():
    fig = widgets.noise_figure(100, 2.0, n_points=10)
    assert isinstance(fig, plot.Figure) and "RMSE" in fig.axes[0].get_title()
    assert isinstance(widgets.noise_explorer(), ipywidgets.interactive)


def test_error_bands_checks_shapes():
    s = {"raw": {"mean": [0.2, 0.1], "min": [0.1, 0.05], "max": [0.3, 0.2]}}
    fig = plot.error_bands([1, 2], s, logx=True, reference=("theory", np.array([0.2, 0.1])))
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="3 x values"):
        plot.error_bands([1, 2, 3], s)
