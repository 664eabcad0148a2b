"""Chapter 3 explorer (:mod:`qlearn.widgets`): QIREN's qubits and re-uploads."""

from __future__ import annotations

import ipywidgets
import pytest
import torch

from qlearn import plot, widgets
from qlearn.models import QIRENLayer


def test_angle_scales_predict_the_angles():
    layer = QIRENLayer(1, 3, seed=0, dtype=torch.float64)
    layer(torch.randn(50, 1, dtype=torch.float64))  # one training step: running statistics
    layer.eval()
    c = widgets.qiren_angle_scales(layer)
    x = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    with torch.no_grad():
        a = layer.angles(x)
    torch.testing.assert_close(a[1] - a[0], c)
    with pytest.raises(ValueError, match="one input"):
        widgets.qiren_angle_scales(QIRENLayer(2, 3))


def test_more_qubits_and_reuploads_fit_better():
    small = widgets.qiren_view(1, 1, epochs=200)
    large = widgets.qiren_view(4, 3, epochs=200)
    assert large["loss"] < 0.01 < 0.5 < small["loss"]
    assert large["max_frequency"] > 6 > small["max_frequency"]  # the target's top frequency
    assert large["coeffs"].shape == large["k"].shape == large["target_coeffs"].shape
    assert large["n_parameters"] == 117


def test_figure_and_explorer():
    fig = widgets.qiren_figure(2, 1, epochs=5)
    assert isinstance(fig, plot.Figure) and len(fig.axes) == 2
    assert isinstance(widgets.qiren_explorer(), ipywidgets.interactive)
    with pytest.raises(ValueError, match="width=9"):
        widgets.qiren_view(9, 1)


def test_image_panels_and_experiment_figures():
    import numpy as np

    from qlearn.experiments import qiren as E

    fig = plot.image_panels({"a": np.zeros((3, 3)), "b": np.full(9, 0.5)}, reference="a")
    assert isinstance(fig, plot.Figure)
    with pytest.raises(ValueError, match="not a square"):
        plot.image_panels({"a": np.zeros(5)})
    with pytest.raises(ValueError, match="reference='c'"):
        plot.image_panels({"a": np.zeros(4)}, reference="c")
    r = E.run_image(seeds=[0], epochs=1, image_size=4, images=["camera"], models=["qiren"])
    assert len(E.image_figure(r, "camera").axes) == 2 * 3 + 1
    s = E.run_signal(seeds=[0], epochs=1, n_points=40, models=["qiren", "mlp"])
    assert len(E.signal_figure(s).axes) == 2
    assert len(E.summary_lines(s, "mse")) == 2
    with pytest.raises(ValueError, match="task='moon'"):
        E.image_figure(r, "moon")
