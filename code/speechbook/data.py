"""Load a data set by name: real recordings, every file checked against its sha256.

Where a data set's files come from, in order:

1. ``$SPEECHBOOK_DATA/<name>/``, or when that is not set, ``../shared/datasets/<name>/`` beside the repository;
2. the local cache (``$SPEECHBOOK_CACHE``, else the user cache folder), filled by
3. a download of the public originals with :mod:`pooch`, when ``$SPEECHBOOK_DOWNLOAD`` is not ``0``.

With ``fallback=True`` a data set that cannot be had is replaced, saying so, by the project's
synthetic espeak-ng corpus. Chapter: *Data sets and licences* (``book/datasets.md``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from speechbook.audio import Audio, load as load_audio
from speechbook.corpus import ANIMALS, CORPUS_DIR, CROWD_DIR, DIGITS

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_MIRROR = "https://raw.githubusercontent.com"
SHARED = DATA_DIR.parents[1] / "shared" / "datasets"
"""Where development and CI machines keep the real recordings: ``../shared/datasets`` beside the repository."""
NAMES = ("fsdd", "speech-commands-animals", "librispeech-gender")
GENERATED = {"corpus": CORPUS_DIR, "crowd": CROWD_DIR}
"""The data sets this project generates and ships itself, and their folders."""


class DataError(RuntimeError):
    """A data set is missing, incomplete or fails its checksum; the message names the file."""


@cache
def registry() -> dict[str, dict]:
    """What each data set is: title, licence, credit (``data/datasets.toml``)."""
    return tomllib.loads((DATA_DIR / "datasets.toml").read_text())


def manifest(name: str) -> pd.DataFrame:
    """Every file of a data set: relative path, labels, sha256 and public address."""
    if name not in NAMES:
        raise DataError(f"unknown data set {name!r}; known: {', '.join(NAMES)}")
    return pd.read_csv(DATA_DIR / "registry" / f"{name}.csv", dtype={"speaker": str})


@dataclass
class Dataset:
    """A data set ready to use: one row per file in ``meta`` (with absolute ``file``) and its provenance."""

    name: str
    meta: pd.DataFrame
    origin: str
    stands_in_for: str | None = None

    @property
    def info(self) -> dict:
        """The registry entry (title, licence, credit)."""
        return registry()[self.name]

    @property
    def source(self) -> str:
        """One line naming the data, for figure captions and result tables."""
        if self.stands_in_for:
            return f"{self.info['title']}, standing in for {registry()[self.stands_in_for]['short']}"
        return f"{self.info['title']}, {self.info['licence']}"

    @property
    def fingerprint(self) -> str:
        """A short sha256 over every file's checksum: it changes whenever any file does."""
        return hashlib.sha256("".join(self.meta["sha256"]).encode()).hexdigest()[:16]

    def audio(self, i: int) -> Audio:
        """Load row ``i`` as 16 kHz mono."""
        return load_audio(self.meta["file"].iloc[i])

    def row(self, path: str) -> int:
        """The row of the file at ``path`` (relative, as in the manifest and the feature stores)."""
        return self.meta["path"].tolist().index(path)

    def __len__(self) -> int:
        return len(self.meta)

    def _repr_markdown_(self) -> str:
        speakers = self.meta["speaker"].nunique()
        return f"**Data:** {self.source} — {len(self)} clips, {speakers} speakers ({self.origin})."


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(root: Path, table: pd.DataFrame, name: str) -> None:
    """Raise DataError naming the first file under ``root`` that is missing or fails its sha256."""
    bad = []
    for rel, digest in zip(table["path"], table["sha256"]):
        path = root / rel
        if not path.is_file():
            bad.append(f"{path}: missing")
        elif sha256(path) != digest:
            bad.append(f"{path}: sha256 {sha256(path)[:12]}... differs from the registry's {digest[:12]}...")
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise DataError(f"data set {name!r} failed verification: {bad[0]}{more}")


def cache_dir() -> Path:
    """Where downloaded data sets live: ``$SPEECHBOOK_CACHE`` or the user cache folder."""
    import pooch

    return Path(os.environ.get("SPEECHBOOK_CACHE") or pooch.os_cache("speechbook"))


