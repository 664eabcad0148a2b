"""Baselines (MLP, SIREN, Fourier features, FAN) and sizing models to a parameter budget."""

from __future__ import annotations

import doctest
import math
from functools import partial

import pytest
import torch

from qlearn.models import (
    FAN,
    FFN,
    MLP,
    QRUN,
    SIREN,
    FANLayer,
    FourierFeatures,
    match_parameters,
)
from qlearn.models import baselines as baselines_module
from qlearn.models import sizing as sizing_module

NETWORKS = [MLP, SIREN, FourierFeatures, FAN, QRUN]


@pytest.mark.parametrize("module", [baselines_module, sizing_module])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("cls", NETWORKS)
def test_shapes_gradients_and_seeds(cls):
    net = cls(3, 12, 2, n_layers=2, seed=0)
    for shape in [(5, 3), (2, 4, 3), (3,)]:
        assert net(torch.randn(shape)).shape == (*shape[:-1], 2)
    x = torch.randn(7, 3)
    net(x).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    same, other = cls(3, 12, 2, n_layers=2, seed=0), cls(3, 12, 2, n_layers=2, seed=1)
    torch.testing.assert_close(net(x), same(x), atol=0, rtol=0)
    assert not torch.allclose(net(x), other(x))
    assert cls(1, 4, 1, seed=0)(torch.linspace(0, 1, 6)).shape == (6, 1)
    wide = cls(3, 12, 2, n_layers=2, seed=0, dtype=torch.float64)
    assert all(p.dtype == torch.float64 for p in wide.parameters())


def test_mlp_parameter_count_and_activation():
    for act, cls in [("relu", torch.nn.ReLU), ("tanh", torch.nn.Tanh), ("gelu", torch.nn.GELU)]:
        net = MLP(4, 10, 3, n_layers=3, activation=act)
        assert net.n_parameters == (4 * 10 + 10) + 2 * (10 * 10 + 10) + (10 * 3 + 3)
        assert isinstance(net.net[1], cls)


def test_siren_initialisation_follows_the_paper():
    d, h, omega = 2, 64, 30.0
    net = SIREN(d, h, 1, n_layers=3, seed=0)
    first, hidden, last = net.net[0], net.net[1], net.net[-1]
    assert first.omega_0 == omega and first.is_first and not hidden.is_first
    assert first.linear.weight.abs().max() <= 1 / d
    assert first.linear.weight.abs().max() > 0.9 / d  # uniform over the whole range
    bound = math.sqrt(6 / h) / omega
    for layer in (hidden.linear, last):
        assert bound * 0.9 < layer.weight.abs().max() <= bound
    x = torch.rand(5, d)
    torch.testing.assert_close(first(x), torch.sin(omega * first.linear(x)))


def test_fourier_features():
    net = FourierFeatures(2, 16, 1, n_layers=2, n_frequencies=500, sigma=4.0, seed=0)
    b = net.features.B
    assert b.shape == (500, 2) and "features.B" in dict(net.named_buffers())
    assert abs(b.std().item() - 4.0) < 0.3
    x = torch.rand(3, 2)
    proj = 2 * math.pi * x @ b.T
    torch.testing.assert_close(net.features(x), torch.cat([proj.cos(), proj.sin()], -1))
    assert net.n_parameters == (1000 * 16 + 16) + (16 * 16 + 16) + (16 + 1)
    learn = FFN(2, 16, 1, n_layers=2, n_frequencies=500, trainable_frequencies=True, seed=0)
    assert learn.n_parameters == net.n_parameters + 1000


def test_fan_layer_structure():
    layer = FANLayer(3, 12)  # p = 3 for each of cos and sin, 6 GELU outputs
    assert layer.n_periodic == 3
    assert layer.periodic.bias is None
    x = torch.randn(4, 3)
    out = layer(x)
    p = layer.periodic(x)
    torch.testing.assert_close(out[:, :3], p.cos())
    torch.testing.assert_close(out[:, 3:6], p.sin())
    torch.testing.assert_close(out[:, 6:], torch.nn.functional.gelu(layer.gate(x)))
    assert layer.n_parameters == 3 * 3 + (3 * 6 + 6)
    odd = FANLayer(2, 10)  # p = 2: 2 + 2 + 6
    assert odd(torch.zeros(1, 2)).shape == (1, 10)
    assert FAN(1, 8, 1, n_layers=3).n_parameters == (2 + 4 + 4) + 2 * (8 * 2 + 8 * 4 + 4) + 9


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: MLP(2, 8, 1, activation="sigmoid"), "activation='sigmoid'.*relu"),
        (lambda: MLP(2, 8, 1, n_layers=0), "n_layers=0"),
        (lambda: MLP(2, 0, 1), "hidden_features=0"),
        (lambda: SIREN(2, 8, 1, first_omega=0), "omega_0=0"),
        (lambda: FourierFeatures(2, 8, 1, sigma=-1.0), "sigma=-1.0"),
        (lambda: FANLayer(2, 3), "out_features=3.*out_features >= 4"),
        (lambda: FANLayer(2, 8, p_ratio=0.5), "p_ratio=0.5"),
        (lambda: MLP(2, 8, 1, device="gpu0"), "device='gpu0'"),
        (lambda: MLP(2, 8, 1)(torch.zeros(4, 3)), r"x has shape \(4, 3\).*\(\.\.\., 2\)"),
    ],
)
def test_bad_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


# --------------------------------------------------------------------------------------------
# Matched parameter counts

FACTORIES = {
    "MLP-relu": partial(MLP, 1, out_features=1, n_layers=2, activation="relu"),
    "MLP-tanh": partial(MLP, 1, out_features=1, n_layers=2, activation="tanh"),
    "SIREN": partial(SIREN, 1, out_features=1, n_layers=2),
    "FFN": partial(FourierFeatures, 1, out_features=1, n_layers=2),
    "FAN": partial(FAN, 1, out_features=1, n_layers=2),
}


@pytest.mark.parametrize("name", list(FACTORIES))
@pytest.mark.parametrize("qrun_kwargs", [dict(), dict(observable="multilinear", n_reuploads=3)])
def test_match_parameters_to_a_qrun_budget(name, qrun_kwargs):
    budget = QRUN(1, 24, 1, n_layers=2, seed=0, **qrun_kwargs).n_parameters
    lo = 4 if name == "FAN" else 1  # a FAN layer needs >= 4 outputs (one cos, one sin)
    model = match_parameters(FACTORIES[name], budget, over="hidden_features", lo=lo)
    assert abs(model.n_parameters - budget) <= 0.1 * budget
    assert model(torch.zeros(2, 1)).shape == (2, 1)


def test_match_parameters_picks_the_closest_width():
    counts = {w: (1 * w + w) + (w * 1 + 1) for w in range(1, 50)}  # MLP(1, w, 1, n_layers=1)
    budget = 100
    model = match_parameters(lambda w: MLP(1, w, 1, n_layers=1), budget, lo=1, hi=49)
    best = min(counts, key=lambda w: abs(counts[w] - budget))
    assert model.n_parameters == counts[best]


def test_match_parameters_errors():
    factory = partial(MLP, 1, out_features=1, n_layers=1)
    with pytest.raises(ValueError, match="hi=8.*budget=100000.*Widen"):
        match_parameters(factory, 100_000, over="hidden_features", hi=8)
    with pytest.raises(ValueError, match="budget=0"):
        match_parameters(factory, 0, over="hidden_features")
    with pytest.raises(ValueError, match="lo=9 is larger than hi=3"):
        match_parameters(factory, 50, over="hidden_features", lo=9, hi=3)
