"""Each Ludwig 0.17.10 workaround: the bug it exists for, and that the fix removes it.

When the pinned Ludwig is upgraded and a `test_stock_*` test starts failing, upstream fixed the bug:
delete the workaround in plugins/ludwig_fixes.py and its test.
"""

import pytest
import torch
from transformers import AutoTokenizer

from plugins import ludwig_fixes
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
    from ludwig.utils.llm_utils import remove_left_padding as stock  # before any patching in this test

    if stock is ludwig_fixes.remove_left_padding:
        pytest.skip("already patched in this process")
    kept = trap_tokenizer.decode(stock(left_padded(trap_tokenizer, TEMPLATE.format(question=QUESTION)),
                                       trap_tokenizer)[0])
    assert QUESTION not in kept
    assert kept == "<|im_start|>assistant\n"  # the model sees only the generation prompt


def test_fixed_remove_left_padding_keeps_the_whole_prompt(trap_tokenizer):
    prompt_text = TEMPLATE.format(question=QUESTION)
    ids = left_padded(trap_tokenizer, prompt_text)
    kept = ludwig_fixes.remove_left_padding(ids, trap_tokenizer)
    assert kept.shape == (1, len(ids) - 3)
    assert trap_tokenizer.decode(kept[0]) == prompt_text


def test_fixed_remove_left_padding_on_unpadded_and_all_pad_input(trap_tokenizer):
    ids = torch.tensor(trap_tokenizer(TEMPLATE.format(question=QUESTION)).input_ids)
    assert torch.equal(ludwig_fixes.remove_left_padding(ids, trap_tokenizer)[0], ids)
    pads = torch.tensor([trap_tokenizer.pad_token_id] * 4)
    assert ludwig_fixes.remove_left_padding(pads, trap_tokenizer).shape == (1, 0)


def test_apply_patches_every_ludwig_reference():
    ludwig_fixes.apply()
    import ludwig.models.llm
    import ludwig.utils.llm_utils

    assert ludwig.utils.llm_utils.remove_left_padding is ludwig_fixes.remove_left_padding
    assert ludwig.models.llm.remove_left_padding is ludwig_fixes.remove_left_padding
