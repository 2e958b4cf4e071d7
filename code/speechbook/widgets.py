"""Explorers that keep working on the static site: every picture is drawn at build time.

A slider is linked in the browser (``jslink``) to a ``Stack`` of pre-rendered images, so moving it
needs no kernel. Chapter: *Sound as data* (``book/sound_as_data.ipynb``).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

from speechbook.plots import png


def slider_gallery(options: Sequence, draw: Callable[[object], Figure], description: str,
                   fmt: Callable[[object], str] = str, *, alt: str) -> widgets.VBox:
    """A slider over ``options``; each position shows the figure ``draw(option)`` rendered in advance, and the
    option's name in full beside the slider (the slider's own readout cuts a long name short).

    ``alt`` says in words what the pictures show, for readers who cannot see them; each picture's alt text is
    it and the picture's option."""
    pictures = widgets.Stack([picture(draw(o), f"{alt} ({description}: {fmt(o)})") for o in options],
                             selected_index=0)
    names = widgets.Stack([widgets.Label(fmt(o)) for o in options], selected_index=0, layout={"flex": "0 0 auto"})
    slider = widgets.SelectionSlider(
        options=[(fmt(o), i) for i, o in enumerate(options)], description=description, readout=False,
        style={"description_width": "initial"}, layout={"flex": "1 1 auto", "width": "auto"}, continuous_update=True,
    )
    for shown in (pictures, names):
        widgets.jslink((slider, "index"), (shown, "selected_index"))
    return widgets.VBox([widgets.HBox([slider, names], layout={"width": "95%"}), pictures])


def picture(fig: Figure, alt: str) -> widgets.HTML:
    """A figure as an ``<img>`` with its alt text: the image widget has no alt attribute, and the tooltip that
    stands in for one on other widgets stops it from being drawn at all in the book's widget manager. It may
    shrink to the column but never grows past its own size, where it would blur and its lettering outgrow the
    page's."""
    data = base64.b64encode(png(fig)).decode()
    return widgets.HTML(f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" style="max-width: 100%">',
                        layout={"width": "100%"})
