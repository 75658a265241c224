"""The `ludwig` command with this project's plugins: accepts exactly Ludwig's arguments.

Why it exists: the stock CLI cannot load plugins (Ludwig has no entry points), Ludwig 0.17.10 cannot
even load a saved LLM model without the fixes in plugins/ludwig/fixes.py, and its `evaluate` reports
no ROUGE or BLEU (plugins/ludwig/text_metrics.py). Use it as
`python -m plugins.ludwig.cli evaluate --model_path ... --dataset ...` wherever you would type
`ludwig`. Under torchrun (`torchrun --nproc_per_node 2 -m plugins.ludwig.cli train ...`) it trains
data-parallel with Ludwig's own semantics (batch_size per rank, learning_rate_scaling as configured).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from plugins import precision
from plugins.ludwig import cpu_autocast, distributed, fixes, text_metrics


def spec_of(argv: list[str]) -> Path | None:
    """The spec behind a command: `--config FILE` (train), or the run that holds `--model_path RUN/ludwig/model`
    (predict, evaluate: the run keeps its spec.yaml)."""
    for flag, value in zip(argv, argv[1:]):
        if flag in ("-c", "--config"):
            return Path(value)
        if flag in ("-m", "--model_path"):
            return Path(value).parent.parent / "spec.yaml"
    return None


def main() -> None:
    distributed.setup()  # under torchrun: one rank of a data-parallel run (plugins/ludwig/distributed.py)
    fixes.apply()
    text_metrics.apply()
    spec = spec_of(sys.argv)
    raw = yaml.safe_load(spec.read_text()) if spec is not None and spec.is_file() else {}
    decision = precision.of_project((raw or {}).get("medical_llm"))
    print(decision.describe(), file=sys.stderr, flush=True)
    cpu_autocast.apply(decision)
    from ludwig.cli import main as ludwig_main

    ludwig_main()


if __name__ == "__main__":
    sys.exit(main())
