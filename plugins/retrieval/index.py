"""BM25 over the corpus (bm25s, Snowball stemming), built once and cached by what it depends on.

The cache key is the corpus files' hash plus the indexing choices (fields and weights) and the bm25s
version, so editing the corpus or the spec's `fields` rebuilds, and nothing else does. `search` returns
the passages at or above the spec's `min_score`, best first; `exclude` keeps given pairs out (a training
question's own pair and its near-duplicates: retrieval must not hand the model the answer it is taught).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import numpy as np

from plugins.retrieval import corpus as corpus_mod

CACHE = Path(".cache") / "retrieval"
DEFAULTS = {"fields": {"focus": 3, "question": 1, "answer": 1}, "k": 2, "passage_words": 80, "min_score": 0.0,
            "min_topic_match": 0.0, "source_format": "[{n}] {focus} ({source}): {text}"}
STOPWORDS = "english"  # bm25s's English list ("en" is not one of its names: nothing would be removed)
TOKENIZATION = 2  # part of the cache key: bump when the indexed text or its tokenization changes
CANDIDATES = 100  # ranked before the topic rule picks the best k (many pages mention "clinical trials")
MIN_TYPO_LENGTH = 5  # shorter unknown words are left alone: too many near neighbours
TYPO_SCORE = 80  # rapidfuzz ratio from an unknown stem to the indexed stem that replaces it


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


def read_synonyms(path: Path) -> dict[str, str]:
    """phrase -> words added to a question that contains it (a CSV with columns phrase, adds)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {p.strip().lower(): a.strip() for p, a in zip(frame["phrase"], frame["adds"]) if p.strip()}


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
        self.synonyms = read_synonyms(Path(root) / settings["synonyms"]) if settings.get("synonyms") else {}
        self.source_format = settings["source_format"]
        self.files = corpus_mod.files(list(block["corpus"]), root)
        self.corpus = corpus_mod.read(self.files)
        self.positions = {pid: i for i, pid in enumerate(self.corpus["id"])}
        self.key = hashlib.sha256(json.dumps([corpus_mod.fingerprint(self.files), self.fields, TOKENIZATION,
                                              version("bm25s")]).encode()).hexdigest()[:16]
        self.cache_dir = (Path(root) / (cache or CACHE)) / self.key
        self.quiet = quiet
        self.built_seconds: float | None = None
        self.index = self._load() or self._build()
        self._topic_stems: dict[str, set[str]] = {}  # a passage topic's stems, computed once per topic

    def _load(self):
        import bm25s

        if not (self.cache_dir / "params.index.json").is_file():
            return None
        return bm25s.BM25.load(str(self.cache_dir), show_progress=False)

    def _build(self):
        import bm25s

        started = time.time()
        texts = [corpus_mod.indexed_text(row, self.fields) for _, row in self.corpus.iterrows()]
        tokens = bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=_stemmer(), show_progress=not self.quiet)
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
    def tokens(text: str) -> list[str]:
        """The stemmed content words of a text, in order, as the index sees them."""
        import bm25s

        return bm25s.tokenize([text], stopwords=STOPWORDS, stemmer=_stemmer(), return_ids=False,
                              show_progress=False)[0]

    @classmethod
    def stems(cls, text: str) -> set[str]:
        return set(cls.tokens(text))

    def topic_match(self, query_stems: set[str], focus: str) -> float:
        """The share of a passage's topic words (its `focus`) that the question names: BM25 alone ranks a
        passage about "Slipped capital femoral epiphysis" first for "What is the capital of France?". A topic
        word is named by the same stem or one of a word's other stems ("breastfe" / "breastfeed")."""
        if focus not in self._topic_stems:
            self._topic_stems[focus] = self.stems(focus)
        topic = self._topic_stems[focus]
        named = [t for t in topic if any(q == t or (min(len(q), len(t)) >= 4 and (q.startswith(t) or t.startswith(q)))
                                          for q in query_stems)]
        return len(named) / len(topic) if topic else 0.0

    @cached_property
    def typo_candidates(self) -> list[str]:
        """The indexed stems an unknown word may be corrected to."""
        return [t for t in self.index.vocab_dict if len(t) >= MIN_TYPO_LENGTH - 1]

    def terms(self, query: str) -> list[str]:
        """The question as index terms: lay phrases expanded (`synonyms`), then stemmed, and a misspelt word
        replaced by the closest indexed stem ("diabetis" -> "diabet")."""
        from rapidfuzz import fuzz, process

        text = query.lower()
        for phrase, adds in self.synonyms.items():
            if re.search(rf"\b{re.escape(phrase)}(s|es)?\b", text):  # "sick headaches" has "sick headache"
                text += " " + adds
        vocab = self.index.vocab_dict
        terms = []
        for stem in self.tokens(text):
            if stem not in vocab and len(stem) >= MIN_TYPO_LENGTH:
                near = process.extractOne(stem, self.typo_candidates, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
                stem = near[0] if near else stem
            if stem in vocab:
                terms.append(stem)
        return terms

    def search(self, query: str, k: int | None = None, exclude: set[str] | frozenset = frozenset()) -> list[Hit]:
        """The best `k` passages for `query` scoring at least `min_score` and naming enough of their topic
        (`min_topic_match`), `exclude`d ids left out; maybe none: then the corpus does not cover the question."""
        k = min(k or self.k, len(self.corpus))
        terms = self.terms(query)
        if not terms:  # nothing indexable in the question (only stop words, digits, symbols, unknown words)
            return []
        mask = None
        if exclude:
            mask = np.ones(len(self.corpus), dtype=np.float32)
            mask[[self.positions[i] for i in exclude if i in self.positions]] = 0
        wanted = min(max(k, CANDIDATES) if self.min_topic_match else k, len(self.corpus))
        ids, scores = self.index.retrieve([terms], k=wanted, show_progress=False, weight_mask=mask)
        query_stems = set(terms)
        hits = []
        for position, score in zip(ids[0], scores[0]):
            if len(hits) == k:
                break
            if score < self.min_score or score <= 0:
                continue
            row = self.corpus.iloc[int(position)]
            if self.min_topic_match and self.topic_match(query_stems, row["focus"]) < self.min_topic_match:
                continue
            hits.append(Hit(len(hits) + 1, float(score), row["id"], row["source"], row["focus"], row["qtype"],
                            row["question"], row["url"], corpus_mod.passage(row["answer"], self.words)))
        return hits
