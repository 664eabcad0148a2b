"""Q-RUN: the layer as a drop-in for nn.Linear, its spectrum, the network, seeds and errors."""

from __future__ import annotations

import doctest

import pytest
import torch
from torch import nn

from qlearn import fourier
from qlearn.ansatz import reuploading
from qlearn.models import (
    DRQC,
    QRUN,
    QRUNLayer,
    frequency_count,
    replace_linear,
    reupload_frequencies,
)
from qlearn.models import qrun as qrun_module

F64 = dict(dtype=torch.float64, device="cpu")


def test_doctests():
    result = doctest.testmod(qrun_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------------------------
# Drop-in replacement for nn.Linear


@pytest.mark.parametrize("observable", ["mlp", "multilinear"])
@pytest.mark.parametrize("shape", [(3,), (5, 3), (2, 4, 3), (2, 1, 4, 3)])
def test_any_leading_dimensions(observable, shape):
    layer = QRUNLayer(3, 6, observable=observable, seed=0)
    x = torch.randn(shape)
    y = layer(x)
    assert y.shape == (*shape[:-1], 6)
    flat = layer(x.reshape(-1, 3)).reshape(y.shape)
    torch.testing.assert_close(y, flat)


@pytest.mark.parametrize(("observable", "bias", "n"), [("mlp", True, 2), ("multilinear", False, 3)])
def test_parameter_count(observable, bias, n):
    d, k, h = 5, 4, 8
    layer = QRUNLayer(d, k, bias, n_reuploads=n, observable=observable, observable_hidden=h)
    linear = d * k + (k if bias else 0)
    obs = (2 * n * h + h + h * h + h + h + 1) if observable == "mlp" else 3**n
    assert layer.n_parameters == linear + n + obs
    fixed = QRUNLayer(d, k, bias, n_reuploads=n, observable=observable, train_scales=False)
    assert fixed.n_parameters == layer.n_parameters - n
    assert "scales" in dict(fixed.named_buffers())


def test_multilinear_forward_is_the_readout_of_the_product_features():
    layer = QRUNLayer(2, 3, n_reuploads=3, observable="multilinear", seed=1, **F64)
    x = torch.randn(4, 5, 2, dtype=torch.float64)
    feats = layer.features(x)
    assert feats.shape == (4, 5, 3, 27)
    torch.testing.assert_close(layer(x), feats @ layer.readout, atol=1e-12, rtol=0)


def test_inside_an_mlp_trains_and_reaches_every_parameter():
    torch.manual_seed(0)
    net = nn.Sequential(QRUNLayer(4, 16), QRUNLayer(16, 16), nn.Linear(16, 2))
    x, y = torch.randn(64, 4), torch.randn(64, 2)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = nn.functional.mse_loss(net(x), y)
        loss.backward()
        losses.append(loss.item())
        opt.step()
    assert losses[-1] < losses[0]
    for name, p in net.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_as_a_cnn_head():
    torch.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
        QRUNLayer(4 * 2 * 2, 10, observable="multilinear"),
    )  # fmt: skip
    out = cnn(torch.randn(5, 3, 8, 8))
    assert out.shape == (5, 10)
    out.sum().backward()
    assert cnn[0].weight.grad is not None
    with pytest.raises(ValueError, match="torch.flatten"):
        cnn[-1](torch.randn(5, 4, 2, 2))


def test_inside_a_transformer_feed_forward():
    torch.manual_seed(0)
    block = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    replace_linear(block, ["linear1", "linear2"], n_reuploads=3, seed=0)
    assert isinstance(block.linear1, QRUNLayer) and isinstance(block.linear2, QRUNLayer)
    assert isinstance(block.self_attn.out_proj, nn.Linear)  # attention left alone
    x = torch.randn(3, 5, 8)
    out = block(x)
    out.square().mean().backward()
    assert block.linear1.scales.grad is not None and block.linear2.linear.weight.grad is not None
    block.eval()
    with torch.no_grad():  # would take the fused fast path that bypasses linear1/linear2
        fast = block(x)
    torch.testing.assert_close(fast, block(x).detach())
    encoder = nn.TransformerEncoder(block, num_layers=2, enable_nested_tensor=False).eval()
    with torch.no_grad():
        assert encoder(x).shape == x.shape


def test_replace_linear_defaults_to_plain_linear_layers():
    net = nn.Sequential(
        nn.Linear(3, 4, bias=False), nn.ReLU(), nn.Linear(4, 2, dtype=torch.float64)
    )
    replace_linear(net, observable="multilinear")
    assert [type(m).__name__ for m in net] == ["QRUNLayer", "ReLU", "QRUNLayer"]
    assert net[0].linear.bias is None and net[2].readout.dtype == torch.float64
    with pytest.raises(ValueError, match="names="):
        replace_linear(nn.Sequential(nn.ReLU()))


