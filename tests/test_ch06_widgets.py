"""Chapter 6 widget functions: the outcome law and a trained network's view."""

from __future__ import annotations

import math

import ipywidgets
import pytest
import torch

from qlearn import widgets


def test_neuron_view_limits():
    v = widgets.natural_neuron_view(a=2.0, g=math.pi / 2, n_points=9)
    assert torch.equal(v["p_minus"], v["p_minus_rotate"])
    assert v["p_minus"][[0, 4, 8]].tolist() == pytest.approx([1.0, 0.5, 0.0], abs=1e-15)
    assert set(v["p_minus_classical"].tolist()) == {0.0, 1.0}
    weak = widgets.natural_neuron_view(a=0.0, g=0.5, n_points=5)
    flip = (1 - math.sin(0.5)) / 2
    torch.testing.assert_close(weak["p_minus"][-1], torch.tensor(flip, dtype=torch.float64))
    torch.testing.assert_close(weak["mean"], 1 - 2 * weak["p_minus"])
    with pytest.raises(ValueError, match="g=3"):
        widgets.natural_neuron_view(g=3)


def test_network_view_is_seeded_and_learns():
    kw = dict(epochs=15, n_train=150, n_val=200, n_show=4)
    v = widgets.natural_network_view(a=1.0, **kw)
    w = widgets.natural_network_view(a=1.0, **kw)
    assert v["val_error"] == w["val_error"] and torch.equal(v["vote_share"], w["vote_share"])
    assert v["val_error"] < 0.6  # far below chance (0.9)
    assert v["images"].shape == (4, 8, 8)
    torch.testing.assert_close(v["vote_share"].sum(1), torch.ones(4, dtype=torch.float64))
    blind = widgets.natural_network_view(a=0.0, g=0.0, **kw)
    assert blind["val_error"] > 0.6  # g = 0: the readouts carry no information


def test_figure_and_explorer():
    fig = widgets.natural_figure(a=0.5, g=1.0, epochs=2)
    assert len(fig.axes) == 9
    explorer = widgets.natural_explorer()
    assert isinstance(explorer, ipywidgets.interactive)
    names = [c.description for c in explorer.children if hasattr(c, "description")]
    assert "a" in names and "g" in names
