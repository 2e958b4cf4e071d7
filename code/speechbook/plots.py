"""Plot helpers for the chapters: each takes ``ax=None`` and returns the figure.

Chapter: *Sound as data* (``book/sound_as_data.ipynb``).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import librosa.display
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from speechbook.audio import SAMPLE_RATE
from speechbook.features import frames

if TYPE_CHECKING:  # for the annotations only: speechbook.rnn would load TensorFlow
    import pandas as pd

    from speechbook.rnn import MemoryRun


def _axes(ax: Axes | None, size: tuple[float, float] = (8, 2.6)) -> Axes:
    """The given axes, or a new figure's."""
    return ax if ax is not None else plt.figure(figsize=size, layout="constrained").add_subplot()


def waveform(y: np.ndarray, sr: int = SAMPLE_RATE, ax: Axes | None = None, title: str = "") -> Figure:
    """Samples against time in seconds."""
    ax = _axes(ax)
    ax.plot(np.arange(len(y)) / sr, y, lw=0.6)
    ax.set(xlabel="time (s)", ylabel="amplitude", title=title, xlim=(0, len(y) / sr))
    return ax.figure


def spectrogram(S_db: np.ndarray, sr: int = SAMPLE_RATE, hop_ms: float = 10, ax: Axes | None = None,
                y_axis: str = "linear", fmax: float | None = None, title: str = "",
                colorbar: bool = True) -> Figure:
    """A dB spectrogram (linear, mel or plain band index on the y axis) with time in seconds."""
    ax = _axes(ax)
    img = librosa.display.specshow(S_db, sr=sr, hop_length=frames(hop_ms, sr), x_axis="time",
                                   y_axis=y_axis, fmax=fmax, ax=ax, cmap="magma")
    ax.set(title=title, xlabel="time (s)")
    if colorbar:
        ax.figure.colorbar(img, ax=ax, format="%+.0f dB")
    return ax.figure


def image(M: np.ndarray, ax: Axes | None = None, title: str = "", xlabel: str = "frame",
          ylabel: str = "band", colorbar: bool = False) -> Figure:
    """Any 2-D feature (stamp, MFCC, filter bank) as an image, row 0 at the bottom."""
    ax = _axes(ax, (4, 2.6))
    img = ax.imshow(M, origin="lower", aspect="auto", cmap="magma", interpolation="nearest")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if colorbar:
        ax.figure.colorbar(img, ax=ax)
    return ax.figure


def mfcc(M: np.ndarray, axes: tuple[Axes, Axes] | None = None, title: str = "") -> Figure:
    """MFCCs (coefficients x frames): coefficient 0, the frame's loudness, as a curve above the rest as an image.

    Coefficient 0 is far larger than the others; in one image it would set the colour scale and hide them."""
    if axes is None:
        axes = plt.figure(figsize=(8, 4), layout="constrained").subplots(2, 1, sharex=True, height_ratios=[1, 2])
    loudness, rest = axes
    loudness.plot(M[0])
    loudness.set(title=title, ylabel="coefficient 0", xmargin=0)
    image(M[1:], ax=rest, ylabel="coefficient")
    ticks = np.arange(0, len(M) - 1, max(1, (len(M) - 1) // 4))
    rest.set_yticks(ticks, labels=ticks + 1)
    return rest.figure


def answer(stamp: np.ndarray, heard: dict[str, dict[str, float]], axes: list[Axes] | None = None,
           title: str = "") -> Figure:
    """What networks were given and what they said: the stamp, and beside it, for each network, a bar per class.

    The bars show how sure each answer was and what came second (*Say it yourself*)."""
    if axes is None:
        axes = plt.figure(figsize=(5 + 2.5 * len(heard), 2.6), layout="constrained").subplots(
            1, 1 + len(heard), width_ratios=[2] + [1] * len(heard))
    given, *said = axes
    image(stamp, ax=given, title=title)
    for ax, (network, probabilities) in zip(said, heard.items()):
        ax.barh(list(probabilities), list(probabilities.values()))
        ax.set(xlim=(0, 1), xlabel="probability", title=network)
        ax.invert_yaxis()
    return given.figure


def grid(images: list[np.ndarray], titles: list[str], ncols: int = 5, suptitle: str = "") -> Figure:
    """Small multiples of 2-D features, e.g. one stamp per digit."""
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.7 * ncols, 1.5 * nrows), layout="constrained",
                             squeeze=False)
    for ax, M, t in zip(axes.flat, images, titles):
        ax.imshow(M, origin="lower", aspect="auto", cmap="magma", interpolation="nearest")
        ax.set_title(t, fontsize=9)
    for ax in axes.flat:
        ax.set_axis_off()
    fig.suptitle(suptitle, fontsize=10)
    return fig


