"""Chapter 2 library code: qlearn.experiments.reuploading (small sizes), its plots and widget."""

from __future__ import annotations

import doctest
import json
import math

import ipywidgets
import numpy as np
import pytest
import torch

from qlearn import fourier, plot, widgets
from qlearn.data import evaluate_fourier, fourier_series
from qlearn.experiments import reuploading as ru
from qlearn.models import ReuploadingClassifier

F64 = torch.float64


def test_doctests():
    result = doctest.testmod(ru, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


# --------------------------------------------------------------------------------------------
# The classifier


def test_fidelity_cost_matches_the_model_method():
    clf = ReuploadingClassifier(2, 3, 2, seed=0, dtype=F64, device="cpu")
    x = torch.rand(16, 2, dtype=F64, generator=torch.Generator().manual_seed(1)) * 2 - 1
    y = (x[:, 0] > 0).long()
    torch.testing.assert_close(ru.fidelity_cost(clf(x), y), clf.fidelity_loss(x, y))
    with pytest.raises(ValueError, match="labels"):
        ru.fidelity_cost(clf(x), y[:3])


def test_decision_grid_orientation_and_shapes():
    # class 1 where x1 > 0.5: rows (index i1) follow x1, columns follow x0
    model = lambda p: torch.stack([0.5 - p[:, 1], p[:, 1] - 0.5], dim=1)  # noqa: E731
    grid = ru.decision_grid(model, resolution=5, bounds=(-1.0, 1.0))
    assert grid["x0"].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert grid["label"].shape == (5, 5) and grid["scores"].shape == (5, 5, 2)
    assert grid["label"].tolist() == [[0] * 5] * 4 + [[1] * 5]
    # one output column: the sign decides
    grid = ru.decision_grid(lambda p: p[:, 0], resolution=3)
    assert grid["label"].tolist() == [[0, 0, 1]] * 3
    with pytest.raises(ValueError, match="resolution"):
        ru.decision_grid(model, resolution=0)
    with pytest.raises(ValueError, match="bounds"):
        ru.decision_grid(model, bounds=(1.0, -1.0))


def test_decision_grid_agrees_with_the_model_pointwise():
    clf = ReuploadingClassifier(2, 2, 2, seed=3, dtype=torch.float32, device="cpu")
    grid = ru.decision_grid(clf, resolution=7)
    i0, i1 = 2, 5
    point = torch.tensor([[grid["x0"][i0], grid["x1"][i1]]])
    with torch.no_grad():
        expected = clf(point).argmax(1).item()
    assert grid["label"][i1, i0].item() == expected
    assert grid["scores"].dtype == F64


def test_train_classifier_is_seeded_and_learns():
    a = ru.train_classifier(3, n_samples=120, epochs=40, seed=1)
    b = ru.train_classifier(3, n_samples=120, epochs=40, seed=1)
    assert a.history.losses == b.history.losses
    assert a.test_accuracy == b.test_accuracy
    assert a.history.losses[-1] < a.history.losses[0]
    assert len(a.x_train) == 90 and len(a.x_test) == 30
    row = a.row()
    assert row["n_parameters"] == 15 and 0 <= row["test_accuracy"] <= 1
    json.dumps(row)


def test_layer_sweep_and_summary():
    rows = ru.layer_sweep([1, 2], seeds=[0, 1], n_samples=60, epochs=5)
    assert [(r["n_layers"], r["seed"]) for r in rows] == [(1, 0), (1, 1), (2, 0), (2, 1)]
    summary = ru.summarise(rows)
    assert [s["n_layers"] for s in summary] == [1, 2]
    first = [r["test_accuracy"] for r in rows[:2]]
    assert summary[0]["test_accuracy_mean"] == pytest.approx(sum(first) / 2)
    assert summary[0]["n_runs"] == 2 and "seed_mean" not in summary[0]
    with pytest.raises(ValueError, match="non-empty"):
        ru.layer_sweep([], seeds=[0])


# --------------------------------------------------------------------------------------------
# Fourier series


def test_spectral_floor_is_the_best_truncation_error():
    x, y, c = fourier_series(4, n_points=40, seed=2)
    for max_frequency in range(6):
        kept = c.clone()
        k = torch.arange(-4, 5)
        kept[k.abs() > max_frequency] = 0
        mse = ((evaluate_fourier(x, kept) - y) ** 2).mean().item()
        assert ru.spectral_floor(c, max_frequency) == pytest.approx(mse, abs=1e-14)
    assert ru.spectral_floor(c, 4) == 0.0
    with pytest.raises(ValueError, match="2D\\+1"):
        ru.spectral_floor(torch.ones(4), 1)


def test_fit_series_reports_spectrum_floor_and_is_seeded():
    a = ru.fit_series(2, n_layers=1, epochs=60, seed=0)
    b = ru.fit_series(2, n_layers=1, epochs=60, seed=0)
    assert a.losses == b.losses
    assert a.spectrum == [-1.0, 0.0, 1.0] and a.max_frequency == 1.0
    assert a.floor == pytest.approx(ru.spectral_floor(a.coeffs, 1))
    assert a.loss >= a.floor - 1e-12  # nothing beats the floor
    pred = a.predict(a.x)
    assert pred.shape == a.x.shape
    assert ((pred - a.y) ** 2).mean().item() == pytest.approx(a.loss, rel=0.2)
    row = a.row()
    assert row["n_encodings"] == 1 and row["n_parameters"] == 6
    assert row["test_loss"] == pytest.approx(a.loss, rel=0.2)  # no aliasing: same error
    json.dumps(row)


def test_fit_series_restarts_keep_the_best():
    r = ru.fit_series(1, n_layers=1, epochs=20, restarts=3, seed=0)
    assert len(r.restart_losses) == 3 and r.loss == min(r.restart_losses)
    exp = ru.fit_series(1, n_qubits=2, scaling="exponential", epochs=2, seed=0)
    assert exp.max_frequency == 4.0 and exp.scaling == "exponential"
    with pytest.raises(ValueError, match="restarts"):
        ru.fit_series(1, restarts=0)


def test_test_loss_sees_what_the_samples_miss():
    # 13 frequencies, 10 samples: the fit passes through the samples, not through the target
    r = ru.fit_series(3, n_qubits=3, scaling="exponential", block_depth=2, n_points=10,
                      epochs=200, seed=0)  # fmt: skip
    assert r.max_frequency == 13.0
    assert r.loss < 1e-4 and r.test_loss() > 100 * r.loss
    with pytest.raises(ValueError, match="n_points"):
        r.test_loss(0)


def test_fit_sweep_fails_below_the_degree_and_fits_at_it():
    rows = ru.fit_sweep(2, [1, 2], epochs=150, seed=0)
    low, enough = rows
    assert low["floor"] > 1e-3 and low["loss"] == pytest.approx(low["floor"], rel=0.05)
    assert enough["floor"] == 0.0 and enough["loss"] < 1e-4
    assert len(low["losses"]) == 150


def test_cli_writes_json(tmp_path, capsys):
    out = tmp_path / "sweep.json"
    ru.main(["fourier", "--degree", "1", "--layers", "1", "--epochs", "3", "--restarts", "1",
             "--out", str(out)])  # fmt: skip
    data = json.loads(out.read_text())
    assert data["experiment"] == "reuploading.fourier" and len(data["runs"]) == 1
    result = ru.main(["classifier", "--layers", "1", "--seeds", "0", "--samples", "40",
                      "--epochs", "2"])  # fmt: skip
    assert result["summary"][0]["n_layers"] == 1
    assert '"experiment": "reuploading.classifier"' in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# Plots


def test_decision_regions_plot():
    grid = ru.decision_grid(lambda p: p[:, 0], resolution=11)
    x = torch.rand(20, 2, dtype=F64) * 2 - 1
    fig = plot.decision_regions(grid, x, (x[:, 0] > 0).long(), boundary_radius=0.5, title="t")
    ax = fig.axes[0]
    assert ax.get_title() == "t" and len(ax.collections) >= 2 and len(ax.lines) == 1
    with pytest.raises(ValueError, match="decision_grid"):
        plot.decision_regions({**grid, "label": grid["label"][:3]})
    with pytest.raises(ValueError, match="\\(n, 2\\)"):
        plot.decision_regions(grid, torch.zeros(5))


def test_spectrum_plot_shades_the_accessible_frequencies():
    c = torch.tensor([0.1, 0.2j, 0.3, -0.2j, 0.1], dtype=torch.complex128)
    fig = plot.spectrum({"a": c, "b": c / 2}, accessible=[-1.0, 0.0, 1.0, 7.0])
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches if p.get_width() < 0.5]
    np.testing.assert_allclose(sorted(heights)[-1], 0.3)
    shaded = [p for p in ax.patches if p.get_width() == pytest.approx(1.0)]
    assert len(shaded) == 3  # frequency 7 lies outside the plotted range
    with pytest.raises(ValueError, match="2D\\+1"):
        plot.spectrum(torch.ones(4))
    with pytest.raises(ValueError, match="different lengths"):
        plot.spectrum({"a": c, "b": c[:3]})


