"""Workarounds for Ludwig 0.17.10 bugs, each small, isolated, installed through plugins.ludwig.patch.

Every entry point of the project (training, the plugin-enabled `ludwig` CLI, the app, the
evaluation) calls `apply()` before Ludwig validates or loads anything. Each patch names the bug;
remove it when the pinned Ludwig fixes it (tests/test_ludwig_fixes.py shows the stock behaviour,
so those tests fail once it is no longer needed).
"""

from __future__ import annotations

import torch

from plugins.ludwig import patch

NULL_ADAPTERS = ("Ludwig 0.17.10 ludwig/schema/llms/peft.py NamedAdaptersConfigField: the saved config has "
                 "`adapters: null`, the schema allows no null, so no saved LLM model loads")
PAD_IN_PROMPT = ("Ludwig 0.17.10 ludwig/utils/llm_utils.py remove_left_padding drops everything up to the last "
                 "pad token, cutting prompts whose template contains the pad token")
PERPLEXITY = ("Ludwig 0.17.10 ludwig/modules/metric_modules.py PerplexityMetric and NextTokenPerplexityMetric are fed "
              "the softmax probabilities and softmax them again (torchmetrics Perplexity, NextTokenSoftmaxCrossEntropy"
              "Loss), so an LLM's perplexity sits near its vocabulary size; `perplexity` also scores position t "
              "against token t, not t + 1")
ROW_AT_A_TIME = ("Ludwig 0.17.10 ludwig/models/llm.py LLM.generate loops over the rows of a batch: predict and "
                 "evaluate generate at batch size 1")


def null_adapters_mapping(self):
    """`NamedAdaptersConfigField`'s JSON schema with null allowed: saved models say `"adapters": null`, and
    `LudwigModel.load` (predict, evaluate, serve) otherwise fails with `None is not of type 'object'`."""
    from ludwig.schema.llms.peft import NamedAdaptersConfigField

    stock = patch.original(NamedAdaptersConfigField, "_jsonschema_type_mapping")
    return {"anyOf": [stock(self), {"type": "null"}]}


def remove_left_padding(input_ids_sample: torch.Tensor, tokenizer) -> torch.Tensor:
    """Drop only the *leading* pad tokens (then start at the first BOS, as Ludwig does).

    Ludwig's version drops everything up to the *last* pad token, so when the pad token also occurs
    inside the prompt (SmolLM2 pads with `<|im_end|>`, TinyLlama with `</s>`, both of which their chat
    templates contain) the model silently sees only the tail of the prompt, in training and generation.
    """
    pad = tokenizer.pad_token_id
    start = 0
    if pad is not None:
        not_pad = torch.nonzero(input_ids_sample != pad)
        start = int(not_pad[0]) if len(not_pad) else len(input_ids_sample)
    ids = input_ids_sample[start:]
    bos = torch.nonzero(ids == tokenizer.bos_token_id) if tokenizer.bos_token_id is not None else []
    if len(bos):
        ids = ids[int(bos[0]):]
    return ids.unsqueeze(0)


