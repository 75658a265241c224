"""Markdown pieces shared by `make compare` (comparison.md) and `make report`: cells, the metric table,
the biggest gains and losses."""

from __future__ import annotations

import pandas as pd


def md_cell(value) -> str:
    """Text that stays inside one Markdown table cell: pipes escaped, line breaks flattened."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def comparison_table(result: dict) -> str:
    """Markdown: every metric for base and fine-tuned with intervals, relative change, paired difference."""
    base, tuned, diff = result["metrics"]["base"], result["metrics"]["fine_tuned"], result["fine_tuned_minus_base"]
    lines = ["| metric | base [95 % CI] | fine-tuned [95 % CI] | change | fine-tuned − base, paired [95 % CI] |",
             "|---|---|---|---|---|"]
    for key in tuned:
        b, t, d = base[key], tuned[key], diff[key]
        change = f"{(t['value'] - b['value']) / b['value']:+.0%}" if b["value"] else "n/a"
        lines.append(f"| {key} | {b['value']:.4f} [{b['low']:.4f}, {b['high']:.4f}] | "
                     f"{t['value']:.4f} [{t['low']:.4f}, {t['high']:.4f}] | {change} | "
                     f"{d['diff']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}] |")
    return "\n".join(lines) + "\n"


def biggest_changes(answers: pd.DataFrame, input_name: str, output_name: str, k: int = 5) -> str:
    """Markdown: the questions where fine-tuning gained and lost most ROUGE-L, answers side by side."""
    delta = answers["fine_tuned_rougeL"] - answers["base_rougeL"]
    parts = []
    for title, order in (("gained", delta.sort_values(ascending=False)), ("lost", delta.sort_values())):
        parts.append(f"### Where fine-tuning {title} most (ROUGE-L)\n")
        for i in order.index[:k]:
            row = answers.loc[i].map(lambda v: md_cell(v) if isinstance(v, str) else v)
            scores = f"ROUGE-L {row['base_rougeL']:.2f} → {row['fine_tuned_rougeL']:.2f}"
            parts.append(f"**{row[input_name]}** ({scores})\n\n"
                         f"| reference | base | fine-tuned |\n|---|---|---|\n"
                         f"| {row[output_name]} | {row['base']} | {row['fine_tuned']} |\n")
    return "\n".join(parts)


def answer_measures_table(result: dict) -> str:
    """Groundedness (grounded runs), completeness, decline and loop rates of both models' answers, as Markdown."""
    found = result.get("answer_measures")
    if not found:
        return ""

    def cell(m, percent=False):
        if m["value"] is None:
            return "–"
        return (f"{m['value']:.0%} [{m['low']:.0%}, {m['high']:.0%}]" if percent
                else f"{m['value']:.2f} [{m['low']:.2f}, {m['high']:.2f}]")

    return ("## Answer measures\n\n| model | groundedness | completeness | declined | loops (shown / generated) |\n"
            "|---|---|---|---|---|\n"
            + "".join(f"| {s.replace('_', '-')} | {cell(m['groundedness'])} | {cell(m['completeness'])} | "
                      f"{cell(m['decline_rate'], True)} | {cell(m['loop_rate'], True)} / "
                      f"{cell(m['loop_rate_generated'], True)} |\n" for s, m in found.items())
            + f"\n{result['answer_measures_method']}.\n\n")
