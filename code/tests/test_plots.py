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
