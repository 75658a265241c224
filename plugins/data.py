"""Data preparation for fine-tuning: load a QA table, clean it, cap it and split it, as a spec's data block declares.

Every dataset goes through the same steps (load -> map columns -> clean -> cap -> split -> write), so a new
dataset needs a new spec, not new code. The output is one CSV with a Ludwig fixed `split` column (0/1/2),
plus stats.json / stats.md describing what was kept and what was dropped and why.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from plugins import near_duplicates
from plugins.data_source import DataError, load_source, missing_column, source_name
from plugins.dataset_format import SPLIT_NAMES, normalize_text
from plugins.near_duplicates import NEAR_DUPLICATES, SCORERS
from plugins.retrieval import sources
from plugins.retrieval.index import Retriever
from plugins.spec.data import near_duplicate_problems, split_problems

# Ludwig refuses a split with fewer rows than this (MIN_DATASET_SPLIT_ROWS) after preprocessing.
MIN_SPLIT_ROWS = 3
DROP_REASONS = ("malformed", "empty", "duplicate", "too_long", "over_max_samples", "question_in_other_split",
                "near_duplicate_question", "near_duplicate_answer")
NEAR_DUPLICATE_EXAMPLES = 5  # pairs per reason written to stats.json / stats.md, for a human to judge the thresholds


@dataclass
class PreparedData:
    path: Path  # the prepared CSV
    sha256: str  # of the prepared CSV bytes
    split_sizes: dict  # {"train": n, "validation": n, "test": n}
    dropped: dict  # reason -> count (every dropped row counted, zero counts included)
    stats: dict  # the statistics table (see word_stats)


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
            raise missing_column(source, column, "named in max_words", frame.columns)
    too_long = pd.Series(False, index=frame.index)
    for column, limit in max_words.items():
        too_long |= frame[column].str.split().str.len() > limit
    dropped["too_long"] = int(too_long.sum())
    return frame[~too_long]


def _split_ratios(data_cfg: dict) -> list[float]:
    if problems := split_problems(data_cfg.get("split"), "data.split"):
        raise DataError("; ".join(problems))
    return [data_cfg["split"][name] for name in SPLIT_NAMES]


def _near_duplicate_thresholds(data_cfg: dict) -> dict:
    """{rule: threshold or None (off)}: the spec's `near_duplicates`, defaults for what it leaves out."""
    value = data_cfg.get("near_duplicates", {})
    if problems := near_duplicate_problems(value, "data.near_duplicates"):
        raise DataError("; ".join(problems))
    chosen = dict.fromkeys(NEAR_DUPLICATES, False) if value is False else {**NEAR_DUPLICATES, **value}
    return {rule: None if threshold is False else threshold for rule, threshold in chosen.items()}


def _assign_splits(frame: pd.DataFrame, ratios: list[float], seed: int, columns: tuple[str, str], thresholds: dict,
                   dropped: dict) -> tuple[pd.DataFrame, list[dict]]:
    """Shuffle, cut into train/validation/test by proportion, then drop validation/test rows that repeat a row of
    an earlier split (train before validation before test): the same question (case-folded) first, then near-
    duplicate questions or answers (`near_duplicates.find`). Returns the rows kept and examples of near-duplicates.

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
        found = near_duplicates.find(later, earlier, question, answer, thresholds)
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
    source = source_name(data_cfg, base_dir)
    ratios = _split_ratios(data_cfg)
    thresholds = _near_duplicate_thresholds(data_cfg)
    seed = data_cfg.get("seed", 42)
    keep = [c for c in data_cfg.get("keep_columns") or [] if c not in feature_columns]
    frame = load_source(data_cfg, base_dir)
    rows_in = len(frame)
    for column in feature_columns:
        if column not in frame.columns:
            raise missing_column(source, column, "a model feature", frame.columns)
    for column in keep:
        if column not in frame.columns:
            raise missing_column(source, column, "listed in keep_columns", frame.columns)

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
