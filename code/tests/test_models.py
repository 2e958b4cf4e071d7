"""Networks: shapes, parameter counts, a quick training run far above chance, caching, transfer."""

from dataclasses import replace

import keras
import numpy as np
import pytest
import tensorflow as tf

from speechbook import conv, digits, listen, models, tables, train, transfer
from speechbook.data import Dataset, stand_in
from speechbook.features import SAMPLE_RATE, dataset_stamps


def test_2018_architecture_matches_the_workshop():
    m = models.speech_stamps_2018()
    assert m.output_shape == (None, 10)
    table = conv.parameter_table(m)
    assert list(table["parameters"][table["parameters"] > 0]) == [416, 6416, 65568, 330]


def test_improved_network_standardises_its_input():
    m = models.stamp_cnn()
    x = np.random.default_rng(0).random((2, 32, 64, 1)).astype("float32")
    assert np.allclose(m.predict(x, verbose=0), m.predict(10 * x + 3, verbose=0), atol=1e-4)
    assert models.embedding(m).output_shape == (None, 64)
    table = conv.parameter_table(m)
    assert table.index[0] == "standardise"  # the input is not a layer with a row
    assert table.loc["embedding", "parameters"] == (4 * 8 * 64 + 1) * 64 == table["parameters"].max()


def test_the_parameter_table_numbers_layers_within_its_model():
    models.speech_stamps_2018()  # Keras would call the next network's first convolution conv2d_2
    table = conv.parameter_table(models.stamp_cnn())
    assert [n for n in table.index if n.startswith("conv2d")] == ["conv2d", "conv2d_1", "conv2d_2"]
    assert [n for n in table.index if n.startswith("dropout")] == ["dropout", "dropout_1"]
    assert "last_conv" in table.index and "embedding" in table.index and table.index.is_unique


@pytest.mark.parametrize("build", [models.speech_stamps_2018, models.stamp_cnn])
def test_the_parameter_tables_arithmetic_gives_its_counts(build):
    table = conv.parameter_table(build())
    shown = table[table["how"] != ""]
    assert (table.loc[table["how"] == "", "parameters"] == 0).all()  # every layer with weights says why
    for how, n in zip(shown["how"], shown["parameters"]):
        assert eval(how.split(":")[0].split(",")[0].replace("x", "*")) == n, how


def test_speaker_means_remove_the_microphone_and_keep_the_word(tmp_path):
    rng = np.random.default_rng(0)
    words = rng.random((6, 32, 64)).astype("float32")
    colour = np.linspace(-5, 5, 32)[None, :, None]  # one speaker's microphone, the same on every frame
    X = np.concatenate([words, words + colour])
    speakers = np.array(["a"] * 6 + ["b"] * 6)
    N = digits.remove_speaker_means(X, speakers)
    assert np.allclose(N[:6], N[6:], atol=1e-5)  # the colouring is gone
    assert np.allclose(N[:6].mean(axis=(0, 2)), 0, atol=1e-5)
    assert not np.allclose(N[:6].mean(axis=2), 0, atol=1e-2)  # each word keeps its own average spectrum
    m = models.stamp_cnn(band_means=False)  # scales only, and says so when saved
    m.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.layers[1].band_means is False
    assert np.allclose(loaded.predict(N[:2, ..., None], verbose=0), m.predict(N[:2, ..., None], verbose=0), atol=1e-5)


