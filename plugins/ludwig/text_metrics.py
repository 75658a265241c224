"""ROUGE and BLEU of the generated answers inside `LudwigModel.evaluate` (Ludwig 0.17.10 ships neither).

Ludwig's BLEU/ROUGE metric registrations are commented out (`ludwig/modules/metric_modules.py`,
upstream issue 3953), and its own loss and token metrics on generated text say nothing about the
answers. After Ludwig's evaluation, this scores the answers it generated against the references
(plugins/eval/metrics.py) and adds the scores, their 95 % intervals and the method to the printed
table and to test_statistics.json.
"""

from __future__ import annotations

import pandas as pd

from plugins import data_source
from plugins.eval import metrics
from plugins.ludwig import patch

WHY = "Ludwig 0.17.10 has no BLEU/ROUGE for LLM outputs (metric registrations commented out, upstream issue 3953)"
SPLIT_CODES = {"training": 0, "validation": 1, "test": 2}


def references(model, dataset, split: str) -> list[str] | None:
    """The target texts of the evaluated rows, in Ludwig's order; None when they cannot be known
    here (a split other than `full` needs the fixed split column the project's specs use)."""
    frame = dataset if isinstance(dataset, pd.DataFrame) else None
    if frame is None and isinstance(dataset, str) and dataset.rsplit(".", 1)[-1] in ("csv", "json", "jsonl", "parquet"):
        frame = data_source.READERS["." + dataset.rsplit(".", 1)[-1]](dataset)
    if frame is None:
        return None
    if split != "full":
        splitter = model.config_obj.preprocessing.split
        if getattr(splitter, "type", None) != "fixed" or split not in SPLIT_CODES:
            return None
        frame = frame[frame[splitter.column].astype(int) == SPLIT_CODES[split]]
    return frame[model.config_obj.output_features[0].column].astype(str).tolist()


def _responses(predictions, name: str) -> list[str]:
    if isinstance(predictions, pd.DataFrame):
        return predictions[f"{name}_response"].astype(str).tolist()
    return [str(r) for r in predictions[name]["response"]]


def evaluate(self, dataset=None, *args, **kwargs):
    """`LudwigModel.evaluate`: Ludwig's evaluation, then ROUGE/BLEU added before printing and saving."""
    import ludwig.api
    from ludwig.api import LudwigModel

    save = not kwargs.get("skip_save_eval_stats", False)
    kwargs["skip_save_eval_stats"] = True
    printer = patch.original(ludwig.api, "print_evaluation_stats")
    patch.install(ludwig.api, "print_evaluation_stats", _print_nothing, "print once, complete, below")
    try:
        stats, predictions, output_directory = patch.original(LudwigModel, "evaluate")(self, dataset, *args, **kwargs)
    finally:
        patch.undo(ludwig.api, "print_evaluation_stats")
    name = self.config_obj.output_features[0].name
    refs = references(self, dataset, kwargs.get("split", "full"))
    if predictions is not None and len(predictions) and refs is not None:
        summary = metrics.summarize(_responses(predictions, name), refs, n_boot=1000)
        stats[name].update({k: v["value"] for k, v in summary.items()})
        stats[name]["text_metrics_95ci"] = {k: [v["low"], v["high"]] for k, v in summary.items()}
        stats[name]["text_metrics_method"] = metrics.METHOD
    printer(stats)
    if save and self.backend.is_coordinator():
        ludwig.api.save_evaluation_stats(stats, output_directory)
    return stats, predictions, output_directory


def _print_nothing(stats) -> None:
    """Ludwig prints its table inside `evaluate`; the complete one is printed after the text metrics."""


def apply() -> None:
    from ludwig.api import LudwigModel

    patch.install(LudwigModel, "evaluate", evaluate, WHY)
