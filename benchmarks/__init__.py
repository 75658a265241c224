"""Benchmarks: speed and quality measured side by side in one run, reported under reports/bench/."""

from __future__ import annotations

import json
from pathlib import Path

from plugins import runs


def write_report(name: str, result: dict, text: str, root: Path) -> Path:
    """<root>/bench/<timestamp>/<name>.json and .md (a fresh folder, never overwritten); prints the Markdown."""
    out = runs.new_run_dir("bench", root)
    (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / f"{name}.md").write_text(text)
    print(text)
    print(f"wrote {out}/{name}.{{json,md}}")
    return out
