"""Data sets of chapter 4 (Q-RUN): shapes, ranges, seeds, exact densities."""

from __future__ import annotations

import math

import pytest
import torch

from qlearn import data


def test_audio_like_signal_shape_range_and_seed():
    t, y = data.audio_like_signal(1000, seed=3)
    assert t.shape == y.shape == (1000,) and t.dtype == torch.float64
    assert float(t[0]) == -1 and float(t[-1]) == 1
    assert math.isclose(float(y.abs().max()), 1.0)
    assert torch.equal(y, data.audio_like_signal(1000, seed=3)[1])
    assert not torch.equal(y, data.audio_like_signal(1000, seed=4)[1])
    # high frequency: many zero crossings
    assert int((y[1:] * y[:-1] < 0).sum()) >= 20


def test_camera_image_and_grid():
    img = data.camera_image(32)
    assert img.shape == (32, 32) and img.dtype == torch.float64
    assert 0 <= float(img.min()) < float(img.max()) <= 1
    assert data.camera_image(512).shape == (512, 512)
    grid = data.pixel_grid(4, 3)
    assert grid.shape == (12, 2) and float(grid.min()) == -1 and float(grid.max()) == 1


def test_gaussian_mixture_parameters_density_and_samples():
    gm = data.gaussian_mixture(25, seed=0)
    assert len(gm) == 25
    assert float(gm.means.min()) >= -8 and float(gm.means.max()) <= 8
    assert 0.08 <= float(gm.sigmas.min()) and float(gm.sigmas.max()) <= 0.1
    x = torch.linspace(-12, 12, 48001, dtype=torch.float64)
    assert abs(float(gm.density(x).sum() * (x[1] - x[0])) - 1) < 1e-6
    # density of one component by hand
    f64 = dict(dtype=torch.float64)
    one = data.GaussianMixture(
        torch.tensor([0.5], **f64), torch.tensor([0.2], **f64), torch.ones(1)
    )
    expected = math.exp(-0.5 * (0.3 / 0.2) ** 2) / (0.2 * math.sqrt(2 * math.pi))
    assert math.isclose(float(one.density(torch.tensor(0.8, **f64))), expected, rel_tol=1e-12)
    s = gm.sample(4000, seed=1)
    assert torch.equal(s, gm.sample(4000, seed=1))
    # every sample lies near some mean
    dist = (s[:, None] - gm.means).abs().min(1).values
    assert float(dist.max()) < 0.7


def test_digits_and_time_series():
    x, y = data.digits_dataset()
    assert x.shape == (1797, 64) and y.shape == (1797,)
    assert float(x.max()) == 1.0 and set(y.tolist()) == set(range(10))
    series = data.synthetic_time_series(200, seed=0)
    assert series.shape == (200,)
    assert torch.equal(series, data.synthetic_time_series(200, seed=0))
    xw, yw = data.sliding_windows(series, 10)
    assert xw.shape == (190, 10) and torch.equal(xw[5, 1:], xw[6, :-1]) and yw[0] == series[10]


@pytest.mark.parametrize(
    "call",
    [
        lambda: data.audio_like_signal(1),
        lambda: data.audio_like_signal(10, seed=1.5),
        lambda: data.camera_image(0),
        lambda: data.gaussian_mixture(0),
        lambda: data.gaussian_mixture(3, low=1, high=0),
        lambda: data.gaussian_mixture(3, sigma_range=(0.2, 0.1)),
        lambda: data.synthetic_time_series(10, noise=-1),
        lambda: data.sliding_windows(torch.arange(3.0), 3),
        lambda: data.gaussian_mixture(3).sample(0),
    ],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()