def test_coefficient_cloud_loss_sweep_and_series_fit_plots():
    from qlearn.ansatz import reuploading

    cloud = fourier.coefficient_cloud(reuploading(1, 1, 2), 10, 3, seed=0, device="cpu")
    fig = plot.coefficient_cloud(cloud, title="clouds")
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match="complex"):
        plot.coefficient_cloud(cloud.real)
    with pytest.raises(ValueError, match="degree"):
        plot.coefficient_cloud(cloud, frequencies=[5])
    rows = [{"n_layers": 1, "loss": 0.1, "floor": 0.1}, {"n_layers": 2, "loss": 0.0, "floor": 0}]
    fig = plot.loss_sweep(rows, degree=2)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 3  # loss, floor (one point), degree
    with pytest.raises(ValueError, match="empty"):
        plot.loss_sweep([])
    x = torch.linspace(0, 1, 9)
    fig = plot.series_fit(x, {"target": x, "fit": x**2}, points=(x[::2], x[::2]), title="f")
    assert len(fig.axes[0].lines) == 3 and fig.axes[0].get_title() == "f"


# --------------------------------------------------------------------------------------------
# The spectrum explorer


def test_spectrum_view_serial_parallel_and_exponential():
    view = widgets.spectrum_view(1, 2, 3, epochs=5)
    assert view["spectrum"] == [-2.0, -1.0, 0.0, 1.0, 2.0] and view["n_encodings"] == 2
    assert view["k"].tolist() == [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
    assert view["model_coeffs"].shape == view["target_coeffs"].shape == (7,)
    assert view["model_coeffs"][[0, 6]].abs().max() < 1e-10  # nothing outside the spectrum
    _, _, c = fourier_series(3, n_points=32, seed=0)
    assert view["floor"] == pytest.approx(ru.spectral_floor(c, 2))
    assert view["target"].shape == view["fit"].shape == view["x_fine"].shape
    parallel = widgets.spectrum_view(2, 1, 3, epochs=2)
    assert parallel["spectrum"] == view["spectrum"]
    exp = widgets.spectrum_view(2, 1, 3, exponential=True, epochs=2)
    assert exp["max_frequency"] == 4 and exp["floor"] == 0.0
    assert exp["k"].shape == (9,)


def test_spectrum_view_model_coefficients_are_its_function():
    view = widgets.spectrum_view(1, 1, 1, epochs=3)
    k = view["k"]
    phases = torch.exp(1j * view["x_fine"][:, None] * k)
    rebuilt = (phases * view["model_coeffs"]).sum(1).real
    torch.testing.assert_close(rebuilt, view["fit"], atol=1e-10, rtol=0)


def test_spectrum_view_errors():
    with pytest.raises(ValueError, match="n_qubits"):
        widgets.spectrum_view(0, 1, 1)
    with pytest.raises(ValueError, match="n_layers"):
        widgets.spectrum_view(1, 9, 1)
    with pytest.raises(ValueError, match="degree"):
        widgets.spectrum_view(1, 1, -1)
    with pytest.raises(ValueError, match="n_points"):
        widgets.spectrum_view(1, 1, 20, n_points=8)


def test_spectrum_figure_and_explorer():
    fig = widgets.spectrum_figure(1, 1, 2)
    assert isinstance(fig, plot.Figure) and len(fig.axes) == 2
    w = widgets.spectrum_explorer()
    assert isinstance(w, ipywidgets.interactive) and isinstance(w.result, plot.Figure)
    controls = [c for c in w.children if isinstance(c, ipywidgets.widgets.ValueWidget)]
    assert len(controls) == 4
    controls[0].value = 2  # moving a slider re-runs the pure function
    assert isinstance(w.result, plot.Figure)
    assert not math.isnan(widgets.spectrum_view(1, 1, 1, epochs=0)["floor"])
