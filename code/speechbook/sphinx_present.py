"""Sphinx extension for the book's pages: a "Present this chapter" link at the top of every chapter
built from a notebook, and each page's scripts once each. (A figure's alt text comes from its cell's
``mystnb.image.alt`` metadata.)"""

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


def drop_repeated_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Keep the first of two identical scripts. Sphinx 7, which Jupyter Book 1 needs, lists an inline script added
    after the builder starts twice (fixed in Sphinx 8.2, sphinx-doc/sphinx#13402): sphinx-thebe's second
    ``const THEBE_JS_URL`` then stops every page with a SyntaxError."""
    seen, scripts = set(), []
    for script in context["script_files"]:
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"] = scripts


def setup(app: Sphinx) -> dict:
    """Register the hooks."""
    app.connect("html-page-context", add_present_link)
    app.connect("html-page-context", drop_repeated_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
