"""Explorers that keep working on the static site: every picture is drawn at build time.

A slider is linked in the browser (``jslink``) to a ``Stack`` of pre-rendered images, so moving it
needs no kernel. Chapter: *Sound as data* (``book/sound_as_data.ipynb``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

from speechbook.plots import png


def slider_gallery(options: Sequence, draw: Callable[[object], Figure], description: str,
                   fmt: Callable[[object], str] = str) -> widgets.VBox:
    """A slider over ``options``; each position shows the figure ``draw(option)`` rendered in advance."""
    pictures = [widgets.Image(value=png(draw(o)), format="png", layout={"width": "100%"}) for o in options]
    stack = widgets.Stack(pictures, selected_index=0)
    slider = widgets.SelectionSlider(
        options=[(fmt(o), i) for i, o in enumerate(options)], description=description,
        style={"description_width": "initial"}, layout={"width": "95%"}, continuous_update=True,
    )
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return widgets.VBox([slider, stack])
