"""Build the book (``make book``): executed notebooks are cached, keyed by the package code and the data.

Jupyter Book's cache only notices changes to a notebook's own cells. The key written next to it also
covers ``code/speechbook/``, ``data/`` and which data sets are reachable, so a change to any of them
re-executes the chapters instead of publishing stale results.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from jupyter_cache import get_cache

from speechbook.data import data_folder
from speechbook.slides import build_decks

ROOT = Path(__file__).resolve().parents[2]
KEY_INPUTS = ["code/speechbook", "data/datasets.toml", "data/registry", "data/corpus/manifest.csv",
              "data/corpus/crowd/manifest.csv", "requirements.txt", "constraints.txt"]


def chapters(root: Path = ROOT) -> list[Path]:
    """The notebooks listed in ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").exists()]


def cache_key(root: Path = ROOT) -> str:
    """sha256 over the package's source, the data registry and the data settings (the recordings folder found)."""
    h = hashlib.sha256()
    for name in KEY_INPUTS:
        base = root / name
        for path in sorted([base] if base.is_file() else base.rglob("*")):
            if path.is_file() and path.suffix != ".pyc":
                h.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    h.update(f"data={data_folder()}, download={os.environ.get('SPEECHBOOK_DOWNLOAD', '')}".encode())
    return h.hexdigest()


def repository(root: Path = ROOT) -> tuple[str, str] | None:
    """The repository URL and branch the launch buttons point at: GitHub Actions' own, else git's origin."""
    if os.environ.get("GITHUB_REPOSITORY"):
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{os.environ['GITHUB_REPOSITORY']}", os.environ.get("GITHUB_REF_NAME", "main")

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True).stdout.strip()

    url = git("remote", "get-url", "origin")
    if not url.startswith(("https://", "git@")):
        return None  # a local clone: no public repository to launch from
    url = url.removesuffix(".git").replace("git@github.com:", "https://github.com/")
    return url, git("rev-parse", "--abbrev-ref", "HEAD") or "main"


def book_config(out: Path, root: Path = ROOT) -> Path:
    """``_config.yml`` with the repository and launch buttons filled in (or switched off) for this build."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    repo = repository(root)
    if repo:
        config["repository"] = {"url": repo[0], "branch": repo[1], "path_to_book": ""}
        config["html"].update(use_repository_button=True, use_issues_button=True)
    else:
        config["launch_buttons"] = {"notebook_interface": "jupyterlab"}
    path = out / "_build" / "_config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def build(out: Path = ROOT, root: Path = ROOT, quiet: bool = False) -> float:
    """Build into ``out/_build/html`` (chapters, then a slide deck per chapter) with cell errors fatal;
    return the seconds it took."""
    start = time.perf_counter()
    key_file, execution_cache = out / "_build" / ".speechbook-key", out / "_build" / ".jupyter_cache"
    key = cache_key(root)
    if not key_file.is_file() or key_file.read_text() != key:
        for stale in (execution_cache, out / "_build" / ".doctrees"):  # every chapter re-read and re-run
            shutil.rmtree(stale, ignore_errors=True)
    subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(root), "--path-output", str(out),
         "--config", str(book_config(out, root)), "-W", "-n", "--keep-going", *(["-q"] if quiet else [])],
        check=True, stdout=subprocess.DEVNULL if quiet else None,
        env={**os.environ, "SPEECHBOOK_STATIC": "1"},  # the kernels build pages for the static site (see live.demo)
    )
    # From the execution cache, not from jupyter_execute/: when only a chapter's text changed, Jupyter Book takes
    # the outputs from the cache but writes the notebook there without them
    cache = get_cache(execution_cache)
    build_decks({nb.stem: cache.merge_match_into_file(str(nb))[1] for nb in chapters(root)},
                out / "_build" / "html" / "slides")
    key_file.write_text(key)
    return time.perf_counter() - start


if __name__ == "__main__":
    try:
        build()
    except subprocess.CalledProcessError as err:
        sys.exit(err.returncode)
