"""The book builds with every chapter executed, and its pages carry real figures, audio and widgets.

Building is the README's ``make book``; a cell that raises fails the build and so this test.
"""

import json
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import nbformat
import pytest

from speechbook import slides
from speechbook.bench import execute, machine
from speechbook.build import ROOT, cache_key, chapters

HTML = ROOT / "_build" / "html"


def page(site: Path, notebook: Path) -> str:
    return (site / notebook.relative_to(ROOT).with_suffix(".html")).read_text()


def test_every_page_is_built(site):
    for name in ["index.html", "book/intro.html", "book/teaching.html", "book/glossary.html", "book/datasets.html"]:
        assert (site / name).is_file()
    assert chapters() and all(page(site, nb) for nb in chapters())


# The least each chapter shows: (figures, audio players).
AT_LEAST = {"sound_as_data": (10, 7), "cnn_on_sound": (3, 1), "speech_stamps": (6, 6), "transfer": (3, 3),
            "say_it": (1, 1), "lstm": (4, 1), "gender": (4, 6)}


@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.stem)
def test_chapter_page_has_figures_audio_and_no_noise(site, notebook):
    html = page(site, notebook)
    assert not re.search(r"Traceback|tensorflow/core|absl|WARNING:tensorflow|retracing|oneDNN", html)
    images = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+\.png)"', html)
    players = re.findall(r'<source src="data:audio/wav;base64,([A-Za-z0-9+/=]+)"', html)
    figures, audio = AT_LEAST[notebook.stem]
    assert len(images) >= figures and all((site / img).stat().st_size > 2000 for img in images)
    assert len(players) >= audio and all(len(p) > 2000 for p in players)
    assert every_player_named(html)
    assert "<strong>Data:</strong>" in html or "trained on" in html  # every chapter names its data
    assert described(html, "../_images/") == alt_texts(notebook)  # each figure says what it shows, in words


def every_player_named(html: str) -> bool:
    """Whether each audio player in ``html`` has a name, so that a screen reader says what it plays."""
    names = re.findall(r'<audio aria-label="([^"]+)"', html)
    return len(names) == html.count("<audio")


def alt_texts(notebook: Path) -> set[str]:
    """The alt texts the chapter's figure cells give their figures."""
    cells = nbformat.read(notebook, as_version=4).cells
    images = [c.metadata.get("mystnb", {}).get("image", {}) for c in cells]
    return {image["alt"] for image in images if "alt" in image}


def described(html: str, src: str) -> set[str]:
    """The alt texts of the images under ``src`` in ``html``; an image without one fails."""
    images = re.findall(rf'<img[^>]*src="{re.escape(src)}[^>]*>', html)
    alts = [re.search(r"""alt=(["'])(.*?)\1""", img) for img in images]
    assert images and all(a and len(a[2]) > 40 and not a[2].endswith(".png") for a in alts), [a and a[2] for a in alts]
    return {unescape(a[2]) for a in alts}


def test_widgets_are_embedded_and_served_locally(site):
    html = page(site, ROOT / "book" / "sound_as_data.ipynb")
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S)
    assert state and all(m in state.group(1) for m in ["StackModel", "SelectionSliderModel", "LinkModel"])
    models = json.loads(state.group(1))["state"].values()
    pictures = [m["state"]["value"] for m in models if m["state"].get("value", "").startswith("<img src=")]
    assert len(pictures) >= 6 and all(re.search(r'alt="[^"]{40,}"', p) for p in pictures)  # each says what it shows
    for script in ["_static/require.js", "_static/@jupyter-widgets/html-manager/dist/embed-amd.js"]:
        assert f'src="../{script}' in html and (site / script).stat().st_size > 50_000
    assert "cdn.jsdelivr.net" not in html and "cdnjs.cloudflare.com" not in html


def test_datasets_page_credits_every_licence(site):
    html = (site / "book" / "datasets.html").read_text()
    for text in ["CC BY-SA 4.0", "CC BY 4.0", "Free Spoken Digit Dataset", "Speech Commands", "LibriSpeech"]:
        assert text in html


