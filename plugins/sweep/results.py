"""A sweep's results, rebuilt from its finished trials after each one: table, plots and the `best` link.

Everything is read from the trial run directories (their summary.json), so an interrupted sweep's results
are those of the trials that finished.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from plugins import runs


def trial_dirs(sweep_dir: Path) -> dict[str, Path]:
    """The finished trials (a summary.json) by name, in the order they started: `trial-1` -> trials/trial_<id>
    (the links the sweep makes as each trial starts)."""
    links = sorted(sweep_dir.glob("trial-*"), key=lambda p: int(p.name.removeprefix("trial-")))
    return {link.name: link.resolve() for link in links if (link / "summary.json").is_file()}


def table(sweep_dir: Path) -> pd.DataFrame:
    """One row per finished trial: its values, validation loss (fine-tuned, base) and training time."""
    rows = []
    for name, trial in trial_dirs(sweep_dir).items():
        summary = json.loads((trial / "summary.json").read_text())
        rows.append({"trial": name, **summary["parameters"],
                     "validation loss": summary["validation_loss"]["fine_tuned"],
                     "base validation loss": summary["validation_loss"]["base"],
                     "minutes": summary["train_wall_seconds"] / 60, "run": f"{runs.TRIALS}/{trial.name}"})
    return pd.DataFrame(rows)


def best(frame: pd.DataFrame, goal: str) -> pd.Series | None:
    """The best trial by validation loss (the sweep's metric is Ludwig's, on the same split)."""
    if frame.empty:
        return None
    order = frame["validation loss"].idxmax() if goal == "maximize" else frame["validation loss"].idxmin()
    return frame.loc[order]


def plot(frame: pd.DataFrame, parameters: dict, path: Path, title: str) -> Path:
    """Validation loss per trial, then against each varied setting (log axis for log-scaled ranges)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(parameters)
    fig, axes = plt.subplots(1, 1 + len(names), figsize=(4.2 * (1 + len(names)), 3.6), squeeze=False)
    axes = axes[0]
    x = range(1, len(frame) + 1)
    axes[0].bar(x, frame["validation loss"], color="tab:blue", label="fine-tuned")
    axes[0].axhline(frame["base validation loss"].iloc[0], color="black", linestyle="--", label="base model")
    axes[0].set_xticks(list(x), frame["trial"], rotation=45, ha="right")
    axes[0].set_ylabel("validation loss (lower is better)")
    axes[0].set_title("per trial")
    axes[0].legend(loc="lower right", fontsize=8)
    for ax, name in zip(axes[1:], names):
        values = frame[name]
        if pd.api.types.is_numeric_dtype(values):
            ax.scatter(values, frame["validation loss"], color="tab:blue")
            if str(parameters[name].get("space", "")).startswith(("log", "qlog")):
                ax.set_xscale("log")
        else:
            ax.scatter(values.astype(str), frame["validation loss"], color="tab:blue")
        for value, loss, label in zip(values, frame["validation loss"], frame["trial"]):
            ax.annotate(label.removeprefix("trial-"), (value, loss), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
        ax.set_xlabel(name)
        ax.set_title(f"vs {name}")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write(sweep_dir: Path, parameters: dict, goal: str, planned: int) -> pd.Series | None:
    """results.csv, results.md and results.png in the sweep directory, and `best` -> the best trial."""
    frame = table(sweep_dir)
    if frame.empty:
        return None
    frame.to_csv(sweep_dir / "results.csv", index=False)
    top = best(frame, goal)
    spec = sweep_dir.parent.name
    image = plot(frame, parameters, sweep_dir / "results.png",
                 f"{spec} sweep {sweep_dir.name}: {len(frame)} of {planned} trials")
    shown = frame.drop(columns=["run"])
    text = (f"# Sweep {spec} / {sweep_dir.name}\n\n{len(frame)} of {planned} trials finished. "
            f"Best: **{top['trial']}** (validation loss {top['validation loss']:.4f}; base model "
            f"{top['base validation loss']:.4f}). Each trial is a run directory: `make compare RUN={sweep_dir}/"
            f"{top['trial']}` scores its answers (ROUGE/BLEU), then `make report RUN=...`.\n\n"
            f"{shown.to_markdown(index=False, floatfmt='.4g')}\n\n![results]({image.name})\n")
    (sweep_dir / "results.md").write_text(text)
    runs.point_link(sweep_dir / "best", sweep_dir / top["run"])
    return top


def describe(value) -> str:
    if isinstance(value, float) and not math.isnan(value):
        return f"{value:.3g}"
    return str(value)
