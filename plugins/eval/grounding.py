"""Groundedness: how much of an answer its passages support, measured directly (ROUGE against another page's
wording cannot see it).

Per answer: the share of its distinct content words (function words removed, Snowball-stemmed, as the
retrieval index sees words) that occur in the passages the model was given. 1.0: every content word is in
the sources (a restatement); 0.0: none is (the answer ignores them). An answer without content words has no
score and is left out. It is a lexical measure: it credits a copied word used wrongly and misses a correct
paraphrase, which is why the report shows example answers beside it. Over a set of answers: the mean, with a
95 % bootstrap interval over answers.
"""

from __future__ import annotations

import numpy as np

METHOD = ("groundedness: per answer, the share of its distinct content words (stop words removed, Snowball "
          "stems) found in the passages it was given; mean over answers with a 95 % bootstrap interval")


def _stems(text: str) -> set[str]:
    from plugins.retrieval.index import Retriever

    return Retriever.stems(text)


def support(answer: str, passages: str) -> float | None:
    """The share of the answer's content words found in `passages` (None: the answer has no content word)."""
    words = _stems(answer)
    if not words:
        return None
    return len(words & _stems(passages)) / len(words)


def summarize(answers: list[str], passages: list[str], n_boot: int = 1000, seed: int = 0) -> dict:
    """{value, low, high, n, scored}: mean support over the answers that have content words."""
    if len(answers) != len(passages):
        raise ValueError("groundedness needs one passages text per answer")
    scores = np.array([s for s in map(support, answers, passages) if s is not None], dtype=float)
    if not len(scores):
        return {"value": None, "low": None, "high": None, "n": len(answers), "scored": 0}
    rng = np.random.default_rng(seed)
    draws = [scores[rng.integers(0, len(scores), len(scores))].mean() for _ in range(n_boot)]
    return {"value": float(scores.mean()), "low": float(np.percentile(draws, 2.5)),
            "high": float(np.percentile(draws, 97.5)), "n": len(answers), "scored": int(len(scores))}
