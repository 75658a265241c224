"""Vocabulary logits only where Ludwig's fine-tuning loss reads them (Ludwig 0.17.10 LLM training).

Ludwig's LLM forward asks the model for logits at every position of prompt + answer, a [batch,
length, vocabulary] tensor, yet its fine-tuning loss masks every prompt position (-100) and reads the
answer only. On SmolLM2-135M the output layer is 28 M of the 135 M weights (576 × 49,152), about a
fifth of each token's forward and backward FLOPs, spent on half the positions for nothing. Each
micro-batch then also takes a softmax and an argmax over the whole tensor for predictions, and the
cross-entropy copies and log-softmaxes every position, counted or not (torch profiler: ~12 % of a
training step at batch 8, beside the output layer's own matmuls).

On micro-batches whose outputs feed only the loss (all but the optimizer step's, which also feeds
Ludwig's training metrics and so runs Ludwig's own forward), this asks transformers for the logits of
the positions the loss reads (`logits_to_keep`, by index), takes the argmax there only, skips the
probabilities nobody reads, and the loss reads those rows directly. Loss, LoRA gradients and Ludwig's
statistics are unchanged (tests/test_sparse_logits.py); `make bench` measures the gain.
"""

from __future__ import annotations

import torch

from plugins.ludwig import patch

IGNORE = -100  # Ludwig's IGNORE_INDEX_TOKEN_ID, the cross-entropy's ignore_index
# per micro-batch: whether its outputs feed more than the loss, and the positions a sparse forward kept
_state = {"full_logits": True, "keep": None}


def loss_rows_only(self, preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Ludwig's NextTokenSoftmaxCrossEntropyLoss on the counted rows only: the same mean over the
    non-ignored next tokens, without copying and log-softmaxing the ignored ones. `preds` holds every
    position, or after a sparse forward only the kept positions (`_state["keep"]`)."""
    target = target.long()
    keep = _state["keep"]
    if keep is not None and preds.shape[1] == len(keep) and preds.shape[1] != target.shape[1]:
        following = target[:, keep + 1]  # logits at position t score the token at t + 1
    else:
        preds, following = preds[:, :-1], target[:, 1:]
    counted = following != IGNORE
    return self.loss_fn(preds[counted], following[counted])


def kept_positions(llm, target_ids: torch.Tensor) -> torch.Tensor:
    """Sequence positions (shared by the batch's rows) whose logits the loss reads: position t
    scores token t + 1, so t is kept where any row's aligned target at t + 1 is counted. The
    alignment is Ludwig's own (its target padding for fine-tuning, against `llm.model_inputs`)."""
    from ludwig.constants import PREDICTIONS

    name = llm.config_obj.output_features[0].name
    aligned = llm._update_target_tensor_for_finetuning({name: target_ids.clone()},
                                                       {name: {PREDICTIONS: llm.model_inputs}}, name)[name]
    return torch.nonzero((aligned[:, 1:] != IGNORE).any(dim=0)).flatten()


def sparse_forward(llm, inputs) -> dict:
    """Ludwig's LLM.forward for a loss-only training micro-batch: the same merged ids, attention
    mask and token count, logits of the kept positions only, predictions (argmax) there and the pad
    id elsewhere, no probabilities."""
    from ludwig.accounting.used_tokens import get_used_tokens_for_llm
    from ludwig.constants import LOGITS, PREDICTIONS, USED_TOKENS
    from ludwig.models import llm as llm_module

    input_ids, target_ids = llm._unpack_inputs(inputs)
    llm.model_inputs, llm.attention_masks = llm_module.generate_merged_ids(
        input_ids, target_ids, llm.tokenizer, llm.global_max_sequence_length)
    keep = kept_positions(llm, target_ids)
    logits = llm.model(input_ids=llm.model_inputs, attention_mask=llm.attention_masks,
                       logits_to_keep=keep).get(LOGITS)
    predictions = torch.full(llm.model_inputs.shape, llm.tokenizer.pad_token_id, dtype=torch.long,
                             device=logits.device)
    predictions[:, keep] = logits.detach().argmax(-1)
    _state["keep"] = keep
    return {LOGITS: logits.float(), PREDICTIONS: predictions,
            USED_TOKENS: get_used_tokens_for_llm(llm.model_inputs, llm.tokenizer)}


WHY = "speed: Ludwig 0.17.10's LLM forward computes vocabulary logits at every prompt position its loss masks"


def loss_forward(self, preds, target):
    return loss_rows_only(self, preds, target)


def forward_pass(self, inputs, targets, should_step):
    """Ludwig's Trainer._forward_pass, noting whether this micro-batch's outputs feed only the loss:
    Ludwig updates its training metrics from the outputs of the optimizer step's micro-batch."""
    from ludwig.trainers.trainer import Trainer

    _state["full_logits"] = should_step and not self.evaluate_training_set
    try:
        return patch.original(Trainer, "_forward_pass")(self, inputs, targets, should_step)
    finally:
        _state["full_logits"], _state["keep"] = True, None


def forward(self, inputs, mask=None):
    """LLM.forward: the sparse forward for loss-only training micro-batches, Ludwig's own otherwise."""
    from ludwig.constants import TEXT
    from ludwig.models.llm import LLM

    packing = getattr(getattr(self.config_obj, "trainer", None), "packing", False)
    if (_state["full_logits"] or not self.training or not torch.is_grad_enabled()
            or not isinstance(inputs, tuple) or self.output_feature_type != TEXT or packing):
        return patch.original(LLM, "forward")(self, inputs, mask)
    return sparse_forward(self, inputs)


def apply(enabled: bool = True) -> None:
    """Install the three patches (or, with `enabled=False`, put Ludwig's originals back: the benchmark
    and the tests alternate both in one process)."""
    from ludwig.models.llm import LLM
    from ludwig.modules.loss_modules import NextTokenSoftmaxCrossEntropyLoss
    from ludwig.trainers.trainer import Trainer

    targets = [(NextTokenSoftmaxCrossEntropyLoss, "forward", loss_forward), (LLM, "forward", forward),
               (Trainer, "_forward_pass", forward_pass)]
    for owner, name, replacement in targets:
        if enabled:
            patch.install(owner, name, replacement, WHY)
        else:
            patch.undo(owner, name)
