"""What the knowledge benchmarks' scored answers say: paired statistics of base vs fine-tuned, and their tables.

plugins/eval/knowledge.py leaves one record per question with both systems' choices; this module summarizes them
per benchmark and per subject (Wilson intervals, a paired bootstrap of the difference, McNemar's exact test, the
chance and majority baselines, macro-F1 where the labels are unbalanced) and writes the Markdown table and plot that
RUN/eval/knowledge.md, `make compare` and the report show. It runs no model, so a saved knowledge.json can be
reported again without scoring anything.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from plugins.eval.knowledge_sets import BENCHMARKS, SEED, Benchmark

N_BOOT = 2000
SYSTEMS = ("base", "fine_tuned")


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
