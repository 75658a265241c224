"""Near-duplicate questions and answers (rapidfuzz scores of their content words): the rows data preparation
drops from a later split, and the retrieved passages a grounded training row must not be shown.

Why a module of its own: data preparation and retrieval's training rows (plugins/retrieval/sources.py) both
ask "does this row nearly repeat that one?", and must answer it one way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import distance, fuzz, process, utils

# Near-duplicates across splits: a validation/test row whose question or answer nearly repeats a row of an earlier
# split is dropped like an exact repeat, or it flatters test scores. Thresholds are rapidfuzz scores (0-100); 90
# catches the starter flashcards' two planted pairs ("... pneumonia?" / "... pneumonia in adults?"; an answer
# repeated as the first sentence of another) and nothing else there, from 75 to 90 alike.
NEAR_DUPLICATES = {"question": 90, "answer": 90}
MIN_SHARED_QUESTION_WORDS = 2  # "What is it?" / "What is it used for?" share no content word: never a near-duplicate
MIN_ANSWER_WORDS = 8  # "Dendritic cells." answers many questions: a short answer repeated is no leak
ANSWER_WORDS = 32  # one 64-bit block for rapidfuzz's bit-parallel LCS: 14k MedQuAD answers (1,200 chars) stay fast
CHUNK_ROWS = 1024  # later rows scored per cdist call: bounds memory (1,024 x 14k floats = 57 MB)
SCORERS = {
    "question": f"rapidfuzz token_sort_ratio of content words; >= {MIN_SHARED_QUESTION_WORDS} shared; words "
                "reordered, respelt or appended, not substituted or inserted",
    "answer": f"rapidfuzz LCSseq of content words as % of the shorter answer (>= {MIN_ANSWER_WORDS} words); "
              f"first {ANSWER_WORDS} words screened, then in full",
}
# Function words: they make every question look alike ("What are the ... of ...?"). Negations, quantities and
# time words stay ("not", "most", "before"), and so do single letters: "a" and "i" are also "triple A" and "type I".
STOPWORDS = frozenset(
    "about an and are as at be been being but by can could did do does for from had has have how if in into is it "
    "its may me might must my of on or our should so such than that the their them then there these they this "
    "those to was we were what when where whether which while who whom whose why will with would you your".split())


def _words(text: str) -> list[str]:
    """Case-folded words, punctuation as spaces (rapidfuzz's default_process)."""
    return utils.default_process(text.casefold()).split()


def content_words(text: str) -> list[str]:
    """The words left when function words are removed, in order.

    Templates shared by different questions ("What are the symptoms of ...?") are mostly function words: left in,
    they make "symptoms of asthma" and "symptoms of anaemia" look 87% alike."""
    return [w for w in _words(text) if w not in STOPWORDS]


def _question_matches(later: list[str], earlier: list[str], threshold: int) -> np.ndarray:
    """For each later question, the index of the first earlier question it nearly repeats, or -1.

    Scorer: token_sort_ratio of the content words (computed as `ratio` of words sorted once per question: 5x faster
    on 14k rows). It passes a reordered question (100) and a long one that gains a few words ("... pneumonia?" /
    "... pneumonia in adults?": 94), not a short one. token_set_ratio scores 100 whenever one question's words are
    a subset of the other's: on MedQuAD "What is (are) X?" would repeat "What are the treatments for X?".
    Then `_same_question` rejects what a score cannot tell from a reworded question (templates, disease names).
    """
    words = [[_words(q) for q in later], [_words(q) for q in earlier]]
    keys = [[" ".join(sorted({w for w in q if w not in STOPWORDS})) for q in side] for side in words]
    found = np.full(len(later), -1)
    for start in range(0, len(later), CHUNK_ROWS):
        scores = process.cdist(keys[0][start:start + CHUNK_ROWS], keys[1], scorer=fuzz.ratio, score_cutoff=threshold,
                               dtype=np.float32, workers=1)
        for i, j in zip(*np.nonzero(scores >= threshold)):  # row-major: each later row's earliest match first
            if found[start + i] < 0 and _same_question(words[0][start + i], words[1][j], threshold):
                found[start + i] = j
    return found


def _same_question(a: list[str], b: list[str], threshold: int) -> bool:
    """Whether two questions (their words) differ only as a rewording does.

    They share at least MIN_SHARED_QUESTION_WORDS content words ("What is it?" shares none with anything), and
    the content words one has and the other lacks are respellings ("anemia" / "anaemia", scored against the same
    threshold) or a qualifier appended to the whole other question ("... pneumonia" / "... pneumonia in adults").
    A word substituted ("Lujan syndrome" / "Cant syndrome" in one MedQuAD template), inserted ("Miller syndrome" /
    "Miller-Dieker syndrome") or a new question type ("What is X?" / "Is X inherited?") asks something else.
    """
    set_a, set_b = set(a) - STOPWORDS, set(b) - STOPWORDS
    if len(set_a & set_b) < MIN_SHARED_QUESTION_WORDS:
        return False
    only_a, only_b = set_a - set_b, set_b - set_a
    if only_a and only_b:
        return fuzz.ratio(" ".join(sorted(only_a)), " ".join(sorted(only_b))) >= threshold
    if not (only_a or only_b):
        return True  # the same content words, reordered or with other function words
    longer, shorter = (a, b) if only_a else (b, a)
    return longer[:len(shorter)] == shorter


def _answer_matches(later: list[str], earlier: list[str], threshold: int) -> np.ndarray:
    """For each later answer, the index of the first earlier answer it nearly repeats, or -1.

    Score: the longest common subsequence of content words (rapidfuzz LCSseq, one symbol per word) as a share of
    the shorter answer. It catches near-identical answers and an answer repeated as the opening sentence of a longer
    one (the same fact asked twice: `ratio` gives that flashcard pair 71). token_set_ratio would call "Dendritic
    cells." a near-duplicate of any answer using both words, and took 10 minutes on 14M MedQuAD answer pairs.
    Every pair is scored on the answers' first ANSWER_WORDS content words (one 64-bit block of the bit-parallel
    LCS: seconds for 14k rows); the pairs that pass are scored again in full, so long answers that only open with
    the same template ("What are the signs and symptoms of X? The Human Phenotype Ontology provides ...") are
    kept. Answers under MIN_ANSWER_WORDS content words never match: the same short answer to two questions is no
    leak.
    """
    vocabulary: dict[str, str] = {}  # word -> one character, so rapidfuzz compares words, not letters

    def encode(text: str) -> str:
        return "".join(vocabulary.setdefault(w, chr(0x10000 + len(vocabulary))) for w in content_words(text))

    full = [[encode(a) for a in later], [encode(a) for a in earlier]]
    lengths = [np.array([len(c) for c in side]) for side in full]
    found = np.full(len(later), -1)
    candidates = np.flatnonzero(lengths[1] >= MIN_ANSWER_WORDS)  # too short to match anything: not scored
    rows = np.flatnonzero(lengths[0] >= MIN_ANSWER_WORDS)
    if not len(candidates) or not len(rows):
        return found
    opening = [full[1][j][:ANSWER_WORDS] for j in candidates]
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start:start + CHUNK_ROWS]
        common = process.cdist([full[0][i][:ANSWER_WORDS] for i in chunk], opening,
                               scorer=distance.LCSseq.similarity, dtype=np.int32, workers=1)
        shorter = np.minimum.outer(np.minimum(lengths[0][chunk], ANSWER_WORDS),
                                   np.minimum(lengths[1][candidates], ANSWER_WORDS))
        for row, hits in zip(chunk, 100 * common >= threshold * shorter):
            passed = candidates[hits]
            if not len(passed):
                continue
            common_full = process.cdist([full[0][row]], [full[1][j] for j in passed],
                                        scorer=distance.LCSseq.similarity, dtype=np.int32, workers=1)[0]
            match = 100 * common_full >= threshold * np.minimum(lengths[0][row], lengths[1][passed])
            if match.any():
                found[row] = passed[match.argmax()]
    return found


def find(later: pd.DataFrame, earlier: pd.DataFrame, question: str, answer: str, thresholds: dict) -> pd.DataFrame:
    """The later rows that nearly repeat an earlier row: index, reason and the earlier row's position.

    Questions are checked first, then answers of the rows left (reasons near_duplicate_question/_answer).
    """
    reason = np.full(len(later), "", dtype=object)
    match = np.full(len(later), -1)
    for rule, column, matcher in (("question", question, _question_matches), ("answer", answer, _answer_matches)):
        open_rows = np.flatnonzero(reason == "")
        if thresholds.get(rule) is None or not len(open_rows) or earlier.empty:
            continue
        found = matcher(later[column].iloc[open_rows].tolist(), earlier[column].tolist(), thresholds[rule])
        hit = open_rows[found >= 0]
        reason[hit], match[hit] = f"near_duplicate_{rule}", found[found >= 0]
    return pd.DataFrame({"reason": reason, "earlier": match}, index=later.index)[reason != ""]
