"""BM25 over the corpus (bm25s, Snowball stemming), built once and cached by what it depends on.

The cache key is the corpus files' hash plus the indexing choices (fields and weights) and the bm25s
version, so editing the corpus or the spec's `fields` rebuilds, and nothing else does. `search` returns
the passages at or above the spec's `min_score`, best first; `exclude` keeps given pairs out (a training
question's own pair and its near-duplicates: retrieval must not hand the model the answer it is taught).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from plugins.retrieval import corpus as corpus_mod

CACHE = Path(".cache") / "retrieval"
DEFAULTS = {"fields": {"focus": 3, "question": 1, "answer": 1}, "k": 2, "passage_words": 80, "min_score": 0.0,
            "min_topic_match": 0.0, "source_format": "[{n}] {focus} ({source}): {text}"}
CANDIDATES = 20  # ranked before the topic rule picks the best k


@dataclass(frozen=True)
class Hit:
    """One retrieved passage: what the prompt and the citation show."""

    rank: int
    score: float
    id: str
    source: str
    focus: str
    qtype: str
    question: str
    url: str
    text: str

    def as_dict(self) -> dict:
        return asdict(self)


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


class Retriever:
    """The spec's `retrieval:` block made usable: the corpus, its BM25 index, k, min_score, passage size."""

    def __init__(self, block: dict, root: Path = Path("."), cache: Path | None = None, quiet: bool = True):
        settings = {**DEFAULTS, **block}
        self.fields = dict(settings["fields"])
        self.k, self.words = int(settings["k"]), int(settings["passage_words"])
        self.min_score = float(settings["min_score"])
        self.min_topic_match = float(settings["min_topic_match"])
        self.source_format = settings["source_format"]
        self.files = corpus_mod.files(list(block["corpus"]), root)
        self.corpus = corpus_mod.read(self.files)
        self.positions = {pid: i for i, pid in enumerate(self.corpus["id"])}
        self.key = hashlib.sha256(json.dumps([corpus_mod.fingerprint(self.files), self.fields,
                                              version("bm25s")]).encode()).hexdigest()[:16]
        self.cache_dir = (Path(root) / (cache or CACHE)) / self.key
        self.quiet = quiet
        self.built_seconds: float | None = None
        self.index = self._load() or self._build()

    def _load(self):
        import bm25s

        if not (self.cache_dir / "params.index.json").is_file():
            return None
        return bm25s.BM25.load(str(self.cache_dir), show_progress=False)

    def _build(self):
        import bm25s

        started = time.time()
        texts = [corpus_mod.indexed_text(row, self.fields) for _, row in self.corpus.iterrows()]
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=not self.quiet)
        index = bm25s.BM25()
        index.index(tokens, show_progress=not self.quiet)
        tmp = self.cache_dir.with_name(self.cache_dir.name + ".partial")
        tmp.mkdir(parents=True, exist_ok=True)
        index.save(str(tmp), show_progress=False)
        (tmp / "corpus.json").write_text(json.dumps({"files": [str(p) for p in self.files],
                                                     "passages": len(self.corpus), "fields": self.fields}))
        tmp.replace(self.cache_dir)  # a half-written index is never found as the cache
        self.built_seconds = time.time() - started
        return index

    @staticmethod
    def stems(text: str) -> set[str]:
        """The stemmed content words of a text, as the index sees them."""
        import bm25s

        return set(bm25s.tokenize([text], stopwords="en", stemmer=_stemmer(), return_ids=False,
                                  show_progress=False)[0])

    def topic_match(self, query_stems: set[str], focus: str) -> float:
        """The share of a passage's topic words (its `focus`) that the question names: BM25 alone ranks a
        passage about "Slipped capital femoral epiphysis" first for "What is the capital of France?"."""
        topic = self.stems(focus)
        return len(topic & query_stems) / len(topic) if topic else 0.0

    def search(self, query: str, k: int | None = None, exclude: set[str] | frozenset = frozenset()) -> list[Hit]:
        """The best `k` passages for `query` scoring at least `min_score` and naming enough of their topic
        (`min_topic_match`), `exclude`d ids left out; maybe none: then the corpus does not cover the question."""
        import bm25s

        k = min(k or self.k, len(self.corpus))
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=_stemmer(), show_progress=False)
        if not tokens.vocab:  # nothing indexable in the question (only stop words, digits, symbols)
            return []
        mask = None
        if exclude:
            mask = np.ones(len(self.corpus), dtype=np.float32)
            mask[[self.positions[i] for i in exclude if i in self.positions]] = 0
        wanted = min(max(k, CANDIDATES) if self.min_topic_match else k, len(self.corpus))
        ids, scores = self.index.retrieve(tokens, k=wanted, show_progress=False, weight_mask=mask)
        query_stems = self.stems(query) if self.min_topic_match else set()
        hits = []
        for position, score in zip(ids[0], scores[0]):
            if score < self.min_score or score <= 0 or len(hits) == k:
                continue
            row = self.corpus.iloc[int(position)]
            if self.min_topic_match and self.topic_match(query_stems, row["focus"]) < self.min_topic_match:
                continue
            hits.append(Hit(len(hits) + 1, float(score), row["id"], row["source"], row["focus"], row["qtype"],
                            row["question"], row["url"], corpus_mod.passage(row["answer"], self.words)))
        return hits