def word_cut(y: np.ndarray, span: tuple[int, int], stamp: np.ndarray, sr: int = SAMPLE_RATE,
             title: str = "") -> Figure:
    """The waveform with the kept span shaded, beside the stamp made from it."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 2.6), layout="constrained",
                                      gridspec_kw={"width_ratios": [2, 1]})
    waveform(y, sr, ax=left, title=title)
    left.axvspan(span[0] / sr, span[1] / sr, color="tab:orange", alpha=0.3, label="kept")
    left.legend(loc="upper right")
    image(stamp, ax=right, title=f"stamp {stamp.shape[0]} x {stamp.shape[1]}")
    return fig


def kernel_response(stamp: np.ndarray, kernel: np.ndarray, name: str = "") -> Figure:
    """A kernel, its feature map on a stamp, and that map after ReLU and 2 x 2 max pooling."""
    from speechbook import conv

    fig, axes = plt.subplots(1, 3, figsize=(10, 2.6), layout="constrained", gridspec_kw={"width_ratios": [1, 3, 1.6]})
    axes[0].imshow(kernel, origin="lower", cmap="coolwarm", vmin=-1, vmax=1)
    axes[0].set(title="kernel", xticks=[], yticks=[])
    response = conv.convolve(stamp, kernel)
    image(response, ax=axes[1], title=f"feature map: {name}")
    image(conv.max_pool(conv.relu(response), 2), ax=axes[2], title="ReLU + 2x2 max pool")
    return fig


def confusion(cm: np.ndarray, labels: list[str], ax: Axes | None = None, title: str = "") -> Figure:
    """A confusion matrix with counts in the cells: rows are the truth, columns the prediction."""
    ax = _axes(ax, (4.2, 3.8))
    ax.imshow(cm, cmap="Blues")
    for (i, j), n in np.ndenumerate(cm):
        if n:
            ax.text(j, i, n, ha="center", va="center", fontsize=8, color="white" if n > cm.max() / 2 else "black")
    ax.set(xticks=range(len(labels)), xticklabels=labels, yticks=range(len(labels)), yticklabels=labels,
           xlabel="predicted", ylabel="true", title=title)
    return ax.figure


def curves(histories: dict[str, dict[str, list[float]]], ax: Axes | None = None, title: str = "",
           ylim: tuple[float, float] = (0, 1.01)) -> Figure:
    """Training (dashed) and test (solid) accuracy per epoch, one colour per model, named once in the legend."""
    ax = _axes(ax, (6, 3))
    handles = []
    for (name, h), colour in zip(histories.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        epochs = np.arange(1, len(h["accuracy"]) + 1)
        ax.plot(epochs, h["accuracy"], "--", color=colour)
        if "val_accuracy" in h:
            ax.plot(epochs, h["val_accuracy"], "-", color=colour)
        handles.append(Line2D([], [], color=colour, label=name))
    handles += [Line2D([], [], color="grey", ls="--", label="training"), Line2D([], [], color="grey", label="test")]
    ax.set(xlabel="epoch", ylabel="accuracy", title=title, ylim=ylim)
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    return ax.figure


def learning_curve(results: pd.DataFrame, ax: Axes | None = None, title: str = "") -> Figure:
    """Mean accuracy (+- one standard deviation over draws) against examples per word, one line per method."""
    ax = _axes(ax, (6.5, 3.4))
    for method, rows in results.groupby("method", sort=False):
        stats = rows.groupby("examples per word")["accuracy"].agg(["mean", "std"])
        ax.errorbar(stats.index, stats["mean"], yerr=stats["std"], marker="o", capsize=3, label=method)
    ax.set(xlabel="training examples per word", ylabel="accuracy on unseen speakers", title=title, ylim=(0, 1.01))
    ax.legend(fontsize=8, loc="lower right")
    return ax.figure


def pitch_histogram(clips: pd.DataFrame, ax: Axes | None = None, title: str = "") -> Figure:
    """Median pitch of each clip, women and men stacked, with the baseline's threshold as a line."""
    ax = _axes(ax, (6, 2.8))
    bins = np.arange(60, 320, 10)
    for sex, colour in (("female", "tab:red"), ("male", "tab:blue")):
        ax.hist(clips.loc[clips["gender"] == sex, "f0"], bins=bins, alpha=0.6, color=colour, label=sex)
    if "threshold_hz" in clips.attrs:
        ax.axvline(clips.attrs["threshold_hz"], color="black", ls="--", label="threshold")
    ax.set(xlabel="median pitch (Hz)", ylabel="clips", title=title)
    ax.legend(fontsize=8)
    return ax.figure


