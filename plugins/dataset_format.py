"""The prepared dataset's format: the codes of its `split` column and the one normal form of its text.

Why a module of its own: data preparation writes the dataset, and runs, evaluation, retrieval, spec validation
and the app read it or must match it. These two facts are all they need of it; kept here, below all of them,
none has to import data preparation (or it them) to agree on what a split code or a cleaned text is.
"""

from __future__ import annotations

import re
import unicodedata

SPLIT_NAMES = ("train", "validation", "test")  # Ludwig fixed split codes 0, 1, 2


def normalize_text(text: str) -> str:
    """NFKC with whitespace runs collapsed to one space: what every training text went through, so the
    app cleans a question the same way before it reaches the model."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
