"""Training a chapter's networks a few per process: the limit stops a process, the next one resumes."""

import re
import subprocess
import sys

import keras
import pytest

from speechbook import pretrain, train


def test_a_process_stops_at_its_limit_and_the_next_finds_its_networks_saved(monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path))
    fits = []

    def fit() -> train.Trained:
        fits.append(1)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        return train.Trained(model, {"loss": [1.0]}, 0.5)

    def chapter() -> None:  # a chapter asking for three networks
        for k in "abc":
            train.cached("toy", k, fit, train.RECIPES["2018"])

    train.limit_networks(2)
    with pytest.raises(train.NetworkLimit, match="toy-c.keras is left for the next process"):
        chapter()
    assert len(fits) == 2
    train.limit_networks(2)  # the next process: a and b come from the cache, c is trained and nothing is left
    chapter()
    train.limit_networks(None)
    assert len(fits) == 3 and sorted(p.name for p in (tmp_path / "models").glob("*.keras")) == [
        "toy-a.keras", "toy-b.keras", "toy-c.keras"]
    chapter()
    assert len(fits) == 3
    found = train.cached("toy", "a", fit, train.RECIPES["2018"])  # found on disk, loaded only when read
    assert "model" not in vars(found) and found.history == {"loss": [1.0]} and found.parameters == 3
    assert found.model.count_params() == 3 and "model" in vars(found)


def test_loading_a_saved_network_counts_against_the_limit_too(monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    for k in "ab":
        train.cached("toy", k, lambda: train.Trained(model), train.RECIPES["2018"])
    a, b = (train.cached("toy", k, lambda: pytest.fail("retrained"), train.RECIPES["2018"]) for k in "ab")
    train.limit_networks(1)
    try:
        assert a.model.count_params() == 3
        with pytest.raises(train.NetworkLimit, match="toy-b.keras is left for the next process"):
            b.model
    finally:
        train.limit_networks(None)


def test_until_done_reruns_a_command_that_asks_for_it_and_reports_a_failure(tmp_path, capsys):
    count = tmp_path / "runs"
    script = (f"import pathlib, sys; p = pathlib.Path({str(count)!r}); n = len(p.read_text()) if p.exists() else 0; "
              f"p.write_text('x' * (n + 1)); print('noise'); print({pretrain.PROGRESS!r} + f'run {{n}}'); "
              f"sys.exit({pretrain.RESTART} if n < 2 else 0)")
    assert pretrain.until_done([sys.executable, "-c", script]) == 3
    assert capsys.readouterr().out == "process 1: run 0\nprocess 2: run 1\nprocess 3: run 2\n"  # no noise
    with pytest.raises(RuntimeError, match=r"(?s)exit status 1:\n.*ZeroDivisionError"):
        pretrain.until_done([sys.executable, "-c", "1 / 0"])


def test_the_launcher_leaves_tensorflow_out_of_the_kernel():
    probe = "import sys, speechbook.pretrain; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip() == "False"


def test_the_train_command_says_how_many_networks_each_process_trained(monkeypatch, tmp_path, capsys):
    from speechbook import data, gender
    from speechbook.__main__ import main

    monkeypatch.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setattr(data, "load", lambda name, fallback: None)
    monkeypatch.setattr(gender, "stores", lambda ds: ())

    def run_all() -> None:  # a chapter asking for three toy networks
        for k in "abc":
            train.cached("toy", k, lambda: train.Trained(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])),
                         train.RECIPES["2018"])

    monkeypatch.setattr(gender, "run_all", run_all)
    try:
        assert main(["train", "gender", "--per-process", "2"]) == pretrain.RESTART
        assert main(["train", "gender", "--per-process", "2"]) == 0
        assert main(["train", "gender", "--per-process", "2"]) == 0  # all cached: nothing to say
    finally:
        train.limit_networks(None)
    said = re.sub(r"in \d+ s", "in N s", capsys.readouterr().out)  # seconds vary with the machine's load
    assert said == f"{pretrain.PROGRESS}2 networks trained in N s\n{pretrain.PROGRESS}1 network trained in N s\n"
