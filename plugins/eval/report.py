"""`make report`: a run turned into a report people would rather look at than read.

Writes reports/<spec>/<timestamp>/report.md with its plots and a self-contained report.html (plots
embedded), then rebuilds reports/leaderboard.md and leaderboard.png over every evaluated run.
Everything comes from what the run saved (spec.yaml, data/, Ludwig's statistics, summary.json and
eval/ from `make compare`); nothing is generated again, so a report takes seconds.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import time
from pathlib import Path

import pandas as pd

from plugins import runs, tracking
from plugins.app.disclaimer import DISCLAIMER
from plugins.data import stats_markdown
from plugins.eval import knowledge_results, plots, tables
from plugins.eval.tables import md_cell
from plugins.retrieval import checker
from plugins.spec import PROJECT_KEY

REPORTS = Path("reports")
MAX_GROUPS = 12  # groups beyond the largest ones are pooled as "(other)" so the table stays readable
EXAMPLES = 5


def report_dir(run_dir: Path, root: Path = REPORTS) -> Path:
    """reports/<spec>/<timestamp>/ (a sweep trial: reports/<spec>/<timestamp>-sweep/trials/<trial>/): the same
    names as the run, so each report points at one run."""
    spec, label = runs.identify(run_dir)
    return root / spec / label


def _features(spec: dict) -> tuple[str, str]:
    return spec["input_features"][0]["name"], spec["output_features"][0]["name"]


def spec_section(spec: dict) -> str:
    """Model, adapter, prompt and trainer at a glance; the whole spec is in the appendix."""
    adapter = spec.get("adapter") or {}
    trainer = spec.get("trainer") or {}
    scheduler = trainer.get("learning_rate_scheduler") or {}
    warmup = (f"{scheduler['warmup_fraction']:.1%} of steps" if "warmup_fraction" in scheduler
              else f"{scheduler['warmup_evaluations']} evaluations" if "warmup_evaluations" in scheduler else "none")
    data = (spec.get("medical_llm") or {}).get("data") or {}
    rows = {
        "base model": f"`{spec.get('base_model')}`",
        "adapter": (f"{adapter.get('type')} r={adapter.get('r')}, alpha={adapter.get('alpha')}, "
                    f"dropout={adapter.get('dropout')} on "
                    f"{', '.join(adapter.get('target_modules') or ['default modules'])}"
                    if adapter else "none (full fine-tuning)"),
        "trainer": (f"{trainer.get('epochs')} epochs, batch {trainer.get('batch_size')} × "
                    f"{trainer.get('gradient_accumulation_steps', 1)} accumulation, lr {trainer.get('learning_rate')}, "
                    f"{scheduler.get('decay', 'constant')} decay, warm-up {warmup}, "
                    f"{(trainer.get('optimizer') or {}).get('type', 'adam')} weight decay "
                    f"{(trainer.get('optimizer') or {}).get('weight_decay', 0)}, "
                    f"clip {(trainer.get('gradient_clipping') or {}).get('clipglobalnorm', 'none')}"),
        "max sequence length": f"{(spec.get('preprocessing') or {}).get('global_max_sequence_length')} tokens",
        "generation": ", ".join(f"{k}: {json.dumps(v)}" for k, v in (spec.get("generation") or {}).items()),
        "data": (f"`{data.get('path') or data.get('hf_dataset')}`, split {data.get('split')}, "
                 f"seed {data.get('seed', 42)}"
                 + (f", max words {data['max_words']}" if data.get("max_words") else "")
                 + (f", max samples {data['max_samples']}" if data.get("max_samples") else "")),
    }
    table = "| setting | value |\n|---|---|\n" + "".join(f"| {k} | {md_cell(v)} |\n" for k, v in rows.items())
    template = (spec.get("prompt") or {}).get("template", "")
    return f"## Spec\n\n{table}\nPrompt template:\n\n```text\n{template}\n```\n"


def data_section(run_dir: Path, out: Path, features: tuple[str, str]) -> str:
    stats = json.loads((run_dir / "data" / "stats.json").read_text())
    data = pd.read_csv(run_dir / "data" / "dataset.csv", dtype={"split": int}, keep_default_na=False)
    plot = plots.length_histograms(data, list(features), out / "data_lengths.png",
                                   f"{runs.identify(run_dir)[0]}: lengths by split")
    dropped = ", ".join(f"{k} {v}" for k, v in stats["dropped"].items() if v) or "none"
    sizes = ", ".join(f"{k} {v}" for k, v in stats["split_sizes"].items())
    return (f"## Data\n\n{stats['source']}: {stats['rows_in']} rows in, {len(data)} kept ({sizes}); "
            f"dropped: {dropped}.\n\n{stats_markdown(stats['stats'])}\n![question and answer lengths]({plot.name})\n")


def training_section(run_dir: Path, out: Path) -> str:
    summary = json.loads((run_dir / "summary.json").read_text())
    stats = json.loads((runs.ludwig_dir(run_dir) / "training_statistics.json").read_text())
    loss = summary["validation_loss"]
    plot = plots.loss_curves(stats, out / "loss.png", f"{runs.identify(run_dir)[0]}: loss during training",
                             base_validation_loss=loss["base"])
    period = stats.get("evaluation_frequency", {}).get("period", "epoch")
    every = stats.get("evaluation_frequency", {}).get("frequency", 1)
    curves = pd.DataFrame({f"{s} loss": stats[s]["combined"]["loss"] for s in ("training", "validation")})
    curves.index = [every * (i + 1) for i in range(len(curves))]
    return (f"## Training\n\nValidation loss {loss['base']:.4f} (base model) → {loss['fine_tuned']:.4f} "
            f"(fine-tuned, Ludwig's best checkpoint); {summary['train_wall_seconds'] / 60:.1f} min of training, "
            f"{summary.get('tokens_seen')} tokens seen.\n\n![loss curves]({plot.name})\n\n"
            f"{curves.rename_axis(period).to_markdown(floatfmt='.4f')}\n")


def breakdown(answers: pd.DataFrame, column: str, metric: str = "rougeL") -> pd.DataFrame:
    """Mean base and fine-tuned score per value of `column`, largest groups first; small ones pooled."""
    groups = answers[column].astype(str).replace("", "(none)")
    top = groups.value_counts().index[:MAX_GROUPS]
    groups = groups.where(groups.isin(top), "(other)")
    table = answers.groupby(groups).agg(n=(column, "size"), base=(f"base_{metric}", "mean"),
                                        fine_tuned=(f"fine_tuned_{metric}", "mean"))
    table["change"] = table["fine_tuned"] - table["base"]
    return table.sort_values("n", ascending=False, kind="stable").rename_axis(column)


def breakdown_section(answers: pd.DataFrame, columns: list[str], out: Path, run_name: str) -> str:
    parts = []
    for column in columns:
        table = breakdown(answers, column)
        plot = plots.group_bars(table, out / f"by_{column}.png", f"{run_name}: ROUGE-L by {column}", "ROUGE-L")
        shown = table.assign(**{c: table[c].map("{:.3f}".format) for c in ("base", "fine_tuned")},
                             change=table["change"].map("{:+.3f}".format))
        parts.append(f"### By {column}\n\n{shown.to_markdown(disable_numparse=True)}\n\n"
                     f"![ROUGE-L by {column}]({plot.name})\n")
    if not parts:
        return ""
    return ("## Breakdown\n\nMean ROUGE-L of each group's test questions; small groups are noisy (see n).\n\n"
            + "\n".join(parts))


def examples_section(answers: pd.DataFrame, features: tuple[str, str], k: int = EXAMPLES) -> str:
    """A fixed, seeded sample of test questions with both models' answers."""
    question, reference = features
    sample = answers.sample(n=min(k, len(answers)), random_state=0).sort_index()
    parts = ["## Example predictions\n"]
    for _, row in sample.iterrows():
        parts.append(f"**{md_cell(row[question])}**\n\n| | answer | ROUGE-L |\n|---|---|---|\n"
                     f"| reference | {md_cell(row[reference])} | |\n"
                     f"| base | {md_cell(row['base'])} | {row['base_rougeL']:.2f} |\n"
                     f"| fine-tuned | {md_cell(row['fine_tuned'])} | {row['fine_tuned_rougeL']:.2f} |\n")
    return "\n".join(parts)