def test_glossary_links_every_term_to_a_chapter_that_teaches_it(site):
    """Each entry ends on a link into a chapter, to a section the build resolved (a missing one fails it)."""
    html = (site / "book" / "glossary.html").read_text()
    entries = re.findall(r'<dt id="term-[^"]*">(.*?)</dt>\s*<dd>(.*?)</dd>', html, re.S)
    assert len(entries) >= 40
    pages = "|".join(nb.stem for nb in chapters())
    for term, definition in entries:
        assert re.search(rf'href="({pages})\.html(#[^"]+)?"', definition), term


def test_teaching_page_links_every_exercise_of_every_chapter(site):
    html = (site / "book" / "teaching.html").read_text()
    for notebook in chapters():
        labels = slides.exercise_labels(nbformat.read(notebook, as_version=4))
        assert labels, notebook.name
        for label in labels:
            assert f'href="{notebook.stem}.html#{label}"' in html, label


def test_every_section_slide_has_speaker_notes_in_the_deck(site):
    for notebook in chapters():
        cells = json.loads(notebook.read_text())["cells"]
        kinds = [c["metadata"].get("slideshow", {}).get("slide_type") for c in cells]
        starts = [i for i, kind in enumerate(kinds) if kind == "slide"] + [len(cells)]
        for start, end in zip(starts, starts[1:]):
            heading = "".join(cells[start]["source"]).splitlines()[0]
            if heading not in ("## Summary", "## Exercises"):
                assert "notes" in kinds[start:end], f"{notebook.stem}: {heading}"
        deck = (site / "slides" / f"{notebook.stem}.slides.html").read_text()
        assert deck.count('<aside class="notes">') == kinds.count("notes"), notebook.stem


def test_no_change_rebuild_executes_nothing(site):
    out = subprocess.run(["make", "-C", str(ROOT), "book"], check=True, capture_output=True, text=True).stdout
    assert "Executing" not in out and "build succeeded" in out


def test_bench_names_the_machine_its_figures_belong_to():
    named = machine()
    assert f", {os.cpu_count()} cores, " in named and re.search(r"TensorFlow \d+\.\d+", named)


def test_cache_key_covers_package_code_and_data_settings(monkeypatch):
    monkeypatch.setenv("SPEECHBOOK_DATA", "/somewhere")
    key = cache_key()
    monkeypatch.setenv("SPEECHBOOK_DATA", "")
    assert cache_key() != key


