"""The retrieved passages as the model sees them: one `{sources}` text per question, the same for training
rows (data preparation) and for questions asked later.

A training question must never be handed its own answer: the candidates that nearly repeat the row's
question or answer (the same near-duplicate rules that keep splits apart, plugins/data.py) are dropped
before the best `k` are kept, so the model learns to use passages about the topic, as it will get for a
new question, not to copy the reference.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from plugins.retrieval.index import Hit, Retriever

COLUMN = "sources"  # the dataset column a grounded spec's prompt template names as {sources}
NOT_FOUND = "(No trusted source passage matched this question.)"
UNHELPFUL_ANSWER = "The sources above do not answer this question."  # taught on rows given unrelated passages
NOT_COVERED = ("The trusted sources this assistant answers from (NIH pages, MedQuAD) do not cover this question, "
               "so it will not guess. Please ask a clinician or look at https://medlineplus.gov/.")
EXTRA_CANDIDATES = 5  # fetched beyond k, so that k remain after leaks are dropped


def render(hits: list[Hit], source_format: str) -> str:
    """The passages as numbered text for the prompt, or NOT_FOUND."""
    if not hits:
        return NOT_FOUND
    return "\n".join(source_format.format(n=h.rank, **{k: v for k, v in h.as_dict().items() if k != "rank"})
                     for h in hits)


def citations(hits: list[Hit]) -> str:
    """Numbered citations in Markdown, each with its collection, topic and NIH link (what the reader sees)."""
    return "\n".join(f"[{h.rank}] [{h.focus}]({h.url}) · {h.source} · {h.qtype}" for h in hits)


def passages(hits: list[Hit]) -> str:
    """The passages themselves in Markdown, numbered like the citations (shown collapsed under an answer)."""
    return "\n\n".join(f"**[{h.rank}] {h.focus}** ({h.source}, [{h.url}]({h.url}))\n\n> {h.text}" for h in hits)


def without_leaks(hits: list[Hit], retriever: Retriever, question: str, answer: str, thresholds: dict,
                  k: int) -> tuple[list[Hit], int]:
    """The best `k` hits that do not nearly repeat (question, answer), renumbered; and how many were dropped."""
    from plugins.data import near_duplicates, normalize_text

    if not hits:
        return [], 0
    rows = retriever.corpus.iloc[[retriever.positions[h.id] for h in hits]][["question", "answer"]].reset_index(
        drop=True)  # the index's own id -> row map, not a re-indexed copy of the corpus per training row
    leaks = set(near_duplicates(rows, pd.DataFrame({"question": [question], "answer": [answer]}), "question",
                                "answer", thresholds).index)
    same = {i for i, a in enumerate(rows["answer"]) if normalize_text(a) == normalize_text(answer)}
    kept = [h for i, h in enumerate(hits) if i not in leaks | same][:k]
    return [dataclasses.replace(h, rank=n) for n, h in enumerate(kept, start=1)], len(leaks | same)


def add(frame: pd.DataFrame, retriever: Retriever, question: str, answer: str, thresholds: dict,
        unhelpful_share: float = 0.0, seed: int = 42) -> tuple[pd.DataFrame, dict]:
    """`frame` with a `sources` column for every row (its question's passages, leaks excluded), and counts.

    With `unhelpful_share`, that share of the training rows (split 0, seeded) is given the passages of another
    training question instead and taught to answer UNHELPFUL_ANSWER: retrieval will sometimes find a page
    that does not answer the question, and the model must say so rather than restate it."""
    texts, found, leaks = [], 0, 0
    for q, a in zip(frame[question], frame[answer]):
        hits = retriever.search(q, k=retriever.k + EXTRA_CANDIDATES)
        kept, dropped = without_leaks(hits, retriever, q, a, thresholds, retriever.k)
        texts.append(render(kept, retriever.source_format))
        found += bool(kept)
        leaks += dropped
    out = frame.copy()
    out[COLUMN] = texts
    unhelpful = _unhelpful_rows(out, unhelpful_share, seed)
    if len(unhelpful):
        order = np.random.default_rng(seed + 1).permutation(unhelpful)  # a cycle: each row gets the next one's
        out.loc[order, COLUMN] = out.loc[np.roll(order, 1), COLUMN].to_numpy()  # passages, never its own
        out.loc[unhelpful, answer] = UNHELPFUL_ANSWER
    return out, {"rows": len(frame), "rows_with_sources": found, "leaking_passages_dropped": leaks,
                 "unhelpful_rows": int(len(unhelpful)), "k": retriever.k, "index": retriever.key}


def _unhelpful_rows(frame: pd.DataFrame, share: float, seed: int) -> np.ndarray:
    """The training rows (with passages) that get another question's passages: a seeded `share` of them."""
    if share <= 0 or "split" not in frame.columns:
        return np.array([], dtype=frame.index.dtype)
    candidates = frame.index[(frame["split"] == 0) & (frame[COLUMN] != NOT_FOUND)].to_numpy()
    count = int(round(share * len(candidates)))
    if count < 2:  # one row cannot borrow another row's passages from itself
        return np.array([], dtype=frame.index.dtype)
    return np.sort(np.random.default_rng(seed).choice(candidates, size=count, replace=False))
