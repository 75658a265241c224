"""BM25 over the corpus (bm25s, Snowball stemming), built once and cached by what it depends on.

The cache key is the corpus files' hash plus the indexing choices (fields and weights) and the bm25s
version, so editing the corpus or the spec's `fields` rebuilds, and nothing else does. `search` returns
the passages at or above the spec's `min_score`, best first; `exclude` keeps given pairs out (a training
question's own pair and its near-duplicates: retrieval must not hand the model the answer it is taught).
"""

from __future__ import annotations

import hashlib
import json
import os
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
TOKENIZATION = 3  # part of the cache key: bump when the indexed text, its tokenization or what is mined changes
CANDIDATES = 100  # ranked before the topic rule picks the best k (many pages mention "clinical trials")
MIN_TYPO_LENGTH = 5  # shorter unknown words are left alone: too many near neighbours
TYPO_SCORE = 80  # rapidfuzz ratio from an unknown stem to the indexed stem that replaces it
TYPO_TIES = 6  # corrections scoring within this of the best are ties: the one that continues the word, then the
               # commoner one wins ("osteoperosis" -> osteoporosis (141 passages), not osteopetrosis (20))
RARE = 3  # an indexed stem in at most this many passages is checked for a much commoner spelling ...
COMMONER = 20  # ... at least this many times as frequent and a ratio >= 90 ("migrane": migran (2) -> migrain (130))
CONTRACTIONS = re.compile(r"\b(?:cant|dont|wont|didnt|doesnt|isnt|arent|wasnt|couldnt|shouldnt|wouldnt|im|ive|"
                          r"id|ill)\b")  # typed without the apostrophe: "i cant sleep" is not Cant syndrome
ABBREVIATION = re.compile(r"((?:[A-Za-z][\w'-]*\s+){1,6})\(([A-Z]{2,6})\)")  # "rheumatoid arthritis (RA)"


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


def _same_word(a: str, b: str) -> bool:
    """Two stems of one word: one continues the other, or they share a long prefix (noun and adjective)."""
    if min(len(a), len(b)) < 4:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    common = len(os.path.commonprefix([a, b]))
    return common >= 6 and common >= 0.8 * min(len(a), len(b))


def mine_abbreviations(answers) -> dict[str, str]:
    """abbreviation -> the words it most often stands for in the corpus, when their initials spell it
    ("Adult acute lymphoblastic leukemia (ALL)" -> ALL: acute lymphoblastic leukemia)."""
    from collections import Counter, defaultdict

    seen: dict[str, Counter] = defaultdict(Counter)
    for answer in answers:
        for phrase, abbreviation in ABBREVIATION.findall(answer):
            words = phrase.split()[-len(abbreviation):]
            if len(words) == len(abbreviation) and "".join(w[0] for w in words).upper() == abbreviation:
                seen[abbreviation][" ".join(words).lower()] += 1
    return {a: phrases.most_common(1)[0][0] for a, phrases in sorted(seen.items())}


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
        (tmp / "abbreviations.json").write_text(json.dumps(mine_abbreviations(self.corpus["answer"])))
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
        word is named by the same stem or another form of the word ("breastfe" / "breastfeed", "testicl" /
        "testicular")."""
        if focus not in self._topic_stems:
            self._topic_stems[focus] = self.stems(focus)
        topic = self._topic_stems[focus]
        named = [t for t in topic if any(q == t or _same_word(q, t) for q in query_stems)]
        return len(named) / len(topic) if topic else 0.0

    @cached_property
    def typo_candidates(self) -> list[str]:
        """The indexed stems an unknown word may be corrected to."""
        return [t for t in self.index.vocab_dict if len(t) >= MIN_TYPO_LENGTH - 1]

    @cached_property
    def passage_counts(self) -> dict[str, int]:
        """How many passages each indexed stem occurs in (from the index's term columns)."""
        indptr = self.index.scores["indptr"]  # bm25s's vocabulary also holds "" past the last column
        return {t: int(indptr[i + 1] - indptr[i]) if i + 1 < len(indptr) else 0
                for t, i in self.index.vocab_dict.items()}

    @cached_property
    def abbreviations(self) -> dict[str, str]:
        """Abbreviations the corpus itself defines ("rheumatoid arthritis (RA)"), mined when the index is built."""
        return json.loads((self.cache_dir / "abbreviations.json").read_text())

    def correct(self, stem: str) -> str:
        """A misspelt stem as the closest indexed stem: unknown stems, and rare ones with a far commoner neighbour.
        Near ties go to the correction that continues the typed word, then to the commoner one."""
        from rapidfuzz import fuzz, process

        counts = self.passage_counts
        known = stem in counts
        if len(stem) < MIN_TYPO_LENGTH or (known and counts[stem] > RARE):
            return stem
        found = process.extract(stem, self.typo_candidates, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE, limit=8)
        if known:
            found = [f for f in found if f[0] != stem and f[1] >= 90 and counts[f[0]] >= COMMONER * counts[stem]]
        if not found:
            return stem
        best = max(score for _, score, _ in found)
        ties = [t for t, score, _ in found if score >= best - TYPO_TIES]
        return max(ties, key=lambda t: (t.startswith(stem) or stem.startswith(t), counts[t]))

    def terms(self, query: str) -> list[str]:
        """The question as index terms: abbreviations the corpus defines and lay phrases (`synonyms`) expanded,
        apostrophe-less contractions dropped, then stemmed, and a misspelt word corrected ("diabetis" -> "diabet")."""
        text = CONTRACTIONS.sub(" ", query.lower())
        text += "".join(f" {self.abbreviations[a]}" for a in re.findall(r"\b[A-Z]{2,6}\b", query)
                        if a in self.abbreviations)
        for phrase, adds in self.synonyms.items():
            if re.search(rf"\b{re.escape(phrase)}(s|es)?\b", text):  # "sick headaches" has "sick headache"
                text += " " + adds
        vocab = self.index.vocab_dict
        return [t for t in map(self.correct, self.tokens(text)) if t in vocab]

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
