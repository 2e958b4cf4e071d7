"""Classifying new recordings: the recogniser, the command line and the recorder widget's Python side."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from speechbook import data, live, recognise
from speechbook.__main__ import main


@pytest.fixture(scope="module")
def offline_models(tmp_path_factory):
    """Recognisers trained on the synthetic corpus only, in a private artifacts folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SPEECHBOOK_DATA", "")
    mp.setenv("SPEECHBOOK_DOWNLOAD", "0")
    mp.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path_factory.mktemp("artifacts")))
    yield {task: recognise.recogniser(task) for task in recognise.TASKS}
    mp.undo()


def held_out(word: str) -> str:
    meta = data.load("corpus").meta
    return meta.query("word == @word and split == 'test'")["file"].iloc[0]


def test_recognisers_give_probabilities_over_their_labels(offline_models):
    for task, labels in [("digits", [str(d) for d in range(10)]), ("animals", ["bird", "cat", "dog"])]:
        p = offline_models[task](held_out("cat"))
        assert list(p.probabilities) == labels and p.label in labels
        assert np.isclose(sum(p.probabilities.values()), 1, atol=1e-4)
        assert p.stamp.shape == (32, 64) and "synthetic corpus" in offline_models[task].trained_on


def test_animal_head_hears_animals_of_unseen_voices(offline_models):
    words = ["bird", "cat", "dog"]
    meta = data.load("corpus").meta.query("split == 'test' and word in @words")
    right = [offline_models["animals"](f).label == w for f, w in zip(meta["file"], meta["word"])]
    assert np.mean(right) > 0.5  # chance is 1/3


def test_a_batch_gives_each_clip_the_answer_it_gets_alone(offline_models):
    words = data.load("corpus").meta.query("split == 'test'").drop_duplicates("word")
    files = words["file"].iloc[:6].tolist()  # zero to five
    together = offline_models["digits"].batch(files)
    assert [str(p.audio.path) for p in together] == files
    for path, p in zip(files, together):
        alone = offline_models["digits"](path)
        assert p.label == alone.label and np.array_equal(p.stamp, alone.stamp)
        assert np.allclose(list(p.probabilities.values()), list(alone.probabilities.values()), atol=1e-5)
    assert len({p.label for p in together}) > 1  # six words: not one answer for all


def test_cli_predict_and_bad_file(offline_models, tmp_path, capsys):
    assert main(["predict", held_out("dog"), "--task", "animals"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(held_out("dog") + ": ") and "%" in out
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert main(["predict", str(empty), "--task", "digits"]) == 1
    assert "empty.wav: the file is empty" in capsys.readouterr().err


def test_recorder_bytes_are_classified_by_every_network(offline_models, capsys):
    with open(held_out("seven"), "rb") as f:
        results = live.classify_bytes(f.read(), offline_models)
    assert set(results) == {"digits", "animals"}
    assert results["digits"].audio.sr == 16000
    plt.close("all")
    live.show(results)  # what the recorder shows: each network's answer, printed and as bars beside the stamp
    printed = capsys.readouterr().out
    stamp, *bars = plt.gcf().axes
    assert [ax.get_title() for ax in bars] == [
        f"{task}: {p.label} ({p.confidence:.0%})" for task, p in results.items()]
    assert all(title in printed for title in [ax.get_title() for ax in bars])
    assert [len(ax.patches) for ax in bars] == [10, 3]


def test_recorder_widget_syncs_wav_bytes():
    r = live.Recorder()
    assert r.wav == b"" and r.seconds == 1.5 and "getUserMedia" in r._esm
