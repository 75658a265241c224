"""The shipped specs stay minimal and in step: only settings that differ from Ludwig's defaults, and the
two SmolLM2 CPU specs differ only where they mean to (their data)."""

from __future__ import annotations

import copy

import pytest
import yaml

from plugins import spec as spec_mod
from tests.conftest import REPO

SPECS = sorted((REPO / "specs").glob("*.yaml"))
SAME_RECIPE = ("medical-smollm2-cpu.yaml", "medquad-smollm2-cpu.yaml")
MAY_DIFFER = (("medical_llm", "data"), ("medical_llm", "benchmarks"))
ALWAYS_WRITTEN = {"model_type", "base_model", "input_features", "output_features", "prompt", "adapter.type",
                  "trainer.type", "preprocessing.split"}  # what a spec must say even where it is the default


def load(name: str) -> dict:
    return yaml.safe_load((REPO / "specs" / name).read_text())


def without(raw: dict, paths) -> dict:
    out = copy.deepcopy(raw)
    for section, key in paths:
        (out.get(section) or {}).pop(key, None)
    return out


def test_cpu_specs_differ_only_in_their_data():
    default, medquad = (load(n) for n in SAME_RECIPE)
    assert without(default, MAY_DIFFER) == without(medquad, MAY_DIFFER)
    assert default["medical_llm"]["data"] != medquad["medical_llm"]["data"]


def leaves(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        here = f"{prefix}{key}"
        if here in ALWAYS_WRITTEN or key == "medical_llm":
            continue
        if isinstance(value, dict):
            yield from leaves(value, here + ".")
        else:
            yield here, value


@pytest.fixture(scope="module")
def ludwig_defaults() -> dict:
    """Ludwig's resolved config for the smallest valid LLM fine-tuning spec: its defaults."""
    minimal = {k: load("smoke-tiny.yaml")[k] for k in ("model_type", "base_model", "input_features",
                                                        "output_features")}
    minimal |= {"adapter": {"type": "lora"}, "trainer": {"type": "finetune"}}
    return spec_mod.resolved(minimal)


@pytest.mark.parametrize("spec", [s.name for s in SPECS if s.name != "medical-tinyllama-lora.yaml"])
def test_specs_write_only_what_differs_from_ludwigs_defaults(spec, ludwig_defaults):
    """(The TinyLlama reference names a hub model, which Ludwig cannot resolve offline; it is checked by eye.)"""
    restated = []
    for path, value in leaves({k: v for k, v in load(spec).items()}):
        default = ludwig_defaults
        for part in path.split("."):
            default = default.get(part) if isinstance(default, dict) else None
        if default == value:
            restated.append(f"{path}: {value!r}")
    assert not restated, f"{spec} restates Ludwig defaults: {restated}"