def download(name: str, table: pd.DataFrame, root: Path, mirror: str) -> None:
    """Fetch missing files of a data set into ``root`` with pooch, refusing any whose sha256 differs."""
    import pooch
    import requests  # pooch downloads with it

    pooch.get_logger().setLevel(logging.WARNING)
    pup = pooch.create(
        path=root, base_url=f"{mirror}/", retry_if_failed=2,
        registry={p: f"sha256:{h}" for p, h in zip(table["path"], table["sha256"])},
        urls={p: f"{mirror}/{u}" for p, u in zip(table["path"], table["url_path"])},
    )

    def fetch(rel: str) -> None:
        url = pup.get_url(rel)
        try:
            pup.fetch(rel)
        except ValueError as err:  # pooch's checksum mismatch
            raise DataError(f"{name}/{rel}: refused the download from {url}: {err}") from None
        except requests.HTTPError as err:
            raise DataError(f"{name}/{rel}: could not download {url}: HTTP {err.response.status_code}") from None
        except requests.RequestException as err:  # offline, refused or timed out: the reason, not a page of it
            raise DataError(f"{name}/{rel}: could not download {url}: no connection "
                            f"({type(err).__name__})") from None

    for folder in {(root / p).parent for p in table["path"]}:
        folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(fetch, table["path"]))


def data_folder() -> Path | None:
    """The folder of real recordings: ``$SPEECHBOOK_DATA`` (set but empty: none), else :data:`SHARED` if it exists;
    so the command line and a Jupyter kernel find the recordings ``make`` finds."""
    named = os.environ.get("SPEECHBOOK_DATA")
    if named is None:
        return SHARED if SHARED.is_dir() else None
    return Path(named) if named else None


def locate(name: str, download_ok: bool | None = None) -> tuple[Path, str]:
    """Find a verified copy of a data set and say where it came from; raise DataError if there is none."""
    table = manifest(name)
    shared = data_folder()
    if shared and (shared / name).is_dir():
        root = shared / name
        verify(root, table, name)
        return root, f"read from {root}"
    root = cache_dir() / name
    try:
        verify(root, table, name)
        return root, f"from the cache {root}"
    except DataError:
        pass
    if download_ok is None:
        download_ok = os.environ.get("SPEECHBOOK_DOWNLOAD", "1") != "0"
    if not download_ok:
        raise DataError(
            f"data set {name!r} is not available: set SPEECHBOOK_DATA to a folder holding {name}/, "
            f"or allow downloads (SPEECHBOOK_DOWNLOAD=1) to fetch it into {root}"
        )
    download(name, table, root, os.environ.get("SPEECHBOOK_MIRROR", DEFAULT_MIRROR).rstrip("/"))
    return root, f"downloaded and verified into {root}"


def as_stand_in(name: str, corpus: pd.DataFrame) -> pd.DataFrame:
    """Reshape the corpus to look like data set ``name``: same label columns, speaker-disjoint splits."""
    if name == "fsdd":
        out = corpus[corpus["word"].isin(DIGITS)].copy()
        out["digit"] = out["word"].map(DIGITS.index)
    elif name == "speech-commands-animals":
        out = corpus[corpus["word"].isin(ANIMALS)].copy()
    else:
        out = corpus.copy()
        out["subset"] = (corpus["split"] == "test").map({True: "test-other", False: "train-clean-100"})
    return out.reset_index(drop=True)  # row i is clip i, as in every other data set


def stand_in(name: str) -> Dataset:
    """The synthetic corpus shaped like data set ``name`` (same label columns, speaker-disjoint split)."""
    corpus = load("corpus")
    return Dataset("corpus", as_stand_in(name, corpus.meta), corpus.origin, stands_in_for=name)


def load(name: str, fallback: bool = False, download_ok: bool | None = None) -> Dataset:
    """Load data set ``name`` (see module doc); with ``fallback`` use the synthetic corpus if it is unavailable."""
    if name in GENERATED:
        folder = GENERATED[name]
        meta = pd.read_csv(folder / "manifest.csv", dtype={"speaker": str})
        meta["file"] = [str(folder / p) for p in meta["path"]]
        return Dataset(name, meta, f"generated by this project in {folder}")
    try:
        root, origin = locate(name, download_ok)
    except DataError as err:
        if not fallback:
            raise
        short = registry()[name]["short"]
        print(f"NOTE: {short} is not available here ({err}).\n"
              f"Using the speechbook synthetic corpus (espeak-ng voices) instead: every number and figure "
              f"below describes synthetic speech, not {short}.")
        return stand_in(name)
    meta = manifest(name)
    meta["file"] = [str(root / p) for p in meta["path"]]
    return Dataset(name, meta, origin)
