"""`make check` for a spec's `medical_llm.retrieval:` block: every key, its type and range, and the files it names.

    retrieval:
      corpus: [data/medquad/*.csv.gz]             # CSV(.gz) files with MedQuAD's columns, glob patterns
      fields: {focus: 3, question: 1, answer: 1}  # what BM25 indexes, each field repeated by its weight
      k: 3                                        # passages per question
      chunk_words: 60                             # passages: whole sentences of an answer, at most this many words
      min_score: 2.0                              # below this BM25 score a passage counts as not found
      min_topic_match: 0.5                        # ... or when the question names under half its topic's words
      source_format: "[{n}] {focus} ({source}): {text}"   # one passage inside the prompt
      synonyms: data/retrieval/lay_synonyms.csv   # lay phrases -> words added to a question
      oracle_share: 0.8                           # training rows shown their own answer-bearing passage
      target_words: 40                            # ... and taught its first sentences, up to this many words
      min_support: 0.8                            # a shown sentence's content words its cited passage must hold
      message_share: 0.3                          # training questions asked inside a message as people write them
      against: specs/medical-smollm2-cpu.yaml     # make compare: the ungrounded spec answering the same questions
      held_out: {path: ..., max_words: ..., max_samples: ...}   # make compare: a collection outside the index
      lay_questions: {path: data/retrieval/lay_questions.csv, half: report}   # make compare: labelled lay questions

Why: a grounded spec names files (corpus, synonyms, a held-out collection that must stay outside the index and
the training data) and sizes (passages that must fit the sequence) that fail only deep inside data preparation
or training; `make check` reads and sizes them first, with the other blocks' checks.
"""

from __future__ import annotations

import glob
import string
from pathlib import Path

from plugins.data_source import load_source
from plugins.retrieval import corpus as corpus_mod
from plugins.retrieval.index import DEFAULTS

KEYS = {
    "corpus": "a list of CSV or CSV.gz files (glob patterns, relative to the project) with the columns "
              + ", ".join(corpus_mod.COLUMNS),
    "fields": f"a mapping of {', '.join(corpus_mod.FIELDS)} -> a weight, an integer 1-5",
    "k": "an integer 1-10: passages per question",
    "chunk_words": "an integer 10-400: a passage is an answer's consecutive whole sentences, at most this many words",
    "min_score": "a number >= 0: a passage scoring below it counts as not found",
    "min_topic_match": "a number 0-1: the share of a passage's topic words the question must name (0: off)",
    "source_format": "a string with {text} and any of {n}, {source}, {focus}, {qtype}, {question}, {url}",
    "synonyms": "a CSV file with columns phrase, adds: words added to a question containing the phrase",
    "oracle_share": "a number 0-1: the share of training rows shown their own answer-bearing passage and taught to "
                    "restate it; the others get another question's passages and learn to decline",
    "target_words": "an integer 5-200: an oracle row's target is its passage's first sentences up to this many words",
    "min_support": "a number 0-1: a sentence is shown only when its cited passage holds this share of its content "
                   "words",
    "message_share": "a number 0-1: the share of training rows asking their question inside a message as people "
                     "write them (a subject line, who asks, a closing)",
    "against": "a spec file (an ungrounded spec) whose newest run answers the same questions in make compare",
    "held_out": "{path, max_words, max_samples, seed}: a question/answer collection outside the corpus and the "
                "training data that make compare answers",
    "lay_questions": "{path, half}: questions labelled with the topics that answer them (columns question, topics, "
                     "half) that make compare answers",
}
RENAMED = {"passage_words": "replaced by chunk_words (passages are whole sentences now)",
           "unhelpful_share": "replaced by oracle_share (the rows not given their own passage learn to decline)"}
HELD_OUT_KEYS = {"path": "a CSV or CSV.gz file with question and answer columns, not a corpus or training file",
                 "max_words": "a mapping of question/answer -> an integer >= 1 (longer pairs are dropped)",
                 "max_samples": "an integer >= 1: a seeded sample of the questions",
                 "seed": "an integer"}
PLACEHOLDERS = {"n", "text", "source", "focus", "qtype", "question", "url"}
TOKENS_PER_WORD = 1.5  # medical words split into several tokens: a generous estimate
PASSAGE_SHARE = 0.5  # passages may fill at most half of the sequence; the rest is template, question and answer


