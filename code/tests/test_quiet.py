"""TensorFlow imported through speechbook: its start-up lines dropped, everything else passed on."""

import os
import subprocess
import sys

from speechbook import quiet


def test_only_the_start_up_lines_are_dropped(capfd):
    with quiet.dropping_stderr_lines(quiet.CHATTER):
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(2, b"I0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on. You may see ...\n")
        os.write(2, b"E0000 a C library's real error\n")
        print("a Python warning", file=sys.stderr)
    err = capfd.readouterr().err
    assert "a C library's real error" in err and "a Python warning" in err
    assert "oneDNN" not in err and "absl" not in err


def test_without_a_stderr_the_block_just_runs(monkeypatch):
    def no_stderr(fd: int) -> int:
        raise OSError(9, "Bad file descriptor")

    monkeypatch.setattr(quiet.os, "dup", no_stderr)
    ran = []
    with quiet.dropping_stderr_lines(quiet.CHATTER):
        ran.append("block")
    assert ran == ["block"]


def test_keras_imported_after_speechbook_writes_nothing_to_stderr():
    done = subprocess.run([sys.executable, "-c", "import speechbook, keras; print(keras.layers.LSTM)"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "LSTM" in done.stdout
    assert done.stderr == ""
