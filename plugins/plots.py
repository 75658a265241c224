"""Plots people would rather look at than read: matplotlib, titled, labelled, saved as PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and in CI
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "bleu": "BLEU", "bleu1": "BLEU-1",
          "bleu2": "BLEU-2", "bleu3": "BLEU-3"}


def metric_bars(summary: dict[str, dict], path: Path, title: str) -> Path:
    """Grouped bars, one group per metric, one bar per system, with 95 % interval whiskers."""
    systems = list(summary)
    keys = [k for k in LABELS if k in summary[systems[0]]]
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, system in enumerate(systems):
        values = [summary[system][k]["value"] for k in keys]
        err = [[v - summary[system][k]["low"] for k, v in zip(keys, values)],
               [summary[system][k]["high"] - v for k, v in zip(keys, values)]]
        xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(keys))]
        ax.bar(xs, values, width, yerr=err, capsize=3, label=system.replace("_", "-"))
    ax.set_xticks(range(len(keys)), [LABELS[k] for k in keys])
    ax.set_ylabel("score (0-1, higher is better)")
    ax.set_title(title)
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