@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.stem)
def test_chapter_runs_offline_on_the_corpus(notebook, monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHBOOK_DATA", "")
    monkeypatch.setenv("SPEECHBOOK_DOWNLOAD", "0")
    monkeypatch.setenv("SPEECHBOOK_CACHE", str(tmp_path))
    executed = tmp_path / notebook.name
    execute(notebook, save_to=executed)
    text = executed.read_text()
    assert "is not available here" in text and "synthetic corpus" in text
    cells = json.loads(text)["cells"]  # what a reader who launches the chapter sees: no red boxes of start-up lines
    assert not [o["text"] for c in cells for o in c.get("outputs", []) if o.get("name") == "stderr"], notebook.stem


def test_launch_buttons_follow_the_repository_the_build_runs_in(monkeypatch, tmp_path):
    import yaml

    from speechbook.build import book_config

    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/speechbook")
    monkeypatch.setenv("GITHUB_REF_NAME", "trunk")
    config = yaml.safe_load(book_config(tmp_path).read_text())
    assert config["repository"] == {"url": "https://github.com/someone/speechbook", "branch": "trunk",
                                    "path_to_book": ""}
    assert config["launch_buttons"]["binderhub_url"] and config["launch_buttons"]["colab_url"]


def test_every_chapter_has_a_quiet_deck_with_local_scripts_only(site):
    for nb in chapters():
        deck = (site / "slides" / f"{nb.stem}.slides.html").read_text()
        assert deck.count("data:image/png;base64") >= AT_LEAST[nb.stem][0], nb.stem  # the figures came along
        assert described(deck, "data:image/png") == alt_texts(nb), nb.stem  # with the page's alt texts
        assert every_player_named(deck), nb.stem
        text = re.sub(r"base64,[A-Za-z0-9+/=]+", "", deck)  # inline images could spell anything
        assert not re.search(r"Traceback|tensorflow/core|absl|WARNING:tensorflow|retracing|oneDNN", text), nb.stem
        # nothing is fetched from the network (links to papers and licences are only followed when clicked)
        assert not re.search(r'<(script|link|img|iframe|audio|video|source)\b[^>]*\b(src|href)="https?://', deck)


def test_colab_cell_opens_every_chapter_and_fetches_the_package_only_on_colab(tmp_path):
    import nbformat

    from speechbook import colab

    for nb in chapters():
        first = next(c for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code")
        expected = colab.setup_cell(colab.repository(), packages=colab.PACKAGES.get(nb.stem, ()))
        assert first == expected, f"{nb.name}: run python -m speechbook.colab"
    branch = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    if branch in ("", "HEAD"):
        pytest.skip("a detached checkout has no branch to clone")
    clone = tmp_path / "speechbook"
    cell = colab.setup_cell(str(ROOT), branch, clone=str(clone), packages=colab.PACKAGES["gender"]).source
    script = f"""
import os, sys, types
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.run_cell({cell!r}).raise_error()
assert not os.path.exists({str(clone)!r}), "the cell did something outside Colab"
colab = sys.modules["google.colab"] = types.ModuleType("google.colab")
colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: print("custom widget manager on"))
shell.run_cell({cell!r}).raise_error()
import speechbook
print(speechbook.__file__)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-2:] == ["custom widget manager on",
                                                    str(clone / "code" / "speechbook" / "__init__.py")]


def solutions(notebook: Path) -> dict[str, str]:
    """Each exercise solution of a chapter, by label: its body as the page shows it."""
    markdown = [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown"]
    return {m[3].strip(): m[5] for source in markdown for m in slides.DIRECTIVE.finditer(source) if m[2] == "solution"}


def solution_code(body: str) -> list[str]:
    """The Python blocks of a solution, as a reader would paste them."""
    return re.findall(r"^```python\n(.*?)^```$", body, re.M | re.S)


@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.stem)
def test_every_solution_block_is_python(notebook):
    found = solutions(notebook)
    assert found and len(found) == len(slides.exercise_labels(nbformat.read(notebook, as_version=4)))
    for label, body in found.items():
        for code in solution_code(body):
            compile(code, label, "exec")  # a SyntaxError names the solution


@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.stem)
def test_code_fits_the_page_without_scrolling(notebook):
    """The theme's code box holds about 77 characters of a cell and 75 of a solution (indented in its box): a longer
    line scrolls sideways on the page and is cut off in a printed copy. Hidden cells do not count."""
    cells = nbformat.read(notebook, as_version=4).cells
    shown = [c.source for c in cells if c.cell_type == "code" and "remove-cell" not in c.metadata.get("tags", [])]
    too_long = [line for source in shown for line in source.splitlines() if len(line) > 77]
    too_long += [line for body in solutions(notebook).values() for code in solution_code(body)
                 for line in code.splitlines() if len(line) > 75]
    assert not too_long


@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.stem)
def test_chapter_ends_with_summary_further_reading_and_exercises(notebook):
    """As a course book does: what to remember, where each method comes from (every entry linked or with its
    venue and year), then what to try."""
    cells = nbformat.read(notebook, as_version=4).cells
    headings = [line for c in cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("## ")]
    assert headings.index("## Summary") < headings.index("## Further reading") < len(headings) - 1
    assert headings[-1] == "## Exercises"
    reading = next(c.source for c in cells if c.source.startswith("## Further reading"))
    entries = re.split(r"\n- ", reading)[1:]
    assert len(entries) >= 3
    assert all(re.search(r"\]\(https://|(19|20)\d\d", entry) for entry in entries)


def test_the_gru_solution_states_the_count_its_code_prints(capsys):
    """The lstm-params solution once said 12,864 beside a check that gives 20,352: text and code must agree."""
    body = solutions(ROOT / "book" / "lstm.ipynb")["lstm-params"]
    exec(solution_code(body)[0], {"keras": __import__("keras")})
    assert capsys.readouterr().out.split()[0] == re.search(r"\*\*([\d,]+)\*\*", body)[1] == "20,352"
