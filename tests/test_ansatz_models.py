"""Re-uploading templates, DRQC and the Pérez-Salinas classifier, data generators, training."""

import math

import pytest
import torch

from qlearn.ansatz import exponential_scales, perez_salinas, reuploading
from qlearn.data import circle, evaluate_fourier, fourier_series, random_fourier_coefficients
from qlearn.models import DRQC, ReuploadingClassifier, n_parameters
from qlearn.models.drqc import class_targets
from qlearn.train import fit


@pytest.mark.parametrize(
    ("kwargs", "n_weights"),
    [
        (dict(in_features=1, n_qubits=1, n_layers=3), 4 * 3),
        (dict(in_features=1, n_qubits=3, n_layers=1), 2 * 9),
        (dict(in_features=2, n_qubits=2, n_layers=2, block="basic"), 3 * 2),
        (dict(in_features=1, n_qubits=2, n_layers=2, final_block=False, block_depth=2), 2 * 12),
        (dict(in_features=1, n_qubits=2, n_layers=2, trainable_scaling=True), 3 * 6 + 4),
    ],
)
def test_reuploading_sizes_and_pennylane_parity(kwargs, n_weights):
    """Every layout compiles, has the documented size, and equals its PennyLane twin."""
    c = reuploading(**kwargs)
    assert c.n_weights == n_weights
    module = c.module(dtype=torch.float64, seed=0)
    x = (
        torch.rand(
            5,
            kwargs["in_features"],
            dtype=torch.float64,
            generator=torch.Generator().manual_seed(1),
        )
        * 6
    )
    torch.testing.assert_close(module(x), module.to_pennylane()(x), atol=1e-12, rtol=0)


def test_exponential_scales_are_powers_of_three_per_feature():
    """The k-th encoding of each feature gets 3^k."""
    assert exponential_scales(3) == [1.0, 3.0, 9.0]
    c = reuploading(2, 2, 2, scaling="exponential", rotation="RZ")
    scales = [
        op.angles[0].terms[0].coeff for op in c.ops if op.name == "RZ" and op.angles[0].uses_input
    ]
    assert scales == [1.0, 1.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(in_features=0, n_qubits=1, n_layers=1), "in_features=0"),
        (dict(in_features=1, n_qubits=1, n_layers=1, rotation="RW"), "rotation='RW'"),
        (dict(in_features=1, n_qubits=1, n_layers=1, block="deep"), "block='deep'"),
        (dict(in_features=1, n_qubits=1, n_layers=1, entangler="swap"), "entangler='swap'"),
        (dict(in_features=1, n_qubits=2, n_layers=1, scaling=[1.0]), "scaling has 1 values"),
        (dict(in_features=1, n_qubits=1, n_layers=1, scaling="linear"), "scaling='linear'"),
        (dict(in_features=1, n_qubits=1, n_layers=1, out_features=2), "out_features=2"),
    ],
)
def test_reuploading_bad_arguments(kwargs, match):
    """Bad template arguments name themselves."""
    with pytest.raises(ValueError, match=match):
        reuploading(**kwargs)


def test_drqc_shapes_parameters_and_twin():
    """DRQC takes (B,) or (B, d), reports its size, and equals its PennyLane twin."""
    model = DRQC(1, 2, 2, out_features=2, seed=0, dtype=torch.float64)
    x = torch.linspace(0, 6, 7, dtype=torch.float64)
    assert model(x).shape == (7, 2)
    assert model.n_parameters == n_parameters(model) == 3 * 2 * 3
    torch.testing.assert_close(model(x), model.to_pennylane()(x), atol=1e-12, rtol=0)
    with pytest.raises(ValueError, match=r"x has shape \(7, 3\)"):
        model(torch.zeros(7, 3))


def test_drqc_same_seed_same_numbers():
    """Same seed, same weights and outputs on CPU."""
    x = torch.rand(4, 1, dtype=torch.float64)
    a = DRQC(1, 1, 2, seed=3, dtype=torch.float64)(x)
    b = DRQC(1, 1, 2, seed=3, dtype=torch.float64)(x)
    torch.testing.assert_close(a, b, atol=0, rtol=0)


def test_fourier_degree_needs_enough_reuploads():
    """A degree-2 series is out of reach of one re-upload and fitted by two (Schuld et al.)."""
    x, y, _ = fourier_series(degree=2, n_points=40, seed=1)
    losses = {}
    for layers in (1, 2):
        model = DRQC(1, 1, layers, seed=0, dtype=torch.float64)
        losses[layers] = fit(model, x, y, epochs=150, lr=0.1, progress=False).losses[-1]
    assert losses[1] > 1e-3 and losses[2] < losses[1] / 20


def test_perez_salinas_circuit_and_classifier():
    """Fidelities lie in [0, 1], match the Bloch-vector formula, and training lowers the cost."""
    assert perez_salinas(2, 3).n_weights == 3 * 3 + 3 * 2
    clf = ReuploadingClassifier(2, 3, n_classes=2, seed=0, dtype=torch.float64)
    x, y = circle(80, seed=0)
    fid = clf(x)
    assert fid.shape == (80, 2) and (fid >= -1e-12).all() and (fid <= 1 + 1e-12).all()
    torch.testing.assert_close(fid.sum(1), torch.ones(80, dtype=torch.float64))
    torch.testing.assert_close(fid, clf.to_pennylane()(x), atol=1e-12, rtol=0)
    before = clf.fidelity_loss(x, y).item()
    fit(clf, x, y, loss=lambda p, t: clf.fidelity_loss(x, y), epochs=30, lr=0.1, progress=False)
    assert clf.fidelity_loss(x, y).item() < before


@pytest.mark.parametrize("n_classes", [2, 3, 4, 6])
def test_class_targets_are_unit_and_distinct(n_classes):
    """Target Bloch vectors are unit vectors, pairwise distinct."""
    t = class_targets(n_classes)
    torch.testing.assert_close(t.norm(dim=1), torch.ones(n_classes, dtype=torch.float64))
    assert torch.cdist(t, t).add(torch.eye(n_classes)).min() > 0.5


def test_fourier_series_data():
    """Coefficients are conjugate-symmetric, the series is real and reproducible."""
    c = random_fourier_coefficients(3, seed=2)
    torch.testing.assert_close(c.flip(0), c.conj().resolve_conj())
    x, y, c2 = fourier_series(3, n_points=16, seed=2, scale=1.0)
    torch.testing.assert_close(c, c2)
    torch.testing.assert_close(y, evaluate_fourier(x, c))
    assert x[-1] < 2 * math.pi
    with pytest.raises(ValueError, match="degree=-1"):
        random_fourier_coefficients(-1)


def test_circle_is_balanced_and_seeded():
    """The default radius splits the square in two halves of equal area."""
    x, y = circle(4000, seed=0)
    assert abs(y.double().mean().item() - 0.5) < 0.03
    torch.testing.assert_close(circle(10, seed=5)[0], circle(10, seed=5)[0])


def test_fit_rejects_mismatched_data():
    """fit names the mismatch and unknown losses."""
    model = torch.nn.Linear(1, 1)
    with pytest.raises(ValueError, match="x has 3 rows but y has 2"):
        fit(model, torch.zeros(3, 1), torch.zeros(2), progress=False)
    with pytest.raises(ValueError, match="loss='l1'"):
        fit(model, torch.zeros(3, 1), torch.zeros(3), loss="l1", progress=False)
