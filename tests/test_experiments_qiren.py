"""Chapter 3 experiments (QIREN) at tiny sizes: rows, matching, metrics, seeds, CLI, errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from qlearn import data
from qlearn.experiments import qiren as E

TINY = dict(epochs=2, n_points=60)


@pytest.fixture(scope="module")
def signal():
    return E.run_signal(seeds=[0, 1], models=["qiren", "siren", "mlp"], **TINY)


def test_signal_rows_and_metrics(signal):
    r = signal
    assert r.name == "signal" and r.size == "custom" and r.seeds == [0, 1]
    assert [row["model"] for row in r.runs[:4]] == ["target", "qiren", "siren", "mlp"]
    target = r.runs[0]["prediction"]
    _, y = data.audio_like_signal(60, seed=0)
    assert np.allclose(target, y.numpy(), atol=1e-4)
    for row in r.runs[1:]:
        assert row["psnr"] == pytest.approx(E.psnr(row["mse"], 2.0))
        assert {"band_low", "band_mid", "band_high"} <= set(row)
        assert ("prediction" in row) == (row["seed"] == 0)
    budget = r.rows(model="qiren")[0]["n_parameters"]
    for row in r.runs[1:]:
        assert abs(row["n_parameters"] - budget) <= 0.1 * budget
    d = r.to_dict()
    json.dumps(d)
    assert E.Result.from_dict(d) == r


def test_same_seed_same_numbers(signal):
    again = E.run_signal(seeds=[0, 1], models=["qiren", "siren", "mlp"], **TINY)
    assert [row.get("mse") for row in again.runs] == [row.get("mse") for row in signal.runs]


def test_headline_and_observations(signal):
    rows = E.headline([signal])
    assert len(rows) == 1 and rows[0]["seeds"] == [0, 1]
    q = {row["seed"]: row["mse"] for row in signal.rows(model="qiren")}
    b = {row["seed"]: row["mse"] for row in signal.rows(model=rows[0]["best"])}
    assert rows[0]["reduction_mean"] == pytest.approx(np.mean([1 - q[s] / b[s] for s in q]))
    assert rows[0]["best"] in ("siren", "mlp")
    text = E.observations([signal])[0]
    assert "QIREN" in text and "35%" in text


def test_image_super_resolution_rows():
    r = E.run_image(seeds=[0], epochs=1, image_size=6, images=["coffee"], models=["qiren", "mlp"])
    models = [row["model"] for row in r.runs]
    assert models == ["target", "bicubic", "qiren", "mlp"]
    assert len(r.runs[0]["sr_image"]) == 12 * 12 and len(r.runs[0]["image"]) == 36
    for row in r.runs[1:]:
        assert row["sr_psnr"] == pytest.approx(E.psnr(row["sr_mse"]))
    h = E.headline([r])
    assert {x["metric"] for x in h} == {"mse", "sr_mse"} and all(x["best"] == "mlp" for x in h)


def test_ablation_and_noise_rows():
    a = E.run_ablation(seeds=[0], **TINY)
    assert [row["model"] for row in a.runs] == list(E.ABLATIONS)
    counts = {row["model"]: row["n_parameters"] for row in a.runs}
    assert counts["qiren"] > counts["no_linear"] > counts["neither"]
    assert counts["qiren"] > counts["no_batchnorm"] > counts["neither"]
    n = E.run_noise(seeds=[0], settings=["exact", "shots=100", "depol=0.01"], trajectories=2,
                    **TINY)  # fmt: skip
    mse = {row["model"]: row["mse"] for row in n.runs}
    assert set(mse) == {"exact", "shots=100", "depol=0.01"}
    assert mse["shots=100"] != mse["exact"] and mse["depol=0.01"] != mse["exact"]


def test_helpers():
    t = np.linspace(-1, 1, 500, endpoint=False)
    f, a = E.amplitude_spectrum(np.cos(2 * np.pi * 12 * t))
    assert f[np.argmax(a)] == pytest.approx(12.0) and a.max() == pytest.approx(0.5)
    y = torch.sin(2 * math.pi * 3 * torch.linspace(-1, 1, 400, dtype=torch.float64))
    assert E.band_errors(y, y)["low"] == 0.0
    assert E.band_errors(torch.zeros(400), y)["low"] == pytest.approx(1.0)
    g = E.sr_grid(32, 64)
    assert g.shape == (4096, 2)
    axis = g[::64, 0]
    # every second pixel-centre pair of the 64 grid straddles one centre of the 32 grid
    centres32 = torch.linspace(-1, 1, 32, dtype=torch.float64)
    torch.testing.assert_close((axis[0::2] + axis[1::2]) / 2, centres32)


def test_cli_writes_json(tmp_path):
    out = E.main(["ablation", "--seeds", "0", "--epochs", "1", "--out", str(tmp_path)])
    stored = json.loads((tmp_path / "ablation.json").read_text())
    assert stored["settings"]["epochs"] == 1 and "headline" in stored
    assert E.load_result("ablation", tmp_path).runs == out["ablation"]["runs"]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: E.run_signal(size="huge"), "size='huge'"),
        (lambda: E.run_signal(epochs=0), "epochs=0"),
        (lambda: E.run_signal(widths=3), "unknown size argument"),
        (lambda: E.run_signal(models=["mlp"]), "must include 'qiren'"),
        (lambda: E.run_image(images=["moon"]), "images="),
        (lambda: E.run_noise(settings=["loud"]), "unknown"),
        (lambda: E.matched_models(["kan"], 1, E.SIZES["signal"]["fast"]), "unknown model"),
        (lambda: E.load_result("nope"), "no stored result"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_merge_parts_run_in_parallel(tmp_path):
    kw = dict(epochs=1, image_size=4, models=["qiren", "mlp"])
    a = E.run_image(seeds=[0], images=["camera"], **kw)
    b = E.run_image(seeds=[0], images=["coffee"], **kw)
    for name, part in (("a", a), ("b", b)):
        (tmp_path / f"{name}.json").write_text(json.dumps(part.to_dict()))
    out = E.main(["merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--out",
                  str(tmp_path / "image.json")])  # fmt: skip
    merged = E.load_result("image", tmp_path)
    assert merged.settings["images"] == ["camera", "coffee"] and merged.seeds == [0]
    assert merged.runs == a.runs + b.runs and len(out["image"]["headline"]) == 4
    with pytest.raises(ValueError, match="parts of one experiment"):
        E.merge_results([a, E.run_ablation(seeds=[0], epochs=1, n_points=20)])
    with pytest.raises(ValueError, match="differ in setting 'epochs'"):
        E.merge_results([a, E.run_image(seeds=[0], images=["coffee"], **{**kw, "epochs": 2})])
