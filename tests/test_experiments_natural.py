"""Chapter 6 experiments at tiny sizes: shapes, seeds, the MNIST path on written IDX files."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qlearn.experiments import natural as nat


def _write_idx(path, array: np.ndarray) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    path.write_bytes(header + array.tobytes())


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=460).astype(np.uint8)
    images = rng.integers(0, 60, size=(460, 28, 28)).astype(np.uint8)
    for i, lab in enumerate(labels):  # a bright bar whose row encodes the class
        images[i, 2 + 2 * lab : 4 + 2 * lab, 4:24] = 255
    _write_idx(tmp_path / "train-images-idx3-ubyte", images)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    return tmp_path


def test_quantumness_rows_summary_and_seeds():
    kw = dict(epochs=3, a_values=(0.0, 2.0), n_train=60, n_val=50)
    r = nat.run_quantumness(seeds=[0, 1], **kw)
    assert r.size == "custom" and len(r.runs) == 4
    assert {row["model"] for row in r.runs} == {"a=0", "a=2"}
    assert all(0 <= row["val_error"] <= 1 for row in r.runs)
    assert {"val_error_mean", "val_error_std"} <= set(r.summary[0])
    again = nat.run_quantumness(seeds=[0, 1], **kw)
    assert [row["val_error"] for row in r.runs] == [row["val_error"] for row in again.runs]
    best = nat.best_quantum(r)
    assert best[0]["best"] == 2.0 and best[0]["seeds"] == [0, 1] and best[0]["setting"] == "a"
    assert "a = 0" in nat.observations([r])[0]


def test_transition_has_g_c_per_width():
    r = nat.run_transition(seeds=[0], epochs=2, g_values=(0.05, 0.8, math.pi / 2), n_train=60)
    assert set(r.settings["g_c"]) == {"w=8", "w=16"}
    assert {row["g"] for row in r.runs} == {0.05, 0.8, math.pi / 2}
    assert any("g_c" in line for line in nat.observations([r]))
    best = nat.best_quantum(r)
    assert {b["setting"] for b in best} == {"g"} and best[0]["classical"] == math.pi / 2


def test_critical_angle():
    g = [0.1, 0.5, 1.0, 1.5]
    assert nat.critical_angle(g, [0.9, 0.7, 0.2, 0.1]) == pytest.approx(0.7)
    assert math.isnan(nat.critical_angle(g, [0.1, 0.1, 0.1, 0.1]))
    assert nat.transition_width(g, [0.9, 0.7, 0.2, 0.1]) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="fraction=1"):
        nat.critical_angle(g, [0.9, 0.7, 0.2, 0.1], fraction=1)
    with pytest.raises(ValueError, match="increase"):
        nat.critical_angle([0.5, 0.1], [0.9, 0.1])


def test_mnist_path_on_written_idx_files(mnist_dir):
    r = nat.run_mnist(seeds=[0], mnist_dir=mnist_dir, n_train=30, n_val=20, epochs=20,
                      a_values=(0.0, 1.0), image_size=7)  # fmt: skip
    assert r.name == "mnist" and len(r.runs) == 2
    assert r.runs[0]["n_parameters"] == 49 * 16 + 16 + 2 * (16 * 16 + 16) + 16 * 10 + 10
    assert min(row["train_error"] for row in r.runs) < 0.5  # the bars are learnable


def test_mnist_missing_is_a_clear_skip(tmp_path, capsys):
    with pytest.raises(nat.MnistMissing, match="mnist_dir=None"):
        nat.run_mnist()
    with pytest.raises(nat.MnistMissing, match="train-images-idx3-ubyte"):
        nat.run_mnist(mnist_dir=tmp_path)
    out = nat.main(["mnist", "--seeds", "0", "--out", str(tmp_path)])
    assert out == {} and "skipped mnist" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_cli_writes_json(tmp_path, mnist_dir):
    nat.main(["mnist", "--seeds", "0", "--epochs", "2", "--mnist", str(mnist_dir),
              "--out", str(tmp_path / "m.json")])  # fmt: skip
    d = json.loads((tmp_path / "m.json").read_text())
    assert d["name"] == "mnist" and d["observations"] and d["settings"]["epochs"] == 2
    assert nat.load_result("m", tmp_path).runs == d["runs"]


def test_bad_sizes_raise():
    with pytest.raises(ValueError, match="size='huge'"):
        nat.run_quantumness(size="huge")
    with pytest.raises(ValueError, match="unknown size argument"):
        nat.run_transition(widths_x=3)
    with pytest.raises(ValueError, match="epochs=0"):
        nat.run_quantumness(epochs=0)
    with pytest.raises(ValueError, match="exceeds"):
        nat.run_quantumness(n_train=5000, epochs=1)
    with pytest.raises(ValueError, match="no stored result"):
        nat.load_result("nope")
