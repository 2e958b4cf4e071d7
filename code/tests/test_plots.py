"""Plot helpers: what they draw, checked on the figure."""

import numpy as np

from speechbook import plots


def test_mfcc_draws_coefficient_0_apart_from_the_rest():
    M = np.vstack([np.full(50, -400.0), np.random.default_rng(0).normal(size=(12, 50))])
    loudness, rest = plots.mfcc(M).axes
    assert np.allclose(loudness.lines[0].get_ydata(), -400)
    image = rest.images[0].get_array()
    assert image.shape == (12, 50) and image.min() > -10  # coefficient 0 is not in the image's colour scale
    assert [t.get_text() for t in rest.get_yticklabels()][0] == "1"


def test_pitch_formant_rings_and_names_only_the_given_speakers():
    import pandas as pd

    voices = pd.DataFrame({"speaker": ["a", "b", "c", "d"], "gender": ["female", "female", "male", "male"],
                           "pitch Hz": [210.0, 190.0, 110.0, 185.0], "F4 Hz": [4100.0, 3950.0, 3500.0, 3550.0]})
    ax = plots.pitch_formant(voices, ringed={"d"}).axes[0]
    women, men, ring = ax.collections
    assert len(women.get_offsets()) == 2 and len(men.get_offsets()) == 2
    assert ring.get_offsets().tolist() == [[185.0, 3550.0]]
    assert [t.get_text() for t in ax.texts] == ["d"]


def test_unrolled_draws_one_cell_and_one_input_per_step():
    texts = [t.get_text() for t in plots.unrolled(steps=3).axes[0].texts]
    assert [t for t in texts if t.startswith("$h_{")] == ["$h_{t}$", "$h_{1}$", "$h_{2}$", "$h_{3}$"]
    assert [t for t in texts if t.startswith("$x_{")] == ["$x_{t}$", "$x_{1}$", "$x_{2}$", "$x_{3}$"]


def test_memory_runs_draws_each_sequence_length_in_its_own_panel():
    from speechbook.rnn import MemoryRun

    runs = [MemoryRun(cell, steps, 0, [0.5, 0.6, 0.9], test) for steps, cell, test in
            [(10, "RNN", 0.98), (10, "LSTM", 0.99), (20, "RNN", 0.52), (20, "LSTM", 0.99)]]
    short, long = plots.memory_runs(runs).axes
    assert "of 10 steps" in short.get_title() and "of 20 steps" in long.get_title()
    assert [t.get_text() for t in long.get_legend().get_texts()] == [
        "RNN, seed 0: 52% on new sequences", "LSTM, seed 0: 99% on new sequences"]
    assert long.lines[0].get_ydata().tolist() == [0.5, 0.6, 0.9]


def test_answer_shows_the_stamp_and_each_networks_bars_in_order():
    stamp = np.random.default_rng(0).normal(size=(32, 64))
    heard = {"animals": {"bird": 0.1, "cat": 0.7, "dog": 0.2}, "digits": {str(d): 0.1 for d in range(10)}}
    given, animals, digits = plots.answer(stamp, heard, title="the stamp").axes
    assert given.images[0].get_array().shape == (32, 64) and given.get_title() == "the stamp"
    assert [b.get_width() for b in animals.patches] == [0.1, 0.7, 0.2] and animals.get_title() == "animals"
    assert [t.get_text() for t in animals.get_yticklabels()] == ["bird", "cat", "dog"]
    assert animals.get_xlim() == (0, 1) and len(digits.patches) == 10 and digits.get_title() == "digits"
    assert animals.yaxis_inverted()  # the first class on top, as the labels are listed


def test_curves_name_each_model_once_and_draw_its_training_dashed_in_its_test_colour():
    histories = {"2018": {"accuracy": [0.5, 0.7], "val_accuracy": [0.6, 0.9]}, "improved": {"accuracy": [0.4, 0.8]}}
    ax = plots.curves(histories).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2018", "improved", "training", "test"]
    training, test, improved = ax.lines
    assert training.get_linestyle() == "--" and test.get_linestyle() == "-"
    assert training.get_color() == test.get_color() != improved.get_color()
    assert test.get_ydata().tolist() == [0.6, 0.9] and improved.get_ydata().tolist() == [0.4, 0.8]


def test_pitch_probe_draws_each_sexs_share_heard_as_male_at_each_shift():
    import pandas as pd

    probe = pd.DataFrame({"gender": ["female"] * 4 + ["male"] * 4, "semitones": [-4, -4, 0, 0] * 2,
                          "p_male": [0.9, 0.2, 0.1, 0.3, 0.8, 0.9, 0.7, 0.4]})
    ax = plots.pitch_probe(probe).axes[0]
    women, men = ax.lines[:2]
    assert women.get_xdata().tolist() == [-4, 0] and women.get_ydata().tolist() == [0.5, 0.0]
    assert men.get_ydata().tolist() == [1.0, 0.5]
    assert [t.get_text() for t in ax.texts] == ["50%", "0%", "100%", "50%"]
