"""Medical knowledge benchmarks: zero-shot multiple-choice accuracy of a run's base and fine-tuned models.

ROUGE and BLEU (plugins/eval/compare.py) measure how much a generated answer shares the reference's wording, not
whether the model knows more medicine: a fine-tune can learn the flashcards' phrasing and gain ROUGE while knowing
nothing new, or lose knowledge while gaining ROUGE. The open medical-LLM leaderboards measure knowledge instead on
MMLU's medical subjects, MedMCQA and PubMedQA, scoring each answer option by its log-likelihood with EleutherAI's
lm-evaluation-harness. This module does the same, with lm-eval doing the scoring, on the local copies of those sets
in ../shared/data/mcq (never copied into the repository): for the base model, and for the base model with the run's
LoRA adapter merged into its weights (`merge_and_unload()`, so the fine-tuned system costs what the base costs), on
the same seeded sample of questions, with paired statistics.

Spec block (validated by `knowledge_sets.problems()` for `make check`)::

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
This module runs lm-eval; the sets it scores are read by plugins/eval/knowledge_sets.py, and the statistics and
tables are plugins/eval/knowledge_results.py's.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import string
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from plugins import models, precision
from plugins.eval.knowledge_results import N_BOOT, SYSTEMS, markdown, statistics
from plugins.eval.knowledge_sets import BENCHMARKS, DATA_ROOT, SEED, KnowledgeError, missing_message, problems, sample

if TYPE_CHECKING:
    from plugins.runs import Run

TASK_TEMPLATES = Path(__file__).resolve().parent / "tasks"  # the project's lm-eval task YAMLs, to be filled in
SYSTEM_NAMES = {"base": "base", "fine_tuned": "fine-tuned"}

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


def _limits(block: dict) -> dict[str, int | None]:
    """{name: limit or None} of a valid block, in the block's order."""
    errors, _ = problems(block)
    if errors:
        raise KnowledgeError("; ".join(errors))
    if not block:
        raise KnowledgeError("no benchmarks declared (medical_llm.benchmarks is empty)")
    return {name: (entry or {}).get("limit") for name, entry in block.items()}


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
