"""Model preparation: the tiny model is deterministic, the converted SmolLM2 is a normal HF model."""

import json

import torch
from transformers import AutoConfig, AutoTokenizer

from plugins import models
from tests.conftest import SMOLLM2, TINY


def test_tiny_model_is_rebuilt_bit_for_bit(tmp_path):
    models.build_tiny(tmp_path / "tiny")
    rebuilt = json.loads((tmp_path / "tiny" / models.COMPLETE).read_text())["sha256"]
    shipped = json.loads((TINY / models.COMPLETE).read_text())["sha256"]
    assert rebuilt["model.safetensors"] == shipped["model.safetensors"]
    assert rebuilt == models.sha256_dir(tmp_path / "tiny")


def test_converted_smollm2_is_a_plain_model_with_a_safe_pad_token():
    info = json.loads((SMOLLM2 / models.COMPLETE).read_text())
    assert info["sha256"] == models.sha256_dir(SMOLLM2)  # the recorded checksum matches the files
    config = AutoConfig.from_pretrained(SMOLLM2)
    assert config.model_type == "llama" and not hasattr(config, "quantization_config")
    tokenizer = AutoTokenizer.from_pretrained(SMOLLM2)
    assert tokenizer.pad_token == "<|endoftext|>" and tokenizer.pad_token_id == config.pad_token_id == 0
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.chat_template


def test_converted_weights_are_full_precision():
    from safetensors.torch import load_file

    saved = load_file(SMOLLM2 / "model.safetensors")
    assert sum(t.numel() for t in saved.values()) > 100_000_000
    assert all(t.dtype == torch.float32 for t in saved.values())
