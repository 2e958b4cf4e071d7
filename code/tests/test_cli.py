"""The command line reports good files and names bad ones."""

from conftest import tone
from speechbook.__main__ import main


def test_check_reports_conversion_and_errors(wav, tmp_path, capsys):
    good = wav(tone(sr=8000), sr=8000, name="good.wav")
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    assert main(["check", str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "good.wav: 1.00 s at 16000 Hz (resampled 8000 Hz -> 16000 Hz)" in out
    assert "bad.wav: not a readable audio file" in err
