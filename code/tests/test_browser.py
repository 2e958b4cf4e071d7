"""The built site as a reader sees it, in Debian's chromium driven by Playwright, with the network blocked.

Every page loads with no console error, no uncaught script error and no failed request; pictures and audio
are real, and no picture is stretched past its size; at a laptop's width no table or code box scrolls sideways;
at a phone's width no text runs past the screen; a widget slider moved by the test changes the picture; a slide
deck advances, its speaker view shows the notes, and it prints to PDF whole; the links point where they should.
Screenshots land in ``_build/screenshots``.
"""

import functools
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from speechbook.build import ROOT, chapters, repository

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
CHAPTERS = [nb.stem for nb in chapters()]  # each has a page and a deck
PAGES = [f"book/{name}.html" for name in ["intro", "teaching", "glossary", "datasets", *CHAPTERS]]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base(site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                               "--disable-background-networking"])
        yield b
        b.close()


def window(browser):
    """A fresh browser window the size of a laptop screen."""
    return browser.new_context(viewport={"width": 1280, "height": 900})


def screenshot(page, name: str) -> None:
    """Keep what the test saw, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def visit(browser, base):
    """Open a page offline; return it with the lists of console errors and failed requests."""
    context = window(browser)
    problems = {"console": [], "failed": []}

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems["failed"].append(f"blocked: {r.request.url}")
            r.abort()

    def open_page(path):
        page = context.new_page()
        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and problems["console"].append(m.text))
        page.on("pageerror", lambda e: problems["console"].append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: problems["failed"].append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and problems["failed"].append(f"{r.url}: HTTP {r.status}"))
        page.goto(base + path, wait_until="networkidle")
        return page, problems

    yield open_page
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_with_real_pictures_and_audio(visit, path):
    page, problems = visit(path)
    page.wait_for_timeout(500)
    assert problems == {"console": [], "failed": []}
    icon = page.eval_on_selector("link[rel=icon]", "link => link.href")  # else the browser asks for /favicon.ico
    assert page.request.get(icon).status == 200
    widths = page.eval_on_selector_all("article img", "imgs => imgs.map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths)
    # no picture is drawn wider than it was rendered: stretched, it blurs and its lettering outgrows the text's
    stretched = page.eval_on_selector_all("article img", """imgs => imgs
        .filter(i => i.getBoundingClientRect().width > i.naturalWidth + 1).map(i => i.alt.slice(0, 60))""")
    assert stretched == []
    if path.endswith(("sound_as_data.html", "speech_stamps.html", "transfer.html", "cnn_on_sound.html")):
        assert len(widths) >= 3
    audio = page.eval_on_selector_all("audio", """els => Promise.all(els.map(a => new Promise(done => {
        if (a.readyState >= 1) return done(a.duration);
        a.addEventListener('loadedmetadata', () => done(a.duration)); a.load(); })))""")
    assert all(d > 0.1 for d in audio)
    if "sound_as_data" in path:
        assert len(audio) >= 5
    # at a laptop's width no table or code box is wider than the text column (a wide one hides its last columns)
    wide = page.evaluate("""() => { const right = document.querySelector('article').getBoundingClientRect().right;
        return [...document.querySelectorAll('article pre, article table')]
            .filter(e => e.scrollWidth > e.clientWidth + 2 || e.getBoundingClientRect().right > right + 2)
            .map(e => e.textContent.trim().slice(0, 60)); }""")
    assert wide == []


def test_no_text_runs_past_a_phones_screen(visit):
    for path in PAGES:  # tables and code blocks scroll in their own boxes; text and inline code must wrap
        page, problems = visit(path)
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        wide = page.evaluate("""[...document.querySelectorAll('article p, article li, article code.literal')]
            .filter(e => !e.closest('pre, table') && e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.textContent.slice(0, 60))""")
        assert wide == [], path
        page.close()
    assert problems == {"console": [], "failed": []}


def first_explorer_picture(page):
    """The picture the page's first explorer shows now."""
    return page.locator(".widget-vbox").first.locator(".widget-html img")