def pitch_formant(voices: pd.DataFrame, ringed: set[str] = frozenset(), formant: str = "F4 Hz", ax: Axes | None = None,
                  title: str = "") -> Figure:
    """Each clip's median pitch against one formant (:func:`speechbook.formants.table`), women and men in two
    colours; the ``ringed`` speakers circled and named."""
    ax = _axes(ax, (6.5, 3.8))
    for sex, colour in (("female", "tab:red"), ("male", "tab:blue")):
        mine = voices[voices["gender"] == sex]
        ax.scatter(mine["pitch Hz"], mine[formant], s=12, alpha=0.6, color=colour, label=sex)
    ring = voices[voices["speaker"].isin(ringed)]
    ax.scatter(ring["pitch Hz"], ring[formant], s=110, facecolors="none", edgecolors="black",
               label="missed by the network")
    for _, row in ring.iterrows():
        ax.annotate(row["speaker"], (row["pitch Hz"], row[formant]), xytext=(6, 4), textcoords="offset points",
                    fontsize=8)
    ax.set(xlabel="median pitch (Hz): the vocal folds", ylabel=f"median {formant[:2]} (Hz): the vocal tract",
           title=title)
    ax.legend(fontsize=8, loc="lower right")
    return ax.figure


def noise_curve(results: pd.DataFrame, ax: Axes | None = None, title: str = "") -> Figure:
    """Accuracy (mean +- sd over folds) against the test signal-to-noise ratio, one line per model."""
    ax = _axes(ax, (6, 3))
    for model, rows in results.groupby("model", sort=False):
        stats = rows.groupby("SNR dB", sort=False)["accuracy"].agg(["mean", "std"])
        ax.errorbar([str(s) for s in stats.index], stats["mean"], yerr=stats["std"], marker="o", capsize=3,
                    label=model)
    ax.set(xlabel="test SNR (dB)", ylabel="clip accuracy", title=title, ylim=(0.4, 1.01))
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.legend(fontsize=8, loc="lower left")
    return ax.figure


def pitch_probe(probe: pd.DataFrame, ax: Axes | None = None, title: str = "") -> Figure:
    """The share of each sex's clips a network hears as male against a pitch shift that keeps the formants (a
    :func:`speechbook.gender.pitch_probe` table), each point labelled with its percentage."""
    ax = _axes(ax, (6, 3))
    for sex, colour, below in (("female", "tab:red", True), ("male", "tab:blue", False)):
        share = probe[probe["gender"] == sex].groupby("semitones")["p_male"].agg(lambda p: np.mean(p > 0.5))
        ax.plot(share.index, share.to_numpy(), marker="o", color=colour, label=f"{sex} readers")
        for x, y in share.items():  # women's labels under their points, men's over: where the lines meet, both read
            ax.annotate(f"{y:.0%}", (x, y), textcoords="offset points", xytext=(0, -13 if below else 6),
                        ha="center", fontsize=8)
    ax.set(xlabel="pitch shift (semitones), formants kept", ylabel="heard as male", title=title, ylim=(-0.12, 1.12),
           xticks=sorted(probe["semitones"].unique()))
    ax.axhline(0.5, color="grey", lw=0.5)
    # under the axis, where no line or label can run into it
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    return ax.figure


def unrolled(steps: int = 4, ax: Axes | None = None) -> Figure:
    """A plain RNN drawn folded (one cell whose state loops back into it) and unrolled over ``steps`` frames."""
    ax = _axes(ax, (8, 2.4))
    box = dict(boxstyle="round,pad=0.35", fc="#dbe9f6", ec="#1f77b4")
    arrow = dict(arrowstyle="-|>", color="0.3", shrinkA=12, shrinkB=12)

    def cell(x: float, t: str) -> None:
        ax.text(x, 1, f"$h_{{{t}}}$", ha="center", va="center", fontsize=12, bbox=box)
        ax.text(x, 0, f"$x_{{{t}}}$", ha="center", va="center", fontsize=12)
        ax.annotate("", (x, 1), (x, 0), arrowprops=arrow)
        ax.text(x + 0.08, 0.5, "$W$", va="center", fontsize=9, color="0.3")

    cell(0, "t")
    ax.plot([0.22, 0.45, 0.45, 0], [1, 1, 1.4, 1.4], color="0.3", lw=1)  # the state loops back: h_t feeds step t+1
    ax.annotate("", (0, 1.17), (0, 1.4), arrowprops=dict(arrow, shrinkA=0, shrinkB=0))
    ax.text(0.52, 1.2, "$U$", va="center", fontsize=9, color="0.3")
    ax.text(1.1, 0.5, "=", ha="center", va="center", fontsize=16)
    ax.text(1.6, 1, "$h_0 = 0$", ha="center", va="center", fontsize=11)
    for t in range(1, steps + 1):
        x = 1.5 + 1.1 * t
        cell(x, str(t))
        ax.annotate("", (x, 1), (x - (0.6 if t == 1 else 1.1), 1), arrowprops=arrow)
        ax.text(x - 0.55, 1.12, "$U$", ha="center", fontsize=9, color="0.3")
    ax.text(1.5 + 1.1 * (steps + 0.7), 1, "...", ha="center", va="center", fontsize=14)
    ax.set(xlim=(-0.5, 1.5 + 1.1 * (steps + 1.1)), ylim=(-0.35, 1.55))
    ax.set_title("folded: one cell and a loop; unrolled: the same $W$, $U$, $b$ at every step", fontsize=10)
    ax.axis("off")
    return ax.figure


