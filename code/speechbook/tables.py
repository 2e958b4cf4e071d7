"""How the chapters' tables look: a mean and its spread in one cell, and one header row.

Chapters: *Speech stamps* (``book/speech_stamps.ipynb``), *Transfer learning* (``book/transfer.ipynb``) and
*Female or male?* (``book/gender.ipynb``) compare models in these tables; *Convolutional networks, on sound*
(``book/cnn_on_sound.ipynb``) counts a network's parameters in one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

PLUS_MINUS = "\N{NO-BREAK SPACE}±\N{NO-BREAK SPACE}"
"""Between a mean and its spread in the chapters' tables: no-break spaces, so a narrow column never splits "86 ±"
from its "6"."""


def percent_sd(fractions: Sequence[float], decimals: int = 1) -> str:
    """A table's "mean ± sd" cell in % from accuracies between 0 and 1, with the sample standard deviation (ddof=1)
    as pandas and the plots' error bars compute it, so that every spread in the book means the same."""
    return f"{100 * np.mean(fractions):.{decimals}f}{PLUS_MINUS}{100 * np.std(fractions, ddof=1):.{decimals}f}"


def corner(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its index's name ("model", "layer") moved into the header's empty corner, where it labels the
    rows, so that the table renders with one header row instead of pandas' second, otherwise empty, one. A table
    whose label is already there is returned as it is."""
    return table.rename_axis(index=None, columns=table.index.name or table.columns.name)
