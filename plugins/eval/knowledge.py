"""Medical knowledge benchmarks: zero-shot multiple-choice accuracy of a run's base and fine-tuned models.

ROUGE and BLEU (plugins/eval/compare.py) measure how much a generated answer shares the reference's wording, not
whether the model knows more medicine: a fine-tune can learn the flashcards' phrasing and gain ROUGE while knowing
nothing new, or lose knowledge while gaining ROUGE. The open medical-LLM leaderboards measure knowledge instead on
MMLU's medical subjects, MedMCQA and PubMedQA, scoring each answer option by its log-likelihood with EleutherAI's
lm-evaluation-harness. This module does the same, with lm-eval doing the scoring, on the local copies of those sets
in ../shared/data/mcq (never copied into the repository): for the base model, and for the base model with the run's
LoRA adapter merged into its weights (`merge_and_unload()`, so the fine-tuned system costs what the base costs), on
the same seeded sample of questions, with paired statistics.

Spec block (validated by `problems()` for `make check`)::

    medical_llm:
      benchmarks:
        mmlu_medical: {limit: 60}   # a seeded simple random sample of 60 questions; no limit = all
        medmcqa: {limit: 60}
        pubmedqa: {limit: 30}

Cost, measured with SmolLM2-135M on 2 CPU cores (batch 16, float32), per system (base, merged fine-tuned) and 100
questions: MedMCQA ~35-50 s, MMLU ~75 s, PubMedQA ~120 s (its options are single tokens, which lm-eval scores in one
forward pass); 2-3 times that when other work shares the cores. 60/60/30 is ~4 minutes for both systems.

`python -m plugins.eval.knowledge [RUN] [--batch-size N]` writes RUN/eval/knowledge.{json,md} and
RUN/eval/knowledge_answers.csv; the lm-eval tasks and the sampled questions are kept in RUN/eval/knowledge_tasks/.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import difflib
import json
import logging
import string
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from plugins import models, precision

if TYPE_CHECKING:
    from plugins.runs import Run

DATA_ROOT = Path("../shared/data/mcq")
TASK_TEMPLATES = Path(__file__).resolve().parent / "tasks"  # the project's lm-eval task YAMLs, to be filled in
TASK_PREFIX = "medllm_"  # lm-eval ships its own `medmcqa`/`pubmedqa` tasks; ours must not collide with them
SEED = 0  # question sampling and bootstrap resampling
N_BOOT = 2000
SYSTEMS = ("base", "fine_tuned")
SYSTEM_NAMES = {"base": "base", "fine_tuned": "fine-tuned"}
ENTRY_KEYS = ("limit",)

# Zero-shot prompt formats (the text before each option; lm-eval appends " " + the option's text and scores it).
PROMPTS = {
    "mmlu_medical": "Question: {question}\nAnswer:",
    "medmcqa": "Question: {question}\nAnswer:",
    "pubmedqa": "Abstract: {context}\nQuestion: {question}\nAnswer:",
}
METHOD = (
    "Zero-shot multiple choice scored by lm-evaluation-harness (output_type multiple_choice): each option's text "
    "is scored by its log-likelihood as the continuation (\" \" + option) of the prompt, and the most likely option "
    "is the model's answer (lm-eval's `acc`; `acc_norm` divides by the option's length in characters). The options "
    "are not listed in the prompt. Fine-tuned = the base model with the run's LoRA adapter merged into its weights. "
    "Questions: a seeded simple random sample (not stratified) when a limit is set. Intervals: Wilson 95 % for "
    "accuracies; the fine-tuned minus base difference by a paired bootstrap over questions; McNemar's exact test "
    "on the questions exactly one system answers correctly. Majority: always the most common answer of the sample "
    "(PubMedQA: always \"yes\")."
)

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


def _limits(block: dict) -> dict[str, int | None]:
    """{name: limit or None} of a valid block, in the block's order."""
    errors, _ = problems(block)
    if errors:
        raise KnowledgeError("; ".join(errors))
    if not block:
        raise KnowledgeError("no benchmarks declared (medical_llm.benchmarks is empty)")
    return {name: (entry or {}).get("limit") for name, entry in block.items()}


