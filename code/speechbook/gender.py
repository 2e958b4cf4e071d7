"""Female or male? The 2019 PyLadies workshop's three networks compared with two baselines, over speaker-level
folds, with voting, tables and players.

Features come from the SQLite3 store (:mod:`speechbook.store`); the networks, and how each recipe trains them, are in
:mod:`speechbook.gender_nets`, cached by that module's code alone. Every model is tested on speakers it never heard.
Chapter: *Female or male? Three networks compared* (``book/gender.ipynb``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping

import keras
import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from speechbook import artifacts, audio, features, formants, listen, store
from speechbook.data import Dataset
from speechbook.gender_nets import (ARCHITECTURES, OTHER, TRAIN, FoldResult, Recipe, evaluate, fold_speakers,
                                    in_speakers, run_fold)
from speechbook.tables import corner, percent_sd

LABELS = ["female", "male"]
COPIES = {"noise": store.FeatureSpec(snr_db=(0, 20)), "pitch shifts": store.FeatureSpec(pitch_semitones=(-4, -2, 2, 4))}
"""The augmented copies of the training clips a recipe may add to its training data: one with white noise at 0-20 dB
SNR (random per clip), or four with the pitch moved 4 and 2 semitones down and up, the formants kept."""
SNR_LEVELS = (None, 20, 10, 5, 0)
"""Test conditions for the noise-robustness curve: clean, then white noise at these SNRs (dB)."""


def store_for(ds: Dataset, spec: store.FeatureSpec = store.FeatureSpec(), split: str | None = None) -> store.Store:
    """The data set's feature store (filled on first use, then reused), one file per data, code and ``spec``."""
    k = artifacts.key(ds.fingerprint, spec, split, modules=(store, features, audio))
    s = store.Store(artifacts.folder() / "stores" / f"{ds.name}-{k}.sqlite", spec)
    s.fill(ds if split is None else Dataset(ds.name, ds.meta[ds.meta["subset"] == split].reset_index(drop=True),
                                            ds.origin, ds.stands_in_for))
    return s


