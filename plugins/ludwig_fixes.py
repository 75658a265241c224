"""Workarounds for Ludwig 0.17.10 bugs, each small, isolated and applied once by `apply()`.

Every entry point of the project (training, the plugin-enabled `ludwig` CLI, the app) calls
`apply()` before Ludwig validates or loads anything. Each fix names the bug; remove it when the
pinned Ludwig fixes it (the tests in tests/test_ludwig_fixes.py then show it is no longer needed).
"""

from __future__ import annotations

import functools

import torch


def _allow_null_adapters() -> None:
    """Saved LLM models do not load: the saved config has `"adapters": null`, but the JSON schema of
    `NamedAdaptersConfigField` allows no null, so `LudwigModel.load` (predict, evaluate, serve) fails
    with `None is not of type 'object'`. Allow null in that field's JSON schema."""
    from ludwig.schema.llms.peft import NamedAdaptersConfigField

    original = NamedAdaptersConfigField._jsonschema_type_mapping
    if getattr(original, "_medical_llm_fix", False):
        return

    @functools.wraps(original)
    def mapping(self):
        return {"anyOf": [original(self), {"type": "null"}]}

    mapping._medical_llm_fix = True
    NamedAdaptersConfigField._jsonschema_type_mapping = mapping


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


def _keep_prompt_with_pad_tokens() -> None:
    """Replace `remove_left_padding` everywhere Ludwig imported it by name."""
    import ludwig.models.llm
    import ludwig.utils.llm_utils

    for module in (ludwig.utils.llm_utils, ludwig.models.llm):
        module.remove_left_padding = remove_left_padding


@functools.cache
def apply() -> None:
    """Apply every fix once per process."""
    _allow_null_adapters()
    _keep_prompt_with_pad_tokens()
