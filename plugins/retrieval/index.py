"""BM25 over the corpus's passages (bm25s, Snowball stemming), built once and cached by what it depends on.

The cache key is the corpus files' hash plus the indexing choices (passage size, fields and weights) and the
bm25s version, so editing the corpus or those keys rebuilds, and nothing else does. `search` returns the
passages at or above the spec's `min_score`, best first; `exclude` keeps given pages out (a training question's
own pair and its near-duplicates, where a row must learn that its passages do not answer it).
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
DEFAULTS = {"fields": {"focus": 3, "question": 1, "answer": 1}, "k": 3, "chunk_words": 60, "min_score": 0.0,
            "min_topic_match": 0.0, "source_format": "[{n}] {focus} ({source}): {text}", "min_support": 0.8}
STOPWORDS = "english"  # bm25s's English list ("en" is not one of its names: nothing would be removed)
TOKENIZATION = 4  # part of the cache key: bump when the indexed text, its tokenization or what is mined changes
CANDIDATES = 100  # ranked before the lead bonus and the topic rule pick the best k (many pages say "clinical trials")
LEAD = 0.1  # an answer's n-th passage scores (1 + LEAD / n) times its BM25: for "what is gout" the first passage
            # ("Gout is a common, painful form of arthritis") beats a shorter later one; measured on MedQuAD's own
            # questions (a sample of 400): the own answer's first passage in the top 3 went 0.67 -> 0.83
MIN_TYPO_LENGTH = 5  # shorter unknown words are left alone: too many near neighbours
TYPO_SCORE = 80  # rapidfuzz ratio from an unknown stem to the indexed stem that replaces it
TYPO_TIES = 6  # corrections scoring within this of the best are ties: the one that continues the word, then the
               # commoner one wins ("osteoperosis" -> osteoporosis (141 passages), not osteopetrosis (20))
RARE = 3  # an indexed stem in at most this many passages is checked for a much commoner spelling ...
COMMONER = 20  # ... at least this many times as frequent and a ratio >= 90 ("migrane": migran (2) -> migrain (130))
CONTRACTIONS = re.compile(r"\b(?:cant|dont|wont|didnt|doesnt|isnt|arent|wasnt|couldnt|shouldnt|wouldnt|[iI]m|"
                          r"[iI]ve|[iI]d|[iI]ll)\b")  # typed without the apostrophe, in lower case: "i cant sleep"
                                                   # is not Cant syndrome; "Cant syndrome" as typed is
SPECIFIC = 0.3  # with the topic rule, a passage's score is scaled by 1 - SPECIFIC * (share of its topic not named):
                # "hypothyroid" names Hypothyroidism wholly and Congenital hypothyroidism half
GENERIC = frozenset({"diseas", "syndrom", "disord", "age", "relat", "infect", "problem", "condit"})  # name no topic
QUALIFIER = re.compile(r"(?<![\w'])([a-z0-9])(?![\w'])")  # "hepatitis b", "type 2": one character standing alone
ABBREVIATION = re.compile(r"((?:[A-Za-z][\w'-]*\s+){1,6})\(([A-Z]{2,6})\)")  # "rheumatoid arthritis (RA)"


@dataclass(frozen=True)
class Hit:
    """One retrieved passage: what the prompt and the citation show."""

    rank: int
    score: float
    id: str  # the passage: `<pair>#<n>`
    pair: str  # the question-answer pair (page section) it was cut from
    chunk: int  # its place in that answer, from 1
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
        self.k, self.words = int(settings["k"]), int(settings["chunk_words"])
        self.min_score = float(settings["min_score"])
        self.min_topic_match = float(settings["min_topic_match"])
        self.synonyms = read_synonyms(Path(root) / settings["synonyms"]) if settings.get("synonyms") else {}
        self.source_format = settings["source_format"]
        self.min_support = float(settings["min_support"])  # what the answer checker needs (plugins/retrieval/checker)
        self.files = corpus_mod.files(list(block["corpus"]), root)
        self.pairs = corpus_mod.read(self.files)
        self.corpus = corpus_mod.chunks(self.pairs, self.words)  # the passages: what is indexed, shown and cited
        self.positions = {pid: i for i, pid in enumerate(self.corpus["id"])}
        self.pair_positions = self.corpus.groupby("pair", sort=False).indices  # pair id -> its passages' rows
        self.pair_row = {pair: i for i, pair in enumerate(self.pairs["id"])}  # pair id -> its row in `pairs`
        self.chunk_numbers = self.corpus["chunk"].to_numpy()
        self.key = hashlib.sha256(json.dumps([corpus_mod.fingerprint(self.files), self.fields, self.words,
                                              TOKENIZATION, version("bm25s")]).encode()).hexdigest()[:16]
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
        (tmp / "corpus.json").write_text(json.dumps({"files": [str(p) for p in self.files], "pairs": len(self.pairs),
                                                     "passages": len(self.corpus), "chunk_words": self.words,
                                                     "fields": self.fields}))
        (tmp / "abbreviations.json").write_text(json.dumps(mine_abbreviations(self.pairs["answer"])))
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

    def topic_match(self, query_stems: set[str], focus: str, query_letters: set[str] = frozenset()) -> float:
        """The share of a passage's topic words (its `focus`) that the question names: BM25 alone ranks a
        passage about "Slipped capital femoral epiphysis" first for "What is the capital of France?". A topic
        word is named by the same stem or another form of the word ("breastfe" / "breastfeed", "testicl" /
        "testicular"); words any topic may carry ("disease", "syndrome", ...) do not count, so "Hendra virus
        disease" does not name Kawasaki Disease; a one-character qualifier ("Hepatitis B", "Type 2 Diabetes") by
        the same character standing alone in the question (`query_letters`): "hepatitis" names Hepatitis B half,
        "hepatitis B" wholly, and Hepatitis C not at all."""
        if focus not in self._topic_stems:
            stems = self.stems(focus)
            self._topic_stems[focus] = (stems - GENERIC or stems, set(QUALIFIER.findall(focus.lower())))
        topic, qualifiers = self._topic_stems[focus]
        if qualifiers and query_letters and not qualifiers & query_letters:
            return 0.0  # the question names another one: "hepatitis B" is not Hepatitis C
        named = [t for t in topic if any(q == t or _same_word(q, t) for q in query_stems)]
        total = len(topic) + len(qualifiers)
        return (len(named) + len(qualifiers & query_letters)) / total if topic else 0.0

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
        Near ties go to a correction starting with the same two letters (a typo rarely changes them: "hemroid" is
        hemorrhoid, not spheroid), then to the one that continues the typed word, then to the commoner one."""
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
        return max(ties, key=lambda t: (t[:2] == stem[:2], t.startswith(stem) or stem.startswith(t), counts[t]))

    def terms(self, query: str) -> list[str]:
        """The question as index terms: abbreviations the corpus defines and lay phrases (`synonyms`) expanded,
        apostrophe-less contractions dropped, then stemmed, and a misspelt word corrected ("diabetis" -> "diabet")."""
        text = CONTRACTIONS.sub(" ", query).lower()  # "i cant sleep", but "Cant syndrome" as typed
        text += "".join(f" {self.abbreviations[a]}" for a in re.findall(r"\b[A-Z]{2,6}\b", query)
                        if a in self.abbreviations)
        for phrase, adds in self.synonyms.items():
            if re.search(rf"\b{re.escape(phrase)}(s|es)?\b", text):  # "sick headaches" has "sick headache"
                text += " " + adds
        vocab = self.index.vocab_dict
        return [t for t in map(self.correct, self.tokens(text)) if t in vocab]

    def hit(self, position: int, rank: int, score: float) -> Hit:
        """The passage at `position` of the corpus as the `rank`-th hit."""
        row = self.corpus.iloc[int(position)]
        return Hit(rank, float(score), row["id"], row["pair"], int(row["chunk"]), row["source"], row["focus"],
                   row["qtype"], row["question"], row["url"], row["text"])

    def passages_of(self, pair: str) -> list[Hit]:
        """Every passage of one question-answer pair, in order (ranked 1, 2, ...; score 0)."""
        return [self.hit(p, n, 0.0) for n, p in enumerate(self.pair_positions.get(pair, []), start=1)]

    def search(self, query: str, k: int | None = None, exclude: set[str] | frozenset = frozenset()) -> list[Hit]:
        """The best `k` passages for `query` scoring at least `min_score` and naming enough of their topic
        (`min_topic_match`), the passages of `exclude`d pairs left out; maybe none: then the corpus does not cover
        the question."""
        k = min(k or self.k, len(self.corpus))
        terms = self.terms(query)
        if not terms:  # nothing indexable in the question (only stop words, digits, symbols, unknown words)
            return []
        mask = None
        if exclude:
            mask = np.ones(len(self.corpus), dtype=np.float32)
            for pair in exclude:
                mask[self.pair_positions.get(pair, [])] = 0
        ids, scores = self.index.retrieve([terms], k=min(max(k, CANDIDATES), len(self.corpus)), show_progress=False,
                                          weight_mask=mask)
        scores = scores[0] * (1 + LEAD / self.chunk_numbers[ids[0]])  # an answer's first passage states it
        order = np.argsort(-scores, kind="stable")
        query_stems, letters = set(terms), set(QUALIFIER.findall(query.lower())) - {"a", "i"}  # a, I: words
        ranked = []
        for position, score in zip(ids[0][order], scores[order]):
            if score < self.min_score or score <= 0:
                continue
            if self.min_topic_match:
                match = self.topic_match(query_stems, self.corpus["focus"].iat[int(position)], letters)
                if match < self.min_topic_match:
                    continue
                score *= 1 - SPECIFIC * (1 - match)  # a topic named wholly before one named in part
            ranked.append((score, position))
        ranked.sort(key=lambda r: -r[0])  # stable: equal scores keep BM25's order
        return [self.hit(position, n, score) for n, (score, position) in enumerate(ranked[:k], start=1)]
