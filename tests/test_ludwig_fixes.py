"""Each Ludwig 0.17.10 workaround: the bug it exists for, and that the fix removes it.

When the pinned Ludwig is upgraded and a `test_stock_*` test starts failing, upstream fixed the bug:
delete the workaround in plugins/ludwig/fixes.py and its test.
"""

import pytest
import torch
from transformers import AutoTokenizer

from plugins.ludwig import fixes, patch
from tests.conftest import TINY

TEMPLATE = ("<|im_start|>system\nYou are a careful medical assistant.<|im_end|>\n"
            "<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n")
QUESTION = "Which valve is affected in rheumatic heart disease?"


@pytest.fixture(scope="module")
def trap_tokenizer():
    """SmolLM2's tokenizer with its original pad token `<|im_end|>`, which the template contains."""
    tok = AutoTokenizer.from_pretrained(TINY)
    tok.pad_token = "<|im_end|>"
    return tok


def left_padded(tok, text: str, pad: int = 3) -> torch.Tensor:
    return torch.tensor([tok.pad_token_id] * pad + tok(text).input_ids)


def test_stock_remove_left_padding_cuts_the_prompt(trap_tokenizer):
    """Ludwig's own function, whatever ran before in this process (the patch keeps the original)."""
    import ludwig.utils.llm_utils

    fixes.apply()
    stock = patch.original(ludwig.utils.llm_utils, "remove_left_padding")
    assert stock is not fixes.remove_left_padding
    kept = trap_tokenizer.decode(stock(left_padded(trap_tokenizer, TEMPLATE.format(question=QUESTION)),
                                       trap_tokenizer)[0])
    assert QUESTION not in kept
    assert kept == "<|im_start|>assistant\n"  # the model sees only the generation prompt


def test_fixed_remove_left_padding_keeps_the_whole_prompt(trap_tokenizer):
    prompt_text = TEMPLATE.format(question=QUESTION)
    ids = left_padded(trap_tokenizer, prompt_text)
    kept = fixes.remove_left_padding(ids, trap_tokenizer)
    assert kept.shape == (1, len(ids) - 3)
    assert trap_tokenizer.decode(kept[0]) == prompt_text


def test_fixed_remove_left_padding_on_unpadded_and_all_pad_input(trap_tokenizer):
    ids = torch.tensor(trap_tokenizer(TEMPLATE.format(question=QUESTION)).input_ids)
    assert torch.equal(fixes.remove_left_padding(ids, trap_tokenizer)[0], ids)
    pads = torch.tensor([trap_tokenizer.pad_token_id] * 4)
    assert fixes.remove_left_padding(pads, trap_tokenizer).shape == (1, 0)


def test_apply_patches_every_ludwig_reference():
    fixes.apply()
    import ludwig.models.llm
    import ludwig.utils.llm_utils

    assert ludwig.utils.llm_utils.remove_left_padding is fixes.remove_left_padding
    assert ludwig.models.llm.remove_left_padding is fixes.remove_left_padding


def test_every_fix_is_a_named_reversible_patch():
    import ludwig.models.llm
    import ludwig.utils.llm_utils
    from ludwig.schema.llms.peft import NamedAdaptersConfigField

    fixes.apply()
    fixes.apply()  # idempotent: installing again changes nothing
    targets = [(NamedAdaptersConfigField, "_jsonschema_type_mapping"), (ludwig.utils.llm_utils, "remove_left_padding"),
               (ludwig.models.llm, "remove_left_padding"), (ludwig.models.llm.LLM, "generate")]
    active = {(id(p.owner), p.name): p for p in patch.installed()}
    for owner, name in targets:
        found = active[(id(owner), name)]
        assert "Ludwig 0.17.10" in found.why and getattr(owner, name) is found.replacement
    stock = patch.original(ludwig.models.llm.LLM, "generate")
    patch.undo(ludwig.models.llm.LLM, "generate")
    try:
        assert ludwig.models.llm.LLM.generate is stock and not patch.is_installed(ludwig.models.llm.LLM, "generate")
    finally:
        fixes.apply()
    assert ludwig.models.llm.LLM.generate is fixes.batched_generate


def test_patch_undo_restores_inherited_attributes_and_registry_entries():
    class Base:
        def f(self):
            return "stock"

    class Child(Base):
        pass

    patch.install(Child, "f", lambda self: "patched", "test")
    assert Child().f() == "patched" and patch.original(Child, "f")(Child()) == "stock"
    patch.undo(Child, "f")
    assert "f" not in vars(Child) and Child().f() == "stock"
    registry = {"local": "stock"}
    patch.install(registry, "local", "ours", "test")
    patch.install(registry, None, "ours", "test")
    assert registry == {"local": "ours", None: "ours"}
    patch.undo(registry, "local")
    patch.undo(registry, None)
    assert registry == {"local": "stock"}