def memory(weight: float, ax: Axes | None = None, hop_ms: float = 10) -> Figure:
    """What is left of one input after each step when it is multiplied by ``weight`` every step (log scale)."""
    from speechbook import rnn

    ax = _axes(ax, (6, 2.6))
    left = rnn.memory(weight)
    ax.semilogy(np.arange(len(left)) * hop_ms, left)
    ax.set(xlabel=f"time since the input (ms, {hop_ms:g} ms steps)", ylabel="what is left", ylim=(1e-6, 1e3),
           title=f"weight {weight}: after {len(left) * hop_ms / 1000:g} s, {left[-1]:.1e} of it remains")
    return ax.figure


def gradients(norms: dict[str, np.ndarray], ax: Axes | None = None) -> Figure:
    """Gradient of the last output with respect to each input step, relative to the last step, per layer type."""
    ax = _axes(ax, (6.5, 3))
    for name, g in norms.items():
        ax.semilogy(np.arange(len(g)), g / g[-1], label=name)
    ax.set(xlabel=f"input step (the output is read after step {len(g) - 1})",
           ylabel="gradient (relative to the last step)",
           title="how much each step's input can still change the output")
    ax.legend()
    return ax.figure


def memory_runs(runs: list[MemoryRun], title: str = "") -> Figure:
    """Training accuracy per epoch of :func:`speechbook.rnn.memory_test` runs, one panel per sequence length, with
    each network's accuracy on new sequences in its legend."""
    from speechbook import rnn

    lengths = sorted({r.steps for r in runs})
    fig, axes = plt.subplots(1, len(lengths), figsize=(4 * len(lengths), 2.8), sharey=True, layout="constrained",
                             squeeze=False)
    for ax, steps in zip(axes[0], lengths):
        for r in (r for r in runs if r.steps == steps):
            ax.plot(np.arange(1, len(r.accuracy) + 1), r.accuracy,
                    label=f"{r.cell}, seed {r.seed}: {r.test:.0%} on new sequences")
        ax.axhline(0.5, color="grey", ls=":", lw=1)
        ax.set(xlabel="epoch", title=f"flag among the first {rnn.FLAGGED_AMONG} of {steps} steps", ylim=(0.4, 1.02))
        ax.legend(loc="lower right", fontsize=8)
    axes[0, 0].set_ylabel("training accuracy")
    fig.suptitle(title, fontsize=10)
    return fig


def lstm_gates(gates: dict[str, np.ndarray], units: int = 8, hop_ms: float = 10, title: str = "") -> Figure:
    """An LSTM's input, forget and output gates and cell state over time for its first ``units`` units."""
    names = ["input", "forget", "output", "cell"]
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 6), sharex=True, layout="constrained")
    t = np.arange(len(gates["cell"])) * hop_ms / 1000
    for ax, name in zip(axes, names):
        cmap, lim = ("coolwarm", np.abs(gates[name][:, :units]).max()) if name == "cell" else ("viridis", 1)
        img = ax.imshow(gates[name][:, :units].T, aspect="auto", origin="lower", cmap=cmap, interpolation="nearest",
                        vmin=-lim if name == "cell" else 0, vmax=lim, extent=(0, t[-1], -0.5, units - 0.5))
        ax.set(ylabel=f"{name}\nunit")
        fig.colorbar(img, ax=ax, pad=0.01)
    axes[-1].set_xlabel("time (s)")
    fig.suptitle(title, fontsize=10)
    return fig


def png(fig: Figure, dpi: int = 80) -> bytes:
    """Render a figure to PNG bytes and close it (for widgets that embed pictures)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
