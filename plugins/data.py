"""Data preparation for fine-tuning: load a QA table, clean it, cap it and split it, as a spec's data block declares.

Every dataset goes through the same steps (load -> map columns -> clean -> cap -> split -> write), so a new
dataset needs a new spec, not new code. The output is one CSV with a Ludwig fixed `split` column (0/1/2),
plus stats.json / stats.md describing what was kept and what was dropped and why.
"""

from __future__ import annotations

import difflib
import glob
import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import distance, fuzz, process, utils

# Ludwig refuses a split with fewer rows than this (MIN_DATASET_SPLIT_ROWS) after preprocessing.
MIN_SPLIT_ROWS = 3
SPLIT_NAMES = ("train", "validation", "test")  # Ludwig fixed split codes 0, 1, 2
SPLIT_ALLOWED = "a mapping train/validation/test -> fractions > 0 summing to 1"
DROP_REASONS = ("malformed", "empty", "duplicate", "too_long", "over_max_samples", "question_in_other_split",
                "near_duplicate_question", "near_duplicate_answer")
# Near-duplicates across splits: a validation/test row whose question or answer nearly repeats a row of an earlier
# split is dropped like an exact repeat, or it flatters test scores. Thresholds are rapidfuzz scores (0-100); 90
# catches the starter flashcards' two planted pairs ("... pneumonia?" / "... pneumonia in adults?"; an answer
# repeated as the first sentence of another) and nothing else there, from 75 to 90 alike.
NEAR_DUPLICATES = {"question": 90, "answer": 90}
NEAR_DUPLICATES_ALLOWED = ("false (no near-duplicate check) or a mapping question/answer -> an integer 0-100 "
                           "(a rapidfuzz score; higher drops fewer rows) or false (that rule off)")
MIN_SHARED_QUESTION_WORDS = 2  # "What is it?" / "What is it used for?" share no content word: never a near-duplicate
MIN_ANSWER_WORDS = 8  # "Dendritic cells." answers many questions: a short answer repeated is no leak
ANSWER_WORDS = 32  # one 64-bit block for rapidfuzz's bit-parallel LCS: 14k MedQuAD answers (1,200 chars) stay fast
CHUNK_ROWS = 1024  # later rows scored per cdist call: bounds memory (1,024 x 14k floats = 57 MB)
NEAR_DUPLICATE_EXAMPLES = 5  # pairs per reason written to stats.json / stats.md, for a human to judge the thresholds
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
GLOB_CHARS = "*?["
READERS = {
    # CSV is text: read every cell as a string so "42" stays an answer and an empty cell counts as empty.
    ".csv": lambda p: pd.read_csv(p, dtype=str, keep_default_na=False),
    # JSON keeps its types (no date/number guessing), so nulls and numbers in text columns show as malformed.
    ".json": lambda p: pd.read_json(p, orient="records", dtype=False),
    ".jsonl": lambda p: pd.read_json(p, orient="records", lines=True, dtype=False),
    ".parquet": pd.read_parquet,
}


PATH_HELP = ("a CSV, JSON, JSONL or Parquet file relative to the project root, or a glob pattern such as "
             "'dir/*.csv' whose files share one header")


class DataError(Exception):
    """A problem with the user's data; message names the file, column or row and what is allowed."""


@dataclass
class PreparedData:
    path: Path  # the prepared CSV
    sha256: str  # of the prepared CSV bytes
    split_sizes: dict  # {"train": n, "validation": n, "test": n}
    dropped: dict  # reason -> count (every dropped row counted, zero counts included)
    stats: dict  # the statistics table (see word_stats)


def _source_name(data_cfg: dict, base_dir: Path) -> str:
    """How errors and stats name the data: the file path, or the Hugging Face id and split."""
    if data_cfg.get("hf_dataset"):
        return f"Hugging Face dataset '{data_cfg['hf_dataset']}' (split '{data_cfg.get('hf_split') or 'train'}')"
    return str(Path(base_dir) / data_cfg["path"])


