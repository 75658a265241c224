"""Retrieval measured on lay wording: hit@1 and hit@5 on `data/retrieval/lay_questions.csv`.

The questions are written the way people type them (typos, several questions in one message), each labelled
with the corpus topic(s) that answer it, and split in halves as the safety corpus is: tune retrieval against
`build`, report `report`. A retrieved passage is a hit when its topic is a labelled one, compared by content
words so that one topic under several NIH collections' names counts once ("Alzheimer's Disease" in
MedlinePlus, "Alzheimer disease" in Genetics Home Reference; "Restless Legs" / "restless legs syndrome").
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from plugins.retrieval.index import Retriever

QUESTIONS = Path("data/retrieval/lay_questions.csv")
GENERIC = {"diseas", "syndrom", "disord", "age", "relat", "infect", "problem", "condit"}  # stems naming no topic


def topic_words(topic: str) -> frozenset[str]:
    return frozenset(Retriever.stems(topic.replace("'s", "")) - GENERIC)


def same_topic(a: str, b: str) -> bool:
    return bool(topic_words(a)) and topic_words(a) == topic_words(b)


def read(path: Path = QUESTIONS) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["labels"] = frame["topics"].str.split("|").apply(lambda ts: [t.strip() for t in ts if t.strip()])
    return frame


def hit_rates(retriever: Retriever, frame: pd.DataFrame, depth: int = 5) -> dict:
    """hit@1 and hit@depth over the questions of `frame`, milliseconds per question, and the misses."""
    first = anywhere = 0
    misses, started = [], time.perf_counter()
    for question, labels in zip(frame["question"], frame["labels"]):
        found = [h.focus for h in retriever.search(question, k=depth)]
        hit = [any(same_topic(f, label) for label in labels) for f in found]
        first += bool(hit[:1] and hit[0])
        anywhere += any(hit)
        if not any(hit):
            misses.append({"question": question, "labels": labels, "retrieved": found[:3]})
    n = len(frame)
    return {"n": n, "hit@1": first / n, f"hit@{depth}": anywhere / n,
            "ms_per_question": 1000 * (time.perf_counter() - started) / n, "misses": misses}
