"""Slide decks: MyST that only the book renders is turned into slides a presenter can show."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from speechbook import slides

SUMMARY = """## Summary

- One idea, see {ref}`ex-two`.

## Exercises

```{exercise}
:label: ex-one
First question?
```

````{solution} ex-one
:class: dropdown
```python
print("first answer")
```
````

```{exercise}
:label: ex-two
Second question, after {ref}`ex-one` and [the first chapter](first.ipynb)?
```

```{solution} ex-two
:class: dropdown
Second answer.
```
"""


def chapter(summary: str = SUMMARY) -> nbformat.NotebookNode:
    """A chapter with an admonition, links to another chapter and to a page, a code cell, and a summary followed
    by exercises."""
    return nbformat.from_dict(new_notebook(cells=[
        new_markdown_cell("# Title\n\n```{admonition} Needs Python\n:class: tip\nLaunch it.\n```\n\n"
                          "See [the first chapter](first.ipynb) and [the data](datasets.md#fsdd).",
                          metadata={"slideshow": {"slide_type": "slide"}}),
        new_code_cell("1 + 1"),
        new_markdown_cell(summary, metadata={"slideshow": {"slide_type": "slide"}}),
    ]))


def test_a_deck_shows_each_exercise_on_its_own_subslide_without_its_solution():
    deck, _ = slides.exporter().from_notebook_node(chapter())
    assert "{exercise}" not in deck and "{solution}" not in deck and "{ref}" not in deck
    assert "answer" not in deck and "dropdown" not in deck  # solutions stay in the book
    assert "<strong>Needs Python</strong>" in deck and "Launch it." in deck
    assert "see exercise 2." in deck
    first, second = deck.index("Exercise 1 (1 of 2)"), deck.index("Exercise 2 (2 of 2)")
    assert deck.index("One idea") < first < deck.index("First question?") < second < deck.index("Second question")
    assert 'Second question, after exercise 1 and <a href="first.slides.html">the first chapter</a>?' in deck
    assert deck.count("<section") == 6  # two slides (4 sections), the exercises two subslides of the second
    assert ">Exercises<" not in deck  # the heading left with its exercises
    assert "<title>Title slides</title>" in deck  # the chapter's heading, as on its page


def test_exercises_in_a_cell_of_their_own_get_a_slide_that_says_what_follows():
    summary, exercises = SUMMARY.split("## Exercises")
    nb = chapter(summary)
    nb.cells.append(new_markdown_cell("## Exercises" + exercises, metadata={"slideshow": {"slide_type": "slide"}}))
    deck, _ = slides.exporter().from_notebook_node(nb)
    assert ">Exercises<" in deck and "2 to try, one per slide below." in deck
    assert deck.index("One idea") < deck.index(">Exercises<") < deck.index("Exercise 1 (1 of 2)")
    assert "{exercise}" not in deck and "answer" not in deck


def test_decks_number_exercises_through_the_book_as_the_book_does(tmp_path):
    one_exercise = SUMMARY[:SUMMARY.index("```{exercise}\n:label: ex-two")].replace("{ref}`ex-two`", "the book")
    slides.build_decks({"first": chapter(one_exercise), "second": chapter()}, tmp_path)
    first, second = ((tmp_path / f"{name}.slides.html").read_text() for name in ("first", "second"))
    assert "Exercise 1 (1 of 1)" in first and "Exercise 2" not in first
    assert "Exercise 2 (1 of 2)" in second and "Exercise 3 (2 of 2)" in second  # the book's numbers 2 and 3
    assert "see exercise 3." in second


def test_deck_links_lead_to_the_other_decks_and_to_the_books_pages():
    deck, _ = slides.exporter(pages="../book").from_notebook_node(chapter())
    assert '<a href="first.slides.html">the first chapter</a>' in deck
    assert '<a href="../book/datasets.html#fsdd">the data</a>' in deck
    assert ".ipynb" not in deck and "datasets.md" not in deck
