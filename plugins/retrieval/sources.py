"""The retrieved passages as the model sees them: one `{sources}` text per question, the same for training
rows (data preparation) and for questions asked later, and the training rows that teach restating them.

Training follows RAFT (Zhang et al., COLM 2024): for a seeded `oracle_share` of the training and validation
rows, the row's own answer-bearing passage (its answer's first passage) sits at a seeded position among the
question's other retrieved passages, and the target is that passage's first sentences, each cited with its
`[n]`: the model learns to find the passage that answers and restate it. The other rows get another question's
passages and learn the decline reply. Test rows get exactly what the app would retrieve (their own pages are in
the index: the realistic case) and keep their reference answer, so evaluation measures what a user would see.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from plugins import near_duplicates, prompt
from plugins.dataset_format import normalize_text
from plugins.retrieval import messages
from plugins.retrieval import sentences as split
from plugins.retrieval.checker import DECLINE, NOT_COVERED  # noqa: F401 - NOT_COVERED: what callers show
from plugins.retrieval.index import Hit, Retriever

COLUMN = "sources"  # the dataset column a grounded spec's prompt template names as {sources}
NOT_FOUND = "(No trusted source passage matched this question.)"
EXTRA_CANDIDATES = 5  # fetched beyond k, so that k remain after leaks are dropped
DEFAULTS = {"oracle_share": 0.8, "target_words": 40, "message_share": 0.0}


def render(hits: list[Hit], source_format: str) -> str:
    """The passages as numbered text for the prompt, or NOT_FOUND."""
    if not hits:
        return NOT_FOUND
    return "\n".join(source_format.format(n=h.rank, **{k: v for k, v in h.as_dict().items() if k != "rank"})
                     for h in hits)


def columns(template: str, hits: list[Hit] | None, retriever: Retriever | None) -> dict:
    """The template's other columns: a grounded run's {sources}, rendered as training rendered them. The one way the
    app, the API and an export's checks put passages into a prompt."""
    if "{" + COLUMN + "}" not in template:
        return {}
    return {COLUMN: render(hits or [], retriever.source_format if retriever else "")}


def without_retrieval(template: str) -> str:
    """A grounded template as it must read where nothing retrieves (an export's chat template, Ollama): its passages
    say none matched, the case the model was trained to decline, so no passage is left for it to invent."""
    return template.replace("{" + COLUMN + "}", prompt.escape(NOT_FOUND))


def citations(hits: list[Hit]) -> str:
    """Numbered citations in Markdown, each with its collection, topic and NIH link (what the reader sees)."""
    return "\n".join(f"[{h.rank}] [{h.focus}]({h.url}) · {h.source} · {h.qtype}" for h in hits)


def cited_answer(text: str, hits: list[Hit]) -> str:
    """A checked answer in Markdown: each `[n]` becomes a link to the cited NIH page, its title (shown when the
    reader hovers over it) the passage itself."""
    by_rank = {h.rank: h for h in hits}

    def link(match: re.Match) -> str:
        hit = by_rank.get(int(match.group(1)))
        if hit is None:
            return match.group(0)
        title = f"{hit.focus} ({hit.source}): {hit.text}".replace('"', "'")
        return f'[\\[{hit.rank}\\]]({hit.url} "{title}")'

    return split.MARKER.sub(lambda m: " " + link(m), text)


def passages(hits: list[Hit]) -> str:
    """The passages themselves in Markdown, numbered like the citations (shown collapsed under an answer)."""
    return "\n\n".join(f"**[{h.rank}] {h.focus}** ({h.source}, [{h.url}]({h.url}))\n\n> {h.text}" for h in hits)


def target(hit: Hit, words: int) -> str:
    """What an oracle row is taught: the passage's first sentences (at least one, then up to `words` words), then
    the passage's `[n]`. One marker, at the end: a model taught a marker after every sentence learned to go on
    counting them ("[1] [2] [3] ...") instead of stopping."""
    taken = []
    for sentence in split.sentences(hit.text):
        if taken and sum(map(split.words, taken)) + split.words(sentence) > words:
            break
        taken.append(sentence)
    return f"{' '.join(taken)} [{hit.rank}]"


def without_leaks(hits: list[Hit], retriever: Retriever, question: str, answer: str, thresholds: dict,
                  k: int) -> tuple[list[Hit], int]:
    """The best `k` hits not cut from a pair that nearly repeats (question, answer), renumbered; and how many
    were dropped."""
    if not hits:
        return [], 0
    pairs = retriever.pairs.iloc[[int(retriever.pair_row[h.pair]) for h in hits]][["question", "answer"]]
    rows = pairs.reset_index(drop=True)
    leaks = set(near_duplicates.find(rows, pd.DataFrame({"question": [question], "answer": [answer]}), "question",
                                     "answer", thresholds).index)
    same = {i for i, a in enumerate(rows["answer"]) if normalize_text(a) == normalize_text(answer)}
    kept = [h for i, h in enumerate(hits) if i not in leaks | same][:k]
    return [dataclasses.replace(h, rank=n) for n, h in enumerate(kept, start=1)], len(leaks | same)