def speaker_folds(s: store.Store, k: int = 3, seed: int = 0, among: list[str] | None = None) -> dict[str, int]:
    """Assign every training speaker (or only those ``among``: validation folds inside a fold's training
    speakers) to one of ``k`` folds, each gender spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    folds = {}
    for gender in LABELS:
        speakers = [sp for (sp,) in s.query("SELECT DISTINCT speaker FROM utterances WHERE split = ? AND gender = ? "
                                            "ORDER BY speaker", (TRAIN, gender)) if among is None or sp in among]
        for i, sp in enumerate(rng.permutation(speakers)):
            folds[str(sp)] = i % k
    return folds


BEST = Recipe("ConvNet+LSTM")
"""The best of the three networks on whole clips (chosen on the held-out folds, so test-other stays an untouched
check): the one the chapter asks where it goes wrong and what it listens to."""
NOISY_BEST = Recipe("ConvNet+LSTM", augment="noise")
"""The best recipe with noise augmentation: a noisy copy of every training clip added (training data only)."""
SHIFTED_BEST = Recipe("ConvNet+LSTM", augment="pitch shifts")
"""The best recipe with four pitch-shifted copies of every training clip added, so that pitch stops telling the sexes
apart and the formants must: chosen on validation folds before the held-out readers scored it (exercise
*gender-validation*)."""


def workshop(arch: str) -> Recipe:
    """The 2019 recipe: one 0.55 s segment of each training clip (few examples, so more epochs)."""
    return Recipe(arch, whole_clips=False, epochs=30)


def summary(clips: pd.DataFrame) -> dict[str, float]:
    """Segment-level, clip-level (vote) and speaker-level (vote over the speaker's clips) accuracy."""
    speakers = clips.groupby("speaker").agg(gender=("gender", "first"), p=("p_male", "mean"))
    return {"segments": float(np.average(clips["segment_accuracy"], weights=clips["segments"])),
            "clips": float(clips["correct"].mean()),
            "speakers": float(np.mean((speakers["p"] > 0.5) == (speakers["gender"] == "male")))}


def confusion(clips: pd.DataFrame) -> np.ndarray:
    """Clip-level confusion matrix (rows: true female, male; columns: predicted)."""
    return confusion_matrix(clips["gender"], clips["predicted"], labels=LABELS)


def _verdicts(clips: pd.DataFrame, p_male: np.ndarray, **attrs) -> pd.DataFrame:
    """A baseline's clip table scored like the networks' (one decision per clip), ``attrs`` kept with it."""
    clips["p_male"] = p_male
    clips["predicted"] = np.where(clips["p_male"] > 0.5, "male", "female")
    clips["correct"] = clips["predicted"] == clips["gender"]
    clips["segment_accuracy"] = clips["correct"].astype(float)
    clips.attrs.update(attrs)
    return clips


def pitch_baseline(s: store.Store, train_speakers: list[str], tests: list[tuple[str, tuple]]) -> list[pd.DataFrame]:
    """The guess a listener makes: a threshold on each clip's median pitch, fitted once on the training speakers'
    clips (logistic regression on one feature); one clip table, scored like the networks', per test
    (``where, params``) of ``tests``."""
    def table(w: str, p: tuple) -> pd.DataFrame:
        return pd.DataFrame(s.query(f"SELECT u.id, u.speaker, u.gender, u.path, COALESCE(u.median_f0_hz, 150), "
                                    f"COUNT(s.rowid) FROM utterances u JOIN segments s ON s.utterance_id = u.id "
                                    f"WHERE {w} GROUP BY u.id", p),
                            columns=["utterance", "speaker", "gender", "path", "f0", "segments"])
    fit_on = table(*in_speakers(train_speakers))
    start = time.perf_counter()
    clf = LogisticRegression().fit(fit_on[["f0"]], fit_on["gender"] == "male")
    seconds = time.perf_counter() - start
    threshold = float(-clf.intercept_[0] / clf.coef_[0, 0])
    return [_verdicts(clips, clf.predict_proba(clips[["f0"]])[:, 1], parameters=2, seconds=seconds,
                      threshold_hz=threshold) for clips in (table(*t) for t in tests)]


def average_voice(s: store.Store, where: str, params: tuple = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """Each clip's average voice: the mean and the standard deviation of every MFCC over its stored frames,
    with the clip's speaker, gender and path."""
    X, cols = s.segments(where, params)
    utterances, first = np.unique(cols["utterance"], return_index=True)
    per_clip = np.split(X, first[1:])  # the segments come ordered by utterance
    stats = np.stack([np.concatenate([c.mean(axis=(0, 1)), c.std(axis=(0, 1))]) for c in per_clip])
    paths = dict(s.query("SELECT id, path FROM utterances"))
    clips = pd.DataFrame({"utterance": utterances, "speaker": cols["speaker"][first],
                          "gender": cols["gender"][first], "path": [paths[int(u)] for u in utterances],
                          "segments": [len(c) for c in per_clip]})
    return clips, stats


def voice_baseline(s: store.Store, train_speakers: list[str], tests: list[tuple[str, tuple]]) -> list[pd.DataFrame]:
    """The recipe before deep learning: a logistic regression on each clip's :func:`average_voice` (80 numbers),
    its regularisation chosen by 5-fold cross-validation over the training speakers only, fitted once; one clip
    table per test (``where, params``) of ``tests``."""
    fit_on, stats = average_voice(s, *in_speakers(train_speakers))
    by_speaker = GroupKFold(min(5, len(train_speakers))).split(stats, groups=fit_on["speaker"])
    clf = make_pipeline(StandardScaler(), LogisticRegressionCV(Cs=np.logspace(-3, 2, 11), l1_ratios=(0.0,),
                                                             cv=list(by_speaker), scoring="accuracy",
                                                             max_iter=5000, use_legacy_attributes=False))
    start = time.perf_counter()
    clf.fit(stats, fit_on["gender"] == "male")
    seconds = time.perf_counter() - start
    return [_verdicts(clips, clf.predict_proba(X)[:, 1], parameters=X.shape[1] + 1, seconds=seconds)
            for clips, X in (average_voice(s, *t) for t in tests)]


def by_recipe(results: list[FoldResult]) -> dict[str, list[FoldResult]]:
    """The results grouped by recipe name, in the order the recipes first appear: one table row per group."""
    groups: dict[str, list[FoldResult]] = {}
    for r in results:
        groups.setdefault(r.recipe.name, []).append(r)
    return groups


def compare(results: list[FoldResult], baselines: dict[str, tuple[list[pd.DataFrame], list[pd.DataFrame]]] | None = None
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The comparison, as two tables with one row per model: accuracy (held-out speakers at segment and clip
    level, test-other at clip and speaker level; mean +- sd over folds) and cost (parameters, training time,
    inference time per second of audio). ``baselines`` maps a name to :func:`baseline_folds`' two lists."""
    accuracy, cost = [], []

    def seconds(values: list[float]) -> str:  # one significant figure below a second: a baseline's 3 ms is not 0
        return f"{np.mean(values):.0f}" if np.mean(values) >= 1 else f"{np.mean(values):.1g}"

    def scores(held_out: list[pd.DataFrame], other: list[pd.DataFrame], segments: bool = True) -> dict[str, str]:
        """The accuracy columns, each the mean +- sd of one level over the folds (a baseline votes no segments)."""
        held, far = [summary(t) for t in held_out], [summary(t) for t in other]
        return {"held-out segments %": percent_sd([s["segments"] for s in held]) if segments else "—",
                "held-out clips %": percent_sd([s["clips"] for s in held]),
                "test-other clips %": percent_sd([s["clips"] for s in far]),
                "test-other speakers %": percent_sd([s["speakers"] for s in far])}

    for name, (held_out, other) in (baselines or {}).items():
        accuracy.append({"model": name, **scores(held_out, other, segments=False)})
        cost.append({"model": name, "parameters": held_out[0].attrs["parameters"],
                     "train s": seconds([b.attrs["seconds"] for b in held_out]),
                     "inference ms per s of audio": "—"})
    for name, mine in by_recipe(results).items():
        accuracy.append({"model": name, **scores([r.held_out for r in mine], [r.other for r in mine])})
        cost.append({
            "model": name,
            "parameters": mine[0].held_out.attrs["parameters"],
            "train s": seconds([r.trained.seconds for r in mine]),
            "inference ms per s of audio":
                f"{1000 * np.mean([r.other.attrs['seconds_per_audio_second'] for r in mine]):.2f}",
        })
    return corner(pd.DataFrame(accuracy).set_index("model")), corner(pd.DataFrame(cost).set_index("model"))


def last_epoch(results: list[FoldResult]) -> pd.DataFrame:
    """Each recipe's segment accuracy after its last epoch, on its training speakers and on the held-out ones (mean
    +- sd over folds): the gap is what it learned of the training voices that does not carry to new ones."""
    rows = []
    for name, mine in by_recipe(results).items():
        seen, new = zip(*[(r.trained.history["accuracy"][-1], r.trained.history["val_accuracy"][-1]) for r in mine])
        rows.append({"model": name, "training segments %": percent_sd(seen), "held-out segments %": percent_sd(new),
                     "gap (points)": f"{100 * (np.mean(seen) - np.mean(new)):.0f}"})
    return corner(pd.DataFrame(rows).set_index("model"))


def wrong_speakers(results: list[FoldResult],
                   baselines: dict[str, tuple[list[pd.DataFrame], list[pd.DataFrame]]] | None = None) -> pd.DataFrame:
    """The held-out speakers each model gets wrong over all folds, one row per model as in :func:`compare`: how many
    clips, and whose."""
    tables = [b.assign(model=name) for name, (held, _) in (baselines or {}).items() for b in held]
    clips = pd.concat(tables + [r.held_out.assign(model=r.recipe.name) for r in results])
    wrong = clips[~clips["correct"]].groupby("model")["speaker"]
    table = pd.DataFrame({"clips wrong": wrong.size(), "speakers": wrong.agg(lambda s: ", ".join(sorted(s)))})
    table = table.reindex(clips["model"].unique())  # a model without errors keeps its row
    return corner(table.fillna({"clips wrong": 0, "speakers": ""}).astype({"clips wrong": int}))


def play(ds: Dataset, s: store.Store, clips: pd.DataFrame, seconds: float = 4) -> None:
    """For each row of an :func:`evaluate` table: the speaker, the verdict and the clip's median pitch, and a player
    for the clip's first ``seconds``."""
    pitch = dict(s.query("SELECT path, median_f0_hz FROM utterances"))
    for _, clip in clips.iterrows():
        listen.play(ds.audio(ds.row(clip["path"])).samples[:int(seconds * features.SAMPLE_RATE)],
                    f"speaker {clip['speaker']} ({clip['gender']}), heard as {clip['predicted']} "
                    f"(p male {clip['p_male']:.2f}), median pitch {pitch[clip['path']] or float('nan'):.0f} Hz")


def noise_curve(ds: Dataset, results: list[FoldResult], folds: dict[str, int]) -> pd.DataFrame:
    """Held-out clip accuracy at each test SNR (:data:`SNR_LEVELS`), noise added to the held-out audio only."""
    rows = []
    for snr in SNR_LEVELS:
        spec = store.FeatureSpec() if snr is None else store.FeatureSpec(snr_db=(snr, snr), seed=1)
        s = store_for(ds, spec, split=TRAIN)
        for r in results:
            where, params = in_speakers(fold_speakers(folds, r.fold)[0])
            rows.append({"model": r.recipe.name, "fold": r.fold, "SNR dB": "clean" if snr is None else snr,
                         "accuracy": summary(evaluate(r.trained.model, s, where, params))["clips"]})
    return pd.DataFrame(rows)


class Copies(Mapping[str, store.Store]):
    """The stores of a data set's augmented training clips by name (:data:`COPIES`), each made and filled when a
    recipe first asks for it: a chapter that trains no augmented network never waits for the vocoder."""

    def __init__(self, ds: Dataset):
        self.ds, self.made = ds, {}

    def __getitem__(self, name: str) -> store.Store:
        if name not in self.made:
            self.made[name] = store_for(self.ds, COPIES[name], split=TRAIN)
        return self.made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COPIES)

    def __len__(self) -> int:
        return len(COPIES)


def stores(ds: Dataset) -> tuple[store.Store, Copies, dict[str, int]]:
    """Everything an experiment reads: the clean store, the augmented copies of the training clips, the speaker
    folds."""
    clean = store_for(ds)
    return clean, Copies(ds), speaker_folds(clean)


def lstm_inputs(model: keras.Model, X: np.ndarray) -> np.ndarray:
    """What the network's first LSTM receives for segments ``X``: the normalised MFCC frames."""
    return keras.Model(model.inputs, model.get_layer("lstm_frames").input).predict(X, verbose=0)


CLOSE_CALL = 0.1
"""A verdict whose probability is within this of 0.5 is reported as a close call."""


def p_male(model: keras.Model, clip: audio.Audio, spec: store.FeatureSpec = store.FeatureSpec()) -> float:
    """Probability that the voice in ``clip`` is male: the mean of the network's output over the clip's segments."""
    _, pieces = store.clip_segments(clip.samples, spec)
    if not pieces:
        raise audio.AudioError(f"{clip.path}: no part of the recording is loud enough to judge the voice")
    X = np.stack([store.decode(p["features"], spec) for p in pieces])
    return float(model.predict(X, verbose=0)[:, 0].mean())


PROBE_SEMITONES = (-8, -4, 0, 4, 8)
"""Pitch shifts for :func:`pitch_probe`: about 8.6 semitones part the median woman's and man's pitch in LibriSpeech's
training readers (192 and 117 Hz), so 8 moves a voice about as far as the other sex's."""


def pitch_probe(ds: Dataset, result: FoldResult, semitones: tuple[float, ...] = PROBE_SEMITONES) -> pd.DataFrame:
    """The network of ``result`` asked about each of its held-out clips again with only the pitch shifted by each of
    ``semitones``, the formants kept (:func:`speechbook.formants.shift_pitch`): one row per clip and shift with its
    p(male). A network that judged the vocal tract would not change its mind. Cached beside the network, whose file
    name already says what it was trained on and so which clips it held out: WORLD takes minutes."""
    def compute() -> list[pd.DataFrame]:
        rows = []
        for _, clip in result.held_out.iterrows():
            y = ds.audio(ds.row(clip["path"])).samples
            for n, z in zip(semitones, formants.shift_pitch(y, semitones)):
                p = p_male(result.trained.model, audio.Audio(z, features.SAMPLE_RATE, clip["path"]))
                rows.append({"path": clip["path"], "speaker": clip["speaker"], "gender": clip["gender"],
                             "semitones": n, "p_male": p})
        return [pd.DataFrame(rows)]

    k = artifacts.key(semitones, modules=(sys.modules[__name__], store, features, formants))
    return artifacts.cached_tables(f"{result.trained.name}-pitch-probe", k, compute)[0]


def verdict(p: float) -> str:
    """'female (83%)', 'male (91%)', or a close call when the network is near 0.5, as the 2019 workshop said."""
    label = "male" if p > 0.5 else "female"
    return f"{label} ({max(p, 1 - p):.0%})" + (" - close call" if abs(p - 0.5) < CLOSE_CALL else "")


def vote(p_males: list[np.ndarray]) -> np.ndarray:
    """Several networks' p(male) for the same clips as one: the mean of their log-odds, so a network that is
    sure counts for more than one that hesitates (exercises *gender-ensemble* and *gender-seeds*)."""
    return expit(logit(np.clip(np.asarray(p_males, dtype=float), 1e-6, 1 - 1e-6)).mean(axis=0))


def best_model() -> keras.Model:
    """:data:`BEST` trained on folds 1 and 2 (cached), for the command line: it needs no vocoder to train, and
    :data:`SHIFTED_BEST`, better on the held-out readers, is no better on test-other's other recordings."""
    from speechbook import data

    clean, copies, folds = stores(data.load("librispeech-gender", fallback=True))
    return run_fold(BEST, clean, copies, folds, 0).trained.model


def recipes() -> list[Recipe]:
    """What the chapter compares: each network trained as in 2019, then on whole clips, then the best with each
    augmented copy."""
    return [workshop(a) for a in ARCHITECTURES] + [Recipe(a) for a in ARCHITECTURES] + [NOISY_BEST, SHIFTED_BEST]


def run_all(clean: store.Store, copies: Mapping[str, store.Store], folds: dict[str, int]) -> list[FoldResult]:
    """Every recipe of :func:`recipes` on every fold, networks and scores from the cache when they are there:
    ``python -m speechbook train gender`` computes them all, a few networks per process, before the chapter runs."""
    return [run_fold(r, clean, copies, folds, k) for r in recipes() for k in sorted(set(folds.values()))]


def baseline_folds(baseline: Callable[..., pd.DataFrame], clean: store.Store,
                   folds: dict[str, int]) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """A baseline (:func:`pitch_baseline`, :func:`voice_baseline`) fitted on each fold's training speakers, scored
    on the held-out fold and on test-other."""
    held_out, other = [], []
    for k in sorted(set(folds.values())):
        test, fit_on = fold_speakers(folds, k)
        held, rest = baseline(clean, fit_on, [in_speakers(test), ("u.split = ?", (OTHER,))])
        held_out.append(held)
        other.append(rest)
    return held_out, other