# --- statistics ---------------------------------------------------------------------------------------------------


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score 95 % interval of k successes in n."""
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def mcnemar_p(base_only: int, fine_tuned_only: int) -> float:
    """McNemar's exact (binomial) two-sided p-value from the discordant counts."""
    from scipy.stats import binomtest

    n = base_only + fine_tuned_only
    return 1.0 if n == 0 else float(binomtest(base_only, n, 0.5).pvalue)


def paired_bootstrap(base_correct, fine_tuned_correct, n_boot: int = N_BOOT, seed: int = SEED) -> dict:
    """Fine-tuned minus base accuracy, with a 95 % percentile interval resampling the same questions for both."""
    b = np.asarray(base_correct, dtype=float)
    f = np.asarray(fine_tuned_correct, dtype=float)
    idx = np.random.default_rng(seed).integers(0, len(b), size=(n_boot, len(b)))
    draws = f[idx].mean(1) - b[idx].mean(1)
    return {"value": float(f.mean() - b.mean()), "low": float(np.percentile(draws, 2.5)),
            "high": float(np.percentile(draws, 97.5))}


def majority(answers: list[int], labels: tuple[str, ...], fixed: str | None = None) -> dict:
    """Always answering one label: `fixed`, or the most common answer of these questions (ties: the first label)."""
    counts = Counter(answers)
    index = labels.index(fixed) if fixed else max(range(len(labels)), key=lambda i: (counts[i], -i))
    return {"label": labels[index], "index": index, "accuracy": counts[index] / len(answers) if answers else 0.0}


def macro_f1(answers: list[int], predictions: list[int], n_classes: int) -> float:
    """Macro-F1 over all `n_classes` classes (a class never answered nor predicted counts 0)."""
    from sklearn.metrics import f1_score

    return float(f1_score(answers, predictions, labels=list(range(n_classes)), average="macro", zero_division=0))


def summarize(questions: list[dict], benchmark: Benchmark, n_boot: int = N_BOOT, seed: int = SEED) -> dict:
    """Accuracy of both systems [Wilson 95 %], paired difference [bootstrap 95 %], McNemar, baselines, macro-F1."""
    answers = [q["answer"] for q in questions]
    n = len(questions)
    correct = {s: np.array([q[s]["correct"] for q in questions], dtype=bool) for s in SYSTEMS}
    out: dict = {"n": n}
    for s in SYSTEMS:
        k = int(correct[s].sum())
        low, high = wilson(k, n)
        out[s] = {"correct": k, "accuracy": k / n, "low": low, "high": high,
                  "acc_norm": float(np.mean([q[s]["correct_norm"] for q in questions]))}
        if benchmark.macro_f1:
            out[s]["macro_f1"] = macro_f1(answers, [q[s]["choice"] for q in questions], len(benchmark.labels))
    out["difference"] = paired_bootstrap(correct["base"], correct["fine_tuned"], n_boot, seed)
    base_only = int((correct["base"] & ~correct["fine_tuned"]).sum())
    fine_tuned_only = int((correct["fine_tuned"] & ~correct["base"]).sum())
    out["mcnemar"] = {"base_only": base_only, "fine_tuned_only": fine_tuned_only,
                      "p": mcnemar_p(base_only, fine_tuned_only)}
    out["chance"] = benchmark.chance
    out["majority"] = majority(answers, benchmark.labels, benchmark.majority_label)
    if benchmark.macro_f1:
        out["majority"]["macro_f1"] = macro_f1(answers, [out["majority"]["index"]] * n, len(benchmark.labels))
    return out


def statistics(questions: list[dict], names: list[str], n_boot: int = N_BOOT, seed: int = SEED) -> dict:
    """Per benchmark, and per subject within it when it has more than one."""
    stats = {}
    for name in names:
        rows = [q for q in questions if q["benchmark"] == name]
        stats[name] = summarize(rows, BENCHMARKS[name], n_boot, seed)
        subjects = sorted({q["subject"] for q in rows})
        if len(subjects) > 1:
            stats[name]["subjects"] = {s: summarize([q for q in rows if q["subject"] == s], BENCHMARKS[name],
                                                    n_boot, seed) for s in subjects}
    return stats


# --- lm-eval tasks and scoring ------------------------------------------------------------------------------------