def evaluation_sections(run_dir: Path, out: Path, spec: dict) -> str:
    eval_dir = run_dir / "eval"
    if not (eval_dir / "metrics.json").is_file():
        return (f"## Evaluation\n\nNot evaluated yet: run `make compare RUN={os.path.relpath(run_dir)}` "
                f"(base vs fine-tuned answers, ROUGE/BLEU), then `make report` again.\n")
    result = json.loads((eval_dir / "metrics.json").read_text())
    answers = pd.read_csv(eval_dir / "answers.csv", keep_default_na=False)
    plot = plots.metric_bars({s: result["metrics"][s] for s in ("base", "fine_tuned")}, out / "metrics.png",
                             f"{runs.identify(run_dir)[0]}: base vs fine-tuned, {result['rows']} {result['split']} "
                             f"questions (95 % CI)")
    features = _features(spec)
    keep = ((spec.get("medical_llm") or {}).get("data") or {}).get("keep_columns") or []
    return "\n".join([
        f"## Evaluation: base vs fine-tuned\n\n{result['rows']} {result['split']} questions, the same generation "
        f"settings for both models (the base model is the fine-tuned one with its adapter disabled).\n\n"
        f"{tables.comparison_table(result)}\n![metrics]({plot.name})\n\n{result['method']}\n",
        tables.answer_measures_table(result),
        breakdown_section(answers, [c for c in keep if c in answers.columns], out, runs.identify(run_dir)[0]),
        examples_section(answers, features),
        "## Where fine-tuning gained and lost most\n\n" + tables.biggest_changes(answers, *features),
    ])