def test_adapted_batch_norm_takes_the_new_voices_statistics_and_leaves_the_network_alone():
    rng = np.random.default_rng(0)
    m = models.stamp_cnn(band_means=False)
    new_voice = rng.random((40, 32, 64)).astype("float32") + np.linspace(0, 3, 32)[None, :, None]
    adapted = models.adapt_batch_norm(m, new_voice, batch_size=16)  # statistics summed over batches of 16, 16, 8
    norms = [layer for layer in adapted.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 3
    for layer in norms:  # in inference mode each channel now comes out with mean 0 and variance 1 on this voice
        out = keras.Model(adapted.inputs, layer.output).predict(new_voice[..., None], verbose=0)
        assert np.allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-3)
        assert np.allclose(out.var(axis=(0, 1, 2)), 1, atol=0.15)  # less than 1 by batch norm's epsilon
    original = [layer for layer in m.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert all(np.allclose(layer.moving_mean.numpy(), 0) for layer in original)  # the trained network is untouched
    assert not np.allclose(adapted.predict(new_voice[:4, ..., None], verbose=0),
                           m.predict(new_voice[:4, ..., None], verbose=0), atol=1e-3)


def test_fused_batch_norm_trains_as_keras_own_does(tmp_path):
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(2, 3, (4, 3, 5, 4)).astype("float32"))
    weights = tf.constant(rng.normal(size=x.shape).astype("float32"))
    gamma, beta = rng.normal(1, 0.2, 4).astype("float32"), rng.normal(0, 0.2, 4).astype("float32")
    results = []
    for norm in (keras.layers.BatchNormalization(), models.FusedBatchNorm()):
        norm.build(x.shape)
        norm.gamma.assign(gamma)
        norm.beta.assign(beta)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = norm(x, training=True)
            loss = tf.reduce_sum(y * weights)
        grads = tape.gradient(loss, [x, norm.gamma, norm.beta])
        results.append([y, *grads, norm.moving_mean, norm.moving_variance, norm(x, training=False)])
    for keras_own, fused in zip(*results):  # outputs, gradients, running statistics, then inference
        assert np.allclose(np.asarray(keras_own), np.asarray(fused), rtol=1e-4, atol=1e-4)
    m = models.stamp_cnn()
    assert sum(isinstance(layer, models.FusedBatchNorm) for layer in m.layers) == 3
    m.save(tmp_path / "m.keras")
    assert isinstance(keras.models.load_model(tmp_path / "m.keras").layers[3], models.FusedBatchNorm)


def test_augment_keeps_shape_and_changes_content():
    X = np.random.default_rng(0).random((8, 32, 64)).astype("float32")
    A = train.augment(X, np.random.default_rng(1))
    assert A.shape == X.shape and A.dtype == np.float32 and not np.allclose(A, X)
    assert np.allclose(train.warp_frequency(X, np.ones(8)), X)


def test_conv_and_pool_by_hand():
    img = np.zeros((8, 8))
    img[:, 4:] = 1  # energy switches on at frame 4
    response = conv.convolve(img, conv.KERNELS["onset (energy rising in time)"])
    assert response[:, 3:5].min() > 0 and np.allclose(response[:, :2], 0)
    assert conv.max_pool(np.arange(16.0).reshape(4, 4), 2).tolist() == [[5, 7], [13, 15]]


@pytest.fixture(scope="module")
def corpus_digits(tmp_path_factory):
    """The synthetic corpus shaped like FSDD: 8 training voices, 2 held-out voices."""
    return stand_in("fsdd")


def test_quick_training_beats_chance_on_unseen_voices(corpus_digits, monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path))
    trained, result = digits.official(corpus_digits, "improved")
    assert result.confusion.shape == (10, 10) and result.confusion.sum() == 60
    assert result.accuracy > 0.5  # chance is 0.1; the two test voices were never heard
    assert len(trained.history["val_accuracy"]) == train.RECIPES["improved"].epochs
    cached, again = digits.official(corpus_digits, "improved")  # same code and data: its scores come from the cache,
    assert cached.seconds == trained.seconds and again.accuracy == result.accuracy  # the network is not retrained
    assert "model" not in vars(cached) and cached.parameters == trained.model.count_params()  # nor even loaded
    fit = digits.fit_accuracy(corpus_digits, "improved")  # its training takes, measured as the test is, score above
    assert fit > trained.history["accuracy"][-1] + 0.05  # the curve that dropout and masks pull down while it trains
    train.limit_networks(0)  # a second time the scores come from the cache: no network may be loaded for them
    try:
        assert digits.fit_accuracy(corpus_digits, "improved") == fit
    finally:
        train.limit_networks(None)
    assert len(list((tmp_path / "models").glob("digits-improved-*.keras"))) == 1


def test_an_svm_head_reads_the_networks_convolutions(corpus_digits, monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path))
    network, _ = digits.official(corpus_digits, "improved")
    head, result = digits.official(corpus_digits, "improved", svm=True)
    assert result.accuracy > 0.5 and result.confusion.sum() == 60  # chance is 0.1, on two voices never heard
    convolutions = models.conv_features(network.model).count_params()
    assert head.parameters == convolutions + 10 * (2 * 8 * 64 + 1)  # an SVM on 8 bands x 64 channels, mean and max
    assert head.parameters < network.parameters and head.seconds > network.seconds  # no dense layers; fitted after
    train.limit_networks(0)  # a second time the SVM's scores come from the cache: no network is loaded for them
    try:
        saved, again = digits.official(corpus_digits, "improved", svm=True)
    finally:
        train.limit_networks(None)
    assert again.accuracy == result.accuracy and saved.parameters == head.parameters
    assert len(list((tmp_path / "models").glob("digits-improved-*-svm-*.keras"))) == 1  # saved as a network
    X, test = digits.stamps(corpus_digits, train.RECIPES["improved"]), digits.split_masks(corpus_digits)[1]
    assert train.evaluate(saved.model, X[test], corpus_digits.meta["digit"].to_numpy()[test], 10).accuracy == \
        result.accuracy  # loaded from its .keras file, it reads the test stamps as the fitted SVM did
    both, adapted = digits.official(corpus_digits, "improved", adapt=True, svm=True)
    assert both.name == saved.name and adapted.accuracy > 0.5  # the same SVM head, adapted to each test voice:
    voices = corpus_digits.meta["speaker"].to_numpy()[test]
    assert not np.allclose(digits.probabilities(both, X[test], voices), digits.probabilities(saved, X[test]))