def write_tasks(selected: dict[str, list[dict]], work: Path) -> Path:
    """The sampled records as JSONL and the project's task YAMLs filled with their paths, in `work`."""
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("*.yaml"):
        old.unlink()
    for name, records in selected.items():
        data = work / f"{name}.jsonl"
        data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        jinja = PROMPTS[name].replace("{", "{{").replace("}", "}}")
        template = string.Template((TASK_TEMPLATES / f"{name}.yaml").read_text())
        (work / f"{name}.yaml").write_text(template.substitute(
            data_file=json.dumps(str(data.resolve())), cache_dir=json.dumps(str((work / "hf_cache").resolve())),
            doc_to_text=json.dumps(jinja)))
    return work


@contextlib.contextmanager
def _quiet_lm_eval():
    """lm-eval warns about passing a model object and logs every step; keep errors only (its progress bars stay)."""
    logger = logging.getLogger("lm_eval")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def load_base(base_model: str | Path):
    """The base model (plugins.models.load_base) and its tokenizer."""
    from transformers import AutoTokenizer

    return models.load_base(base_model), AutoTokenizer.from_pretrained(str(base_model))


def score(lm, names: list[str], task_manager, system: str, counts: dict[str, int]) -> tuple[dict, dict, dict]:
    """Run lm-eval on each benchmark's task with one model: per-question results, timing, lm-eval's aggregates."""
    import lm_eval

    answers, timing, aggregates = {}, {}, {}
    for name in names:
        print(f"[{SYSTEM_NAMES[system]}] {name}: scoring {counts[name]} questions with lm-eval ...", flush=True)
        start = time.perf_counter()
        with _quiet_lm_eval():
            out = lm_eval.simple_evaluate(model=lm, tasks=[BENCHMARKS[name].task], task_manager=task_manager,
                                          log_samples=True, bootstrap_iters=0, random_seed=SEED,
                                          numpy_random_seed=SEED, torch_random_seed=SEED)
        seconds = time.perf_counter() - start
        samples = out["samples"][BENCHMARKS[name].task]
        answers[name] = {s["doc"]["id"]: _read_sample(s) for s in samples}
        timing[name] = {"questions": len(samples), "seconds": seconds,
                        "seconds_per_100": 100 * seconds / max(1, len(samples))}
        aggregates[name] = {k.split(",")[0]: v for k, v in out["results"][BENCHMARKS[name].task].items()
                            if k.split(",")[0] in ("acc", "acc_norm")}
        print(f"[{SYSTEM_NAMES[system]}] {name}: accuracy {aggregates[name]['acc']:.3f} ({seconds:.0f} s, "
              f"{timing[name]['seconds_per_100']:.0f} s per 100 questions)", flush=True)
    return answers, timing, aggregates


def _read_sample(sample: dict) -> dict:
    """One question's outcome from lm-eval's per-sample log: the option log-likelihoods, the chosen option (the
    argmax, as lm-eval's `acc` takes it) and lm-eval's own correctness flags."""
    lls = [float(r[0]) for r in sample["filtered_resps"]]
    choices = sample["doc"]["choices"]
    choice = int(np.argmax(lls))
    choice_norm = int(np.argmax(np.array(lls) / np.array([len(c) for c in choices], dtype=float)))
    correct = bool(sample["acc"])
    if correct != (choice == sample["target"]):
        raise KnowledgeError(f"lm-eval's acc for {sample['doc']['id']} disagrees with its log-likelihoods")
    return {"choice": choice, "correct": correct, "choice_norm": choice_norm,
            "correct_norm": bool(sample.get("acc_norm", choice_norm == sample["target"])), "loglikelihoods": lls,
            "prompt": sample["arguments"][0][0]}