# --------------------------------------------------------------------------------------------
# Spectrum


def _support(coeffs: torch.Tensor, degree: int, tol: float = 1e-9) -> list[int]:
    k = torch.arange(-degree, degree + 1)
    return [int(kk) for kk, c in zip(k, coeffs, strict=True) if c.abs() > tol]


def _unit_weights(layer: QRUNLayer, w) -> QRUNLayer:
    with torch.no_grad():
        layer.linear.weight.copy_(torch.as_tensor(w, dtype=torch.float64))
    return layer


@pytest.mark.parametrize(
    ("scales", "count"), [([1, 3, 9], 27), ([2, 5, 11], 27), ([1, 2, 3], 13), ([1, 1, 1], 7)]
)
def test_multilinear_spectrum_is_exactly_the_predicted_one(scales, count):
    """Along one input the unit contains exactly the frequencies sum_i m_i s_i."""
    predicted = reupload_frequencies(scales)
    assert len(predicted) == count
    layer = QRUNLayer(1, 2, n_reuploads=3, observable="multilinear", scales=scales, seed=3, **F64)
    _unit_weights(layer, [[1.0], [-1.0]])
    degree = 30
    for unit in range(2):
        c = fourier.coefficients(layer, degree=degree, output=unit)
        assert _support(c, degree) == [int(f) for f in predicted]
        inside = c[[int(f) + degree for f in predicted]]
        assert inside.abs().min() > 1e-6  # random readout: every allowed coefficient is used


def test_along_one_input_frequencies_scale_with_its_weight():
    layer = QRUNLayer(2, 1, n_reuploads=2, observable="multilinear", seed=0, **F64)
    _unit_weights(layer, [[2.0, 0.7]])
    f = lambda t: layer(torch.cat([t, torch.full_like(t, 0.3)], dim=1))  # noqa: E731
    c = fourier.coefficients(f, degree=12)
    assert _support(c, 12) == [2 * int(w) for w in reupload_frequencies([1, 3])]


def test_multilinear_spectrum_matches_the_circuit_spectrum():
    for scales in ([1.0, 3.0, 9.0], [1.0, 2.0], [0.5, 1.5, 2.0]):
        circuit = reuploading(1, 1, len(scales), scaling=scales)
        assert fourier.spectrum(circuit)[0] == reupload_frequencies(scales)


def test_a_reuploading_circuit_lies_in_the_multilinear_span():
    """Any single-qubit circuit R(s_1 x) ... R(s_n x) is a readout of the 3^n features."""
    scales = [1.0, 3.0, 9.0]
    circuit = DRQC(1, 1, 3, scaling=scales, seed=7, **F64)
    layer = QRUNLayer(1, 1, n_reuploads=3, observable="multilinear", scales=scales, **F64)
    with torch.no_grad():
        layer.linear.weight.fill_(1.0)
        layer.linear.bias.zero_()
    x = torch.linspace(-3, 3, 200, dtype=torch.float64)[:, None]
    y = circuit(x)
    feats = layer.features(x)[:, 0]
    w = torch.linalg.lstsq(feats.detach(), y).solution
    with torch.no_grad():
        layer.readout.copy_(w[:, 0])
    torch.testing.assert_close(layer(x), y, atol=1e-10, rtol=0)


def test_mlp_observable_is_not_band_limited():
    layer = QRUNLayer(1, 1, n_reuploads=2, scales=[1, 3], seed=0, **F64)
    _unit_weights(layer, [[1.0]])
    degree = 40
    c = fourier.coefficients(layer, degree=degree, n_points=512)
    k = torch.arange(-degree, degree + 1)
    outside = c[k.abs() > max(reupload_frequencies([1, 3]))]
    assert outside.abs().max() > 1e-6


