"""The answer measures that copying or refusing cannot game, reported together for every run.

- **groundedness**: per shown answer, the share of its distinct content words (function words removed,
  Snowball-stemmed, as the retrieval index sees words; numbers kept) found in the passages it was given. 1.0 is a
  restatement, 0.0 an answer that ignores its sources. Declined answers have no score. Lexical: it credits a
  copied word used wrongly and misses a correct paraphrase, which is why the measures come in fours.
- **completeness**: how much of the reference answer the shown answer recovers: ROUGE-L recall (rouge_score,
  Porter stemming). A declined answer recovers nothing (0). Saying little scores low here.
- **decline rate**: the share of questions answered "not covered" or "not answered". Refusing scores high here.
- **loop rate**: the share of answers that repeat a sentence, say a 3-word phrase 3 times in one sentence or run
  citation markers on ("[1] [2] [3]"); reported for the shown answers (the checker cuts loops; a quoted passage
  is NIH's text, not a loop) and for the text as generated.
- **cites a labelled topic** (questions labelled with the topics whose pages answer them): the share whose shown
  answer cites a passage of one of those topics.

Each is a mean over questions with a 95 % percentile bootstrap interval; differences between two runs on the
same questions resample the questions for both (paired).
"""

from __future__ import annotations

import numpy as np
from rouge_score import rouge_scorer

from plugins.retrieval import sentences as split

METHOD = ("groundedness: per shown answer, the share of its distinct content words (stop words removed, Snowball "
          "stems, numbers) found in the passages it was given, declined answers left out; completeness: ROUGE-L "
          "recall of the reference (rouge_score, Porter stemming), 0 for a declined answer; decline rate: answered "
          "'not covered'/'not answered'; loop rate: repeats a sentence, a 3-word phrase 3 times in one sentence or "
          "a run of citation markers; means over questions with 95 % bootstrap intervals, differences paired by "
          "question")


def _stems(text: str) -> set[str]:
    from plugins.retrieval.checker import content

    return content(split.without_markers(text))


def support(answer: str, passages: str) -> float | None:
    """The share of the answer's content words found in `passages` (None: the answer has no content word)."""
    words = _stems(answer)
    if not words:
        return None
    return len(words & _stems(passages)) / len(words)


_ROUGE = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def completeness(answer: str, reference: str) -> float:
    """ROUGE-L recall: the share of the reference's words the answer recovers in order."""
    return float(_ROUGE.score(reference, split.without_markers(answer)).get("rougeL").recall)


def interval(values, n_boot: int = 1000, seed: int = 0) -> dict:
    """{value, low, high, n, scored}: the mean of the values that are not None, with a 95 % bootstrap interval."""
    scores = np.array([v for v in values if v is not None], dtype=float)
    if not len(scores):
        return {"value": None, "low": None, "high": None, "n": len(values), "scored": 0}
    rng = np.random.default_rng(seed)
    draws = scores[rng.integers(0, len(scores), (n_boot, len(scores)))].mean(axis=1)
    return {"value": float(scores.mean()), "low": float(np.percentile(draws, 2.5)),
            "high": float(np.percentile(draws, 97.5)), "n": len(values), "scored": int(len(scores))}


def paired(first, second, n_boot: int = 1000, seed: int = 0) -> dict:
    """{diff, low, high, n}: second minus first over the questions both scored, resampled together."""
    diffs = np.array([b - a for a, b in zip(first, second) if a is not None and b is not None], dtype=float)
    if not len(diffs):
        return {"diff": None, "low": None, "high": None, "n": 0}
    rng = np.random.default_rng(seed)
    draws = diffs[rng.integers(0, len(diffs), (n_boot, len(diffs)))].mean(axis=1)
    return {"diff": float(diffs.mean()), "low": float(np.percentile(draws, 2.5)),
            "high": float(np.percentile(draws, 97.5)), "n": int(len(diffs))}


def per_answer(shown: list[str], references: list[str] | None = None, passages: list[str | None] | None = None,
               declined: list[bool] | None = None, generated: list[str] | None = None,
               cited_labelled: list[bool] | None = None, quoted: list[bool] | None = None) -> dict[str, list]:
    """Every measure's per-question value for one model's answers (None where a measure does not apply). A quoted
    answer is an NIH passage verbatim: its lists may repeat a phrase, but it is not the model looping."""
    from plugins.retrieval.checker import loops

    n = len(shown)
    declined = declined or [False] * n
    quoted = quoted or [False] * n
    out = {"declined": [float(d) for d in declined],
           "loops": [0.0 if q else float(loops(a)) for a, q in zip(shown, quoted)],
           "loops_generated": [float(loops(g)) for g in (generated or shown)]}
    out["groundedness"] = [None if d or p is None else support(a, p)
                           for a, p, d in zip(shown, passages or [None] * n, declined)]
    out["completeness"] = ([0.0 if d else completeness(a, r) for a, r, d in zip(shown, references, declined)]
                           if references is not None else [None] * n)
    out["cites_labelled"] = [float(c) for c in cited_labelled] if cited_labelled is not None else [None] * n
    return out


COLUMNS = {"groundedness": "groundedness", "completeness": "completeness", "decline_rate": "declined",
           "loop_rate": "loops", "loop_rate_generated": "loops_generated", "cites_labelled": "cites_labelled"}


def summarize(values: dict[str, list], n_boot: int = 1000) -> dict:
    """Each measure over the questions, with its interval (a measure that does not apply has value None)."""
    return {measure: interval(values[column], n_boot) for measure, column in COLUMNS.items()}
