"""Chapter 5 experiments (QRU) at tiny sizes: rows, parameter counts, metrics, seeds, folds,
observations, CLI, stored results and errors."""

from __future__ import annotations

import doctest
import json

import pytest
import torch

from qlearn.experiments import qru as E

TINY_CV = dict(seeds=[0], epochs=1, n_samples=40, folds=2)


# Tiny circuits: one torch thread (conftest's ``one_thread``) for every test here.
pytestmark = pytest.mark.usefixtures("one_thread")


def test_doctests():
    result = doctest.testmod(E, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.fixture(scope="module")
def wdbc():
    return E.run_wdbc(seeds=[0, 1], epochs=1, n_samples=40, folds=2)


def test_wdbc_rows(wdbc):
    assert wdbc.name == "wdbc" and wdbc.size == "custom" and wdbc.seeds == [0, 1]
    params = {r["model"]: r["n_parameters"] for r in wdbc.runs}
    assert params == {"qru": 35, "logistic": 31, "mlp": 65, "gru": 89}
    for row in wdbc.runs:
        assert len(row["fold_accuracies"]) == 2
        assert row["accuracy"] == pytest.approx(sum(row["fold_accuracies"]) / 2)
        assert 0 <= row["accuracy"] <= 1
    assert "leave-one-out" in wdbc.settings["protocol"]
    json.dumps(wdbc.to_dict())
    assert E.Result.from_dict(wdbc.to_dict()) == wdbc


def test_same_seed_same_numbers(wdbc):
    again = E.run_wdbc(seeds=[0, 1], epochs=1, n_samples=40, folds=2)
    assert again.runs == wdbc.runs


def test_folds_are_stratified_and_partition_the_data():
    y = torch.tensor([0] * 30 + [1] * 10)
    folds = E.stratified_folds(y, 5, seed=0)
    tests = torch.cat([te for _, te in folds])
    assert sorted(tests.tolist()) == list(range(40))
    for tr, te in folds:
        assert int(y[te].sum()) == 2 and len(te) == 8
        assert set(tr.tolist()).isdisjoint(te.tolist())
    with pytest.raises(ValueError, match="k=1"):
        E.stratified_folds(y, 1, seed=0)


def test_digits_and_ablation_rows():
    d = E.run_digits(**TINY_CV)
    assert [r["model"] for r in d.runs] == ["qru", "cnn", "gru", "qru_cnot"]
    a = E.run_ablation(**TINY_CV)
    assert a.name == "ablation"
    assert {r["model"]: r["n_parameters"] for r in a.runs} == {"qru": 132, "qru_cnot": 132}
    # same folds and seeds: the ablation's QRU is the digits QRU
    assert a.rows(model="qru")[0]["fold_accuracies"] == d.rows(model="qru")[0]["fold_accuracies"]


def test_oscillation_forecast_rows():
    r = E.run_oscillation(seeds=[0, 1], epochs=1, gru_epochs=2, gru_hidden=(2, 3))
    assert [(x["model"], x["seed"]) for x in r.runs] == [
        ("qru", 0), ("gru_h2", 0), ("gru_h3", 0), ("qru", 1), ("gru_h2", 1), ("gru_h3", 1),
    ]  # fmt: skip
    first = r.rows(model="qru")[0]
    assert len(first["forecast"]) == 2 and len(first["forecast"][0]) == 50
    assert "forecast" not in r.rows(model="qru")[1]
    assert all(x["test_mse"] > 0 and x["train_mse"] > 0 for x in r.runs)
    assert {x["model"]: x["n_parameters"] for x in r.runs}["qru"] == 72


def test_observations_quote_our_numbers_and_the_claims(wdbc):
    text = E.observations([wdbc])[0]
    assert text.startswith("wdbc (custom, 2 seeds): accuracy qru ")
    assert "The paper (leave-one-out): QRU 96.13%, logistic 97.89%" in text
    osc = E.Result("oscillation", "fast", {}, [0, 1], runs=[
        {"task": "o", "model": "qru", "seed": 0, "n_parameters": 72, "test_mse": 0.1},
        {"task": "o", "model": "qru", "seed": 1, "n_parameters": 72, "test_mse": 0.3},
        {"task": "o", "model": "gru_h2", "seed": 0, "n_parameters": 33, "test_mse": 0.5},
        {"task": "o", "model": "gru_h2", "seed": 1, "n_parameters": 33, "test_mse": 0.5},
        {"task": "o", "model": "gru_h7", "seed": 0, "n_parameters": 218, "test_mse": 0.01},
        {"task": "o", "model": "gru_h7", "seed": 1, "n_parameters": 218, "test_mse": 0.2},
    ])  # fmt: skip
    line = E.observations([osc])[0]
    assert "median forecast MSE QRU 0.2 (72 parameters)" in line
    assert "smallest GRU at least as good: gru_h7 (218 parameters)" in line


def test_cli_writes_json_and_loader_reads_it(tmp_path, capsys):
    E.main(["ablation", "--seeds", "0", "--epochs", "1", "--out", str(tmp_path)])
    assert "wrote" in capsys.readouterr().out
    r = E.load_result("ablation", tmp_path)
    assert r.name == "ablation" and r.settings["epochs"] == 1 and r.size == "custom"
    raw = json.loads((tmp_path / "ablation.json").read_text())
    assert raw["observations"][0].startswith("ablation (custom, 1 seed)")
    assert "C-SWAP minus CNOT block" in raw["observations"][0]


def test_stored_full_results_are_labelled():
    expected = {"oscillation": {"qru": 72}, "wdbc": {"qru": 35}, "digits": {"qru": 132}}
    for name, params in expected.items():
        path = E.RESULTS_DIR / f"{name}.json"
        if not path.exists():
            continue
        r = E.load_result(name)
        assert r.size == "full" and r.name == name and len(r.seeds) >= 3
        assert "protocol" in r.settings
        for model, count in params.items():
            assert {x["n_parameters"] for x in r.rows(model=model)} == {count}


@pytest.mark.parametrize(
    "call",
    [
        lambda: E.run_wdbc(seeds=[0], size="huge"),
        lambda: E.run_wdbc(seeds=[], epochs=1),
        lambda: E.run_wdbc(seeds=[0], epochs=0),
        lambda: E.run_wdbc(seeds=[0], foldz=3),
        lambda: E.run_digits(seeds=[0], models=("qru", "lstm")),
        lambda: E.load_result("no-such-result"),
    ],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_spread_reads_folds_and_the_ablation_per_seed():
    digits = E.load_result("digits")
    lines = E.spread([digits, E.load_result("oscillation")])
    assert len(lines) == 2  # the oscillation has no accuracy claim: no line
    qru = [a for r in digits.rows(model="qru") for a in r["fold_accuracies"]]
    assert f"qru {100 * min(qru):.0f}..{100 * max(qru):.0f}%" in lines[0]
    assert "from the paper's 98.05%" in lines[0]
    assert lines[1].startswith("digits ablation") and lines[1].count("points") == 1
    assert len(lines[1].split(": ")[1].split(", ")) == len(digits.seeds)
