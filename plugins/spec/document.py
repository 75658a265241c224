"""A spec as read from its file: the whole YAML mapping, the part handed to Ludwig and the project's own block.

Why a module of its own: every check and every command needs these few names (the project key, the Spec, the
error that lists a spec's problems), and they depend on no check, so every check can import them without
importing another check.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Project-only settings live under this one top-level key. Ludwig 0.17 ignores unknown top-level
# keys, so each spec stays a config the stock `ludwig` CLI accepts; the project strips the block
# before handing the config to Ludwig and validates it here.
PROJECT_KEY = "medical_llm"


class SpecError(Exception):
    """One or more problems in a spec; each line names the file and key."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path, self.problems = str(path), problems
        super().__init__("\n".join(f"{self.path}: {p}" for p in problems))


@dataclass
class Spec:
    """A loaded spec: the whole YAML, the Ludwig part and the project part."""

    path: Path
    raw: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def ludwig(self) -> dict:
        """The config handed to Ludwig: the spec without the project-only block."""
        return {k: copy.deepcopy(v) for k, v in self.raw.items() if k != PROJECT_KEY}

    @property
    def project(self) -> dict:
        return self.raw.get(PROJECT_KEY) or {}

    @property
    def data(self) -> dict:
        return self.project.get("data") or {}

    @property
    def feature_names(self) -> list[str]:
        return [f["name"] for f in self.raw["input_features"] + self.raw["output_features"]]


def read_yaml(path: Path) -> dict:
    """Parse a spec file, turning YAML errors into a message with the line number."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(path, ["spec file not found (specs live in specs/*.yaml)"])
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError(path, [f"not valid YAML: {where}{getattr(e, 'problem', e)}"]) from None
    if not isinstance(raw, dict):
        raise SpecError(path, ["a spec must be a YAML mapping of keys (model_type, base_model, ...)"])
    return raw
