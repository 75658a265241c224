"""Numeric precision on the CPU: fp32, or bfloat16 autocast where the CPU has bf16 matrix units.

Why a project key (`medical_llm.precision: auto | fp32 | bf16`) and not Ludwig's
`trainer.use_mixed_precision`: Ludwig 0.17's key is a boolean (no "auto") meaning CUDA fp16 autocast
with a gradient scaler, and Ludwig switches it off when there is no GPU. Server CPUs with AMX or
AVX512-BF16 (Arm: BF16) multiply bfloat16 several times faster than fp32; elsewhere torch emulates
bf16 and it is slower. So `auto` looks at the CPU's flags and picks, and the decision (with the
flags it saw) is printed and kept in the run's summary.

Training in bf16 is autocast (torch's CPU autocast lists) with the frozen base model's linear layers
stored in bf16 (autocast would otherwise re-cast them at every forward); embeddings, norms, LoRA
adapters and the optimizer state stay fp32, so a saved adapter is fp32 and loads anywhere. Answering
one token at a time (the app, the API) runs the merged model wholly in bf16: autocast's per-op casts
cost more than they save at batch 1, while bf16 weights halve the bytes read per token.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

CHOICES = ("auto", "fp32", "bf16")
ALLOWED = "auto (bf16 where the CPU has bf16 matrix units, else fp32), fp32 or bf16"
# /proc/cpuinfo flags of bf16 matrix units: Intel AMX and AVX512-BF16 (x86 `flags`), Arm BF16 (`Features`)
NATIVE = ("amx_bf16", "avx512_bf16", "bf16")
SHOWN = ("amx_bf16", "amx_tile", "avx512_bf16", "avx512f", "avx2", "bf16", "sve", "asimd")  # flags worth recording


@dataclass(frozen=True)
class Decision:
    requested: str  # what the spec asked for
    dtype: str  # fp32 or bf16: what runs
    reason: str
    flags: tuple[str, ...]  # the relevant CPU flags seen
    warning: str | None = None  # bf16 asked for where it would be emulated

    @property
    def bf16(self) -> bool:
        return self.dtype == "bf16"

    @property
    def autocast_dtype(self) -> torch.dtype | None:
        """For engines that take an autocast dtype themselves (lm-eval's HFLM)."""
        return torch.bfloat16 if self.bf16 else None

    def describe(self) -> str:
        return f"precision: {self.dtype} ({self.requested}: {self.reason})"

    def as_dict(self) -> dict:
        return {**asdict(self), "flags": list(self.flags),
                "torch_cpu_capability": torch.backends.cpu.get_cpu_capability()}


def cpu_flags(cpuinfo: Path | None = None) -> frozenset[str]:
    """The CPU's feature flags (x86 `flags`, Arm `Features`) from /proc/cpuinfo, or from the file named by
    $MEDICAL_LLM_CPUINFO (to see what another machine would pick); empty where the file is missing."""
    cpuinfo = cpuinfo or Path(os.environ.get("MEDICAL_LLM_CPUINFO", "/proc/cpuinfo"))
    try:
        text = cpuinfo.read_text()
    except OSError:
        return frozenset()
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return frozenset(flags)


def decide(requested: str = "auto", flags: frozenset[str] | set[str] | None = None) -> Decision:
    """What runs for `requested` on a CPU with `flags` (this machine's when None)."""
    if requested not in CHOICES:
        raise ValueError(f"precision {requested!r}; allowed: {ALLOWED}")
    flags = cpu_flags() if flags is None else frozenset(flags)
    seen = tuple(f for f in SHOWN if f in flags)
    native = [f for f in NATIVE if f in flags]
    units = f"this CPU reports {', '.join(native)}" if native else (
        f"this CPU has no bf16 matrix units (no {', '.join(NATIVE[:2])} or Arm bf16 flag"
        + (f"; flags seen: {', '.join(seen)}" if seen else "") + ")")
    if requested == "fp32":
        return Decision(requested, "fp32", "as the spec asks", seen)
    if requested == "bf16":
        warning = None if native else (f"bf16 was asked for but {units}: torch emulates bf16 there, usually slower "
                                       "than fp32; use precision: auto or fp32")
        return Decision(requested, "bf16", "as the spec asks" + ("" if native else " (emulated)"), seen, warning)
    return Decision(requested, "bf16" if native else "fp32", units, seen)


def problems(value, where: str) -> list[str]:
    return [] if value in CHOICES else [f"'{where}' is {value!r}; allowed: {ALLOWED}"]


def of_project(project: dict) -> Decision:
    """The decision for a spec's `medical_llm:` block (a run's spec, when making its answers)."""
    return decide((project or {}).get("precision", "auto"))


def frozen_linears_to_bf16(model: torch.nn.Module) -> int:
    """Store the frozen linear layers of `model` (a base model under LoRA training) in bf16, except the output
    layer, whose weight is the (fp32) input embedding when tied. Returns how many were cast."""
    output = model.get_output_embeddings()
    cast = 0
    for module in model.modules():
        if (isinstance(module, torch.nn.Linear) and module is not output and not module.weight.requires_grad
                and module.weight.dtype != torch.bfloat16):
            module.to(torch.bfloat16)
            cast += 1
    return cast


def for_answers(model: torch.nn.Module, decision: Decision | None) -> torch.nn.Module:
    """A loaded (merged) model as the app and the API run it: wholly bf16 for a bf16 decision, else as it is."""
    return model.to(torch.bfloat16) if decision is not None and decision.bf16 else model


def autocast(decision: Decision | None):
    """The context every forward pass and generation runs in: bf16 autocast on the CPU, or nothing (fp32,
    or None). Autocast is per thread: enter it in the thread that runs the model."""
    if decision is not None and decision.bf16:
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()
