"""Ludwig's training and prediction forwards under the spec's CPU precision (plugins/precision.py).

Ludwig 0.17.10 autocasts only on CUDA: `Trainer._forward_pass` wraps the forward and loss in
`torch.amp.autocast("cuda")` when `trainer.use_mixed_precision` holds, and the trainer switches that off
when no GPU is found. This wraps the same two places on the CPU instead: the fine-tuning trainer's
forward pass (forward + loss; backward then runs in the forward's dtypes, as torch recommends) and the
predictors' forward/generate (validation loss, `ludwig predict`/`evaluate`, `make compare`). LoRA
weights and the optimizer stay fp32. With fp32 the originals are put back: stock Ludwig, untouched.
"""

from __future__ import annotations

from plugins import precision as precision_mod
from plugins.ludwig import patch

WHY = ("Ludwig 0.17.10 ludwig/trainers/trainer.py Trainer._forward_pass autocasts on CUDA only "
       "(use_mixed_precision is switched off without a GPU): no bf16 on CPUs with bf16 units")
_state: dict = {"decision": None}


def forward_pass(self, inputs, targets, should_step):
    """FineTuneTrainer._forward_pass under the decision's autocast (Trainer's own, or its sparse-logits patch).
    Each call makes sure the frozen base layers are stored in bf16 (plugins/precision.py: autocast would re-cast
    them at every forward; once cast, the check is a walk over the modules); LoRA weights and optimizer stay fp32."""
    from ludwig.trainers.trainer import Trainer

    precision_mod.frozen_linears_to_bf16(self.model.model)
    with precision_mod.autocast(_state["decision"]):
        return Trainer._forward_pass(self, inputs, targets, should_step)


def predict_on_inputs(self, inputs):
    """Predictor._predict_on_inputs (LLM fine-tune evaluation: the forward) under autocast."""
    from ludwig.models.predictor import Predictor

    with precision_mod.autocast(_state["decision"]):
        return patch.original(Predictor, "_predict_on_inputs")(self, inputs)


def generate_on_inputs(self, inputs):
    """LlmPredictor._predict_on_inputs (generation) under autocast."""
    from ludwig.models.predictor import LlmPredictor

    with precision_mod.autocast(_state["decision"]):
        return patch.original(LlmPredictor, "_predict_on_inputs")(self, inputs)


def apply(decision: precision_mod.Decision) -> None:
    """Ludwig's forwards from now on in `decision`'s precision (fp32: Ludwig's originals)."""
    from ludwig.models.predictor import LlmPredictor, Predictor
    from ludwig.trainers.trainer_llm import FineTuneTrainer

    _state["decision"] = decision
    # FineTuneTrainer inherits _forward_pass from Trainer (which sparse_logits may patch): wrapping it on the
    # subclass keeps both patches, whichever is installed first
    targets = [(FineTuneTrainer, "_forward_pass", forward_pass), (Predictor, "_predict_on_inputs", predict_on_inputs),
               (LlmPredictor, "_predict_on_inputs", generate_on_inputs)]
    for owner, name, replacement in targets:
        if decision.bf16:
            patch.install(owner, name, replacement, WHY)
        else:
            patch.undo(owner, name)
