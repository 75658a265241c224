"""The medical multiple-choice sets behind the knowledge benchmarks: what each is, how it is read, sampled and declared.

MMLU's medical subjects, MedMCQA and PubMedQA come in three different file formats in ../shared/data/mcq (never
copied into the repository); this module reads each into one uniform record {id, subject, question, choices,
answer[, context]}, names each benchmark with its files, answer labels, baselines and lm-eval task, draws the seeded
sample a limit asks for, and checks a spec's `medical_llm.benchmarks` block (`make check`) and whether the data is
there (`make compare` skips what is missing). It loads no model: plugins/eval/knowledge.py scores these records with
lm-eval, plugins/eval/knowledge_results.py turns the scores into statistics and tables.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_ROOT = Path("../shared/data/mcq")
TASK_PREFIX = "medllm_"  # lm-eval ships its own `medmcqa`/`pubmedqa` tasks; ours must not collide with them
SEED = 0  # question sampling and bootstrap resampling
ENTRY_KEYS = ("limit",)

MMLU_SUBJECTS = ("anatomy", "clinical_knowledge", "college_biology", "college_medicine", "medical_genetics",
                 "professional_medicine")
LETTERS = ("A", "B", "C", "D")
PUBMEDQA_LABELS = ("yes", "no", "maybe")


class KnowledgeError(Exception):
    """Missing data, an unknown benchmark or a bad block: the message says what and where."""


# --- loaders: the shared files -> uniform records {id, subject, question, choices, answer[, context]} -------------


def _require(path: Path, benchmark: str, data_root: Path) -> Path:
    if not path.exists():
        raise KnowledgeError(f"{benchmark}: {path} is missing (the medical multiple-choice sets are read from "
                             f"{data_root}; see its README.md)")
    return path


def _clean(text, where: str) -> str:
    text = str(text).strip()
    if not text:
        raise KnowledgeError(f"{where}: empty question or option")
    return text


def load_mmlu(data_root: Path = DATA_ROOT) -> list[dict]:
    """MMLU's six medical subjects: `mmlu/<subject>_test.csv`, no header (question, A, B, C, D, answer letter)."""
    _require(data_root / "mmlu", "mmlu_medical", data_root)
    records = []
    for subject in MMLU_SUBJECTS:
        path = _require(data_root / "mmlu" / f"{subject}_test.csv", "mmlu_medical", data_root)
        with path.open(newline="", encoding="utf-8") as f:
            for i, row in enumerate(csv.reader(f)):
                where = f"{path} row {i + 1}"
                if len(row) != 6 or row[5].strip().upper() not in LETTERS:
                    raise KnowledgeError(f"{where}: expected question, A, B, C, D, answer letter A-D; got {row!r:.200}")
                records.append({"id": f"{subject}-{i}", "subject": subject, "question": _clean(row[0], where),
                                "choices": [_clean(c, where) for c in row[1:5]],
                                "answer": LETTERS.index(row[5].strip().upper())})
    return records


def load_medmcqa(data_root: Path = DATA_ROOT) -> list[dict]:
    """MedMCQA's dev set: `medmcqa/dev.jsonl`, options opa-opd, `cop` 1-based (1 = opa)."""
    path = _require(data_root / "medmcqa" / "dev.jsonl", "medmcqa", data_root)
    records = []
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if not line.strip():
                continue
            where = f"{path} line {i + 1}"
            row = json.loads(line)
            cop = row.get("cop")
            if isinstance(cop, bool) or cop not in (1, 2, 3, 4):
                raise KnowledgeError(f"{where}: `cop` must be 1-4 (1 = opa), got {cop!r}")
            records.append({"id": str(row.get("id") or f"medmcqa-{i}"), "subject": row.get("subject_name") or "Unknown",
                            "question": _clean(row["question"], where),
                            "choices": [_clean(row[k], where) for k in ("opa", "opb", "opc", "opd")],
                            "answer": cop - 1})
    return records


def load_pubmedqa(data_root: Path = DATA_ROOT) -> list[dict]:
    """PubMedQA's labelled test set: `pubmedqa/test_set.json`, keyed by PubMed id; the answer is yes/no/maybe."""
    path = _require(data_root / "pubmedqa" / "test_set.json", "pubmedqa", data_root)
    records = []
    for pmid, row in json.loads(path.read_text(encoding="utf-8")).items():
        where = f"{path} id {pmid}"
        decision = str(row.get("final_decision", "")).strip().lower()
        if decision not in PUBMEDQA_LABELS:
            raise KnowledgeError(f"{where}: `final_decision` must be yes, no or maybe, got {decision!r}")
        contexts = row["CONTEXTS"]
        if isinstance(contexts, str):  # tolerate a list stored as its Python text
            with contextlib.suppress(ValueError, SyntaxError):
                contexts = ast.literal_eval(contexts)
        context = "\n".join(contexts) if isinstance(contexts, list) else str(contexts)
        records.append({"id": str(pmid), "subject": "pubmedqa", "question": _clean(row["QUESTION"], where),
                        "context": _clean(context, where), "choices": list(PUBMEDQA_LABELS),
                        "answer": PUBMEDQA_LABELS.index(decision)})
    return records


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    files: tuple[str, ...]  # under the data root: what must exist
    load: Callable[[Path], list[dict]]
    labels: tuple[str, ...]  # how an answer index is written (letters, or the option itself)
    majority_label: str | None = None  # a fixed majority baseline (PubMedQA: always "yes"); None: most common answer
    macro_f1: bool = False

    @property
    def chance(self) -> float:
        return 1 / len(self.labels)

    @property
    def task(self) -> str:
        return TASK_PREFIX + self.name


BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in (
    Benchmark("mmlu_medical", "MMLU, six medical subjects (test sets), 4 options",
              tuple(f"mmlu/{s}_test.csv" for s in MMLU_SUBJECTS), load_mmlu, LETTERS),
    Benchmark("medmcqa", "MedMCQA dev set (Indian medical entrance exams), 4 options", ("medmcqa/dev.jsonl",),
              load_medmcqa, LETTERS),
    Benchmark("pubmedqa", "PubMedQA PQA-L test set: abstract + research question, yes/no/maybe",
              ("pubmedqa/test_set.json",), load_pubmedqa, PUBMEDQA_LABELS, majority_label="yes", macro_f1=True),
)}


def sample(records: list[dict], limit: int | None, seed: int = SEED) -> list[dict]:
    """A seeded simple random sample (not stratified) of `limit` records, kept in file order; all when no limit.
    The sample is the first `limit` of one seeded permutation, so a larger limit only adds questions."""
    if limit is None or limit >= len(records):
        return list(records)
    chosen = np.random.default_rng(seed).permutation(len(records))[:limit]
    return [records[i] for i in sorted(chosen)]


# --- validation of the spec block -------------------------------------------------------------------------------


def _limit_ok(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def problems(block: dict, data_root: Path = DATA_ROOT) -> tuple[list[str], list[str]]:
    """(errors, warnings) for a spec's `medical_llm.benchmarks` block. Missing data is only a warning: training does
    not need it, and `make compare` skips the benchmarks it cannot read. An absent or empty block declares none."""
    where = "medical_llm.benchmarks"
    errors: list[str] = []
    warnings: list[str] = []
    if block is None:
        return errors, warnings
    if not isinstance(block, dict):
        return [f"{where} must be a mapping of benchmark name -> {{limit: N}} (or empty for all questions), "
                f"e.g. {{mmlu_medical: {{limit: 60}}}}; got {type(block).__name__} {block!r:.80}"], warnings
    allowed = ", ".join(BENCHMARKS)
    known = []
    for name, entry in block.items():
        if name not in BENCHMARKS:
            close = difflib.get_close_matches(str(name), list(BENCHMARKS), n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]}?)" if close else ""
            errors.append(f"{where}: unknown benchmark {name!r}{hint}; allowed: {allowed}")
            continue
        known.append(name)
        if entry is None:
            continue
        if not isinstance(entry, dict):
            errors.append(f"{where}.{name} must be a mapping such as {{limit: 60}} (or empty for all questions), "
                          f"got {entry!r:.80}")
            continue
        for key in entry:
            if key not in ENTRY_KEYS:
                errors.append(f"{where}.{name}: unknown key {key!r} (allowed: {', '.join(ENTRY_KEYS)})")
        if "limit" in entry and not _limit_ok(entry["limit"]):
            errors.append(f"{where}.{name}.limit must be an integer >= 1 (or left out for all questions), "
                          f"got {entry['limit']!r}")
    if known and not data_root.is_dir():
        warnings.append(f"benchmarks declared but {data_root} is missing: make compare will skip them")
    else:
        for name in known:
            for path in missing_data(name, data_root):
                warnings.append(f"benchmarks declared but {path} is missing: make compare will skip {name}")
    return errors, warnings


def missing_data(name: str, data_root: Path = DATA_ROOT) -> list[Path]:
    """What benchmark `name` needs and is not there: the data root, its folder, or its files."""
    if not data_root.is_dir():
        return [data_root]
    missing = [data_root / f for f in BENCHMARKS[name].files if not (data_root / f).exists()]
    folders = {p.parent for p in missing}
    if len(folders) == 1 and not next(iter(folders)).exists():
        return list(folders)
    return missing


def missing_message(block: dict, data_root: Path = DATA_ROOT) -> str | None:
    """What is missing to score the declared benchmarks, as one sentence; None when everything is there."""
    missing = sorted({str(p) for name in block if name in BENCHMARKS for p in missing_data(name, data_root)})
    if not missing:
        return None
    return (f"benchmark data missing: {', '.join(missing)} (the medical multiple-choice sets are read from "
            f"{data_root}; see its README.md)")