def test_scoring_every_network_scores_the_training_takes_the_chapter_shows(monkeypatch):
    scored = []
    monkeypatch.setattr(digits, "every_official", lambda ds: {})
    monkeypatch.setattr(digits, "every_leave_one_speaker_out", lambda ds: {})
    monkeypatch.setattr(digits, "fit_accuracy", lambda ds, recipe: scored.append(recipe))
    digits.score_every_network(None)
    assert scored == list(digits.CURVES)  # so the chapter's kernel, which prints them, loads no network for them


def test_weight_averaging_averages_the_last_epochs_and_renews_batch_norm(corpus_digits):
    X = dataset_stamps(corpus_digits)[:80]
    y = corpus_digits.meta["digit"].to_numpy()[:80]
    base = train.Recipe("improved", epochs=1, batch_size=32, learning_rate=2e-3, augment=True, average_last=0)
    runs = [train.fit(X, y, r, 10).model for r in
            (base, replace(base, epochs=2), replace(base, epochs=2, average_last=2))]
    first, last, averaged = ([w.numpy() for w in m.trainable_weights] for m in runs)
    assert all(np.allclose(a, (f + la) / 2, atol=1e-5) for f, la, a in zip(first, last, averaged))
    assert not np.allclose(first[0], last[0], atol=1e-3)  # the two epochs differ, so the test can tell
    bn = next(layer for layer in runs[2].layers if isinstance(layer, keras.layers.BatchNormalization))
    acts = keras.Model(runs[2].inputs, bn.input).predict(models.standardise(X)[..., None], verbose=0)
    assert np.allclose(bn.moving_mean.numpy(), acts.mean(axis=(0, 1, 2)), atol=1e-4)


def test_mistakes_are_the_wrong_clips_and_play_names_each(corpus_digits, capsys, monkeypatch):
    test = (corpus_digits.meta["split"] == "test").to_numpy()
    said = corpus_digits.meta["digit"].to_numpy()[test]
    heard = said.copy()
    heard[[3, 17]] = (said[[3, 17]] + 1) % 10
    wrong = digits.mistakes(corpus_digits, heard, test)
    where = np.flatnonzero(test)[[3, 17]]
    assert list(wrong.index) == list(where) and list(wrong["heard"]) == list(heard[[3, 17]])
    assert list(wrong["said"]) == list(corpus_digits.meta["digit"][where])
    assert np.isclose(wrong["seconds"].iloc[0], len(corpus_digits.audio(where[0]).samples) / SAMPLE_RATE, atol=0.01)
    assert digits.mistakes(corpus_digits, corpus_digits.meta["digit"].to_numpy()).empty
    players = []
    monkeypatch.setattr(listen, "display", players.append)
    digits.play(corpus_digits, wrong)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"{wrong['path'].iloc[0]}: said {wrong['said'].iloc[0]}, heard {heard[3]}"
    assert [p.label for p in players] == printed  # each player is named by its line, for a screen reader
    assert f'aria-label="{printed[1]}"' in players[1]._repr_html_() and "data:audio/wav" in players[1]._repr_html_()


