"""Test helper (not a test): run a module as one rank and record what this rank trained on and ended with.

    torchrun ... -m tests.dist_probe OUT MODULE [ARGS ...]

runs `python -m MODULE ARGS` unchanged, observing Ludwig from the outside: every training forward pass
adds the batch's rows (their input token ids, pads dropped) to OUT/rank<R>.json, and when
`LudwigModel.train` returns, this rank's trained LoRA weights go to OUT/rank<R>.pt. Nothing is replaced:
the real model, trainer and strategy run. This is how the tests tell real DDP (disjoint rows,
identical adapters) from independent copies (every rank sees every row).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path


def main() -> None:
    out, module, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    out.mkdir(parents=True, exist_ok=True)
    rank = int(os.environ.get("RANK", 0))
    rows: list[list[int]] = []

    import torch
    from ludwig.api import LudwigModel
    from ludwig.models.llm import LLM

    forward = LLM.forward

    def recording_forward(self, inputs, mask=None):
        if self.training:
            input_ids, _ = self._unpack_inputs(inputs)
            pad = self.tokenizer.pad_token_id
            rows.extend([int(t) for t in row if int(t) != pad] for row in input_ids)
        return forward(self, inputs, mask)

    train = LudwigModel.train

    def recording_train(self, *a, **kw):
        result = train(self, *a, **kw)
        lora = {k: v.detach().cpu().clone() for k, v in self.model.named_parameters() if "lora_" in k}
        torch.save(lora, out / f"rank{rank}.pt")
        return result

    LLM.forward = recording_forward
    LudwigModel.train = recording_train
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        (out / f"rank{rank}.json").write_text(json.dumps({"rank": rank, "rows": rows}))


if __name__ == "__main__":
    main()
