"""Female/male networks: shapes, a quick training run far above chance on unseen voices, the two baselines,
the command line's verdict, and the LSTM's gates computed by hand."""

from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest

from speechbook import gender, gender_nets, listen, rnn
from speechbook.__main__ import main
from speechbook.data import stand_in


def test_the_three_2019_networks_take_a_segment():
    norm = keras.layers.Normalization()
    for arch, build in gender_nets.ARCHITECTURES.items():
        model = build((55, 40), norm)
        assert model.output_shape == (None, 1), arch
    assert gender_nets.convnet_2019((55, 40), norm).count_params() == 32 * (8 * 4 + 1) + 16 * 12 * 32 + 1 + 81


def test_vote_averages_log_odds_so_a_sure_network_outweighs_hesitant_ones():
    # two clips, four networks: mean probability says female for the first (0.3975), log-odds say male
    p = gender.vote([np.array([0.99, 0.5]), np.array([0.2, 0.5]), np.array([0.2, 0.5]), np.array([0.2, 0.9])])
    assert p.shape == (2,)
    assert p[0] > 0.5 and p[1] > 0.5
    assert gender.vote([np.array([0.8, 0.1])]) == pytest.approx([0.8, 0.1])
    assert gender.vote([np.array([0.0, 1.0]), np.array([1.0, 0.0])]) == pytest.approx([0.5, 0.5])


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    """The corpus standing in for LibriSpeech: 8 training voices in 3 folds, 2 held-out voices as test-other."""
    import os

    os.environ["SPEECHBOOK_ARTIFACTS"] = str(tmp_path_factory.mktemp("artifacts"))
    ds = stand_in("librispeech-gender")
    yield ds, *gender.stores(ds)
    del os.environ["SPEECHBOOK_ARTIFACTS"]


def test_folds_are_by_speaker_and_balanced(experiment):
    _, clean, _, folds = experiment
    sexes = dict(clean.query("SELECT speaker, gender FROM utterances"))

    def assert_balanced(folds: dict[str, int], k: int) -> None:
        for fold in range(k):
            counts = [sum(1 for sp, f in folds.items() if f == fold and sexes[sp] == g) for g in gender.LABELS]
            assert abs(counts[0] - counts[1]) <= 1

    assert sorted(set(folds.values())) == [0, 1, 2]
    training = {sp for (sp,) in clean.query("SELECT speaker FROM utterances WHERE split = ?", (gender.TRAIN,))}
    assert set(folds) == training  # every training speaker in exactly one fold, no test-other speaker
    assert_balanced(folds, 3)
    _, rest = gender.fold_speakers(folds, 0)
    inner = gender.speaker_folds(clean, k=2, seed=1, among=rest)  # validation folds inside fold 0's training voices
    assert set(inner) == set(rest) and sorted(set(inner.values())) == [0, 1]
    assert_balanced(inner, 2)


def test_quick_training_beats_chance_on_unseen_voices(experiment):
    ds, clean, copies, folds = experiment
    result = gender.run_fold(gender.Recipe("ConvNet", epochs=6), clean, copies, folds, fold=0)
    assert gender.summary(result.other)["clips"] > 0.8  # chance is 0.5; these two voices were never heard
    assert len(result.trained.history["val_accuracy"]) == 6
    assert result.other.attrs["parameters"] == result.trained.model.count_params()
    again = gender.run_fold(gender.Recipe("ConvNet", epochs=6), clean, copies, folds, fold=0)
    assert again.trained.seconds == result.trained.seconds  # from the cache, not retrained
    assert "model" not in vars(again.trained)  # nor loaded: its scores are cached too
    pd.testing.assert_frame_equal(again.held_out, result.held_out)
    assert again.other.attrs == result.other.attrs


def test_networks_are_keyed_on_their_own_code_not_the_chapters_tables(experiment, tmp_path, monkeypatch):
    _, clean, copies, folds = experiment
    speakers = gender.fold_speakers(folds, 0)[1]
    before = gender_nets._key(gender.BEST, clean, copies, speakers)
    for module in (gender, gender_nets):  # the same code with one more line of it
        edited = tmp_path / f"{module.__name__}.py"
        edited.write_text(Path(module.__file__).read_text() + "EDITED = True\n")
        monkeypatch.setattr(module, "__file__", str(edited))
        assert (gender_nets._key(gender.BEST, clean, copies, speakers) == before) == (module is gender), module.__name__
    assert gender_nets._key(gender.workshop("LSTM"), clean, copies, speakers) != before


def test_an_architecture_a_notebook_registers_is_keyed_by_its_code_not_its_name(experiment, monkeypatch):
    _, clean, copies, folds = experiment
    speakers, recipe = gender.fold_speakers(folds, 0)[1], gender.workshop("mine")
    monkeypatch.setitem(gender_nets.ARCHITECTURES, "mine", gender_nets.lstm_2019)
    first = gender_nets._key(recipe, clean, copies, speakers)
    monkeypatch.setitem(gender_nets.ARCHITECTURES, "mine", gender_nets.convnet_2019)  # rewritten, same name
    assert gender_nets._key(recipe, clean, copies, speakers) != first


