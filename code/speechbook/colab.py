"""The first cell of every chapter: on Colab it fetches the book's package, anywhere else it does nothing.

Colab opens a chapter's ``.ipynb`` straight from the repository, without the environment Binder builds
from ``requirements.txt``. The cell clones the repository named in ``pyproject.toml``
(``[project.urls] Repository``) and puts its package on the path; the recordings then download on first
use and are checked by sha256 (:mod:`speechbook.data`). Run ``python -m speechbook.colab`` after changing
the repository's address to rewrite the cell in every chapter.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import nbformat

from speechbook.build import ROOT, chapters

CLONE = "/content/speechbook"
MARK = "# Colab set-up"
PACKAGES = {"gender": ("pyworld",)}
"""What a chapter needs beyond Colab's own packages and anywidget, which every chapter installs: PyPI has pyworld as
source only, so it is built there (about half a minute) only for the chapter that shifts voices with it."""


def repository(root: Path = ROOT) -> str:
    """The repository's public address, as ``pyproject.toml`` gives it."""
    return tomllib.loads((root / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


def setup_cell(url: str, branch: str = "main", clone: str = CLONE,
               packages: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """The notebook cell: hidden on the page and skipped in the deck, a no-op outside Colab; it installs anywidget
    and ``packages``."""
    source = f"""{MARK} (does nothing outside Google Colab): fetch the book's code; the recordings
# download on first use, each checked against its published sha256.
import sys

if "google.colab" in sys.modules:
    !git clone -q --depth 1 --branch {branch} {url} {clone}
    %pip install -q {" ".join(("anywidget", *packages))}
    sys.path.insert(0, "{clone}/code")
    from google.colab import output

    output.enable_custom_widget_manager()  # the book's widgets are ipywidgets 8 / anywidget"""
    return nbformat.v4.new_code_cell(source, id="colab-setup",
                                     metadata={"slideshow": {"slide_type": "skip"}, "tags": ["remove-cell"]})


def stamp(notebook: Path, cell: nbformat.NotebookNode) -> bool:
    """Make ``cell`` the notebook's first code cell (replacing an older set-up cell); True if it changed."""
    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if not c.source.startswith(MARK)]
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cells.insert(first_code, cell)
    if cells == nb.cells:
        return False
    nb.cells = cells
    nbformat.write(nb, notebook)
    return True


if __name__ == "__main__":
    for nb in chapters():
        if stamp(nb, setup_cell(repository(), packages=PACKAGES.get(nb.stem, ()))):
            print(f"{nb.relative_to(ROOT)}: Colab set-up cell written")
