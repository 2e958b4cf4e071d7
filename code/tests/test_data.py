"""The data layer: registry, verified local folders, verified downloads, and the corpus fallback."""

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from speechbook import data
from speechbook.audio import load as load_audio
from speechbook.corpus import CORPUS_DIR, CROWD_DIR


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No data folder, an empty cache, downloads off."""
    monkeypatch.setenv("SPEECHBOOK_DATA", "")
    monkeypatch.setenv("SPEECHBOOK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SPEECHBOOK_DOWNLOAD", "0")


@pytest.mark.parametrize("name", data.NAMES)
def test_registry_rows_are_complete(name):
    table = data.manifest(name)
    assert len(table) == {"fsdd": 3000, "speech-commands-animals": 87, "librispeech-gender": 351}[name]
    assert table["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert table["path"].is_unique and table["url_path"].notna().all()
    assert data.registry()[name]["licence"] in {"CC BY-SA 4.0", "CC BY 4.0"}


def test_unknown_name():
    with pytest.raises(data.DataError, match="unknown data set 'mnist'"):
        data.load("mnist")


def test_corpus_files_match_their_manifest():
    corpus = data.load("corpus")
    assert len(corpus) == 390 and corpus.meta["speaker"].nunique() == 10
    data.verify(CORPUS_DIR, corpus.meta, "corpus")
    assert set(corpus.meta.groupby("gender")["speaker"].nunique()) == {5}


def test_crowd_is_94_new_voices_saying_every_digit_once():
    crowd = data.load("crowd")
    data.verify(CROWD_DIR, crowd.meta, "crowd")
    assert len(crowd) == 940 and crowd.meta["speaker"].nunique() == 94
    assert (crowd.meta.groupby("speaker")["digit"].nunique() == 10).all()
    held_out = set(data.load("corpus").meta.query("split == 'test'")["voice"])
    assert held_out and not held_out & set(crowd.meta["speaker"])  # the corpus's test voices stay unheard
    assert (crowd.meta["samplerate"] == 8000).all() and crowd.audio(0).sr == 16000
    assert "synthetic crowd" in crowd.source


def test_corpus_test_speakers_never_train():
    meta = data.load("corpus").meta
    assert not set(meta[meta.split == "test"].speaker) & set(meta[meta.split == "train"].speaker)


def test_shared_folder_is_verified(shared_data, monkeypatch):
    monkeypatch.setenv("SPEECHBOOK_DATA", str(shared_data))
    ds = data.load("fsdd")
    assert len(ds) == 3000 and ds.origin.startswith("read from")
    assert "FSDD" in ds.source and "CC BY-SA 4.0" in ds.source
    assert ds.audio(0).sr == 16000


def test_without_speechbook_data_the_folder_beside_the_repository_is_read(shared_data, monkeypatch, tmp_path):
    monkeypatch.delenv("SPEECHBOOK_DATA", raising=False)
    monkeypatch.setattr(data, "SHARED", shared_data)
    ds = data.load("fsdd")
    assert len(ds) == 3000 and ds.origin == f"read from {shared_data / 'fsdd'}"
    monkeypatch.setattr(data, "SHARED", tmp_path / "nothing here")
    assert data.data_folder() is None
    monkeypatch.setattr(data, "SHARED", shared_data)
    monkeypatch.setenv("SPEECHBOOK_DATA", "")  # set but empty: no folder, as the offline tests want
    assert data.data_folder() is None


def test_corrupted_shared_file_is_refused(shared_data, monkeypatch, tmp_path):
    copy = tmp_path / "datasets" / "speech-commands-animals"
    shutil.copytree(shared_data / "speech-commands-animals", copy)
    victim = copy / "cat" / sorted(p.name for p in (copy / "cat").iterdir())[0]
    victim.write_bytes(victim.read_bytes()[:-100] + bytes(100))
    monkeypatch.setenv("SPEECHBOOK_DATA", str(copy.parent))
    with pytest.raises(data.DataError, match=rf"{victim.name}: sha256 .* differs from the registry"):
        data.load("speech-commands-animals")


def test_missing_data_without_fallback_says_how_to_get_it(offline):
    with pytest.raises(data.DataError, match="not available: set SPEECHBOOK_DATA"):
        data.load("fsdd")


@pytest.mark.parametrize("name,label,n", [("fsdd", "digit", 300), ("speech-commands-animals", "word", 90),
                                          ("librispeech-gender", "gender", 390)])
def test_fallback_says_so_and_keeps_the_labels(offline, capsys, name, label, n):
    ds = data.load(name, fallback=True)
    assert "is not available here" in capsys.readouterr().out
    assert ds.stands_in_for == name and "standing in for" in ds.source
    assert len(ds) == n and ds.meta[label].notna().all()
    assert load_audio(ds.meta["file"].iloc[0]).duration > 0.2


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(shared_data, tmp_path):
    """A local HTTP server laid out like the public originals, serving the animal words."""
    root = tmp_path / "mirror"
    for row in data.manifest("speech-commands-animals").itertuples():
        target = root / row.url_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_data / "speech-commands-animals" / row.path, target)
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_download_fills_the_cache_and_verifies(offline, mirror, monkeypatch, tmp_path):
    monkeypatch.setenv("SPEECHBOOK_MIRROR", mirror[1])
    ds = data.load("speech-commands-animals", download_ok=True)
    assert ds.origin.startswith("downloaded and verified") and len(ds) == 87
    assert all(Path(f).is_file() for f in ds.meta["file"])
    again = data.load("speech-commands-animals", download_ok=False)  # now served from the cache
    assert again.origin.startswith("from the cache")


def test_corrupted_download_is_refused(offline, mirror, monkeypatch):
    root, url = mirror
    row = data.manifest("speech-commands-animals").iloc[5]
    bad = root / row.url_path
    bad.write_bytes(bad.read_bytes()[:-50] + b"x" * 50)
    monkeypatch.setenv("SPEECHBOOK_MIRROR", url)
    with pytest.raises(data.DataError, match=rf"speech-commands-animals/{row.path}: refused the download .*hash"):
        data.load("speech-commands-animals", download_ok=True)
    assert not (data.cache_dir() / "speech-commands-animals" / row.path).exists()


def test_unreachable_mirror_is_a_clear_error(offline, monkeypatch):
    monkeypatch.setenv("SPEECHBOOK_MIRROR", "http://127.0.0.1:9")
    with pytest.raises(data.DataError, match=r"could not download http://127.0.0.1:9/\S+: no connection \(Connect"):
        data.load("speech-commands-animals", download_ok=True)


def test_file_missing_on_the_mirror_names_it_and_the_status(offline, mirror, monkeypatch):
    root, url = mirror
    row = data.manifest("speech-commands-animals").iloc[3]
    (root / row.url_path).unlink()
    monkeypatch.setenv("SPEECHBOOK_MIRROR", url)
    with pytest.raises(data.DataError, match=rf"speech-commands-animals/{row.path}: could not download .*: HTTP 404$"):
        data.load("speech-commands-animals", download_ok=True)