def test_an_augmented_recipe_trains_on_its_copies_too_and_is_keyed_by_how_they_were_made(experiment, monkeypatch):
    ds, clean, _, folds = experiment
    speakers = gender.fold_speakers(folds, 0)[1]
    assert gender.SHIFTED_BEST.name == "ConvNet+LSTM, whole clips + pitch shifts"
    read = []
    batches = gender_nets.store.batches
    monkeypatch.setattr(gender_nets.store, "batches", lambda parts, *a: read.append(parts) or batches(parts, *a))
    copies = gender.Copies(ds)
    assert list(copies) == list(gender.COPIES) and not copies.made
    gender_nets.fit(gender.Recipe("ConvNet", epochs=1, augment="pitch shifts"), clean, copies, speakers)
    assert list(copies.made) == ["pitch shifts"]  # the noisy copy is not made: no recipe asked for it
    (source, keys), (shifted, shifted_keys) = read[0]
    assert source is clean and shifted is copies["pitch shifts"]
    assert len(shifted_keys) > 3 * len(keys)  # four copies of every training clip, a few quiet segments dropped
    one_shift = gender.store.FeatureSpec(pitch_semitones=(4,))
    other = {**copies, "pitch shifts": gender.store_for(ds, one_shift, gender.TRAIN)}
    key = gender_nets._key(gender.SHIFTED_BEST, clean, copies, speakers)
    assert gender_nets._key(gender.SHIFTED_BEST, clean, other, speakers) != key
    plain = gender_nets._key(gender.BEST, clean, copies, speakers)
    assert gender_nets._key(gender.BEST, clean, other, speakers) == plain  # a recipe without copies ignores them


def test_pitch_probe_asks_again_about_every_held_out_clip_at_each_shift_and_is_cached(experiment, monkeypatch):
    ds, clean, copies, folds = experiment
    result = gender.run_fold(gender.Recipe("ConvNet", epochs=6), clean, copies, folds, fold=0)
    probe = gender.pitch_probe(ds, result, semitones=(-8, 0, 8))
    assert len(probe) == 3 * len(result.held_out) and probe["p_male"].between(0, 1).all()
    assert sorted(probe["speaker"].unique()) == sorted(result.held_out["speaker"].unique())
    resynthesised = probe[probe["semitones"] == 0].set_index("path")["p_male"]
    recorded = result.held_out.set_index("path")["p_male"].loc[resynthesised.index]
    assert np.mean((resynthesised > 0.5) == (recorded > 0.5)) > 0.9  # the vocoder alone changes few verdicts
    mean = probe.groupby(["gender", "semitones"])["p_male"].mean()
    assert mean["male", 8] < mean["male", 0] and mean["female", -8] > mean["female", 0]  # the shift reaches it
    monkeypatch.setattr(gender.formants, "shift_pitch", None)  # the second call reads the cache
    pd.testing.assert_frame_equal(gender.pitch_probe(ds, result, semitones=(-8, 0, 8)), probe)


def test_baselines_are_fitted_on_training_speakers_and_scored_per_clip(experiment):
    _, clean, _, folds = experiment
    pitch, pitch_other = gender.baseline_folds(gender.pitch_baseline, clean, folds)
    assert gender.summary(pitch_other[0])["clips"] > 0.8 and 100 < pitch[0].attrs["threshold_hz"] < 250
    voice, voice_other = gender.baseline_folds(gender.voice_baseline, clean, folds)
    held_out = {sp for sp, f in folds.items() if f == 0}
    assert set(voice[0]["speaker"]) == held_out and voice[0]["utterance"].is_unique
    assert voice[0].attrs["parameters"] == 2 * 40 + 1 and voice[0]["p_male"].between(0, 1).all()
    fit_on = [sp for sp, f in folds.items() if f]
    assert gender.summary(gender.voice_baseline(clean, fit_on, [gender.in_speakers(fit_on)])[0])["clips"] > 0.9
    assert np.mean([gender.summary(o)["clips"] for o in voice_other]) > 0.7  # five or six voices to learn from
    accuracy, cost = gender.compare([], {"pitch": (pitch, pitch_other), "voice": (voice, voice_other)})
    assert list(accuracy.index) == ["pitch", "voice"] and list(cost["parameters"]) == [2, 81]
    assert all(cell.count("\N{NO-BREAK SPACE}±\N{NO-BREAK SPACE}") == 1 for cell in accuracy["held-out clips %"])


