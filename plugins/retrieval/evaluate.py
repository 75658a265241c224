"""Retrieval measured on lay wording: hit@1 and hit@5 on question sets written the way people write.

`data/retrieval/lay_questions.csv`: one-line questions (typos, several questions in one message), halves `build`
(tune against it) and `report` (quote it); `lay_questions_dev.csv`: a later blind set tuned against;
`long_messages.csv`: messages as people send them to a health library (a subject line, a story, one or two
questions), written blind, halves `dev` and `report`. Each question is labelled with the corpus topic(s) that
answer it. A retrieved passage is a hit when its topic is a labelled one, compared by content
words so that one topic under several NIH collections' names counts once ("Alzheimer's Disease" in
MedlinePlus, "Alzheimer disease" in Genetics Home Reference; "Restless Legs" / "restless legs syndrome").
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from plugins.retrieval.index import GENERIC, Retriever

QUESTIONS = Path("data/retrieval/lay_questions.csv")  # one-line lay questions: halves build (tuned) and report
DEV = Path("data/retrieval/lay_questions_dev.csv")  # a later blind set of one-line questions, tuned against
LONG = Path("data/retrieval/long_messages.csv")  # messages as people send them: halves dev (tuned) and report
SETS = {QUESTIONS: ("build", "report"), DEV: ("dev",), LONG: ("dev", "report")}


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


def all_hit_rates(retriever: Retriever, root: Path = Path("."), depth: int = 5) -> dict[tuple[str, str], dict]:
    """Hit rates on every shipped question set and half found under `root`: {(path, half): rates}."""
    found = {}
    for path, halves in SETS.items():
        if not (Path(root) / path).is_file():
            continue
        frame = read(Path(root) / path)
        for half in halves:
            found[(str(path), half)] = hit_rates(retriever, frame[frame["half"] == half], depth)
    return found