def evaluate(run: Run, block: dict, out_dir: Path, data_root: Path = DATA_ROOT, batch_size: int | None = None,
             seed: int = SEED, n_boot: int = N_BOOT) -> dict:
    """Score the run's base model and base + merged adapter on the declared benchmarks -> out_dir/knowledge.json
    (everything), out_dir/knowledge_answers.csv (per question); returns the result."""
    import torch
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    limits = _limits(block)
    selected = {}
    for name, limit in limits.items():  # all data first: a missing file fails before any model is loaded
        records = BENCHMARKS[name].load(data_root)
        selected[name] = sample(records, limit, seed)
        print(f"{name}: {len(selected[name])} of {len(records)} questions"
              f"{' (seeded sample)' if len(selected[name]) < len(records) else ''}", flush=True)
    names = list(selected)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = write_tasks(selected, out_dir / "knowledge_tasks")
    task_manager = TaskManager(include_path=str(work), include_defaults=False)
    batch_size = batch_size or run.eval_batch_size
    counts = {name: len(records) for name, records in selected.items()}

    decision = precision.of_project(run.spec.get("medical_llm"))
    start = time.perf_counter()
    model, tokenizer = load_base(run.base_model)
    timing: dict = {"load_seconds": time.perf_counter() - start}
    outcome, aggregates = {}, {}
    for system in SYSTEMS:
        if system == "fine_tuned":
            start = time.perf_counter()
            try:
                model = models.merge_adapter(model, run.adapter_dir)
            except FileNotFoundError as e:
                raise KnowledgeError(str(e)) from None
            timing["merge_seconds"] = time.perf_counter() - start
        # lm-eval sets its own autocast around each forward, so the spec's precision goes there; the
        # log-softmax stays fp32 (lm-eval's default is the logits' dtype: bf16 sums of log-probabilities tie)
        with _quiet_lm_eval():
            lm = HFLM(pretrained=model, tokenizer=tokenizer, batch_size=batch_size,
                      mixed_precision_dtype=decision.autocast_dtype, softmax_dtype=torch.float32)
        outcome[system], timing[system], aggregates[system] = score(lm, names, task_manager, system, counts)

    questions = []
    for name, records in selected.items():
        labels = BENCHMARKS[name].labels
        for r in records:
            q = {"benchmark": name, "subject": r["subject"], "id": r["id"], "answer": r["answer"],
                 "answer_label": labels[r["answer"]], "choices": r["choices"]}
            for s in SYSTEMS:
                got = outcome[s][name].get(r["id"])
                if got is None:
                    raise KnowledgeError(f"lm-eval returned no result for {name} question {r['id']}")
                q["prompt"] = got["prompt"]  # the context lm-eval scored the options after (the same for both)
                q[s] = {k: v for k, v in got.items() if k != "prompt"}
            questions.append(q)
    import lm_eval

    result = {
        "run": str(run.dir), "base_model": str(run.base_model), "adapter": str(run.adapter_dir),
        "method": METHOD, "prompts": {n: PROMPTS[n] for n in names}, "lm_eval_version": lm_eval.__version__,
        "seed": seed, "n_boot": n_boot, "batch_size": batch_size, "limits": limits, "precision": decision.as_dict(),
        "benchmarks": {n: {"description": BENCHMARKS[n].description, "questions": counts[n]} for n in names},
        "timing": timing,
        "lm_eval_results": aggregates,  # lm-eval's own acc/acc_norm per system and benchmark (a cross-check)
        "statistics": statistics(questions, names, n_boot, seed),
        "questions": questions,
    }
    (out_dir / "knowledge.json").write_text(json.dumps(result, indent=1) + "\n")
    with (out_dir / "knowledge_answers.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["benchmark", "subject", "id", "answer", "base_choice", "base_correct", "fine_tuned_choice",
                         "fine_tuned_correct"])
        for q in questions:
            labels = BENCHMARKS[q["benchmark"]].labels
            writer.writerow([q["benchmark"], q["subject"], q["id"], q["answer_label"],
                             labels[q["base"]["choice"]], int(q["base"]["correct"]),
                             labels[q["fine_tuned"]["choice"]], int(q["fine_tuned"]["correct"])])
    return result


# --- reporting ----------------------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _acc(s: dict) -> str:
    return f"{_pct(s['accuracy'])} [{100 * s['low']:.1f}, {100 * s['high']:.1f}]"


def _diff(d: dict) -> str:
    return f"{100 * d['value']:+.1f} pp [{100 * d['low']:+.1f}, {100 * d['high']:+.1f}]"


def _row(label: list[str], s: dict, f1: bool) -> str:
    cells = [*label, str(s["n"]), _acc(s["base"]), _acc(s["fine_tuned"]), _diff(s["difference"]),
             f"{s['mcnemar']['p']:.3g} ({s['mcnemar']['base_only']}/{s['mcnemar']['fine_tuned_only']})",
             _pct(s["chance"]), f"{_pct(s['majority']['accuracy'])} ({s['majority']['label']})"]
    if f1:
        cells.append(f"{s['base']['macro_f1']:.3f} / {s['fine_tuned']['macro_f1']:.3f}"
                     f" (majority {s['majority']['macro_f1']:.3f})" if "macro_f1" in s["base"] else "")
    return "| " + " | ".join(cells) + " |"


