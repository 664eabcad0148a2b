"""QIREN (qlearn.models.qiren): parameter count, the PennyLane twin, ablations, errors."""

from __future__ import annotations

import pennylane as qml
import pytest
import torch

from qlearn.models import QIREN, QIRENLayer, qiren_circuit, qiren_parameter_count
from qlearn.sim import Noise

F64 = torch.float64


@pytest.mark.parametrize(
    "kw",
    [
        dict(in_features=1, out_features=1),
        dict(in_features=2, out_features=1),
        dict(in_features=3, out_features=2, width=5, n_hidden_layers=0, n_reuploads=3),
        dict(in_features=1, out_features=1, batchnorm=False),
        dict(in_features=2, out_features=1, linear=False, block_depth=1),
    ],
)
def test_parameter_count_formula(kw):
    kw = dict(kw)
    net = QIREN(kw.pop("in_features"), kw.pop("out_features"), seed=0, **kw)
    assert net.n_parameters == qiren_parameter_count(net.in_features, net.out_features, **kw)


def test_reference_defaults_have_649_parameters():
    net = QIREN(1, 1, seed=0)
    assert net.n_parameters == 649  # PAPERS.md: "about 649 parameters for 1-D input"
    assert net.circuit.n_qubits == 8 and len(net.layers) == 3
    assert net.layers[0].quantum.weights["block"].shape == (3, 2, 8, 3)


@pytest.mark.parametrize("n_qubits, n_reuploads, block_depth", [(3, 2, 2), (4, 3, 1), (1, 2, 2)])
def test_quantum_layer_matches_pennylane_torchlayer(n_qubits, n_reuploads, block_depth):
    torch.manual_seed(0)
    layer = QIRENLayer(2, n_qubits, n_reuploads, block_depth, seed=1, dtype=F64)
    twin = layer.torchlayer()  # PennyLane templates (StronglyEntanglingLayers), not our IR
    assert isinstance(twin, qml.qnn.TorchLayer) and twin.block.dtype == F64
    x = torch.randn(7, 2, dtype=F64)
    ours, ref = layer(x), twin(layer.angles(x))
    torch.testing.assert_close(ours, ref, atol=1e-10, rtol=0)
    gen = torch.Generator().manual_seed(3)
    coeff = torch.randn(ours.shape, generator=gen, dtype=F64)
    g_ours = torch.autograd.grad((coeff * ours).sum(), [layer.quantum.weights["block"],
                                                        layer.linear.weight])  # fmt: skip
    g_ref = torch.autograd.grad((coeff * ref).sum(), [twin.block, layer.linear.weight])
    for a, b in zip(g_ours, g_ref, strict=True):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=0)


def test_pennylane_twin_network_trains_alike():
    net = QIREN(1, 1, width=3, n_hidden_layers=1, seed=0, dtype=F64)
    twin = net.pennylane_twin()
    x = torch.linspace(-1, 1, 10, dtype=F64)
    out_a, out_b = net(x), twin(x)  # training mode: BatchNorm with batch statistics
    torch.testing.assert_close(out_a, out_b, atol=1e-10, rtol=0)
    out_a.square().sum().backward()
    out_b.square().sum().backward()
    ga = net.layers[1].quantum.weights["block"].grad
    torch.testing.assert_close(ga, twin.layers[1].quantum.block.grad, atol=1e-10, rtol=0)


def test_network_to_pennylane_matches():
    net = QIREN(1, 1, width=3, n_hidden_layers=1, seed=0, dtype=F64).eval()
    x = torch.linspace(-1, 1, 6, dtype=F64)
    torch.testing.assert_close(net(x), net.to_pennylane()(x), atol=1e-10, rtol=0)


def test_same_seed_same_numbers_and_seeds_differ():
    x = torch.linspace(-1, 1, 9)
    a, b, c = (QIREN(1, 1, width=3, seed=s)(x) for s in (0, 0, 1))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_ablations_change_the_layer():
    no_bn = QIRENLayer(1, 4, batchnorm=False, seed=0, dtype=F64)
    assert no_bn.norm is None
    x = torch.tensor([[0.3], [-0.2]], dtype=F64)
    torch.testing.assert_close(no_bn.angles(x), no_bn.linear(x))
    no_lin = QIRENLayer(2, 4, linear=False, batchnorm=False, seed=0, dtype=F64)
    assert no_lin.linear is None
    torch.testing.assert_close(no_lin.angles(torch.tensor([[1.0, 2.0]], dtype=F64)),
                               torch.tensor([[1.0, 2.0, 1.0, 2.0]], dtype=F64))  # fmt: skip


def test_angle_spectrum_is_integer_up_to_reuploads():
    from qlearn import fourier

    spec = fourier.spectrum(qiren_circuit(3, n_reuploads=3), inputs=[1])[1]
    assert spec == [float(k) for k in range(-3, 4)]


def test_noise_is_used_and_removed():
    net = QIREN(1, 1, width=3, n_hidden_layers=0, seed=0, dtype=F64).eval()
    x = torch.linspace(-1, 1, 20, dtype=F64)
    exact = net(x)
    net.set_noise(Noise(shots=50, seed=0))
    noisy = net(x)
    assert not torch.allclose(exact, noisy)
    net.set_noise(Noise(shots=50, seed=0))
    torch.testing.assert_close(net(x), noisy)  # same seed, same shots
    net.set_noise(None)
    torch.testing.assert_close(net(x), exact)


def test_trains_on_a_sine():
    x = torch.linspace(-1, 1, 64)
    y = torch.sin(3 * x)
    net = QIREN(1, 1, width=3, n_hidden_layers=1, seed=0)
    from qlearn.train import fit

    h = fit(net, x, y, epochs=60, lr=0.03, seed=0, progress=False)
    assert h.losses[-1] < 0.1 * h.losses[0]


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(width=0), "width=0 must be a positive integer"),
        (dict(n_hidden_layers=-1), "n_hidden_layers=-1"),
        (dict(n_reuploads=0), "n_reuploads=0"),
        (dict(noise="shots"), "noise has type str"),
    ],
)
def test_bad_arguments(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        QIREN(1, 1, **kw)


def test_bad_input_shape():
    with pytest.raises(ValueError, match="takes"):
        QIREN(2, 1, width=3)(torch.zeros(4, 3))


def test_calibrate_makes_eval_mode_match_training_mode():
    from qlearn.train import fit

    x = torch.linspace(-1, 1, 200, dtype=F64)
    net = QIREN(1, 1, width=3, n_hidden_layers=1, seed=0, dtype=F64)
    fit(net, x, torch.sin(4 * x), epochs=30, lr=0.03, seed=0, progress=False)
    with torch.no_grad():
        train_mode = net.train()(x)
        lagging = net.eval()(x)  # running averages from the training history
        net.calibrate(x)
        assert not net.training and net.layers[0].norm.momentum == 0.1
        calibrated = net(x)
    torch.testing.assert_close(calibrated, train_mode, atol=1e-12, rtol=0)
    assert (lagging - train_mode).abs().max() > 1e-3
