"""The simulated room gives the echo it promises: its level below the voice, its decay, and the gaps it fills."""

import numpy as np
import pytest

from conftest import SR, tone
from speechbook import room
from speechbook.audio import Audio


@pytest.mark.parametrize("drr_db", [10, 0, -5])
def test_the_echo_sits_drr_db_below_the_direct_sound(drr_db):
    h = room.impulse_response(SR, drr_db=drr_db, rt60_s=0.5)
    assert len(h) == SR // 2 and h[0] == 1
    assert 10 * np.log10(h[0] ** 2 / np.sum(h[1:] ** 2)) == pytest.approx(drr_db, abs=1e-6)


def test_the_echo_fades_by_60_db_over_rt60():
    tail = room.impulse_response(SR, rt60_s=0.5)[1:] ** 2
    tenth = len(tail) // 10
    fall_db = 10 * np.log10(tail[:tenth].sum() / tail[-tenth:].sum())
    assert 45 < fall_db < 60  # a tenth of the tail in from each end: 54 dB apart


def test_across_the_room_the_pause_after_a_word_is_no_longer_silent():
    word = np.concatenate([tone(0.3), np.zeros(int(0.3 * SR), np.float32)])
    close = Audio(word, SR, notes=["resampled 8000 Hz -> 16000 Hz"])
    far = room.across_room(close, drr_db=0, rt60_s=0.5)
    pause = slice(int(0.3 * SR), int(0.45 * SR))  # the 150 ms after the word
    word_power, pause_power = np.mean(far.samples[: int(0.3 * SR)] ** 2), np.mean(far.samples[pause] ** 2)
    assert 10 * np.log10(word_power / pause_power) < 20  # the echo rings on: 14 dB below the word here
    assert np.all(close.samples[pause] == 0) and close.notes == ["resampled 8000 Hz -> 16000 Hz"]
    assert len(far.samples) == len(word) + SR // 2 - 1 and far.samples.dtype == np.float32
    assert np.abs(far.samples).max() == pytest.approx(0.5)
    assert far.notes == [*close.notes, "room echo: fades by 60 dB in 0.5 s, direct sound to echo +0 dB"]
    assert np.array_equal(far.samples, room.across_room(close, drr_db=0, rt60_s=0.5).samples)


def test_echo_levels_in_words():
    assert [room.echo_level(d) for d in (None, 10, 0, -5)] == [
        "none: close to the microphone", "10 dB below the voice", "as loud as the voice", "5 dB above the voice"]