def table(result: dict) -> str:
    """Markdown: per benchmark, then per subject; the prompt formats and the scoring method."""
    stats = result["statistics"]
    head = ["n", "base [95 % CI]", "fine-tuned [95 % CI]", "fine-tuned − base [95 % CI]",
            "McNemar p (base only/ft only)", "chance", "majority"]
    f1 = any(BENCHMARKS[n].macro_f1 for n in stats)
    lines = ["### Medical knowledge: zero-shot multiple choice (lm-evaluation-harness)", "",
             "| benchmark | " + " | ".join(head + (["macro-F1 base / fine-tuned"] if f1 else [])) + " |",
             "|---" * (len(head) + 1 + f1) + "|"]
    lines += [_row([n], s, f1) for n, s in stats.items()]
    subjects = [(n, sub, s) for n, st in stats.items() for sub, s in st.get("subjects", {}).items()]
    if subjects:
        lines += ["", "| benchmark | subject | " + " | ".join(head) + " |", "|---" * (len(head) + 2) + "|"]
        lines += [_row([n, sub], s, False) for n, sub, s in subjects]
    prompts = "; ".join(f"{n}: `{p}`".replace("\n", "\\n") for n, p in result["prompts"].items())
    lines += ["", f"Prompt formats (zero-shot, options not listed; each option scored as \" \" + its text): {prompts}.",
              "Scoring: log-likelihood of each option's text given the prompt, most likely option = the answer "
              f"(lm-evaluation-harness {result['lm_eval_version']}, `acc`); fine-tuned = base with the LoRA adapter "
              "merged. Accuracy intervals: Wilson 95 %; difference: paired bootstrap 95 %; McNemar: exact test on "
              "the discordant questions."]
    timing = result.get("timing") or {}
    if all(s in timing for s in SYSTEMS):
        per_100 = {s: 100 * sum(t["seconds"] for t in timing[s].values()) / max(1, sum(
            t["questions"] for t in timing[s].values())) for s in SYSTEMS}
        lines.append(f"Time: {per_100['base']:.0f} s per 100 questions (base), {per_100['fine_tuned']:.0f} s "
                     f"(fine-tuned, merged); batch size {result['batch_size']}.")
    return "\n".join(lines) + "\n"


def markdown(result: dict, out_dir: Path, name: str) -> str:
    """The table with its plot, drawn into `out_dir/knowledge.png`: what RUN/eval/knowledge.md and the report show."""
    from plugins.eval import plots

    plot = plots.knowledge_bars(result["statistics"], Path(out_dir) / "knowledge.png",
                                f"{name}: medical knowledge, base vs fine-tuned (95 % CI)")
    return table(result) + f"\n![knowledge]({plot.name})\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m plugins.eval.knowledge [RUN] [--batch-size N]`: the run's declared benchmarks -> RUN/eval/."""
    from plugins.runs import Run, RunError

    parser = argparse.ArgumentParser(prog="python -m plugins.eval.knowledge", description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", help="a run directory (default: the newest run)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the spec's trainer.eval_batch_size")
    parser.add_argument("--data-root", type=Path, default=DATA_ROOT, help=f"default: {DATA_ROOT}")
    args = parser.parse_args(argv)
    try:
        run = Run.find(args.run)
        block = (run.spec.get("medical_llm") or {}).get("benchmarks")
        if not block:
            raise KnowledgeError(f"{run.dir / 'spec.yaml'} declares no benchmarks: add e.g. "
                                 "medical_llm: {benchmarks: {mmlu_medical: {limit: 60}}} to the spec")
        errors, _ = problems(block, args.data_root)
        if errors:
            raise KnowledgeError("; ".join(errors))
        if missing := missing_message(block, args.data_root):
            raise KnowledgeError(missing)
        result = evaluate(run, block, run.dir / "eval", args.data_root, args.batch_size)
    except (KnowledgeError, RunError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    text = markdown(result, run.dir / "eval", run.name)
    (run.dir / "eval" / "knowledge.md").write_text(text)
    print(text)
    print(f"wrote {run.dir / 'eval'}/knowledge.json, knowledge_answers.csv, knowledge.md, knowledge.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