def knowledge_report(run_dir: Path, out: Path) -> str:
    """The knowledge benchmarks `make compare` scored (RUN/eval/knowledge.json), with their plot."""
    path = run_dir / "eval" / "knowledge.json"
    if not path.is_file():
        return ""
    return ("## Knowledge: medical multiple-choice benchmarks\n\nROUGE and BLEU above measure wording shared with "
            "one reference answer; these measure whether the model picks the right answer among options, "
            "zero-shot.\n\n" + knowledge_results.markdown(json.loads(path.read_text()), out, runs.identify(run_dir)[0]))


def grounding_report(run_dir: Path) -> str:
    """A grounded run's retrieval (hit rates on the lay questions and the long messages, with the run's own block),
    its training rows, and its answers on three question sets beside the ungrounded run (RUN/eval/grounded.md,
    written by `make compare`)."""
    block = (runs.Run(run_dir).spec.get(PROJECT_KEY) or {}).get("retrieval")
    if not block:
        return ""
    from plugins.retrieval import evaluate
    from plugins.retrieval.index import Retriever

    retriever = Retriever(block)
    rates = evaluate.all_hit_rates(retriever)
    prepared = json.loads((run_dir / "data" / "stats.json").read_text()).get("retrieval") or {}
    lines = ["## Retrieval and grounding\n",
             f"Each question gets the top {retriever.k} of {len(retriever.corpus):,} NIH passages (whole sentences, "
             f"at most {retriever.words} words; BM25, `medical_llm.retrieval`). Training and validation rows: "
             f"{prepared.get('oracle_rows', '?')} shown their own answer's first passage among the others and taught "
             f"to restate it, {prepared.get('declining_rows', '?')} given another question's passages and taught "
             f"\"{checker.DECLINE}\"; test rows get what the app retrieves.\n",
             "Retrieval (a hit: a retrieved passage's topic is a labelled one; tuned against `build`/`dev`, quote "
             "`report`):\n", "| questions | half | n | hit@1 | hit@5 | ms per question |", "|---|---|---|---|---|---|"]
    lines += [f"| `{path}` | {half} | {r['n']} | {r['hit@1']:.0%} | {r['hit@5']:.0%} | {r['ms_per_question']:.1f} |"
              for (path, half), r in rates.items()] or ["| – | question files not found | | | | |"]
    answered = run_dir / "eval" / "grounded.md"
    lines += ["", "### Answers on three sets, beside the ungrounded run\n", answered.read_text() if answered.is_file()
              else "Not measured yet: `make compare` writes it."]
    return "\n".join(lines) + "\n"