def test_crowd_joins_training_for_real_data_only(corpus_digits, monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHBOOK_ARTIFACTS", str(tmp_path))
    recipe = train.RECIPES["crowd"]
    X = digits.stamps(corpus_digits, recipe)
    mask = (corpus_digits.meta["split"] == "train").to_numpy()
    assert len(digits.training_set(corpus_digits, X, mask, recipe)[0]) == mask.sum()  # the corpus stands in
    real = Dataset("fsdd", corpus_digits.meta, "pretend real")
    Xt, yt = digits.training_set(real, X, mask, recipe)
    assert len(Xt) == len(yt) == mask.sum() + len(corpus_digits) + 940
    crowd = Xt[-940:].reshape(94, 10, *X.shape[1:])  # voice by voice: each voice's average is removed
    assert np.allclose(crowd.mean(axis=(1, 3)), 0, atol=1e-3) and np.array_equal(yt[-940:], np.tile(np.arange(10), 94))
    fewer = digits.training_set(real, X, mask, train.RECIPES["speaker-normalised"])[0]
    assert len(fewer) == mask.sum() + len(corpus_digits)


def test_few_shot_svm_on_separable_features():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 12)
    speakers = np.array([f"s{i}" for i in range(36)])
    F = np.eye(3)[labels] * 3 + rng.normal(0, 0.5, (36, 3))
    curve = transfer.learning_curve({"svm": (F, transfer.linear_svm), "head": (F, transfer.new_head)},
                                    labels, speakers, shots=(1, 3), draws=3)
    assert set(curve["examples per word"]) == {1, 3} and len(curve) == 12
    assert curve["accuracy"].mean() > 0.9
    assert (curve["test clips"] == 36 - 3 * curve["examples per word"]).all()
    table = transfer.table(curve)
    assert list(table.index) == ["svm", "head"] and list(table.columns) == [1, 3]
    mean, sd = table.loc["svm", 1].split("\N{NO-BREAK SPACE}±\N{NO-BREAK SPACE}")
    svm_1 = curve.query("method == 'svm' and `examples per word` == 1")["accuracy"]
    assert (int(mean), int(sd)) == (round(100 * svm_1.mean()), round(100 * svm_1.std()))


def test_every_table_spread_is_the_sample_standard_deviation():
    # 1, 2 and 3 %: sd 1.0 with ddof=1, 0.8 with NumPy's default ddof=0 (what the female/male table once printed)
    assert tables.percent_sd([0.01, 0.02, 0.03]) == "2.0\N{NO-BREAK SPACE}±\N{NO-BREAK SPACE}1.0"
    assert tables.percent_sd(np.array([0.90, 0.94]), decimals=0) == "92\N{NO-BREAK SPACE}±\N{NO-BREAK SPACE}3"


def test_heard_as_averages_each_words_digit_probabilities():
    p = np.array([[0.7, 0.3], [0.5, 0.5], [0.1, 0.9]])
    heard = transfer.heard_as(np.log(p), np.array([1, 1, 0]), ["bird", "cat", "dog"])
    assert list(heard.columns) == ["bird", "cat"] and list(heard.index) == [0, 1]  # no clip of dog: no column
    assert np.allclose(heard["cat"], [0.6, 0.4]) and np.allclose(heard["bird"], [0.1, 0.9])


def test_draw_keeps_speakers_apart():
    labels = np.array([0, 0, 1, 1, 2, 2, 0, 1])
    speakers = np.array(["a", "b", "a", "c", "d", "e", "f", "g"])
    tr, te = transfer.draw(labels, speakers, 1, np.random.default_rng(0))
    assert not set(speakers[tr]) & set(speakers[te])
    assert sorted(labels[tr]) == [0, 1, 2]


def test_learning_curve_says_which_points_the_speakers_cannot_support(capsys):
    labels = np.repeat([0, 1, 2], 4)
    speakers = np.array([f"s{i}" for i in range(12)])
    curve = transfer.learning_curve({"svm": (np.eye(3)[labels], transfer.linear_svm)}, labels, speakers,
                                    shots=(1, 3, 5), draws=2)
    assert sorted(set(curve["examples per word"])) == [1, 3]
    assert "12 speakers cannot give [5] examples per word" in capsys.readouterr().out


def test_per_speaker_puts_runs_side_by_side_with_their_mean_last():
    import pandas as pd

    rows = pd.DataFrame({"held-out speaker": ["a", "b"], "accuracy": [0.8, 0.6]})
    table = digits.per_speaker({"x": (rows, None), "y": (rows.assign(accuracy=[0.9, 1.0]), None)})
    assert list(table.index) == ["a", "b", "mean"] and list(table.columns) == ["x", "y"]
    assert np.allclose(table.loc["mean"], [0.7, 0.95])


def test_a_tables_row_label_sits_in_its_one_header_row():
    table = conv.parameter_table(models.speech_stamps_2018())
    head = table.to_html().split("<tbody>")[0]
    assert head.count("<tr") == 1  # pandas puts an index's name on a second header row of its own
    assert head.index("<th>layer</th>") < head.index("<th>output shape</th>")
    assert table.to_html() == tables.corner(table).to_html()  # and keeps it there when applied again

