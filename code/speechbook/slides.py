"""Slide decks from the chapters: the same executed notebooks as reveal.js decks, with every script
served by the site itself, so a presenter needs no network.

Cells carry RISE/nbconvert slide metadata (slide, subslide, fragment, skip, notes).
"""

from __future__ import annotations

from pathlib import Path

from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets.config import Config

TEMPLATES = Path(__file__).with_name("templates")


class RemoveStderr(Preprocessor):
    """Drop what cells wrote to stderr (TensorFlow's start-up chatter): the pages do too (``stderr_output``)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        return cell, resources


def exporter(static: str = "../_static") -> SlidesExporter:
    """A reveal.js exporter whose scripts and styles come from the site's ``_static`` folder."""
    c = Config()
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
    """Write ``out/<name>.slides.html`` for each executed chapter notebook."""
    out.mkdir(parents=True, exist_ok=True)
    export = exporter()
    decks = []
    for name, nb in notebooks.items():
        body, _ = export.from_notebook_node(nb)
        deck = out / f"{name}.slides.html"
        deck.write_text(body)
        decks.append(deck)
    return decks