def test_wrong_speakers_are_listed_per_model_and_played(experiment, capsys, monkeypatch):
    ds, clean, _, folds = experiment
    held, other = gender.baseline_folds(gender.pitch_baseline, clean, folds)
    flipped = [t.assign(correct=~t["correct"]) for t in held]  # every verdict turned round
    right = [t.assign(correct=True) for t in held]
    table = gender.wrong_speakers([], {"pitch": (held, other), "right": (right, other), "flipped": (flipped, other)})
    clips = pd.concat(held)
    assert list(table.index) == ["pitch", "right", "flipped"]
    assert table.loc["right"].tolist() == [0, ""]  # a model without errors keeps its row
    assert table.loc["pitch", "clips wrong"] == (~clips["correct"]).sum()
    assert table.loc["flipped", "clips wrong"] == clips["correct"].sum()
    assert table.loc["flipped", "speakers"] == ", ".join(sorted(clips.loc[clips["correct"], "speaker"]))
    players = []
    monkeypatch.setattr(listen, "display", players.append)
    gender.play(ds, clean, clips.head(2))
    printed = capsys.readouterr().out
    for sp in clips["speaker"].head(2):
        assert f"speaker {sp} (" in printed
    assert printed.count("median pitch") == 2
    assert [p.label for p in players] == printed.splitlines()  # each player is named by its line
    assert ds.meta["path"].iloc[ds.row(clips["path"].iloc[1])] == clips["path"].iloc[1]


def test_last_epoch_sets_each_recipes_training_accuracy_beside_its_held_out_one():
    from speechbook.train import Trained

    def result(recipe: gender.Recipe, fold: int, seen: float, new: float) -> gender.FoldResult:
        history = {"accuracy": [0.6, seen], "val_accuracy": [0.6, new]}
        return gender.FoldResult(recipe, fold, Trained(None, history, 1.0), pd.DataFrame(), pd.DataFrame())

    memorises, generalises = gender.workshop("LSTM"), gender.Recipe("LSTM")
    table = gender.last_epoch([result(memorises, 0, 1.0, 0.80), result(generalises, 0, 0.95, 0.91),
                               result(memorises, 1, 1.0, 0.84), result(generalises, 1, 0.97, 0.91)])
    assert list(table.index) == [memorises.name, generalises.name]
    assert table["gap (points)"].tolist() == ["18", "5"]
    assert table.loc[memorises.name, "training segments %"] == "100.0\N{NO-BREAK SPACE}±\N{NO-BREAK SPACE}0.0"
    assert table.loc[generalises.name, "held-out segments %"].startswith("91.0")


def test_cli_says_female_or_male_and_flags_close_calls(experiment, capsys, wav, monkeypatch):
    ds = experiment[0]
    monkeypatch.setenv("SPEECHBOOK_DATA", "")  # the corpus stands in: quick to train
    monkeypatch.setenv("SPEECHBOOK_DOWNLOAD", "0")
    assert gender.verdict(0.55).endswith("close call") and gender.verdict(0.95) == "male (95%)"
    assert gender.verdict(0.2) == "female (80%)"
    assert main(["predict", ds.meta["file"][0], "--task", "gender"]) == 0
    assert capsys.readouterr().out.split(": ")[1].split(" ")[0] in ("female", "male")
    assert main(["predict", str(wav(np.zeros(16000, np.float32))), "--task", "gender"]) == 1
    assert "silent" in capsys.readouterr().err


def test_lstm_gates_by_hand_match_keras():
    layer = keras.layers.LSTM(8, return_sequences=True)
    x = np.random.default_rng(0).normal(size=(1, 30, 5)).astype("float32")
    expected = layer(x).numpy()[0]
    gates = rnn.lstm_gates(layer, x[0])
    assert np.allclose(gates["hidden"], expected, atol=1e-5)
    assert gates["forget"].shape == (30, 8) and 0 < gates["forget"].min() and gates["forget"].max() < 1


def test_plain_rnn_forgets_faster_than_lstm():
    rnn_g, lstm_g = rnn.gradient_through_time("RNN"), rnn.gradient_through_time("LSTM")
    assert rnn_g[0] / rnn_g[-1] < 1e-3  # vanished
    assert lstm_g[0] / lstm_g[-1] > 10 * rnn_g[0] / rnn_g[-1]
    assert rnn.memory(0.5)[10] < 1e-3 and rnn.memory(1.0)[-1] == 1


def test_memory_test_an_lstm_passes_and_a_plain_rnn_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path))  # trained here, not read from the build's cache
    x, y = rnn.flag_task(12, 500, np.random.default_rng(0))
    assert x.shape == (500, 12, 2) and (x[:, :, 1].sum(axis=1) == 1).all() and (x[:, 5:, 1] == 0).all()
    assert (y == (x[:, :, 0][x[:, :, 1] == 1] > 0)).all() and 0.4 < y.mean() < 0.6
    short, rnn_20, lstm_20 = rnn.memory_test("RNN", 10), rnn.memory_test("RNN", 20), rnn.memory_test("LSTM", 20)
    assert len(lstm_20.accuracy) == 20
    assert short.test > 0.9 and lstm_20.test > 0.95 and rnn_20.test < 0.7  # what the chapter says of its figure
    assert rnn.memory_test("LSTM", 20) == lstm_20 and len(list(tmp_path.glob("memory-test-*.npz"))) == 3