def own_pairs(retriever: Retriever) -> dict[str, str]:
    """The corpus's answers (as data preparation cleans text) -> the first pair holding each."""
    found: dict[str, str] = {}
    for pair, answer in zip(retriever.pairs["id"], retriever.pairs["answer"]):
        found.setdefault(normalize_text(answer), pair)
    return found


def add(frame: pd.DataFrame, retriever: Retriever, question: str, answer: str, thresholds: dict,
        oracle_share: float = DEFAULTS["oracle_share"], target_words: int = DEFAULTS["target_words"],
        message_share: float = DEFAULTS["message_share"], seed: int = 42) -> tuple[pd.DataFrame, dict]:
    """`frame` with a `sources` column for every row, training and validation targets rewritten, and counts.

    Test rows (split 2): the question's passages as the app retrieves them, reference kept. Training and
    validation rows: leaks of the row's own pair dropped from the retrieved passages; then a seeded
    `oracle_share` of those whose answer is a corpus pair get its first passage at a seeded place among the
    others, the target made from it (`target`); the rest get another such row's passages and the decline reply.
    A seeded `message_share` of them ask their question inside a message as people write it (plugins/retrieval/
    messages.py), retrieved as written."""
    rng = np.random.default_rng(seed)
    owners = own_pairs(retriever)
    targets, leaks = frame[answer].tolist(), 0
    learning = (frame["split"] != 2).to_numpy() if "split" in frame.columns else np.ones(len(frame), dtype=bool)
    own = [owners.get(normalize_text(a)) if learn else None for a, learn in zip(frame[answer], learning)]
    candidates = np.flatnonzero([pair is not None for pair in own])
    oracle = set(rng.choice(candidates, size=int(round(oracle_share * len(candidates))), replace=False).tolist()) \
        if len(candidates) else set()
    asked = frame[question].tolist()
    if message_share > 0 and len(candidates):
        wrapping = np.random.default_rng(seed + 2)
        for i in sorted(wrapping.choice(candidates, size=int(round(message_share * len(candidates))),
                                        replace=False).tolist()):
            topic = retriever.pairs["focus"].iat[retriever.pair_row[own[i]]]
            asked[i] = messages.wrap(asked[i], topic, wrapping)
    hits_of: list[list[Hit]] = []
    for i, (q, a) in enumerate(zip(asked, frame[answer])):
        if not learning[i]:
            hits_of.append(retriever.search(q))
            continue
        found, dropped = without_leaks(retriever.search(q, k=retriever.k + EXTRA_CANDIDATES), retriever, q, a,
                                       thresholds, retriever.k - (i in oracle))
        leaks += dropped
        if i in oracle:
            passage = retriever.passages_of(own[i])[0]
            found.insert(int(rng.integers(0, len(found) + 1)), passage)
            found = [dataclasses.replace(h, rank=n) for n, h in enumerate(found, start=1)]
            targets[i] = target(next(h for h in found if h.id == passage.id), target_words)
        hits_of.append(found)
    declining = np.array(sorted(set(candidates.tolist()) - oracle), dtype=int)
    declining = declining[[bool(hits_of[i]) for i in declining]] if len(declining) else declining
    if len(declining) >= 2:  # a cycle: each declining row is shown the next one's passages, never its own
        order = rng.permutation(declining)
        borrowed = {int(i): hits_of[int(j)] for i, j in zip(order, np.roll(order, 1))}
        for i, hits in borrowed.items():  # never a passage of its own page or topic: those would answer it
            topic = retriever.pairs["focus"].iat[retriever.pair_row[own[i]]].lower()
            kept = [h for h in hits if h.pair != own[i] and h.focus.lower() != topic]
            hits_of[i] = [dataclasses.replace(h, rank=n) for n, h in enumerate(kept, start=1)]
            targets[i] = DECLINE
    else:
        declining = declining[:0]
    out = frame.copy()
    out[COLUMN] = [render(h, retriever.source_format) for h in hits_of]
    out[question], out[answer] = asked, targets
    return out, {"rows": len(frame), "rows_with_sources": int(sum(bool(h) for h in hits_of)),
                 "leaking_passages_dropped": leaks, "oracle_rows": len(oracle), "declining_rows": int(len(declining)),
                 "learning_rows_without_own_passage": int(learning.sum() - len(candidates)),
                 "message_rows": int(sum(a != q for a, q in zip(asked, frame[question]))),
                 "oracle_share": oracle_share, "target_words": target_words, "k": retriever.k, "index": retriever.key}
