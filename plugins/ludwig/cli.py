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

from plugins.ludwig import distributed, fixes, text_metrics


def main() -> None:
    distributed.setup()  # under torchrun: one rank of a data-parallel run (plugins/ludwig/distributed.py)
    fixes.apply()
    text_metrics.apply()
    from ludwig.cli import main as ludwig_main

    ludwig_main()


if __name__ == "__main__":
    sys.exit(main())
