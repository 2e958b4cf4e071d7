"""Generate the book's own small speech corpus with espeak-ng, the offline stand-in for real data.

Run ``python -m speechbook.corpus`` (needs Debian's ``espeak-ng``); it rewrites ``data/corpus/``.
Chapter: *Data sets and licences* (``book/datasets.md``).
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from speechbook.audio import SAMPLE_RATE, load

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ANIMALS = ["bird", "cat", "dog"]

# (speaker id, espeak-ng voice, gender): five accents, each with a male and a female variant.
VOICES = [
    ("us-m", "en-us+m3", "male"),
    ("gb-m", "en-gb+m1", "male"),
    ("sc-m", "en-gb-scotland+m4", "male"),
    ("rp-m", "en-gb-x-rp+m2", "male"),
    ("ca-m", "en-029+m7", "male"),
    ("us-f", "en-us+f1", "female"),
    ("gb-f", "en-gb+f2", "female"),
    ("sc-f", "en-gb-scotland+f3", "female"),
    ("rp-f", "en-gb-x-rp+f4", "female"),
    ("ny-f", "en-us-nyc+f5", "female"),
]
# (words per minute, pitch 0-99) for each repetition of a word.
PROSODY = [(150, 50), (120, 35), (185, 65)]
TEST_SPEAKERS = {"ca-m", "ny-f"}
"""Held-out voices: never used for training, so evaluation on the corpus is speaker-independent."""

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "corpus"

CROWD_ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc", "en-gb-x-gbclan",
                 "en-gb-x-gbcwmd"]
CROWD_VARIANTS = [f"m{i}" for i in range(1, 8)] + [f"f{i}" for i in range(1, 6)]
CROWD_DIR = CORPUS_DIR / "crowd"
CROWD_RATE = 8000
"""The crowd is stored at 8 kHz, like FSDD: stamps stop at 4 kHz, so nothing they use is lost."""


def crowd_voices() -> list[tuple[str, int, int]]:
    """The crowd: every accent with every voice variant, each at its own seeded rate (wpm) and pitch;
    the corpus's held-out test voices are left out, so that they stay unheard."""
    rng = np.random.default_rng(0)
    held_out = {voice for speaker, voice, _ in VOICES if speaker in TEST_SPEAKERS}
    voices = [(f"{a}+{v}", int(rng.integers(120, 186)), int(rng.integers(25, 75)))
              for a in CROWD_ACCENTS for v in CROWD_VARIANTS]
    return [v for v in voices if v[0] not in held_out]


def speak(text: str, voice: str, rate: int, pitch: int, seed: int) -> np.ndarray:
    """Synthesise ``text`` with espeak-ng, resample to 16 kHz, trim and add faint seeded noise."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "say.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(rate), "-p", str(pitch), "-w", str(wav), text],
            check=True,
        )
        y = load(wav).samples
    import librosa

    y, _ = librosa.effects.trim(y, top_db=40)
    y = 0.5 * y / np.max(np.abs(y))
    rng = np.random.default_rng(seed)
    pad = np.zeros(int(0.1 * SAMPLE_RATE), dtype=np.float32)
    y = np.concatenate([pad, y, pad])
    return (y + rng.normal(0, 10 ** (-45 / 20), len(y))).astype(np.float32)


def write_manifest(out: Path, rows: list[dict]) -> int:
    """Write ``rows`` (one per clip) as ``out/manifest.csv``; returns the number of clips."""
    with open(out / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def generate(out: Path = CORPUS_DIR) -> int:
    """Write every (voice, word, repetition) clip as 16 kHz FLAC plus ``manifest.csv``; returns the count."""
    rows = []
    for v, (speaker, voice, gender) in enumerate(VOICES):
        for w, word in enumerate(DIGITS + ANIMALS):
            for rep, (rate, pitch) in enumerate(PROSODY):
                rel = Path(word) / f"{speaker}_{rep}.flac"
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                y = speak(word, voice, rate, pitch, seed=1000 * v + 10 * w + rep)
                sf.write(out / rel, y, SAMPLE_RATE, subtype="PCM_16")
                rows.append({
                    "path": rel.as_posix(), "word": word, "speaker": speaker, "gender": gender,
                    "voice": voice, "rate_wpm": rate, "pitch": pitch, "repetition": rep,
                    "split": "test" if speaker in TEST_SPEAKERS else "train",
                    "duration_s": round(len(y) / SAMPLE_RATE, 4), "samplerate": SAMPLE_RATE,
                    "sha256": hashlib.sha256((out / rel).read_bytes()).hexdigest(),
                })
    return write_manifest(out, rows)


def generate_crowd(out: Path = CROWD_DIR) -> int:
    """Write every crowd voice saying each digit once, as 8 kHz FLAC plus ``manifest.csv``; returns the count."""
    import librosa

    rows = []
    for v, (voice, rate, pitch) in enumerate(crowd_voices()):
        for d, word in enumerate(DIGITS):
            rel = Path(word) / f"{voice}.flac"
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            y = librosa.resample(speak(word, voice, rate, pitch, seed=100_000 + 10 * v + d),
                                 orig_sr=SAMPLE_RATE, target_sr=CROWD_RATE)
            sf.write(out / rel, y, CROWD_RATE, subtype="PCM_16")
            rows.append({"path": rel.as_posix(), "word": word, "digit": d, "speaker": voice, "rate_wpm": rate,
                         "pitch": pitch, "duration_s": round(len(y) / CROWD_RATE, 4), "samplerate": CROWD_RATE,
                         "sha256": hashlib.sha256((out / rel).read_bytes()).hexdigest()})
    return write_manifest(out, rows)


if __name__ == "__main__":
    print(f"wrote {generate()} clips to {CORPUS_DIR}")
    print(f"wrote {generate_crowd()} clips to {CROWD_DIR}")
