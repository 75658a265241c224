"""`make compare`: a run's generated answers, scored: the fine-tuned model and its base model (adapter disabled).

Both answer the same questions through Ludwig's own predict path (plugins/eval/answering.py) with the spec's
generation settings, so the only difference is the adapter; a grounded run's answers are checked against their
passages as the app checks them, and scored as shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from plugins import runs, tracking
from plugins.dataset_format import SPLIT_NAMES
from plugins.eval import (
    answering,
    grounded_sets,
    grounding,
    knowledge,
    knowledge_results,
    knowledge_sets,
    metrics,
    plots,
    tables,
)
from plugins.spec import PROJECT_KEY


def answer(run: runs.Run, model, rows: pd.DataFrame, system: str, retriever=None) -> pd.DataFrame:
    """One system's answers to `rows` (question, generated, shown, ...): a grounded run's checked as the app
    checks them, an ungrounded run's as generated."""
    questions = rows[run.input_name].tolist()
    adapter = system == "fine_tuned"
    if retriever is None:
        return answering.ungrounded(run, model, questions, adapter)
    found = answering.grounded(run, model, questions, retriever, adapter)
    if "sources" in rows and (drift := int((rows["sources"].to_numpy() != found["sources"].to_numpy()).sum())):
        print(f"warning: {drift} test question(s) retrieve other passages now than when the data was prepared "
              "(the corpus or the retrieval block changed since training)", flush=True)
    return found


def evaluate_run(run: runs.Run, split: str = "test", n_boot: int = 1000) -> tuple[dict, pd.DataFrame, object]:
    """Generate, score and save: RUN/eval/{answers.csv, metrics.json}. Returns the metrics, the answers with
    their per-answer scores, and the loaded model."""
    from plugins.retrieval.index import Retriever

    output_name = run.output_name
    rows = run.rows(split)
    model = answering.load_model(run)
    block = answering.retrieval_block(run)
    retriever = Retriever(block) if block else None
    answers = rows.copy()
    systems = ["fine_tuned", "base"]
    found = {}
    for system in systems:
        print(f"generating {len(rows)} {split} answers with the {system.replace('_', '-')} model ...", flush=True)
        found[system] = answer(run, model, rows, system, retriever)
        answers[system] = found[system]["shown"].to_numpy()
        answers[f"{system}_generated"] = found[system]["generated"].to_numpy()
    out = run.dir / "eval"
    out.mkdir(exist_ok=True)
    answers.to_csv(out / "answers.csv", index=False)  # kept even if scoring is interrupted
    print("scoring (bootstrap intervals) ...", flush=True)
    references = answers[output_name].tolist()
    scores = {s: metrics.per_sample(answers[s].tolist(), references) for s in systems}
    measured = {s: answering.measured(found[s], references, answering.given_passages(found[s]))
                for s in systems}
    result = {
        "split": split,
        "rows": len(rows),
        "method": metrics.METHOD,
        "generation": run.generation,
        "shown": "answers as the app shows them: checked against their passages" if retriever else "as generated",
        "metrics": {s: metrics.summarize(answers[s].tolist(), references, n_boot=n_boot) for s in systems},
        "fine_tuned_minus_base": metrics.paired_bootstrap(answers["base"].tolist(), answers["fine_tuned"].tolist(),
                                                          references, n_boot=n_boot),
        "answer_measures": {s: grounding.summarize(measured[s], n_boot) for s in systems},
        "answer_measures_method": grounding.METHOD,
    }
    per_sample = pd.concat([answers] + [scores[s].add_prefix(f"{s}_") for s in systems]
                           + [pd.DataFrame(measured[s], index=answers.index).add_prefix(f"{s}_") for s in systems],
                           axis=1)
    per_sample.to_csv(out / "answers.csv", index=False)
    (out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
    return result, per_sample, (model, found["fine_tuned"])


def grounded_section(run: runs.Run, out: Path, model, test_answers: pd.DataFrame, n_boot: int = 1000) -> str:
    """A grounded run's three question sets, beside its ungrounded run (plugins/eval/grounded_sets.py) -> Markdown
    for comparison.md."""
    result = grounded_sets.evaluate(run, model, test_answers, run.rows("test"), out, n_boot)
    text = grounded_sets.markdown(result)
    print(text)
    return f"\n## Grounded answers on three sets\n\n{text}"


def knowledge_section(run: runs.Run, out: Path, n_boot: int = 1000) -> str:
    """The spec's knowledge benchmarks (plugins/eval/knowledge.py) for both models -> Markdown for comparison.md;
    a short note instead when the spec declares none or their data is missing (the rest still runs)."""
    block = (run.spec.get(PROJECT_KEY) or {}).get("benchmarks")
    if not block:
        return ""
    if missing := knowledge_sets.missing_message(block):
        print(f"knowledge benchmarks skipped: {missing}", flush=True)
        return f"\n## Knowledge benchmarks\n\nSkipped: {missing}\n"
    print(f"knowledge benchmarks: {', '.join(block)} (base, then fine-tuned) ...", flush=True)
    text = knowledge_results.markdown(knowledge.evaluate(run, block, out), out, run.name)
    (out / "knowledge.md").write_text(text)
    print(text)
    return f"\n## Knowledge benchmarks\n\n{text}"


def compare(run: runs.Run, split: str = "test", n_boot: int = 1000) -> Path:
    """`make compare`: base vs fine-tuned on the run's test questions -> RUN/eval/comparison.md + plot; a
    grounded run also answers its question sets beside its ungrounded run."""
    result, answers, (model, tuned) = evaluate_run(run, split, n_boot=n_boot)
    out = run.dir / "eval"
    plot = plots.metric_bars({"base": result["metrics"]["base"], "fine_tuned": result["metrics"]["fine_tuned"]},
                             out / "metrics.png", f"{run.name}: base vs fine-tuned on {result['rows']} "
                             f"{split} questions (95 % CI)")
    table = tables.comparison_table(result)
    text = (f"# Base vs fine-tuned: {run.name} / {run.label}\n\n{result['rows']} {split} questions, "
            f"generation {json.dumps(result['generation'])}, answers {result['shown']}.\n\n{table}\n"
            f"![metrics]({plot.name})\n\n{result['method']}\n\n{tables.answer_measures_table(result)}"
            + tables.biggest_changes(answers, run.input_name, run.output_name))
    (out / "comparison.md").write_text(text)  # kept even if the later sections are interrupted
    print(table)
    if answering.retrieval_block(run) and split == "test":
        text += grounded_section(run, out, model, tuned, n_boot)
        (out / "comparison.md").write_text(text)
    if more := knowledge_section(run, out, n_boot):
        text += more
        (out / "comparison.md").write_text(text)
    print(f"wrote {out / 'comparison.md'}, {plot}, {out / 'answers.csv'}, {out / 'metrics.json'}")
    if tracking.log_comparison(run):
        print(f"logged to MLflow ({tracking.tracking_uri()})")
    return out / "comparison.md"


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Base vs fine-tuned answers of a run, scored with ROUGE and BLEU.")
    parser.add_argument("run", nargs="?", help="run directory (default: the newest run)")
    parser.add_argument("--split", default="test", choices=list(SPLIT_NAMES))
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for the intervals")
    args = parser.parse_args(argv)
    try:
        compare(runs.Run.find(args.run), args.split, args.n_boot)
    except runs.RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
