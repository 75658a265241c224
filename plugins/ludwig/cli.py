"""The `ludwig` command with this project's plugins: accepts exactly Ludwig's arguments.

Why it exists: the stock CLI cannot load plugins (Ludwig has no entry points), Ludwig 0.17.10 cannot
even load a saved LLM model without the schema fix in plugins/ludwig_fixes.py, and it ships no
ROUGE or BLEU. Here `evaluate` adds ROUGE-1/2/L and BLEU on the generated answers (plugins/metrics.py)
next to Ludwig's own metrics, in the printed table and in test_statistics.json. Use it as
`python -m plugins.ludwig_cli evaluate --model_path ... --dataset ...` wherever you would type `ludwig`.
Under torchrun (`torchrun --nproc_per_node 2 -m plugins.ludwig_cli train ...`) it trains data-parallel
with Ludwig's own semantics (batch_size per rank, learning_rate_scaling as configured).
"""

from __future__ import annotations

import sys

import pandas as pd

from plugins import data, distributed, ludwig_fixes, metrics

SPLIT_CODES = {"training": 0, "validation": 1, "test": 2}


def references(model, dataset, split: str) -> list[str] | None:
    """The target texts of the evaluated rows, in Ludwig's order; None when they cannot be known
    here (a split other than `full` needs the fixed split column the project's specs use)."""
    frame = dataset if isinstance(dataset, pd.DataFrame) else None
    if frame is None and isinstance(dataset, str) and dataset.rsplit(".", 1)[-1] in ("csv", "json", "jsonl", "parquet"):
        frame = data.READERS["." + dataset.rsplit(".", 1)[-1]](dataset)
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


def evaluate_with_text_metrics(stock):
    """Wrap `LudwigModel.evaluate`: Ludwig's evaluation, then ROUGE/BLEU added before printing and saving."""
    import ludwig.api

    def evaluate(self, dataset=None, *args, **kwargs):
        save = not kwargs.get("skip_save_eval_stats", False)
        kwargs["skip_save_eval_stats"] = True
        printer = ludwig.api.print_evaluation_stats  # Ludwig prints inside; print once, complete, below
        ludwig.api.print_evaluation_stats = lambda stats: None
        try:
            stats, predictions, output_directory = stock(self, dataset, *args, **kwargs)
        finally:
            ludwig.api.print_evaluation_stats = printer
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

    return evaluate


def main() -> None:
    distributed.setup()  # under torchrun: one rank of a data-parallel run (plugins/distributed.py)
    ludwig_fixes.apply()
    from ludwig.api import LudwigModel
    from ludwig.cli import main as ludwig_main

    LudwigModel.evaluate = evaluate_with_text_metrics(LudwigModel.evaluate)
    ludwig_main()


if __name__ == "__main__":
    sys.exit(main())
