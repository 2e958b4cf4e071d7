"""Slide decks from the chapters: the same executed notebooks as reveal.js decks, with every script
served by the site itself, so a presenter needs no network.

Cells carry RISE/nbconvert slide metadata (slide, subslide, fragment, skip, notes).
"""

from __future__ import annotations

import re
from pathlib import Path

from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from traitlets import Unicode
from traitlets.config import Config

TEMPLATES = Path(__file__).with_name("templates")


class RemoveStderr(Preprocessor):
    """Drop what cells wrote to stderr (TensorFlow's start-up chatter): the pages do too (``stderr_output``)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        return cell, resources


DIRECTIVE = re.compile(r"^(`{3,})\{([\w-]+)\}[ \t]*([^\n]*)\n"  # fence, name, title
                       r"((?:[ \t]*:[\w-]+:[^\n]*\n)*)(.*?)\n?^\1[ \t]*$\n?", re.M | re.S)  # options, body, fence
"""A MyST directive fenced in backticks: the fence, its name, its title, its options and its body."""
ROLE = re.compile(r"\{[\w-]+\}`([^`]+)`")
"""A MyST role, such as a reference to an exercise: {ref}`label`."""
LINK = re.compile(r"\]\(([\w-]+)\.(ipynb|md)(#[^)\s]*)?\)")
"""A Markdown link to another of the book's sources, such as [Sound as data](sound_as_data.ipynb)."""


def exercise_labels(nb: NotebookNode) -> list[str | None]:
    """The label of each exercise in ``nb``, in order (``None`` for one without): what a {ref} role names it by."""
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    found = [m for source in markdown for m in DIRECTIVE.finditer(source) if m[2] == "exercise"]
    return [label[1] if (label := re.search(r":label:\s*(\S+)", m[4])) else None for m in found]


class MystForSlides(Preprocessor):
    """Show the MyST the book renders and a deck would not as a presenter needs it: each exercise on a subslide of
    its own, under the number the book gives it, without its solution (the book keeps it under the exercise); a
    reference to an exercise by that number; an admonition as a quote under its title; the chapter's heading as the
    deck's title; a link to another chapter as a link to its deck, and one to a page of text as a link to the book's
    page. Without this a deck shows the directives as raw code, solutions included, below the summary's last line,
    and its links lead nowhere.

    The book numbers exercises through all chapters: ``resources["first_exercise"]`` is this chapter's first, and
    ``resources["exercises"]`` says how many it has."""

    pages = Unicode("../book", help="Where the book's pages are, seen from the decks.").tag(config=True)

    def preprocess(self, nb, resources):
        first = resources.get("first_exercise", 1)
        titles = [m[1] for c in nb.cells if c.cell_type == "markdown" for m in re.finditer(r"^# (.+)$", c.source, re.M)]
        if titles:  # the page's title names the deck too, instead of "Notebook slides" in every browser tab
            nb.metadata.setdefault("title", titles[0].strip())
        labels = exercise_labels(nb)
        resources["exercises"] = len(labels)
        number = {label: first + k for k, label in enumerate(labels) if label}
        cells, k = [], 0
        for cell in nb.cells:
            cells.append(cell)
            if cell.cell_type != "markdown":
                continue
            taken: list[str] = []  # references and links first: an exercise taken out keeps them as well
            cell.source = ROLE.sub(lambda m: f"exercise {number[m[1]]}" if m[1] in number else m[1], cell.source)
            cell.source = LINK.sub(self.relink, cell.source)
            cell.source = DIRECTIVE.sub(lambda m: self.rewrite(m, taken), cell.source)
            if taken:  # the exercises' heading goes with them, or says what follows where it was all the cell held
                rest = re.sub(r"(^|\n)#+ Exercises\s*$", "\n", cell.source.rstrip()).strip()
                cell.source = rest or (f"## Exercises\n\n{len(taken)} to try, one per slide below. The solutions "
                                       "are in the book, under each exercise.")
            for body in taken:
                k += 1
                cells.append(new_markdown_cell(f"### Exercise {first + k - 1} ({k} of {len(labels)})\n\n{body}\n\n"
                                               "*The solution is in the book, under this exercise.*",
                                               id=f"exercise-{k}", metadata={"slideshow": {"slide_type": "subslide"}}))
        nb.cells = cells
        return nb, resources

    def relink(self, m: re.Match) -> str:
        """A link to a chapter goes to its deck, one to a page of text to the book's page: the sources' names
        lead nowhere from a deck."""
        name, kind, anchor = m[1], m[2], m[3] or ""
        return f"]({name}.slides.html{anchor})" if kind == "ipynb" else f"]({self.pages}/{name}.html{anchor})"

    @staticmethod
    def rewrite(m: re.Match, taken: list[str]) -> str:
        """An exercise leaves the cell for ``taken`` (it gets a subslide), a solution leaves it for good, anything
        else is quoted under its title."""
        if m[2] == "exercise":
            taken.append(m[5])
        if m[2] in ("exercise", "solution"):
            return ""
        title = m[3].strip() or m[2].capitalize()
        return "\n".join([f"> **{title}**", ">"] + [f"> {line}" for line in m[5].splitlines()]) + "\n"


def exporter(static: str = "../_static", pages: str = "../book") -> SlidesExporter:
    """A reveal.js exporter whose scripts and styles come from the site's ``_static`` folder, and whose links to
    pages of text go to the book's ``pages``."""
    c = Config()
    c.MystForSlides.pages = pages
    c.SlidesExporter.reveal_url_prefix = f"{static}/reveal.js"
    c.SlidesExporter.reveal_theme = "white"  # its fonts ship with reveal.js (no web fonts)
    c.SlidesExporter.reveal_transition = "none"
    c.HTMLExporter.require_js_url = f"{static}/require.js"
    c.HTMLExporter.jquery_url = f"{static}/jquery.min.js"
    c.HTMLExporter.mathjax_url = f"{static}/mathjax/tex-chtml.js"
    c.HTMLExporter.widget_renderer_url = f"{static}/@jupyter-widgets/html-manager/dist/embed-amd.js"
    c.HTMLExporter.jupyter_widgets_base_url = f"{static}/"
    # Cells tagged remove-cell (the speaker notes) stay: hidden on the page, they are the deck's notes.
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    c.TagRemovePreprocessor.remove_input_tags = {"remove-input"}
    export = SlidesExporter(config=c, template_name="speechbook_slides", extra_template_basedirs=[str(TEMPLATES)])
    export.register_preprocessor(RemoveStderr(), enabled=True)
    return export


def build_decks(notebooks: dict[str, NotebookNode], out: Path) -> list[Path]:
    """Write ``out/<name>.slides.html`` for each executed chapter notebook; ``notebooks`` come in reading order, so
    that each deck numbers its exercises as the book does."""
    out.mkdir(parents=True, exist_ok=True)
    export = exporter()
    decks, first = [], 1
    for name, nb in notebooks.items():
        body, resources = export.from_notebook_node(nb, resources={"first_exercise": first})
        first += resources["exercises"]
        deck = out / f"{name}.slides.html"
        deck.write_text(body)
        decks.append(deck)
    return decks