def batched_generate(self, inputs, mask=None):
    """`LLM.generate` for a whole batch at once (left-padded prompts, one `model.generate` call).

    Ludwig 0.17.10 loops over the rows of a batch and generates for each alone, whatever the batch
    size, so `ludwig predict`/`evaluate` run at batch size 1. This returns what the per-row loop
    returns: each row's prompt + generated tokens (cut after its end-of-sequence token, as a lone
    generation stops there) and its per-step scores, handed to Ludwig's own decoder. When predicting,
    only the top probability of each step is kept, the one thing Ludwig's prediction output uses.
    """
    from ludwig.constants import PROBABILITIES
    from ludwig.models.llm import log_once

    log_once(f"For generating text, using: {self.generation} (batched: plugins/ludwig/fixes.py)")
    input_ids, targets = self._unpack_inputs(inputs)
    decoder = self.output_feature_decoder.decoder_obj
    logits_processor = decoder.get_logits_processor() if hasattr(decoder, "get_logits_processor") else None
    pad = self.tokenizer.pad_token_id
    prompts = [remove_left_padding(row, self.tokenizer)[0][-self.max_input_length:] for row in input_ids]
    width = max(len(p) for p in prompts)
    device = next(self.model.parameters()).device
    batch = torch.full((len(prompts), width), pad, dtype=torch.long)
    attention = torch.zeros((len(prompts), width), dtype=torch.long)
    for i, p in enumerate(prompts):
        batch[i, width - len(p):] = p
        attention[i, width - len(p):] = 1
    kwargs = {"input_ids": batch.to(device), "attention_mask": attention.to(device),
              "generation_config": self.generation, "return_dict_in_generate": True, "output_scores": True}
    if logits_processor is not None:
        kwargs["logits_processor"] = logits_processor
    with torch.no_grad():
        out = self.model.generate(**kwargs)
        eos = set(torch.as_tensor(self.generation.eos_token_id if self.generation.eos_token_id is not None
                                  else self.tokenizer.eos_token_id).flatten().tolist())
        sequences, scores = [], []
        for i, p in enumerate(prompts):
            generated = out.sequences[i, width:]
            ends = [j for j, t in enumerate(generated.tolist()) if t in eos]
            n = ends[0] + 1 if ends else len(generated)
            sequences.append(torch.cat([p.to(device), generated[:n]]))
            scores.append(tuple(step[i] for step in out.scores[:n]) if out.scores is not None else ())
        out = decoder.forward(sequences, [len(p) for p in prompts], self.max_new_tokens, generation_scores=scores)
    if targets is None:
        # Predicting (no targets, so no Ludwig metric needs the distributions): Ludwig keeps only each
        # step's top probability (compute_token_probabilities), yet would hold all rows x tokens x
        # vocabulary floats until the end, 1.5 GB for 80 SmolLM2 answers. Keep that top probability only.
        out[PROBABILITIES] = out[PROBABILITIES].max(dim=-1, keepdim=True).values
    return out


def _next_token_nll(probabilities: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed negative log-likelihood of each counted next token, and their count: the tokens and the
    cross-entropy of Ludwig's fine-tuning loss (position t scores token t + 1; prompt and padding are -100)."""
    following = target.long()[:, 1:]
    counted = following != -100  # Ludwig's IGNORE_INDEX_TOKEN_ID
    chosen = probabilities[:, :-1][counted].float().gather(-1, following[counted].unsqueeze(-1))
    return -torch.log(chosen.clamp_min(torch.finfo(torch.float32).tiny)).sum(), counted.sum()


def perplexity_update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
    """PerplexityMetric.update: exp of the mean next-token cross-entropy (torchmetrics' compute takes the exp)."""
    nll, count = _next_token_nll(preds, target)
    self.total_log_probs += nll.to(self.total_log_probs)
    self.count += count.to(self.count)


def next_token_perplexity_update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
    """NextTokenPerplexityMetric.update: the mean next-token cross-entropy, weighted by its token count, so that
    the whole evaluation's figure is exp of the mean over all its tokens (not a mean of per-batch exps)."""
    nll, count = _next_token_nll(preds, target)
    if count:
        self.avg.update(nll / count, weight=count.float())


def next_token_perplexity_compute(self) -> torch.Tensor:
    return torch.exp(self.avg.compute())


def apply() -> None:
    """Install every fix (idempotent). `remove_left_padding` is replaced everywhere Ludwig imported it by name."""
    import ludwig.models.llm
    import ludwig.utils.llm_utils
    from ludwig.config_validation.validation import get_schema
    from ludwig.schema.llms.peft import NamedAdaptersConfigField

    if not patch.is_installed(NamedAdaptersConfigField, "_jsonschema_type_mapping"):
        patch.install(NamedAdaptersConfigField, "_jsonschema_type_mapping", null_adapters_mapping, NULL_ADAPTERS)
        get_schema.cache_clear()  # a schema built before the fix (any earlier validation) would still refuse null
    for module in (ludwig.utils.llm_utils, ludwig.models.llm):
        patch.install(module, "remove_left_padding", remove_left_padding, PAD_IN_PROMPT)
    patch.install(ludwig.models.llm.LLM, "generate", batched_generate, ROW_AT_A_TIME)
    from ludwig.modules.metric_modules import NextTokenPerplexityMetric, PerplexityMetric

    patch.install(PerplexityMetric, "update", perplexity_update, PERPLEXITY)
    patch.install(NextTokenPerplexityMetric, "update", next_token_perplexity_update, PERPLEXITY)
    patch.install(NextTokenPerplexityMetric, "compute", next_token_perplexity_compute, PERPLEXITY)