def _missing_column(source: str, column: str, what: str, existing) -> DataError:
    """Name the missing column, what needed it, the columns that exist and the closest match."""
    existing = [str(c) for c in existing]
    close = difflib.get_close_matches(column, existing, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return DataError(f"{source}: column '{column}' ({what}) not found; columns are: {', '.join(existing)}{hint}")


def _load_hf(dataset_id: str, split: str) -> pd.DataFrame:
    # Imported here: `datasets` takes seconds to import and local files do not need it.
    import datasets

    try:
        return datasets.load_dataset(dataset_id, split=split).to_pandas()
    except Exception as exc:  # the hub client raises many unrelated types for "not reachable / not there"
        cause = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise DataError(
            f"could not load Hugging Face dataset '{dataset_id}' (offline? wrong id or split?): {cause}; "
            f"download it when online or point `path:` at a local copy"
        ) from exc


def _kind(path: Path) -> str:
    """The file type that picks the reader: `.csv` also for a gzipped `.csv.gz` (pandas unpacks it)."""
    suffixes = [s.lower() for s in path.suffixes]
    return suffixes[-2] if suffixes[-2:] == [".csv", ".gz"] else path.suffix.lower()


def _read_file(path: Path) -> pd.DataFrame:
    reader = READERS.get(_kind(path))
    if reader is None:
        raise DataError(f"{path}: unsupported file type '{path.suffix}'; allowed: {', '.join(READERS)}, .csv.gz")
    try:
        return reader(path)
    except (ValueError, OSError) as exc:  # parser errors (CSV, JSON, Arrow, encoding) are ValueErrors
        raise DataError(f"{path}: could not read it as {_kind(path)[1:].upper()}: {exc}") from exc


def _read_files(path: Path) -> pd.DataFrame:
    """One file, or every file a glob pattern matches (sorted, so the row order is reproducible), stacked.

    Datasets shipped as one file per collection (MedQuAD) need no merging step of their own."""
    if not any(c in str(path) for c in GLOB_CHARS):
        if _kind(path) in READERS and not path.is_file():
            raise DataError(f"data file not found: {path} (data.path: {PATH_HELP})")
        return _read_file(path)
    files = [Path(f) for f in sorted(glob.glob(str(path)))]
    if not files:
        raise DataError(f"no data file matches {path} (resolved: {path.resolve()}); data.path: {PATH_HELP}")
    frames = [_read_file(f) for f in files]
    columns = list(frames[0].columns)
    for f, frame in zip(files[1:], frames[1:]):
        if list(frame.columns) != columns:
            raise DataError(f"{f}: columns {list(frame.columns)} differ from {files[0]}'s {columns}; the files "
                            f"a pattern matches must share one header")
    return pd.concat(frames, ignore_index=True)


def load_source(data_cfg: dict, base_dir: Path) -> pd.DataFrame:
    """Read the data block's source and apply its `columns` mapping (output name -> source column).

    Mapped source columns are replaced by their output names; unmapped columns keep their name.
    """
    source = _source_name(data_cfg, base_dir)
    if data_cfg.get("hf_dataset"):
        frame = _load_hf(data_cfg["hf_dataset"], data_cfg.get("hf_split") or "train")
    else:
        frame = _read_files(Path(base_dir) / data_cfg["path"])

    mapping = data_cfg.get("columns") or {}
    for output, column in mapping.items():
        if column not in frame.columns:
            raise _missing_column(source, column, f"mapped to '{output}'", frame.columns)
    mapped_away = set(mapping.values()) - set(mapping)
    return frame.assign(**{out: frame[col] for out, col in mapping.items()}).drop(columns=list(mapped_away))


def normalize_text(text: str) -> str:
    """NFKC with whitespace runs collapsed to one space: what every training text went through, so the
    app cleans a question the same way before it reaches the model."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _clean(frame: pd.DataFrame, text_columns: list[str], dropped: dict) -> pd.DataFrame:
    """Drop malformed, empty and duplicate rows; NFKC-normalise and collapse whitespace in the text columns."""
    is_text = frame[text_columns].map(lambda v: isinstance(v, str)).all(axis=1)
    dropped["malformed"] = int((~is_text).sum())
    frame = frame[is_text].copy()
    for column in text_columns:
        frame[column] = frame[column].astype(str).map(normalize_text)
    empty = (frame[text_columns] == "").any(axis=1)
    dropped["empty"] = int(empty.sum())
    frame = frame[~empty]
    duplicate = frame.duplicated(subset=text_columns, keep="first")
    dropped["duplicate"] = int(duplicate.sum())
    return frame[~duplicate]


def _cap_words(frame: pd.DataFrame, max_words: dict, source: str, dropped: dict) -> pd.DataFrame:
    """Drop rows whose text is longer than `max_words` allows ({column: words}), before any sampling.

    Filtering (not truncating) keeps every target a complete answer: cutting a long answer
    mid-sentence would teach the model to stop mid-sentence."""
    for column in max_words:
        if column not in frame.columns:
            raise _missing_column(source, column, "named in max_words", frame.columns)
    too_long = pd.Series(False, index=frame.index)
    for column, limit in max_words.items():
        too_long |= frame[column].str.split().str.len() > limit
    dropped["too_long"] = int(too_long.sum())
    return frame[~too_long]


def split_problems(split: Any, where: str) -> list[str]:
    """What is wrong with a data block's `split` (empty when it is valid): one rule for `make check` and data
    preparation alike."""
    allowed = SPLIT_ALLOWED
    if not isinstance(split, dict):
        return [f"'{where}' is missing or not a mapping; allowed: {allowed}, "
                "e.g. {train: 0.51, validation: 0.30, test: 0.19}"]
    problems = []
    for key in (k for k in split if k not in SPLIT_NAMES):
        close = difflib.get_close_matches(str(key), SPLIT_NAMES, n=1, cutoff=0.6)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        problems.append(f"unknown key '{where}.{key}'{hint} (allowed under '{where}': {', '.join(SPLIT_NAMES)})")
    problems += [f"'{where}.{k}' is missing; allowed: {allowed}" for k in SPLIT_NAMES if k not in split]
    values = [split.get(k) for k in SPLIT_NAMES if k in split]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values):
        problems.append(f"'{where}' has {split}; allowed: {allowed}")
    elif not problems and abs(sum(values) - 1) > 1e-6:
        problems.append(f"'{where}' fractions sum to {sum(values):g}; allowed: {allowed}")
    return problems


def _split_ratios(data_cfg: dict) -> list[float]:
    if problems := split_problems(data_cfg.get("split"), "data.split"):
        raise DataError("; ".join(problems))
    return [data_cfg["split"][name] for name in SPLIT_NAMES]


def near_duplicate_problems(value: Any, where: str) -> list[str]:
    """What is wrong with a data block's `near_duplicates` (empty when valid): one rule for `make check` and data
    preparation alike."""
    if value is False:
        return []
    if not isinstance(value, dict):
        return [f"'{where}' is {value!r}; allowed: {NEAR_DUPLICATES_ALLOWED}, e.g. {{question: 90, answer: 90}}"]
    problems = []
    for key in (k for k in value if k not in NEAR_DUPLICATES):
        close = difflib.get_close_matches(str(key), list(NEAR_DUPLICATES), n=1, cutoff=0.6)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        problems.append(f"unknown key '{where}.{key}'{hint} (allowed under '{where}': {', '.join(NEAR_DUPLICATES)})")
    for key, threshold in value.items():
        if key in NEAR_DUPLICATES and threshold is not False and (
                isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold <= 100):
            problems.append(f"'{where}.{key}' is {threshold!r}; allowed: an integer 0-100 (the lowest rapidfuzz score "
                            f"that counts as a near-duplicate) or false (no {key} check)")
    return problems


def _near_duplicate_thresholds(data_cfg: dict) -> dict:
    """{rule: threshold or None (off)}: the spec's `near_duplicates`, defaults for what it leaves out."""
    value = data_cfg.get("near_duplicates", {})
    if problems := near_duplicate_problems(value, "data.near_duplicates"):
        raise DataError("; ".join(problems))
    chosen = dict.fromkeys(NEAR_DUPLICATES, False) if value is False else {**NEAR_DUPLICATES, **value}
    return {rule: None if threshold is False else threshold for rule, threshold in chosen.items()}


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


def near_duplicates(later: pd.DataFrame, earlier: pd.DataFrame, question: str, answer: str,
                    thresholds: dict) -> pd.DataFrame:
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


def _assign_splits(frame: pd.DataFrame, ratios: list[float], seed: int, columns: tuple[str, str], thresholds: dict,
                   dropped: dict) -> tuple[pd.DataFrame, list[dict]]:
    """Shuffle, cut into train/validation/test by proportion, then drop validation/test rows that repeat a row of
    an earlier split (train before validation before test): the same question (case-folded) first, then near-
    duplicate questions or answers (`near_duplicates`). Returns the rows kept and examples of near-duplicates.

    A question repeated with a different answer, or reworded, would otherwise leak the test set into training.
    """
    question, answer = columns
    n = len(frame)
    n_train = round(n * ratios[0])
    n_val = min(round(n * ratios[1]), n - n_train)
    codes = np.repeat([0, 1, 2], [n_train, n_val, n - n_train - n_val])
    frame = frame.iloc[np.random.default_rng(seed).permutation(n)].assign(split=codes)
    first_split = frame.groupby(frame[question].str.casefold())["split"].transform("min")
    leaked = frame["split"] > first_split
    dropped["question_in_other_split"] = int(leaked.sum())
    frame = frame[~leaked]
    examples = []
    for code in (1, 2):
        earlier, later = frame[frame["split"] < code], frame[frame["split"] == code]
        found = near_duplicates(later, earlier, question, answer, thresholds)
        for reason in ("near_duplicate_question", "near_duplicate_answer"):
            dropped[reason] += int((found["reason"] == reason).sum())
        for index, row in found.iterrows():
            kept = earlier.iloc[row["earlier"]]
            examples.append({"reason": row["reason"], "split": SPLIT_NAMES[code], "question": later.at[index, question],
                             "answer": later.at[index, answer], "earlier_split": SPLIT_NAMES[int(kept["split"])],
                             "earlier_question": kept[question], "earlier_answer": kept[answer]})
        frame = frame.drop(index=found.index)
    return frame, examples


def word_stats(frame: pd.DataFrame, text_columns: list[str]) -> dict:
    """Row count and words per text column (whitespace split): mean, median, max, std (sample, ddof=1)."""
    def summary(part: pd.DataFrame) -> dict:
        row = {"count": len(part)}
        for column in text_columns:
            words = part[column].str.split().str.len()
            std = words.std()
            row[column] = {"mean": float(words.mean()), "median": float(words.median()), "max": int(words.max()),
                           "std": None if math.isnan(std) else float(std)}
        return row

    parts = {"all": frame} | {name: frame[frame["split"] == code] for code, name in enumerate(SPLIT_NAMES)}
    return {name: summary(part) for name, part in parts.items()}


def stats_markdown(stats: dict) -> str:
    """Render word_stats as a Markdown table (two decimals; std is the sample standard deviation)."""
    columns = [key for key in next(iter(stats.values())) if key != "count"]
    measures = ("mean", "median", "max", "std")
    header = ["split", "rows"] + [f"{column} words {m}" for column in columns for m in measures]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in stats.items():
        cells = [name, str(row["count"])]
        for column in columns:
            cells += ["n/a" if row[column][m] is None else f"{row[column][m]:.2f}" for m in measures]
        lines.append("| " + " | ".join(cells) + " |")
    note = ("Words are whitespace-separated tokens; std is the sample standard deviation (n - 1); "
            "n/a: fewer than 2 rows.")
    return "\n".join(lines) + "\n\n" + note + "\n"


def _limits_text(limits: dict) -> str:
    words = ", ".join(f"{c} at most {n} words" for c, n in limits["max_words"].items()) or "no word limit"
    cap = f"at most {limits['max_samples']} rows sampled" if limits["max_samples"] else "all rows"
    rules = limits["near_duplicates"]
    near = "; ".join(f"{rule} >= {rules[rule]} ({rules['scorers'][rule]})" if rules[rule] is not None
                     else f"{rule} off" for rule in NEAR_DUPLICATES)
    return f"{words} (longer rows dropped, not truncated); {cap}; seed {limits['seed']}; near-duplicates: {near}"


def _examples_markdown(examples: list[dict]) -> str:
    """The first near-duplicate pairs dropped per reason, so a human can judge the thresholds."""
    if not examples:
        return ""
    def cell(text: str) -> str:
        text = text.replace("|", "\\|")
        return text if len(text) <= 100 else text[:99] + "…"

    lines = ["| reason | dropped from | its question | its answer | kept in | kept question | kept answer |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {e['reason']} | {e['split']} | {cell(e['question'])} | {cell(e['answer'])} | {e['earlier_split']} | "
              f"{cell(e['earlier_question'])} | {cell(e['earlier_answer'])} |" for e in examples]
    return "\n## Near-duplicates dropped (first examples)\n\n" + "\n".join(lines) + "\n"


def prepare(data_cfg: dict, out_dir: Path, base_dir: Path, feature_columns: list[str],
            retrieval: dict | None = None) -> PreparedData:
    """Load, clean, cap and split the data block's source into out_dir/dataset.csv, stats.json and stats.md;
    with a `retrieval` block, each row also gets its question's passages (the `sources` column).

    Deterministic: the same input and seed give a byte-identical dataset.csv.
    """
    source = _source_name(data_cfg, base_dir)
    ratios = _split_ratios(data_cfg)
    thresholds = _near_duplicate_thresholds(data_cfg)
    seed = data_cfg.get("seed", 42)
    keep = [c for c in data_cfg.get("keep_columns") or [] if c not in feature_columns]
    frame = load_source(data_cfg, base_dir)
    rows_in = len(frame)
    for column in feature_columns:
        if column not in frame.columns:
            raise _missing_column(source, column, "a model feature", frame.columns)
    for column in keep:
        if column not in frame.columns:
            raise _missing_column(source, column, "listed in keep_columns", frame.columns)

    dropped = dict.fromkeys(DROP_REASONS, 0)
    frame = _clean(frame[feature_columns + keep], feature_columns, dropped)
    if frame.empty:
        counts = ", ".join(f"{k}={v}" for k, v in dropped.items() if k in ("malformed", "empty", "duplicate"))
        raise DataError(f"no usable rows in {source} after cleaning (dropped: {counts}); the columns "
                        f"{', '.join(feature_columns)} need non-empty text")

    frame = _cap_words(frame, data_cfg.get("max_words") or {}, source, dropped)
    max_samples = data_cfg.get("max_samples")
    if max_samples and len(frame) > max_samples:
        dropped["over_max_samples"] = len(frame) - max_samples
        frame = frame.sample(n=max_samples, random_state=np.random.default_rng(seed)).sort_index()

    frame, examples = _assign_splits(frame, ratios, seed, (feature_columns[0], feature_columns[-1]), thresholds,
                                     dropped)
    split_sizes = {name: int((frame["split"] == code).sum()) for code, name in enumerate(SPLIT_NAMES)}
    for name, size in split_sizes.items():
        if size < MIN_SPLIT_ROWS:
            state = "is empty" if size == 0 else f"has only {size} rows"
            raise DataError(f"split '{name}' of {source} {state} ({len(frame)} rows in total: "
                            f"{', '.join(f'{k}={v}' for k, v in split_sizes.items())}); Ludwig needs at least "
                            f"{MIN_SPLIT_ROWS} rows per split: use more data or a larger {name} proportion")

    retrieved = None
    if retrieval:
        from plugins.retrieval import sources
        from plugins.retrieval.index import Retriever

        frame, retrieved = sources.add(frame, Retriever(retrieval, base_dir), feature_columns[0], feature_columns[-1],
                                       thresholds, seed=seed, **{k: retrieval[k] for k in sources.DEFAULTS
                                                                 if k in retrieval})
    stats = word_stats(frame, feature_columns)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "dataset.csv"
    data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    path.write_bytes(data)
    limits = {"max_words": data_cfg.get("max_words") or {}, "max_samples": max_samples, "seed": seed,
              "near_duplicates": {**thresholds, "scorers": SCORERS}}
    examples = [e for reason in ("near_duplicate_question", "near_duplicate_answer")
                for e in [e for e in examples if e["reason"] == reason][:NEAR_DUPLICATE_EXAMPLES]]
    report = {"source": source, "rows_in": rows_in, "limits": limits, "dropped": dropped, "split_sizes": split_sizes,
              "stats": stats, "near_duplicate_examples": examples, **({"retrieval": retrieved} if retrieved else {})}
    (out_dir / "stats.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    dropped_table = "| reason | rows |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in dropped.items())
    (out_dir / "stats.md").write_text(
        f"# Data: {source}\n\n{rows_in} rows in, {len(frame)} kept.\n\n{stats_markdown(stats)}\n"
        f"## Dropped rows\n\n{dropped_table}\nLimits: {_limits_text(limits)}.\n{_examples_markdown(examples)}",
        encoding="utf-8")
    return PreparedData(path=path, sha256=hashlib.sha256(data).hexdigest(), split_sizes=split_sizes,
                    dropped=dropped, stats=stats)


PREPARED = Path("data/prepared")


def prepare_spec(spec, out_dir: Path | None = None) -> PreparedData:
    """A loaded spec's data (plugins.spec.Spec), prepared into `out_dir` (default data/prepared/<spec>/);
    DataError messages start with the spec file."""
    try:
        return prepare(spec.data, out_dir or PREPARED / spec.name, Path("."), spec.feature_names,
                       spec.project.get("retrieval"))
    except DataError as e:
        raise DataError(f"{spec.path}: {e}") from None
