"""Plots people would rather look at than read: matplotlib, titled, labelled, saved as PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd

from plugins.dataset_format import SPLIT_NAMES

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
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def length_histograms(data: pd.DataFrame, columns: list[str], path: Path, title: str) -> Path:
    """Words per text column, one panel per column, one step histogram per split."""
    fig, axes = plt.subplots(1, len(columns), figsize=(5 * len(columns), 3.8), squeeze=False)
    for ax, column in zip(axes[0], columns):
        words = data[column].astype(str).str.split().str.len()
        bins = np.histogram_bin_edges(words, bins=min(30, max(5, words.nunique())))
        for code, split in enumerate(SPLIT_NAMES):
            part = words[data["split"] == code]
            ax.hist(part, bins=bins, histtype="step", linewidth=1.6, label=f"{split} ({len(part)})")
        ax.set_xlabel(f"{column} length (words)")
        ax.set_ylabel("rows")
        ax.set_title(f"{column}: words per row")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    return _save(fig, path)


def loss_curves(stats: dict, path: Path, title: str, base_validation_loss: float | None = None) -> Path:
    """Ludwig's training and validation loss at each evaluation (epoch or step), with the base
    model's validation loss as the starting point when it is known."""
    period = stats.get("evaluation_frequency", {}).get("period", "epoch")
    every = stats.get("evaluation_frequency", {}).get("frequency", 1)
    fig, ax = plt.subplots(figsize=(7, 4))
    for split in ("training", "validation"):
        losses = stats.get(split, {}).get("combined", {}).get("loss", [])
        xs = [every * (i + 1) for i in range(len(losses))]
        ax.plot(xs, losses, marker="o", label=f"{split} loss")
    if base_validation_loss is not None:
        ax.scatter([0], [base_validation_loss], marker="*", s=150, color="black", zorder=3,
                   label="base model, validation loss")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel(f"{period} (training steps are micro-batches)" if period == "step" else period)
    ax.set_ylabel("loss (token cross-entropy, lower is better)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)


def group_bars(table: pd.DataFrame, path: Path, title: str, metric_label: str) -> Path:
    """Horizontal bars: base vs fine-tuned mean score per group (table index), with the group size."""
    table = table.iloc[::-1]  # largest group at the top
    ys = np.arange(len(table))
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.42 * len(table)))
    ax.barh(ys + 0.2, table["base"], 0.4, label="base")
    ax.barh(ys - 0.2, table["fine_tuned"], 0.4, label="fine-tuned")
    ax.set_yticks(ys, [f"{g} (n={n})" for g, n in zip(table.index, table["n"])])
    ax.set_xlabel(f"mean {metric_label} (0-1, higher is better)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    return _save(fig, path)


def leaderboard(board: pd.DataFrame, path: Path, title: str) -> Path:
    """ROUGE-L of every evaluated run, base and fine-tuned, with 95 % interval whiskers."""
    board = board.iloc[::-1]
    ys = np.arange(len(board))
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.5 * len(board)))
    for offset, system, label in ((0.2, "base", "base"), (-0.2, "fine_tuned", "fine-tuned")):
        value = board[f"{system}_rougeL"]
        err = [value - board[f"{system}_rougeL_low"], board[f"{system}_rougeL_high"] - value]
        ax.barh(ys + offset, value, 0.4, xerr=err, capsize=3, label=label)
    ax.set_yticks(ys, board["run"])
    ax.set_xlabel("ROUGE-L on the run's own test split (0-1, higher is better)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    return _save(fig, path)


KNOWLEDGE_LABELS = {"mmlu_medical": "MMLU medical", "medmcqa": "MedMCQA", "pubmedqa": "PubMedQA"}


def knowledge_bars(stats: dict[str, dict], path: Path, title: str) -> Path:
    """Accuracy per benchmark, base vs fine-tuned with 95 % whiskers; chance (dashed) and majority (dotted)."""
    names = list(stats)
    fig, ax = plt.subplots(figsize=(1.6 + 2.2 * len(names), 4.2))
    for offset, system, label in ((-0.2, "base", "base"), (0.2, "fine_tuned", "fine-tuned")):
        values = [stats[n][system]["accuracy"] for n in names]
        err = [[v - stats[n][system]["low"] for n, v in zip(names, values)],
               [stats[n][system]["high"] - v for n, v in zip(names, values)]]
        ax.bar(np.arange(len(names)) + offset, values, 0.4, yerr=err, capsize=3, label=label)
    for i, n in enumerate(names):
        ax.hlines(stats[n]["chance"], i - 0.45, i + 0.45, colors="black", linestyles="dashed",
                  label="chance" if i == 0 else None)
        ax.hlines(stats[n]["majority"]["accuracy"], i - 0.45, i + 0.45, colors="grey", linestyles="dotted",
                  label="always the most common answer" if i == 0 else None)
    ax.set_xticks(range(len(names)), [f"{KNOWLEDGE_LABELS.get(n, n)}\n(n={stats[n]['n']})" for n in names])
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy (zero-shot, higher is better)")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    return _save(fig, path)
