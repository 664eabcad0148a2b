"""Chapter 7 experiments at a tiny size: structure, seeds, stored model round trip."""

from __future__ import annotations

import pytest
import torch

from qlearn.experiments import hardware as ex

TINY = {"n_samples": 40, "epochs": 3, "n_test": 6}


def test_shots_sweep_follows_the_shot_noise_law():
    res = ex.shots_sweep(seeds=[0], shots=[20, 20000], **TINY)
    low, high = res["runs"]
    assert (low["shots"], high["shots"]) == (20, 20000) and low["rmse"] > high["rmse"]
    for r in res["runs"]:
        assert 0.3 < r["rmse"] / r["expected_rmse"] < 3
    assert res["summary"][0]["n_seeds"] == 1 and "torch" in res["versions"]


def test_noise_sweep_rows_and_stronger_noise_hurts():
    res = ex.noise_sweep(seeds=[1], scales=[0.0, 8.0], noise_shots=4000, **TINY)
    raw = {r["scale"]: r["rmse"] for r in res["runs"] if r["method"] == "raw"}
    assert raw[8.0] > raw[0.0]
    assert {r["method"] for r in res["runs"]} == {"raw", "readout", "readout+zne"}
    curve = ex.rows(res, "raw")
    assert curve["x"] == [0.0, 8.0] and len(curve["mean"]) == 2


def test_same_seed_same_numbers():
    a = ex.shots_sweep(seeds=[2], shots=[50], **TINY)["runs"]
    b = ex.shots_sweep(seeds=[2], shots=[50], **TINY)["runs"]
    assert a == b


def test_model_roundtrip(tmp_path):
    model, x, _ = ex.trained_model(0, ex._size("fast", TINY))
    back = ex.load_model(ex.save_model(model, tmp_path / "m.json"))
    assert torch.allclose(back(x), model(x).to(torch.float64), atol=1e-12)
    with pytest.raises(ValueError, match="no stored model"):
        ex.load_model(tmp_path / "none.json")


def test_bad_sizes_and_seeds():
    with pytest.raises(ValueError, match="size="):
        ex.shots_sweep(size="huge")
    with pytest.raises(ValueError, match="unknown size argument"):
        ex.shots_sweep(epoch=3)
    with pytest.raises(ValueError, match="seeds="):
        ex.shots_sweep(seeds=[])


def test_fake_backend_runs_on_the_calibrated_snapshot():
    pytest.importorskip("qiskit_ibm_runtime")
    res = ex.fake_backend(seeds=[0], fake_shots=4000, **TINY)
    assert res["settings"]["target"] == ex.FAKE_TARGET == "fake:manila"
    assert res["reports"]["drqc_3q"]["fake"]["target"] == "fake:manila"
    rmse = {(r["model"], r["method"]): r["rmse"] for r in res["runs"]}
    assert rmse["classifier", "readout"] < rmse["classifier", "raw"]  # manila's read-out errors
