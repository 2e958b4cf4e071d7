"""Build benchmark: clean-build time, no-change rebuild time and each chapter's peak memory.

Run ``make bench`` (or ``python -m speechbook.bench``; about an hour on 2 cores, as it trains every network
twice: once for the clean build, once for the memory a Binder session, which has no cache, needs).
Targets: clean build < 8 min on 2 cores, no-change rebuild < 15 s, every chapter < 1.5 GB.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from speechbook.build import ROOT, build, chapters


def machine() -> str:
    """The processor (with its widest vector instructions), its cores and TensorFlow's version: the same seeds train
    other networks on another processor, which rounds in another order, so the figures belong to the machine named."""
    from importlib.metadata import version

    cpuinfo = Path("/proc/cpuinfo")  # Linux; elsewhere the platform module's name, without the vector width
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    info = {key.strip(): value.strip() for key, value in (line.split(":", 1) for line in lines if ":" in line)}
    flags = info.get("flags", "").split()
    vector = next((f.upper() for f in ("avx512f", "avx2", "avx") if f in flags), None)
    cpu = info.get("model name") or platform.processor() or platform.machine()
    tf = version("tensorflow-cpu")  # as requirements.txt pins it
    return f"{cpu}{f' ({vector})' if vector else ''}, {os.cpu_count()} cores, TensorFlow {tf}"


def execute(notebook: Path, save_to: Path | None = None) -> None:
    """Run a notebook top to bottom in a fresh kernel (in its own folder); raise on any cell error."""
    import nbformat
    import yaml
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    timeout = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]  # as the book build
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
                   ).execute()
    if save_to:
        nbformat.write(nb, save_to)


def peak_mb(notebook: Path, artifacts: Path | None = None) -> float:
    """Peak resident memory (MB) of the kernel that runs ``notebook`` or of the largest process it starts
    (:mod:`speechbook.pretrain`'s), measured in a child process; with ``artifacts`` (an empty folder) it computes
    every stamp and trains every network, as on Binder."""
    code = ("import resource, sys; from pathlib import Path; from speechbook.bench import execute; "
            "execute(Path(sys.argv[1])); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    env = {**os.environ, "SPEECHBOOK_ARTIFACTS": str(artifacts)} if artifacts else None
    out = subprocess.run([sys.executable, "-c", code, str(notebook)], check=True, capture_output=True, text=True,
                         env=env)
    return int(out.stdout.split()[-1]) / 1024


def stamp_results() -> None:
    """The Speech Stamps targets, read from the trained models the build cached."""
    from speechbook import data, digits, features, transfer

    fsdd = data.load("fsdd", fallback=True)
    print(f"\nspoken digits ({fsdd.source}); targets: official >= 99 %, LOSO mean >= 90 %, < 60 s per model")
    loso = digits.every_leave_one_speaker_out(fsdd)
    print(digits.summary(fsdd, loso).to_string(float_format=lambda x: f"{x:.3f}"))
    for name, (table, _) in loso.items():
        per_speaker = ", ".join(f"{s} {a:.1%}" for s, a in zip(*table.iloc[:, :2].T.values))
        print(f"  {name} LOSO per speaker: {per_speaker}; train time {table['train time (s)'].mean():.0f} s per fold")
    animals = data.load("speech-commands-animals", fallback=True)
    curve = transfer.learning_curve(
        transfer.methods(digits.official(fsdd, "2018")[0].model, digits.official(fsdd, "improved")[0].model,
                         features.dataset_stamps(animals)),
        transfer.word_labels(animals)[1], animals.meta["speaker"].to_numpy())
    print(f"\ntransfer to bird/cat/dog ({animals.source}), unseen speakers, % over 10 draws; target >= 85 % at 5")
    print(transfer.table(curve).to_string())


def gender_results() -> None:
    """The female/male comparison table, read from the models the build cached."""
    from speechbook import data, gender

    ds = data.load("librispeech-gender", fallback=True)
    clean, copies, folds = gender.stores(ds)
    results = gender.run_all(clean, copies, folds)
    baselines = {"median pitch": gender.baseline_folds(gender.pitch_baseline, clean, folds),
                 "average voice": gender.baseline_folds(gender.voice_baseline, clean, folds)}
    print(f"\nfemale/male ({ds.source}); targets: best >= 97 % held-out clips, >= 90 % test-other, < 120 s per model")
    for table in gender.compare(results, baselines):
        print(table.to_string())


def main() -> None:
    """Print build time, rebuild time and memory per chapter, then the accuracy targets."""
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SPEECHBOOK_ARTIFACTS"] = str(Path(tmp) / "artifacts")  # a truly clean build trains everything
        clean = build(Path(tmp), quiet=True)
        rebuild = build(Path(tmp), quiet=True)
        print(f"clean build (every chapter executed): {clean:7.1f} s   (target < 480 s)")
        print(f"no-change rebuild:                    {rebuild:7.1f} s   (target < 15 s)")
        for nb in chapters():
            print(f"peak memory {nb.stem:<24}  {peak_mb(nb):7.0f} MB with trained models from the cache, "
                  f"{peak_mb(nb, Path(tmp) / nb.stem):7.0f} MB training them (as on Binder)  (target < 1536 MB)")
        stamp_results()
        gender_results()


if __name__ == "__main__":
    main()