def to_html(markdown: str, image_dir: Path, title: str) -> str:
    """One self-contained HTML page: the Markdown rendered, every local image embedded as base64."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)

    def embed(match: re.Match) -> str:
        data = base64.b64encode((image_dir / match.group(1)).read_bytes()).decode()
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^":/]+\.png)"', embed, body)
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
             "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;"
             "vertical-align:top}img{max-width:100%}pre{background:#f5f5f5;padding:.6rem;overflow-x:auto}"
             "blockquote{border-left:4px solid #c33;margin:0;padding:.2rem 1rem;background:#fff4f4}")
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{style}</style></head><body>\n{body}</body></html>\n")


def write_report(run_dir: Path, root: Path = REPORTS) -> Path:
    """The run's report.md, plots and report.html under reports/<spec>/<timestamp>/."""
    run = runs.Run(run_dir)
    spec = {**run.config, PROJECT_KEY: run.spec.get(PROJECT_KEY)}  # every setting as Ludwig used it
    out = report_dir(run_dir, root)
    if out.exists():
        print(f"replacing the earlier report in {out} (it is rebuilt from the run, which is unchanged)")
    out.mkdir(parents=True, exist_ok=True)
    title = " / ".join(runs.identify(run_dir))
    text = "\n".join([
        f"# Report: {title}\n\n> {DISCLAIMER}\n\nBuilt by `make report` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"from `{os.path.relpath(run_dir)}`.\n",
        spec_section(spec),
        data_section(run_dir, out, _features(spec)),
        training_section(run_dir, out),
        evaluation_sections(run_dir, out, spec),
        grounding_report(run_dir),
        knowledge_report(run_dir, out),
        f"## Disclaimer\n\n> {DISCLAIMER}\n",
        f"## Appendix: the spec as run\n\n```yaml\n{(run_dir / 'spec.yaml').read_text()}```\n",
    ])
    (out / "report.md").write_text(text)
    (out / "report.html").write_text(to_html(text, out, f"Report: {title}"))
    return out / "report.md"


def knowledge_columns(run_dir: Path) -> dict[str, str]:
    """Fine-tuned accuracy and its change from base per knowledge benchmark, when `make compare` scored them."""
    path = run_dir / "eval" / "knowledge.json"
    if not path.is_file():
        return {}
    stats = json.loads(path.read_text())["statistics"]
    return {f"{plots.KNOWLEDGE_LABELS.get(n, n)} acc.": f"{s['fine_tuned']['accuracy']:.1%} "
            f"({100 * (s['fine_tuned']['accuracy'] - s['base']['accuracy']):+.1f} pp, n={s['n']})"
            for n, s in stats.items()}


def answer_columns(result: dict) -> dict[str, str]:
    """The fine-tuned model's answer measures on its test split (every run), as leaderboard cells."""
    measures = (result.get("answer_measures") or {}).get("fine_tuned")
    if not measures:
        return {}
    value = lambda m, f: "–" if measures[m]["value"] is None else format(measures[m]["value"], f)  # noqa: E731
    return {"groundedness": value("groundedness", ".2f"), "completeness": value("completeness", ".2f"),
            "declined": value("decline_rate", ".0%"), "loops (shown / generated)":
            f"{value('loop_rate', '.0%')} / {value('loop_rate_generated', '.0%')}"}


def grounded_columns(run_dir: Path) -> dict[str, str]:
    """A grounded run's lay-question citations and held-out groundedness (RUN/eval/grounded.json)."""
    path = run_dir / "eval" / "grounded.json"
    if not path.is_file():
        return {}
    sets = json.loads(path.read_text())["sets"]
    columns = {}
    if "lay" in sets and (m := sets["lay"]["measures"]["grounded"]["cites_labelled"])["value"] is not None:
        columns["lay: cites a labelled page"] = f"{m['value']:.0%}"
    if "held_out" in sets:
        m = sets["held_out"]["measures"]["grounded"]
        grounded = "–" if m["groundedness"]["value"] is None else f"{m['groundedness']['value']:.2f}"
        columns["held-out: groundedness / declined"] = f"{grounded} / {m['decline_rate']['value']:.0%}"
    return columns