def test_frequency_vectors_in_two_inputs():
    """One unit: 3^n vectors on the line of its weights; 4 units + readout: all 3^(d n)."""
    one = QRUNLayer(2, 1, n_reuploads=1, observable="multilinear", scales=[1.0], seed=0, **F64)
    _unit_weights(one, [[1.0, 2.0]])
    c = fourier.coefficients(one, degree=3, n_inputs=2)
    vectors = {(i - 3, j - 3) for i, j in (c.abs() > 1e-9).nonzero().tolist()}
    assert vectors == {(0, 0), (1, 2), (-1, -2)}

    layer = QRUNLayer(2, 4, n_reuploads=1, observable="multilinear", scales=[1.0], seed=0, **F64)
    _unit_weights(layer, [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
    readout = nn.Linear(4, 1, **F64)
    net = nn.Sequential(layer, readout)
    c = fourier.coefficients(net, degree=3, n_inputs=2)
    assert int((c.abs() > 1e-9).sum()) == frequency_count(1, in_features=2) == 9


# --------------------------------------------------------------------------------------------
# Network, seeds, devices


def test_qrun_network():
    net = QRUN(2, 8, 3, n_layers=3, observable="multilinear", n_reuploads=2, seed=0)
    assert net(torch.randn(4, 2)).shape == (4, 3)
    assert net(torch.randn(2, 4, 2)).shape == (2, 4, 3)
    layer = 2 * 8 + 8 + 2 + 9, 8 * 8 + 8 + 2 + 9
    assert net.n_parameters == layer[0] + 2 * layer[1] + 8 * 3 + 3
    one = QRUN(1, 4, 1, seed=0)
    assert one(torch.linspace(0, 1, 7)).shape == (7, 1)


@pytest.mark.parametrize("observable", ["mlp", "multilinear"])
def test_same_seed_same_numbers_and_global_generator_untouched(observable):
    x = torch.randn(6, 3)
    state = torch.get_rng_state()
    a = QRUN(3, 8, 2, observable=observable, scales="normal", seed=5)
    b = QRUN(3, 8, 2, observable=observable, scales="normal", seed=5)
    c = QRUN(3, 8, 2, observable=observable, scales="normal", seed=6)
    assert torch.equal(torch.get_rng_state(), state)
    torch.testing.assert_close(a(x), b(x), atol=0, rtol=0)
    assert not torch.allclose(a(x), c(x))
    torch.manual_seed(11)
    d = QRUNLayer(3, 2, observable=observable)
    torch.manual_seed(11)
    e = QRUNLayer(3, 2, observable=observable)
    torch.testing.assert_close(d(x), e(x), atol=0, rtol=0)


def test_dtype_and_scales_initialisations():
    layer = QRUNLayer(2, 2, n_reuploads=3, scales="linear", **F64)
    assert all(p.dtype == torch.float64 for p in layer.parameters())
    assert layer.scales.tolist() == [1.0, 2.0, 3.0]
    assert QRUNLayer(2, 2, n_reuploads=3).scales.tolist() == [1.0, 3.0, 9.0]
    assert QRUNLayer(2, 2, n_reuploads=2, scales="ones").frequencies() == [-2.0, -1, 0, 1, 2]
    assert QRUNLayer(2, 2, n_reuploads=2, scales=[0.5, 2.0]).scales.tolist() == [0.5, 2.0]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_same_seed_same_weights_on_gpu():
    cpu = QRUN(2, 8, 1, seed=0, **F64)
    gpu = QRUN(2, 8, 1, seed=0, dtype=torch.float64, device="cuda")
    for p, q in zip(cpu.parameters(), gpu.parameters(), strict=True):
        torch.testing.assert_close(p, q.cpu(), atol=0, rtol=0)
    x = torch.randn(16, 2, dtype=torch.float64)
    torch.testing.assert_close(cpu(x), gpu(x.cuda()).cpu(), atol=1e-12, rtol=0)


# --------------------------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(n_reuploads=0), "n_reuploads=0"),
        (dict(observable="tanh"), "observable='tanh'.*mlp"),
        (dict(scales="random"), "scales='random'.*exponential"),
        (dict(n_reuploads=2, scales=[1.0, 2.0, 3.0]), "scales has 3 values.*n_reuploads=2"),
        (dict(n_reuploads=9, observable="multilinear"), "n_reuploads=9.*observable='mlp'"),
        (dict(observable_hidden=0), "observable_hidden=0"),
        (dict(dtype=torch.int64), "dtype=torch.int64"),
        (dict(seed=1.5), "seed=1.5"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        QRUNLayer(3, 2, **kwargs)


def test_bad_inputs():
    layer = QRUNLayer(3, 2)
    with pytest.raises(ValueError, match=r"x has shape \(4, 5\).*in_features=3"):
        layer(torch.zeros(4, 5))
    with pytest.raises(ValueError, match="in_features=0"):
        QRUNLayer(0, 2)
    with pytest.raises(ValueError, match=r"x has shape \(4, 2\).*QRUN takes \(\.\.\., 3\)"):
        QRUN(3, 4, 1)(torch.zeros(4, 2))
    with pytest.raises(TypeError, match="n_reupload"):
        QRUN(3, 4, 1, n_reupload=2)
