"""Command line.

``python -m speechbook check FILE...`` says how each file loads, or why it cannot;
``python -m speechbook predict FILE --task digits|animals|gender`` says which digit or animal word it hears,
or whether the voice is female or male;
``python -m speechbook train speech_stamps|gender`` trains and scores (or finds cached) every network the chapter
needs.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time

from speechbook.audio import AudioError, load
from speechbook.pretrain import CHAPTERS, PROGRESS, RESTART


def check(paths: list[str]) -> int:
    """Print each file's duration and conversions, or its error; exit status 1 if any file failed."""
    failed = 0
    for path in paths:
        try:
            a = load(path)
        except AudioError as err:
            print(f"error: {err}", file=sys.stderr)
            failed = 1
            continue
        print(f"{path}: {a.duration:.2f} s at {a.sr} Hz ({'; '.join(a.notes) or 'no conversion needed'})")
    return failed


def predict(path: str, task: str) -> int:
    """Print the network's answer with its confidence; a bad file gives a clear error and exit status 1."""
    from speechbook import gender
    from speechbook.recognise import recogniser

    try:
        with contextlib.redirect_stdout(sys.stderr):  # notes about the data go beside the answer, not into it
            recognise = gender.best_model() if task == "gender" else recogniser(task)
        if task == "gender":
            print(f"{path}: {gender.verdict(gender.p_male(recognise, load(path)))}")
            return 0
        result = recognise(path)
    except AudioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    ranked = sorted(result.probabilities.items(), key=lambda kv: -kv[1])
    print(f"{path}: {result.label} ({result.confidence:.0%})")
    print("  " + ", ".join(f"{name} {p:.0%}" for name, p in ranked[:3]))
    return 0


def train(chapter: str, per_process: int | None) -> int:
    """Train and score the chapter's networks as the chapter will ask for them, training or loading at most
    ``per_process`` of them, and print how many it trained in how long (a :data:`speechbook.pretrain.PROGRESS` line);
    exit status :data:`speechbook.pretrain.RESTART` when more are left, 0 when every network is trained and scored."""
    from speechbook import artifacts, data, digits, gender
    from speechbook import train as training

    saved = artifacts.model_folder()
    before, start = set(saved.glob("*.keras")), time.perf_counter()
    training.limit_networks(per_process)
    status = 0
    try:
        if chapter == "speech_stamps":
            digits.score_every_network(data.load("fsdd", fallback=True))
        else:
            gender.run_all(*gender.stores(data.load("librispeech-gender", fallback=True)))
    except training.NetworkLimit:
        status = RESTART
    trained = len(set(saved.glob("*.keras")) - before)
    if trained:
        print(f"{PROGRESS}{trained} network{'s' * (trained > 1)} trained in {time.perf_counter() - start:.0f} s",
              flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="speechbook", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="load audio files as the book does").add_argument("files", nargs="+")
    guess = commands.add_parser("predict", help="classify a recording with the book's trained networks")
    guess.add_argument("file")
    guess.add_argument("--task", choices=["digits", "animals", "gender"], default="digits")
    learn = commands.add_parser("train", help="train every network a chapter needs, a few per process")
    learn.add_argument("chapter", choices=CHAPTERS)
    learn.add_argument("--per-process", type=int, help="stop after training or loading this many networks")
    args = parser.parse_args(argv)
    if args.command == "train":
        return train(args.chapter, args.per_process)
    return check(args.files) if args.command == "check" else predict(args.file, args.task)


if __name__ == "__main__":
    sys.exit(main())
