"""The book builds with every chapter executed, and its pages carry real figures, audio and widgets.

Building is the README's ``make book``; a cell that raises fails the build and so this test.
"""

import re
import subprocess
from pathlib import Path

import pytest

from speechbook.bench import execute
from speechbook.build import ROOT, cache_key, chapters

HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def site() -> Path:
    subprocess.run(["make", "-C", str(ROOT), "book"], check=True)
    return HTML


def page(site: Path, notebook: Path) -> str:
    return (site / notebook.relative_to(ROOT).with_suffix(".html")).read_text()


def test_every_page_is_built(site):
    for name in ["index.html", "book/intro.html", "book/datasets.html"]:
        assert (site / name).is_file()
    assert chapters() and all(page(site, nb) for nb in chapters())


@pytest.mark.parametrize("notebook", chapters(), ids=lambda p: p.stem)
def test_chapter_page_has_figures_audio_and_no_noise(site, notebook):
    html = page(site, notebook)
    assert "Traceback" not in html and "tensorflow/core" not in html and "absl" not in html
    images = re.findall(r'<img[^>]+src="\.\./(_images/[^"]+\.png)"', html)
    assert len(images) >= 5 and all((site / img).stat().st_size > 2000 for img in images)
    players = re.findall(r'<source src="data:audio/wav;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(players) >= 3 and all(len(p) > 2000 for p in players)
    assert "<strong>Data:</strong>" in html  # every chapter names its data


def test_widgets_are_embedded_and_served_locally(site):
    html = page(site, ROOT / "book" / "sound_as_data.ipynb")
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S)
    assert state and all(m in state.group(1) for m in ["StackModel", "SelectionSliderModel", "LinkModel"])
    assert state.group(1).count('"ImageModel"') >= 6
    for script in ["_static/require.js", "_static/html-manager/embed-amd.js"]:
        assert f'src="../{script}' in html and (site / script).stat().st_size > 50_000
    assert "cdn.jsdelivr.net" not in html and "cdnjs.cloudflare.com" not in html


def test_datasets_page_credits_every_licence(site):
    html = (site / "book" / "datasets.html").read_text()
    for text in ["CC BY-SA 4.0", "CC BY 4.0", "Free Spoken Digit Dataset", "Speech Commands", "LibriSpeech"]:
        assert text in html


def test_no_change_rebuild_executes_nothing(site):
    out = subprocess.run(["make", "-C", str(ROOT), "book"], check=True, capture_output=True, text=True).stdout
    assert "Executing" not in out and "build succeeded" in out


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
