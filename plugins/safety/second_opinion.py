"""A learned second opinion for the triage: a character n-gram classifier that may only *add* a trigger.

Why: rules catch the wording someone thought of; people write in endless other ways. A linear model on
character and word n-grams, trained on every labelled message the rules were developed on, recognises
emergencies written in neighbouring words (typos, slang, other English) without anyone writing a phrase for
them. It never silences a rule; it fires only when the rules found nothing and it is confident, at a threshold
chosen so that it stays under a false-alarm budget on informational questions it was not trained on
(cross-validated). Trained offline in about a second when first needed, deterministic, from the files below.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
# (file, halves used): only what the rules were developed on; the corpus's `heldout` and the blind set's
# `report` halves stay out, to measure it
TRAINING = ((ROOT / "data/safety/triage_corpus.csv", ("dev",)), (ROOT / "data/safety/blind_set.csv", ("dev",)),
            *((ROOT / f"data/safety/blind_dev_{k}.csv", None) for k in "bcdefghij"))
FALSE_ALARM_BUDGET = 0.02  # of informational questions, held out by cross-validation
FLOOR = 0.5                # never fire below this probability of an emergency, whatever the budget allows


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def examples() -> tuple[list[str], list[str]]:
    """(texts, categories) to train on: `TRAINING`, less any message that also stands in a measured half (the sets
    were written independently, and a few short questions came out the same)."""
    from plugins.safety.wording import normalize

    read = [(halves, [(normalize(r["text"]), r) for r in _rows(path)]) for path, halves in TRAINING]
    measured = {text for halves, rows in read if halves for text, r in rows if r["half"] not in halves}
    chosen = [r for halves, rows in read for text, r in rows
              if (halves is None or r["half"] in halves) and text not in measured]
    return [r["text"] for r in chosen], [r["category"] for r in chosen]


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    from plugins.safety.wording import normalize

    features = make_union(
        TfidfVectorizer(preprocessor=normalize, analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True),
        TfidfVectorizer(preprocessor=normalize, analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True))
    return make_pipeline(features, LogisticRegression(C=10.0, class_weight="balanced", max_iter=5000))


_trained: list = []
_lock = threading.Lock()


def model():
    """(fitted pipeline, threshold on P(emergency)), trained on `TRAINING` once a process (a few seconds; the app
    and the API start it in the background when they load)."""
    with _lock:
        if not _trained:
            _trained.append(_train())
        return _trained[0]


def _train():
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    texts, labels = examples()
    y = np.array(labels)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    held_out = cross_val_predict(_pipeline(), texts, y, cv=folds, method="predict_proba")
    classes = sorted(set(labels))
    alarm = 1 - held_out[:, classes.index("none")]
    quiet = np.sort(alarm[y == "none"])
    allowed = int(np.floor(FALSE_ALARM_BUDGET * len(quiet)))
    threshold = max(FLOOR, float(quiet[len(quiet) - allowed - 1]) + 1e-6)
    return _pipeline().fit(texts, y), threshold


def opinion(message: str) -> tuple[str, float] | None:
    """(category, probability of an emergency) when the model is confident the message is one, else None."""
    pipeline, threshold = model()
    p = pipeline.predict_proba([message])[0]
    classes = list(pipeline.classes_)
    alarm = 1 - p[classes.index("none")]
    if alarm < threshold:
        return None
    best = max((c for c in classes if c != "none"), key=lambda c: p[classes.index(c)])
    return best, float(alarm)
