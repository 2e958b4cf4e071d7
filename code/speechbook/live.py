"""Say it yourself: record from the microphone (or upload a file) and see what the networks hear.

The recorder is an ``anywidget``: the browser records, decodes and sends a 16-bit WAV to Python.
It needs a running kernel (Binder, Colab, local Jupyter). Chapter: *Say it yourself* (``book/say_it.ipynb``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import anywidget
import ipywidgets as widgets
import matplotlib.pyplot as plt
import traitlets
from IPython.display import display

from speechbook import listen, plots
from speechbook.audio import AudioError
from speechbook.recognise import Prediction, Recogniser

_ESM = """
function wav(samples, rate) {
  const out = new DataView(new ArrayBuffer(44 + 2 * samples.length));
  const text = (o, s) => [...s].forEach((c, i) => out.setUint8(o + i, c.charCodeAt(0)));
  text(0, "RIFF"); out.setUint32(4, 36 + 2 * samples.length, true); text(8, "WAVEfmt ");
  out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, 1, true);
  out.setUint32(24, rate, true); out.setUint32(28, 2 * rate, true); out.setUint16(32, 2, true);
  out.setUint16(34, 16, true); text(36, "data"); out.setUint32(40, 2 * samples.length, true);
  samples.forEach((x, i) => out.setInt16(44 + 2 * i, Math.max(-1, Math.min(1, x)) * 32767, true));
  return out;
}
function render({ model, el }) {
  const button = document.createElement("button");
  const status = document.createElement("span");
  button.textContent = "Record";
  status.style.marginLeft = "1em";
  button.onclick = async () => {
    let stream;
    try { stream = await navigator.mediaDevices.getUserMedia({ audio: true }); }
    catch (e) { status.textContent = "No microphone: " + e.message; return; }
    const chunks = [];
    const recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (e) => chunks.push(e.data);
    recorder.onstop = async () => {
      stream.getTracks().forEach((t) => t.stop());
      const context = new AudioContext();
      const decoded = await context.decodeAudioData(await new Blob(chunks).arrayBuffer());
      model.set("wav", wav(decoded.getChannelData(0), decoded.sampleRate));
      model.save_changes();
      status.textContent = "Recorded; classifying...";
    };
    recorder.start();
    status.textContent = "Speak now...";
    setTimeout(() => recorder.stop(), 1000 * model.get("seconds"));
  };
  el.append(button, status);
}
export default { render };
"""


class Recorder(anywidget.AnyWidget):
    """A button that records ``seconds`` of microphone audio into ``wav`` (16-bit PCM WAV bytes)."""

    _esm = _ESM
    wav = traitlets.Bytes(b"").tag(sync=True)
    seconds = traitlets.Float(1.5).tag(sync=True)


def classify_bytes(wav: bytes, recognisers: dict[str, Recogniser]) -> dict[str, Prediction]:
    """Run every recogniser on one recording given as file bytes (WAV, FLAC, ...)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "recording.wav"
        path.write_bytes(wav)
        return {task: recognise(path) for task, recognise in recognisers.items()}


def show(results: dict[str, Prediction]) -> None:
    """The recording, its stamp and each network's answer: its best label and every label's probability."""
    first = next(iter(results.values()))
    display(listen.Player(first.audio.samples, "what the networks heard", first.audio.sr))
    heard = {f"{task}: {p.label} ({p.confidence:.0%})": p.probabilities for task, p in results.items()}
    print("\n".join(heard))
    plots.answer(first.stamp, heard, title="the stamp the networks saw")
    plt.show()


def demo(recognisers: dict[str, Recogniser]) -> widgets.Widget:
    """Recorder, file upload and an output area that shows what each network hears.

    When the book is built for the static site (``SPEECHBOOK_STATIC`` set), a note stands in for it:
    a recorder without a kernel could only fail.
    """
    if os.environ.get("SPEECHBOOK_STATIC"):
        return widgets.HTML("<p><b>The recorder needs a running Python.</b> Launch this chapter (Binder, Colab "
                            "or local Jupyter: see the note at the top) and run this cell.</p>")
    recorder = Recorder()
    upload = widgets.FileUpload(accept="audio/*,.wav,.flac", multiple=False, description="Upload")
    out = widgets.Output()

    def handle(wav: bytes) -> None:
        out.clear_output()
        with out:
            try:
                show(classify_bytes(wav, recognisers))
            except AudioError as err:
                print(f"Cannot use this recording: {err}")

    recorder.observe(lambda change: handle(change["new"]), names="wav")
    upload.observe(lambda change: handle(bytes(change["new"][0]["content"])) if change["new"] else None, names="value")
    return widgets.VBox([widgets.HBox([recorder, upload]), out])
