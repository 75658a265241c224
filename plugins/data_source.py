"""Reading a data block's source: a local file (CSV, CSV.gz, JSON, JSONL, Parquet) or glob pattern, or a
Hugging Face dataset, with the block's `columns` mapping applied.

Why a module of its own: data preparation reads the training data through it, and spec validation and
evaluation read other question/answer files (a grounded spec's held-out collection) the same way, with the
same error messages, without importing data preparation.
"""

from __future__ import annotations

import difflib
import glob
from pathlib import Path

import pandas as pd

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


def source_name(data_cfg: dict, base_dir: Path) -> str:
    """How errors and stats name the data: the file path, or the Hugging Face id and split."""
    if data_cfg.get("hf_dataset"):
        return f"Hugging Face dataset '{data_cfg['hf_dataset']}' (split '{data_cfg.get('hf_split') or 'train'}')"
    return str(Path(base_dir) / data_cfg["path"])


def missing_column(source: str, column: str, what: str, existing) -> DataError:
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
    source = source_name(data_cfg, base_dir)
    if data_cfg.get("hf_dataset"):
        frame = _load_hf(data_cfg["hf_dataset"], data_cfg.get("hf_split") or "train")
    else:
        frame = _read_files(Path(base_dir) / data_cfg["path"])

    mapping = data_cfg.get("columns") or {}
    for output, column in mapping.items():
        if column not in frame.columns:
            raise missing_column(source, column, f"mapped to '{output}'", frame.columns)
    mapped_away = set(mapping.values()) - set(mapping)
    return frame.assign(**{out: frame[col] for out, col in mapping.items()}).drop(columns=list(mapped_away))
