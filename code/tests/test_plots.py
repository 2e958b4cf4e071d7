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