def _int_in(value, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def length_problem(block: dict, max_length: int, where: str) -> str | None:
    """Passages too long for the sequence: Ludwig cuts the answer away, and training sees no target (loss NaN)."""
    k, words = block.get("k", DEFAULTS["k"]), block.get("chunk_words", DEFAULTS["chunk_words"])
    if not (_int_in(k, 1, 10) and _int_in(words, 10, 400)):
        return None  # reported on its own
    tokens = int(k * words * TOKENS_PER_WORD)
    if tokens <= PASSAGE_SHARE * max_length:
        return None
    return (f"'{where}': {k} passages of {words} words take about {tokens} tokens, more than half of "
            f"preprocessing.global_max_sequence_length {max_length}: training would cut the answers away (validation "
            f"loss NaN); raise global_max_sequence_length to at least {int(tokens / PASSAGE_SHARE)} or lower k or "
            "chunk_words")


def held_out_problems(block, corpus: list[str], data_path, root: Path, where: str) -> list[str]:
    """The held-out collection must be readable and outside the index and the training data: otherwise
    retrieval could hand the model the test answer itself."""
    if not isinstance(block, dict) or "path" not in block:
        return [f"'{where}' must be a mapping with path (and optionally {', '.join(list(HELD_OUT_KEYS)[1:])})"]
    found = [f"'{where}.{k}' is not a held-out setting; allowed: {', '.join(HELD_OUT_KEYS)}"
             + (" (against moved up: medical_llm.retrieval.against)" if k == "against" else "")
             for k in block if k not in HELD_OUT_KEYS]
    path = Path(root) / str(block["path"])
    if not path.is_file():
        return found + [f"'{where}.path' {block['path']!r} not found; allowed: {HELD_OUT_KEYS['path']}"]
    try:
        columns = set(load_source({"path": str(block["path"])}, root).columns)
    except Exception as e:  # noqa: BLE001 - any unreadable file is reported with its reason
        columns, found = set(), found + [f"'{where}.path' {block['path']!r} cannot be read: {e}"]
    if columns and not {"question", "answer"} <= columns:
        found.append(f"'{where}.path' {block['path']!r} has columns {sorted(columns)}; it needs question and answer")
    resolved = path.resolve()
    if resolved in {f.resolve() for f in _files(corpus, root)}:
        found.append(f"'{where}.path' {block['path']!r} is one of the corpus files: the index would hold the test "
                     "answers; leave it out of corpus")
    if isinstance(data_path, str) and resolved in {f.resolve() for f in _files([data_path], root)}:
        found.append(f"'{where}.path' {block['path']!r} is part of medical_llm.data.path: the model would be trained "
                     "on the test answers")
    max_words = block.get("max_words", {})
    if not isinstance(max_words, dict) or not all(k in ("question", "answer") and _int_in(v, 1, 10**6)
                                                  for k, v in max_words.items()):
        found.append(f"'{where}.max_words' is {max_words!r}; allowed: {HELD_OUT_KEYS['max_words']}")
    if "max_samples" in block and not _int_in(block["max_samples"], 1, 10**6):
        found.append(f"'{where}.max_samples' is {block['max_samples']!r}; allowed: {HELD_OUT_KEYS['max_samples']}")
    if "seed" in block and not _int_in(block["seed"], -(2**31), 2**31):
        found.append(f"'{where}.seed' is {block['seed']!r}; allowed: {HELD_OUT_KEYS['seed']}")
    return found


def lay_question_problems(block, root: Path, where: str) -> list[str]:
    """The labelled lay questions must be readable, with the columns the measures need and the half named."""
    import pandas as pd

    if not isinstance(block, dict) or "path" not in block:
        return [f"'{where}' must be a mapping with path and half; allowed: {KEYS['lay_questions']}"]
    found = [f"'{where}.{k}' is not a lay-question setting; allowed: path, half" for k in block
             if k not in ("path", "half")]
    path = Path(root) / str(block["path"])
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as e:
        return found + [f"'{where}.path' {block['path']!r} cannot be read ({str(e).splitlines()[0]}); allowed: "
                        f"{KEYS['lay_questions']}"]
    if missing := [c for c in ("question", "topics", "half") if c not in frame.columns]:
        return found + [f"'{where}.path' {block['path']!r} lacks the column(s) {', '.join(missing)}"]
    halves = sorted(set(frame["half"]))
    if "half" in block and block["half"] not in halves:
        found.append(f"'{where}.half' is {block['half']!r}; allowed: one of the file's halves {', '.join(halves)}")
    return found


def _files(patterns: list[str], root: Path) -> list[Path]:
    return [Path(f) for p in patterns if isinstance(p, str) for f in sorted(glob.glob(str(Path(root) / p)))]


def problems(block, root: Path = Path("."), where: str = "medical_llm.retrieval",
             max_length: int | None = None, data_path=None) -> list[str]:
    if not isinstance(block, dict):
        return [f"'{where}' must be a mapping with: {', '.join(KEYS)}"]
    found = [f"'{where}.{k}' is not a retrieval setting ({RENAMED[k]})" if k in RENAMED else
             f"'{where}.{k}' is not a retrieval setting; allowed: {', '.join(KEYS)}" for k in block if k not in KEYS]
    patterns = block.get("corpus")
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
        found.append(f"'{where}.corpus' is {patterns!r}; allowed: {KEYS['corpus']}")
    else:
        try:
            corpus_mod.read(corpus_mod.files(patterns, root))
        except corpus_mod.CorpusError as e:
            found.append(f"'{where}.corpus': {e}")
    fields = block.get("fields", DEFAULTS["fields"])
    if (not isinstance(fields, dict) or not fields
            or not all(k in corpus_mod.FIELDS and _int_in(v, 1, 5) for k, v in fields.items())):
        found.append(f"'{where}.fields' is {fields!r}; allowed: {KEYS['fields']}")
    for key, lo, hi in (("k", 1, 10), ("chunk_words", 10, 400), ("target_words", 5, 200)):
        if key in block and not _int_in(block[key], lo, hi):
            found.append(f"'{where}.{key}' is {block[key]!r}; allowed: {KEYS[key]}")
    score = block.get("min_score", 0)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or score < 0:
        found.append(f"'{where}.min_score' is {score!r}; allowed: {KEYS['min_score']}")
    match = block.get("min_topic_match", 0)
    if isinstance(match, bool) or not isinstance(match, (int, float)) or not 0 <= match <= 1:
        found.append(f"'{where}.min_topic_match' is {match!r}; allowed: {KEYS['min_topic_match']}")
    for key in ("oracle_share", "min_support", "message_share"):
        share = block.get(key, 0)
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            found.append(f"'{where}.{key}' is {share!r}; allowed: {KEYS[key]}")
    if "against" in block and not (isinstance(block["against"], str) and (Path(root) / block["against"]).is_file()):
        found.append(f"'{where}.against' {block['against']!r} not found; allowed: {KEYS['against']}")
    fmt = block.get("source_format", DEFAULTS["source_format"])
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None} if isinstance(
            fmt, str) else None
    except ValueError:
        names = None
    if names is None or "text" not in names or not names <= PLACEHOLDERS:
        found.append(f"'{where}.source_format' is {fmt!r}; allowed: {KEYS['source_format']}")
    if "synonyms" in block:
        path = Path(root) / str(block["synonyms"])
        try:
            header = path.read_text().splitlines()[0].split(",") if path.is_file() else None
        except (OSError, IndexError, UnicodeDecodeError):
            header = None
        if header is None or [h.strip() for h in header[:2]] != ["phrase", "adds"]:
            found.append(f"'{where}.synonyms' is {block['synonyms']!r} ({'not found' if not path.is_file() else "no "
                         "'phrase,adds' header"}); allowed: {KEYS['synonyms']}")
    if "held_out" in block:
        found += held_out_problems(block["held_out"], patterns if isinstance(patterns, list) else [], data_path,
                                   root, f"{where}.held_out")
    if "lay_questions" in block:
        found += lay_question_problems(block["lay_questions"], root, f"{where}.lay_questions")
    if max_length and (problem := length_problem(block, max_length, where)):
        found.append(problem)
    return found
