"""The retrieval corpus: trusted question-answer pairs with their NIH page (MedQuAD's columns).

Files are CSV (optionally gzipped, as `data/medquad/*.csv.gz` ships) with the columns below. Every answer is
cut into passages of whole sentences (`chunk_words` at most), each keeping its page's topic, collection,
question type and URL: a fact deep in a long page can then be retrieved, shown and cited on its own. What is
indexed is a passage's chosen fields, each repeated by its weight: a topic named three times (`focus`)
outweighs the same word deep in a long answer.
"""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path

import pandas as pd

from plugins.retrieval import sentences

COLUMNS = ("id", "source", "focus", "qtype", "question", "answer", "url")
FIELDS = ("focus", "question", "answer", "qtype", "source")  # what may be indexed ("answer": the passage's text)


class CorpusError(Exception):
    """A corpus that cannot be read; the message names the file and what is wrong."""


def files(patterns: list[str], root: Path = Path(".")) -> list[Path]:
    """The corpus files the spec's glob patterns match, sorted; CorpusError when one matches nothing."""
    found = []
    for pattern in patterns:
        matched = sorted(Path(p) for p in glob.glob(str(Path(root) / pattern)))
        if not matched:
            raise CorpusError(f"no corpus file matches {pattern} (relative to {Path(root).resolve()})")
        found += matched
    return sorted(set(found))


def read(paths: list[Path]) -> pd.DataFrame:
    """Every pair of every file, in file order, with ids `<file>/<n>` (MedQuAD's own id kept as `pair_id`)."""
    frames = []
    for path in paths:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as e:
            raise CorpusError(f"{path}: cannot read it as CSV ({str(e).splitlines()[0]})") from None
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise CorpusError(f"{path}: missing column(s) {', '.join(missing)}; a corpus file has the columns "
                              f"{', '.join(COLUMNS)}")
        empty = frame.index[frame["answer"].str.strip() == ""]
        if len(empty):
            raise CorpusError(f"{path}: row {empty[0] + 2} (id {frame['id'][empty[0]]}) has an empty answer")
        # MedQuAD's own ids repeat (across and even within collections): a passage is its file's n-th pair
        frame["pair_id"] = frame["id"]
        frame["id"] = [f"{path.name.split('.')[0]}/{n}" for n in range(1, len(frame) + 1)]
        frames.append(frame[[*COLUMNS, "pair_id"]])
    names = [p.name.split(".")[0] for p in paths]
    if len(set(names)) < len(names):
        raise CorpusError(f"two corpus files share a name ({', '.join(map(str, paths))}): passage ids would clash")
    return pd.concat(frames, ignore_index=True)


def fingerprint(paths: list[Path]) -> str:
    """A hash of the corpus files' names and bytes: the index cache key's first part."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def indexed_text(row, fields: dict[str, int]) -> str:
    """The text BM25 sees for one passage: each chosen field (`answer`: the passage itself), repeated `weight`
    times."""
    return "\n".join(" ".join([str(row["text" if f == "answer" else f])] * int(w)) for f, w in fields.items())


def chunk(answer: str, words: int) -> list[str]:
    """An answer as passages of consecutive whole sentences, each at most `words` words (a longer sentence,
    typically a list, is cut at its bullets). Questions inside the answer are dropped: MedQuAD pages open
    sections with one ("What causes Down syndrome?"), which states nothing."""
    out, current = [], ""
    for sentence in sentences.sentences(answer):
        if sentence.endswith("?"):
            continue
        for piece in sentences.pieces(sentence, words):
            if current and sentences.words(current) + sentences.words(piece) > words:
                out.append(current)
                current = ""
            current = f"{current} {piece}".strip()
    return out + ([current] if current else [])


def chunks(pairs: pd.DataFrame, words: int) -> pd.DataFrame:
    """Every pair's passages, in order: id `<pair id>#<n>`, `pair` (the pair's id), `chunk` (n, from 1), the
    pair's other columns, and `text`."""
    rows = []
    for pair in pairs.itertuples(index=False):
        for n, text in enumerate(chunk(pair.answer, words), start=1):
            rows.append((f"{pair.id}#{n}", pair.id, n, pair.source, pair.focus, pair.qtype, pair.question, pair.url,
                         text))
    return pd.DataFrame(rows, columns=["id", "pair", "chunk", "source", "focus", "qtype", "question", "url", "text"])
