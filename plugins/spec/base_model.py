"""The base model a spec names: a local model directory (which must exist) or a Hugging Face hub id.

Why a module of its own: a missing model directory is the commonest first error (`make model` not yet run), and
the prompt check and the app ask the same question, local or hub, and must answer it one way.
"""

from __future__ import annotations

import os
from pathlib import Path


def is_local_model(base_model: str) -> bool:
    """Local when it exists, starts with '.', '/' or '~', or lies under models/; else a hub id."""
    return (os.path.exists(os.path.expanduser(base_model)) or base_model.startswith((".", "/", "~"))
            or base_model.startswith("models/"))


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")


def problems(raw: dict) -> list[str]:
    base = raw.get("base_model")
    if not isinstance(base, str) or not is_local_model(base):
        return []
    path = Path(os.path.expanduser(base))
    if not (path / "config.json").is_file():
        made_here = base.startswith("models/")
        fix = " — run 'make model' (or 'make tiny-model') to build it" if made_here else ""
        return [f"'base_model': model directory not found: {base} (expected a Hugging Face model directory "
                f"with config.json){fix}"]
    return []