def test_widget_slider_changes_the_picture(visit):
    page, problems = visit("book/sound_as_data.html")
    page.wait_for_selector(".widget-html img", timeout=15000)
    before = first_explorer_picture(page).get_attribute("src")
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert first_explorer_picture(page).get_attribute("src") != before
    alt = first_explorer_picture(page).get_attribute("alt")
    assert alt.startswith("Spectrogram of 'cat'") and alt.endswith("(window length: 8 ms)")  # in words too
    screenshot(page, "chapter-sound_as_data")
    assert problems == {"console": [], "failed": []}


@pytest.mark.parametrize("name", CHAPTERS)
def test_present_link_opens_a_deck_that_advances(visit, name):
    page, problems = visit(f"book/{name}.html")
    link = page.locator("p.present-link a")
    assert link.count() == 1
    link.click()
    page.wait_for_load_state("networkidle")
    assert f"slides/{name}.slides.html" in page.url
    page.wait_for_selector(".reveal.ready", timeout=20000)
    assert page.locator(".reveal .slides > section").count() > 3
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    assert page.url.endswith("#/1") and page.locator(".reveal .slides > section.present").count() == 1
    cut = page.evaluate("[...document.querySelectorAll('.reveal section.present pre')]"
                        ".filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent.slice(0, 60))")
    assert cut == []  # no code line runs off the slide's edge
    page.evaluate("MathJax.startup.promise.then(() => true)")  # typesetting done
    raw = page.evaluate(r"[...document.querySelectorAll('.reveal p, .reveal li')].map(e => e.textContent)"
                        r".filter(t => /\$[^\s$][^$]*\$/.test(t)).map(t => t.slice(0, 60))")
    assert raw == []  # math between dollars is typeset, as on the page, not shown as $h_t$
    if name == "lstm":
        assert page.locator("mjx-container").count() >= 10
    links = page.eval_on_selector_all(".reveal .slides a[href], link[rel=icon]", "as => as.map(a => a.href)")
    assert any(h.endswith("favicon.svg") for h in links)
    for href in {h.split("#")[0] for h in links if h.startswith(page.url.split("/slides/")[0])}:
        assert page.request.get(href).status == 200, href  # a link on a slide, or the icon, is on the site
    if name == "sound_as_data":
        screenshot(page, "slide-sound_as_data")
    assert problems == {"console": [], "failed": []}


def test_the_speaker_view_shows_the_notes_offline(visit):
    page, problems = visit("slides/speech_stamps.slides.html")
    page.wait_for_selector(".reveal.ready", timeout=20000)
    with page.context.expect_page(timeout=10000) as opened:
        page.keyboard.press("s")  # what a presenter presses
    speaker = opened.value
    speaker.wait_for_selector(".speaker-controls-notes .value", timeout=10000)
    speaker.wait_for_function("document.querySelector('.speaker-controls-notes .value').textContent.includes('MNIST')")
    assert speaker.locator(".speaker-controls-time").count() == 1
    assert problems == {"console": [], "failed": []}


def test_a_slide_taller_than_the_window_scrolls_to_its_end(visit):
    page, problems = visit("slides/speech_stamps.slides.html")
    page.wait_for_selector(".reveal.ready", timeout=20000)
    h, v = page.evaluate("""() => { const top = [...document.querySelectorAll('.reveal .slides > section')];
        const h = top.findIndex(s => s.textContent.includes('One stamp per digit and speaker'));
        return [h, [...top[h].children].findIndex(s => s.textContent.includes('One stamp per digit'))]; }""")
    page.goto(f"{page.url.split('#')[0]}#/{h}/{v}")
    page.wait_for_timeout(500)
    slide = "[...document.querySelectorAll('.reveal section.present')].pop()"
    assert page.evaluate(f"{slide}.scrollHeight > {slide}.clientHeight")  # 60 stamps: taller than the slide
    page.evaluate(f"{slide}.scrollTop = {slide}.scrollHeight")
    page.wait_for_timeout(300)
    images = f"[...{slide}.querySelectorAll('img')]"
    bottom = page.evaluate(f"Math.max(...{images}.map(i => i.getBoundingClientRect().bottom))")
    assert 0 < bottom <= page.viewport_size["height"]  # the last row of stamps can be scrolled into view
    screenshot(page, "slide-speech_stamps-scrolled")
    assert problems == {"console": [], "failed": []}


