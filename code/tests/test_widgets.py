"""The static explorer links a slider to pre-rendered pictures in the browser (no kernel needed)."""

import base64
import re

import ipywidgets as w
import matplotlib.pyplot as plt

from speechbook.widgets import slider_gallery


def draw(n):
    fig, ax = plt.subplots()
    ax.plot(range(n))
    return fig


def test_slider_gallery_prerenders_every_picture_and_links_in_js():
    made = []
    w.Widget.on_widget_constructed(made.append)
    try:
        box = slider_gallery([2, 3, 4], draw, "n", alt='A "rising" line')
    finally:
        w.Widget.on_widget_constructed(None)
    (slider, names), stack = box.children[0].children, box.children[1]
    assert isinstance(stack, w.Stack) and len(stack.children) == 3
    imgs = [re.fullmatch(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)" style="max-width: 100%">', p.value)
            for p in stack.children]
    pictures = [base64.b64decode(img[1]) for img in imgs]
    assert all(p.startswith(b"\x89PNG") for p in pictures) and len(set(pictures)) == 3
    assert [img[2] for img in imgs] == [f"A &quot;rising&quot; line (n: {n})" for n in (2, 3, 4)]  # said in words
    assert [label for label, _ in slider.options] == ["2", "3", "4"]
    assert [label.value for label in names.children] == ["2", "3", "4"] and not slider.readout  # shown in full
    links = [x for x in made if type(x).__name__ == "Link"]  # jslink, not a Python callback
    assert [(l.source, l.target) for l in links] == [((slider, "index"), (stack, "selected_index")),
                                                     ((slider, "index"), (names, "selected_index"))]