def leaderboard_rows(runs_root: Path, root: Path) -> pd.DataFrame:
    """One row per evaluated run (the `latest` links skipped), best fine-tuned ROUGE-L first."""
    rows = []
    for run_dir in runs.all_runs(runs_root):
        metrics_path = run_dir / "eval" / "metrics.json"
        if not metrics_path.is_file():
            continue
        result = json.loads(metrics_path.read_text())
        summary = json.loads((run_dir / "summary.json").read_text())
        source = json.loads((run_dir / "data" / "stats.json").read_text())["source"]
        m, d = result["metrics"], result["fine_tuned_minus_base"]["rougeL"]
        report = report_dir(run_dir, root) / "report.md"
        rows.append({
            "run": "/".join(runs.identify(run_dir)), "base model": summary["base_model"], "data": source,
            "test questions": result["rows"],
            **{f"{s}_rougeL{p}": m[s]["rougeL"][k] for s in ("base", "fine_tuned")
               for p, k in (("", "value"), ("_low", "low"), ("_high", "high"))},
            "ROUGE-L change": (m["fine_tuned"]["rougeL"]["value"] / m["base"]["rougeL"]["value"] - 1
                               if m["base"]["rougeL"]["value"] else float("nan")),
            "ROUGE-L diff, paired 95 % CI": f"{d['diff']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]",
            "ROUGE-1": m["fine_tuned"]["rouge1"]["value"], "ROUGE-2": m["fine_tuned"]["rouge2"]["value"],
            "BLEU": m["fine_tuned"]["bleu"]["value"], "val loss": summary["validation_loss"]["fine_tuned"],
            **answer_columns(result),
            **grounded_columns(run_dir),
            **knowledge_columns(run_dir),
            "report": f"[report]({report.relative_to(root)})" if report.is_file() else "",
        })
    board = pd.DataFrame(rows)
    if not rows:
        return board
    return board.sort_values("fine_tuned_rougeL", ascending=False, kind="stable").reset_index(drop=True)


def write_leaderboard(runs_root: Path = runs.RUNS, root: Path = REPORTS) -> Path | None:
    """reports/leaderboard.md and .png: every evaluated run's scores side by side."""
    board = leaderboard_rows(runs_root, root)
    if board.empty:
        print(f"no evaluated runs under {runs_root}/ yet (make compare): leaderboard not written")
        return None
    root.mkdir(parents=True, exist_ok=True)
    plot = plots.leaderboard(board, root / "leaderboard.png", "ROUGE-L per run: base vs fine-tuned (95 % CI)")
    table = board.drop(columns=[c for c in board if c.endswith(("_low", "_high"))]).rename(
        columns={"base_rougeL": "base ROUGE-L", "fine_tuned_rougeL": "fine-tuned ROUGE-L"})
    table["ROUGE-L change"] = table["ROUGE-L change"].map(lambda c: "n/a (base 0)" if pd.isna(c) else f"{c:+.0%}")
    knowledge_columns = [c for c in table if c.endswith(" acc.")]
    table[knowledge_columns] = table[knowledge_columns].fillna("not run")
    table = table.fillna("–")[[c for c in table if c != "report"] + ["report"]]  # the link last
    text = (f"# Leaderboard\n\nEvery run under `{runs_root}/` that `make compare` evaluated, best fine-tuned ROUGE-L "
            f"first; rebuilt by `make report`. Each run is scored on its own test split, so scores compare directly "
            f"only between runs on the same data; across datasets compare the change from the base model. "
            f"ROUGE-1, ROUGE-2, BLEU and validation loss are the fine-tuned model's. The `acc.` columns are the "
            f"fine-tuned model's zero-shot accuracy on the knowledge benchmarks the spec declares, with the change "
            f"from the base model in percentage points (chance: 25 %, PubMedQA 33 %). Groundedness, completeness, "
            f"declined and loops are the fine-tuned model's shown answers (docs/grounded.md); a grounded run adds how "
            f"often its answers to lay questions cite a labelled page and its held-out collection.\n\n"
            f"{table.to_markdown(index=False, floatfmt='.3f')}\n\n![leaderboard]({plot.name})\n")
    (root / "leaderboard.md").write_text(text)
    return root / "leaderboard.md"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Report of a run (md + self-contained html) and the leaderboard.")
    parser.add_argument("run", nargs="?", help="run directory (default: the newest run)")
    args = parser.parse_args(argv)
    try:
        run_dir = runs.resolve(args.run)
    except runs.RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    path = write_report(run_dir)
    print(f"wrote {path} and {path.with_suffix('.html')}")
    tracking.log_report(runs.Run(run_dir), path.parent)
    board = write_leaderboard()
    if board:
        print(f"wrote {board} and {board.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
