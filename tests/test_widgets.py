"""qlearn.widgets: the pure functions behind the explorers give known values; widgets build."""

from __future__ import annotations

import math

import ipywidgets
import pytest
import torch

from qlearn import plot, widgets

PI = math.pi


def close(a, b, atol=1e-12):
    torch.testing.assert_close(
        torch.as_tensor(a, dtype=torch.float64),
        torch.as_tensor(b, dtype=torch.float64),
        atol=atol,
        rtol=0,
    )


@pytest.mark.parametrize(
    ("angles", "probs", "bloch"),
    [
        ((0.0, 0.0, 0.0), [1.0, 0.0], [0.0, 0.0, 1.0]),
        ((PI, 0.0, 0.0), [0.0, 1.0], [0.0, 0.0, -1.0]),  # RX(pi)|0> = -i|1>
        ((PI / 2, 0.0, 0.0), [0.5, 0.5], [0.0, -1.0, 0.0]),  # RX(pi/2)|0> points to -y
        ((0.0, PI / 2, 0.0), [0.5, 0.5], [1.0, 0.0, 0.0]),  # RY(pi/2)|0> = |+>
        ((0.0, PI / 2, PI / 2), [0.5, 0.5], [0.0, 1.0, 0.0]),  # then RZ(pi/2): |+i>
        ((0.0, 0.0, 1.234), [1.0, 0.0], [0.0, 0.0, 1.0]),  # RZ only adds a phase to |0>
    ],
)
def test_single_qubit_view_known_states(angles, probs, bloch):
    view = widgets.single_qubit_view(*angles)
    close(view["probs"], probs)
    close(view["bloch"], bloch)
    assert view["state"].shape == (2,) and view["state"].is_complex()


def test_single_qubit_view_is_consistent():
    gen = torch.Generator().manual_seed(0)
    for angles in torch.rand(10, 3, generator=gen, dtype=torch.float64) * 2 * PI:
        view = widgets.single_qubit_view(*angles.tolist())
        close(view["bloch"].norm(), 1.0)  # pure state: on the sphere
        close(view["probs"][0], (1 + view["bloch"][2]) / 2)  # p(0) = (1 + <Z>) / 2
        close(view["state"].abs() ** 2, view["probs"].tolist())


def test_affine_encoding_view_is_cosine():
    view = widgets.affine_encoding_view(scale=3.0, shift=0.25, n_points=17)
    assert view["x"].shape == view["expval"].shape == (17,)
    close(view["expval"], torch.cos(3.0 * view["x"] + 0.25).tolist())
    close(view["exact"], view["expval"].tolist())
    with pytest.raises(ValueError, match="n_points"):
        widgets.affine_encoding_view(n_points=1)


def test_figures_are_figures():
    fig = widgets.single_qubit_figure()
    assert isinstance(fig, plot.Figure) and len(fig.axes) == 2
    fig = widgets.affine_encoding_figure(1.0, 0.0, 8)
    assert isinstance(fig, plot.Figure) and len(fig.axes[0].lines) == 2


@pytest.mark.parametrize(
    ("make", "n_sliders"),
    [(widgets.single_qubit_explorer, 3), (widgets.affine_encoding_explorer, 3)],
)
def test_explorers_build_and_update(make, n_sliders):
    w = make()
    assert isinstance(w, ipywidgets.interactive)
    sliders = [c for c in w.children if isinstance(c, ipywidgets.widgets.ValueWidget)]
    assert len(sliders) == n_sliders
    assert isinstance(w.result, plot.Figure)  # ran once with the defaults
    sliders[0].value = sliders[0].max  # moving a slider re-runs the pure function
    assert isinstance(w.result, plot.Figure)
