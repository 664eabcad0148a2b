"""Chapter 4 experiments (Q-RUN) at fast size: shapes, matching, metrics, seeds, CLI, errors."""

from __future__ import annotations

import json
import math

import pytest
import torch

from qlearn.experiments import qrun as Q

TINY = dict(seeds=[0], epochs=3)


@pytest.fixture(scope="module")
def implicit():
    return Q.run_implicit(seeds=[0, 1], size="fast", epochs=20)


def test_metrics():
    assert Q.psnr(1e-2) == pytest.approx(20.0)
    assert Q.psnr(1e-2, peak=2.0) == pytest.approx(20 + 20 * math.log10(2))
    assert Q.psnr(0.0) == math.inf
    grid = torch.linspace(-10, 10, 4001, dtype=torch.float64)
    dx = float(grid[1] - grid[0])
    log_p = -0.5 * grid**2 - 0.5 * math.log(2 * math.pi)
    # KL(N(0,1) || N(1,1)) = 1/2; f need not be normalised
    assert Q.grid_kl(log_p, -0.5 * (grid - 1) ** 2 + 7.0, dx) == pytest.approx(0.5, rel=1e-6)
    # f = 0 everywhere: uniform on the grid, NLL = log(20 + dx) wherever the samples
    nll = Q.grid_nll(torch.zeros(2), torch.zeros(4001), dx)
    assert float(nll) == pytest.approx(math.log(20 + dx), rel=1e-6)


def test_matched_models_are_within_ten_percent():
    models = Q.matched_models(["qrun", "mlp", "siren", "ffn", "fan"], 2, 1, hidden=12, seed=0)
    budget = models["qrun"].n_parameters
    for m in models.values():
        assert abs(m.n_parameters - budget) <= 0.1 * budget


def test_implicit_fast_result(implicit):
    r = implicit
    assert r.name == "implicit" and r.size == "custom" and r.seeds == [0, 1]
    assert len(r.runs) == 2 * 2 * 5
    for row in r.runs:
        peak = 2.0 if row["task"] == "audio" else 1.0
        assert row["psnr"] == pytest.approx(Q.psnr(row["mse"], peak))
    d = r.to_dict()
    json.dumps(d)
    assert Q.Result.from_dict(d) == r
    assert {"qlearn", "torch", "numpy"} <= set(d["versions"])
    assert d["settings"]["epochs"] == 20 and d["settings"]["n_points"] == 300
    summary = {(s["task"], s["model"]): s for s in r.summary}
    assert summary[("audio", "qrun")]["n_seeds"] == 2


def test_headline_pairs_seeds(implicit):
    rows = Q.headline([implicit])
    assert [h["task"] for h in rows] == ["audio", "image"]
    for h in rows:
        ratios = [
            implicit.rows(h["task"], "mlp")[i]["mse"] / implicit.rows(h["task"], "qrun")[i]["mse"]
            for i in range(2)
        ]
        assert h["ratio_geomean"] == pytest.approx(math.sqrt(ratios[0] * ratios[1]), rel=1e-5)
        assert h["ratio_min"] == min(ratios) and h["seeds"] == [0, 1]


def test_same_seed_same_numbers():
    a = Q.run_drqc(**TINY).runs
    b = Q.run_drqc(**TINY).runs
    assert a == b
    assert {(r["task"], r["model"]) for r in a} == {
        (t, m) for t in ("1q", "nq") for m in ("qrun", "mlp", "fan")
    }


def test_fast_defaults_run_and_learn():
    d = Q.run_density(seeds=[0])  # the fast size, as the chapter runs it live
    assert d.size == "fast"
    for row in d.runs:
        assert row["kl"] > 0 and math.isfinite(row["test_nll"])
        assert row["test_nll"] > row["true_nll"] - 0.1
    a = Q.run_ablation(seeds=[0])
    mse = {r["model"]: r["mse"] for r in a.runs}
    nfreq = {r["model"]: r["n_frequencies"] for r in a.runs}
    assert nfreq == {"single": 3, "copies": 7, "distinct": 27}
    assert mse["distinct"] < mse["single"] and mse["distinct"] < mse["copies"]


def test_dropin_replaces_hidden_layers():
    r = Q.run_dropin(**TINY)
    params = {(x["task"], x["model"]): x["n_parameters"] for x in r.runs}
    assert params[("digits", "linear")] < params[("digits", "qrun")]
    assert (
        abs(params[("digits", "mlp")] - params[("digits", "qrun")])
        <= 0.15 * params[("digits", "qrun")]
    )
    assert all(0 <= x["accuracy"] <= 1 for x in r.rows("digits"))
    assert all(x["test_mse"] > 0 for x in r.rows("forecast"))


def test_cli_writes_json_and_loader_reads_it(tmp_path, capsys):
    Q.main(["ablation", "--seeds", "0", "--epochs", "2", "--out", str(tmp_path)])
    assert "wrote" in capsys.readouterr().out
    r = Q.load_result("ablation", tmp_path)
    assert r.name == "ablation" and r.settings["epochs"] == 2
    raw = json.loads((tmp_path / "ablation.json").read_text())
    assert raw["headline"] == []  # no MLP in the ablation


def test_stored_full_results_are_labelled():
    for name in Q.EXPERIMENTS:
        path = Q.RESULTS_DIR / f"{name}.json"
        if not path.exists():
            continue
        r = Q.load_result(name)
        assert r.size in ("full", "custom") and r.name == name and r.seconds > 0
        assert {"qlearn", "torch"} <= set(r.versions)


@pytest.mark.parametrize(
    "call",
    [
        lambda: Q.run_drqc(seeds=[0], size="huge"),
        lambda: Q.run_drqc(seeds=[], epochs=1),
        lambda: Q.run_drqc(seeds=[0.5], epochs=1),
        lambda: Q.run_drqc(seeds=[0], epochs=0),
        lambda: Q.run_drqc(seeds=[0], widht=3),
        lambda: Q.run_implicit(seeds=[0], epochs=1, signals=["video"]),
        lambda: Q.run_implicit(seeds=[0], epochs=1, models=["mlp"]),
        lambda: Q.matched_models(["qrun", "kan"], 1, 1),
        lambda: Q.load_result("no-such-result"),
    ],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()
