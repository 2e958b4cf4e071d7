"""Sphinx extension for the book's pages: a "Present this chapter" link at the top of every chapter
built from a notebook, and alt text for the figures that cells draw."""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def add_present_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Prepend the link to the page body when the page came from an ``.ipynb`` chapter."""
    if doctree is None or not str(app.env.doc2path(pagename)).endswith(".ipynb"):
        return
    name = pagename.rsplit("/", 1)[-1]
    href = context["pathto"](f"slides/{name}.slides.html", 1)
    context["body"] = (f'<p class="present-link"><a class="reference external" href="{href}">'
                       f"&#9654; Present this chapter (slides)</a></p>\n" + context["body"])


def describe_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give each cell-drawn figure (whose alt text is its file name) an alt text naming its section."""
    for image in doctree.findall(nodes.image):
        if image.get("alt", image["uri"]) != image["uri"] and not image.get("alt", "").endswith(".png"):
            continue
        section = next((n for n in _ancestors(image) if isinstance(n, nodes.section)), None)
        title = section[0].astext() if section is not None else app.env.titles[docname].astext()
        image["alt"] = f"Figure drawn by the code above, in the section '{title}'"


def _ancestors(node: nodes.Node):
    """The node's parents, nearest first."""
    while node.parent is not None:
        node = node.parent
        yield node


def setup(app: Sphinx) -> dict:
    """Register the hooks."""
    app.connect("html-page-context", add_present_link)
    app.connect("doctree-resolved", describe_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
