"""GGUF files written by llama.cpp's own tools: its converter (`convert_hf_to_gguf.py` with the `gguf-py`
it ships, from the `llama-cpp-python` source release the set-up step installs) and its quantizer
(`llama_model_quantize` in the library that release builds). Nothing here touches a tensor.
"""

from __future__ import annotations

import ctypes
import logging
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

SOURCES = Path(".cache") / "llama.cpp"  # make llama-cpp extracts the converter here, per version
FTYPE_PREFIX = "LLAMA_FTYPE_MOSTLY_"
CONVERTER_TYPES = ("f32", "f16", "bf16", "q8_0")  # what the converter writes itself


class ExportError(Exception):
    """An export that cannot be made; the message says what to do."""


def llama_cpp_version() -> str:
    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        raise ExportError("llama-cpp-python is not installed: run `make llama-cpp` (builds it from its PyPI source "
                          "release, about 8 minutes on 2 cores)") from None


def converter(root: Path = Path(".")) -> Path:
    """llama.cpp's `convert_hf_to_gguf.py` from the source release of the installed llama-cpp-python."""
    script = root / SOURCES / llama_cpp_version() / "convert_hf_to_gguf.py"
    if not script.is_file():
        raise ExportError(f"llama.cpp's converter is missing ({script}): run `make llama-cpp`")
    return script


def quant_types() -> dict[str, int]:
    """Quantization names llama.cpp knows (`q8_0`, `q4_k_m`, ...) -> its file-type constant."""
    import llama_cpp

    return {name[len(FTYPE_PREFIX):].lower(): getattr(llama_cpp, name) for name in dir(llama_cpp)
            if name.startswith(FTYPE_PREFIX) and not name.endswith("_GUESSED")}


def check_quant(quant: str) -> str:
    known = quant_types()
    if quant.lower() not in known or quant.lower() in ("f32", "f16", "bf16", "all_f32"):
        allowed = ", ".join(sorted(q for q in known if q not in ("f32", "f16", "bf16", "all_f32")))
        raise ExportError(f"unknown quantization {quant!r}; llama.cpp's quantizer knows: {allowed}")
    return quant.lower()


def convert(hf_dir: Path, out: Path, outtype: str = "f16", root: Path = Path(".")) -> Path:
    """`hf_dir` (a transformers model directory) -> one GGUF file, by llama.cpp's converter in a subprocess
    (it puts its own `gguf-py` first on its path, so the project's pinned `gguf` is never mixed in)."""
    if outtype not in CONVERTER_TYPES:
        raise ExportError(f"the converter writes {', '.join(CONVERTER_TYPES)}, not {outtype!r}")
    cmd = [sys.executable, str(converter(root)), str(hf_dir), "--outfile", str(out), "--outtype", outtype]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode or not out.is_file():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise ExportError(f"llama.cpp's converter failed on {hf_dir} ({' '.join(cmd)}):\n{tail}")
    return out


def quantize(source: Path, out: Path, quant: str) -> Path:
    """A GGUF file quantized by llama.cpp's quantizer (tensors a k-quant cannot hold get its fallback type)."""
    import llama_cpp

    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)  # not a line per tensor
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = quant_types()[check_quant(quant)]
    params.nthread = os.cpu_count() or 1
    failed = llama_cpp.llama_model_quantize(str(source).encode(), str(out).encode(), ctypes.byref(params))
    if failed or not out.is_file():
        raise ExportError(f"llama.cpp could not quantize {source} to {quant}")
    return out


def metadata_of(path: Path) -> dict:
    """The GGUF fields a faithful export must carry: architecture, chat template, EOS and BOS ids."""
    from gguf import GGUFReader

    reader = GGUFReader(str(path))

    def field(key):
        f = reader.fields.get(key)
        return None if f is None else f.contents()

    return {"architecture": field("general.architecture"), "chat_template": field("tokenizer.chat_template"),
            "eos_token_id": field("tokenizer.ggml.eos_token_id"), "bos_token_id": field("tokenizer.ggml.bos_token_id"),
            "file_type": field("general.file_type"), "tensors": len(reader.tensors)}
