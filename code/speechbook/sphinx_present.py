"""Sphinx extension for the book's pages: a "Present this chapter" link at the top of every chapter
built from a notebook. (A figure's alt text comes from its cell's ``mystnb.image.alt`` metadata.)"""

from __future__ import annotations

from sphinx.application import Sphinx


def add_present_link(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Prepend the link to the page body when the page came from an ``.ipynb`` chapter."""
    if doctree is None or not str(app.env.doc2path(pagename)).endswith(".ipynb"):
        return
    name = pagename.rsplit("/", 1)[-1]
    href = context["pathto"](f"slides/{name}.slides.html", 1)
    context["body"] = (f'<p class="present-link"><a class="reference external" href="{href}">'
                       f"&#9654; Present this chapter (slides)</a></p>\n" + context["body"])


def setup(app: Sphinx) -> dict:
    """Register the hook."""
    app.connect("html-page-context", add_present_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