@pytest.mark.parametrize("name", CHAPTERS)
def test_a_deck_prints_to_pdf_with_every_slide_whole(visit, name):
    """What the teaching page tells a presenter: the deck with ?print-pdf, saved as PDF, notes on pages of their own.
    Each slide gets as many pages as it needs; none loses its bottom lines to the page's edge."""
    page, problems = visit(f"slides/{name}.slides.html?print-pdf&showNotes=separate-page")
    page.wait_for_selector(".reveal .pdf-page", timeout=20000)
    page.wait_for_timeout(500)
    cut = page.evaluate("[...document.querySelectorAll('.pdf-page')].filter(p => p.querySelector('section')"
                        ".scrollHeight > p.clientHeight + 1).map(p => p.innerText.trim().slice(0, 60))")
    assert cut == []
    slides = page.locator(".reveal .slides section:not(.stack)").count()
    assert page.locator(".pdf-page").count() == slides > 3
    assert page.locator(".speaker-notes-pdf").count() >= 1
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= slides
    assert problems == {"console": [], "failed": []}


def test_launch_links_point_at_this_repository(visit):
    page, _ = visit("book/sound_as_data.html")
    hrefs = page.eval_on_selector_all("a", "as => as.map(a => a.href)")
    launch = [h for h in hrefs if re.search(r"mybinder|colab\.research", h)]
    repo = repository()
    if repo is None:  # a clone with no public remote: no launch buttons rather than broken ones
        assert launch == []
    else:
        name = repo[0].removeprefix("https://github.com/")
        assert launch and all(name in h for h in launch)


@pytest.fixture(scope="module")
def jupyter_server():
    """A Jupyter server on the repository (as Binder runs one), with no token, on a free local port."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                             "--IdentityProvider.token=", "--allow-root", f"--ServerApp.root_dir={ROOT}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def jupyter(browser, jupyter_server):
    """Open a path of the Jupyter server in a new window; closed after the test."""
    context = window(browser)

    def open_path(path: str):
        page = context.new_page()
        page.goto(jupyter_server + path, wait_until="domcontentloaded")
        return page

    yield open_path
    context.close()


def test_rise_presents_a_chapter_live_in_the_pinned_jupyterlab(jupyter):
    page = jupyter("rise/book/cnn_on_sound.ipynb")
    page.wait_for_selector(".reveal .slides section", timeout=60000)
    assert page.locator(".reveal .slides > section").count() > 3

    def run(code: str) -> str:  # run a cell live, as a presenter does: the kernel answers on the slide
        cell = page.locator(".reveal section.present .jp-CodeCell", has_text=code).first
        cell.click()
        page.keyboard.press("Control+Enter")
        cell.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[\d+\]")).wait_for(timeout=90000)
        return cell.locator(".jp-OutputArea").inner_text()

    page.keyboard.press("Space")  # next: the set-up cell, a slide of its own so that it can be run
    page.wait_for_timeout(500)
    assert page.url.endswith("#/slide-0-1")
    assert "Error" not in run("from speechbook import")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(500)
    assert "clips" in run('data.load("fsdd"')
    screenshot(page, "rise-cnn_on_sound")


def test_jupyterlab_renders_the_chapters_myst(jupyter):
    page = jupyter("lab/tree/book/say_it.ipynb?reset")  # ?reset: no tabs left from earlier sessions
    # rendered as a box (an <aside>), not shown as its source: a fenced block beginning ```{admonition}
    page.locator(".jp-MarkdownCell aside", has_text="This page needs a running Python").wait_for(timeout=60000)
    screenshot(page, "jupyterlab-say_it")
