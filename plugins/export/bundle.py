"""Where exports live: `exports/<spec>/<timestamp>/`, never overwritten, each with a `manifest.json`.

The manifest is all a server needs besides the model files: the prompt template and its input name, the
generation settings, the sequence length, the run and data it came from, and a checksum per file.
`Export` reads it with the same names `plugins.runs.Run` uses, so the app and the API take either.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path

from plugins import runs

EXPORTS = Path("exports")
MANIFEST = "manifest.json"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Export:
    """One finished export, read from its manifest."""

    def __init__(self, export_dir: Path):
        self.dir = Path(export_dir)

    @classmethod
    def find(cls, export: str | Path) -> Export:
        path = Path(export)
        if not (path / MANIFEST).is_file():
            raise runs.RunError(f"{path} is not an export (no {MANIFEST}); exports live in "
                                "exports/<spec>/<timestamp>/, made by `make export`")
        return cls(path.resolve())

    @classmethod
    def newest_for(cls, run: runs.Run, root: Path = EXPORTS) -> Export:
        """The newest export of `run` (RunError says how to make one when there is none)."""
        found = []
        for manifest in sorted((root / run.name).glob(f"*/{MANIFEST}")):
            recorded = json.loads(manifest.read_text()).get("run", "")
            if Path(recorded).name == run.dir.name and manifest.parent.name != "latest":
                found.append(manifest.parent)
        if not found:
            raise runs.RunError(f"run {run.dir} has no export in {root / run.name}/: make one with "
                                f"`make export RUN={run.dir}` (about a minute), or use ENGINE=transformers")
        return cls(found[-1].resolve())

    @cached_property
    def manifest(self) -> dict:
        return json.loads((self.dir / MANIFEST).read_text())

    @property
    def name(self) -> str:
        return self.manifest["spec"]

    @property
    def template(self) -> str:
        return self.manifest["prompt"]["template"]

    @property
    def input_name(self) -> str:
        return self.manifest["prompt"]["input_name"]

    @property
    def generation(self) -> dict:
        return self.manifest["generation"]

    @property
    def max_sequence_length(self) -> int:
        return self.manifest["max_sequence_length"]

    @property
    def hf_dir(self) -> Path:
        return self.dir / "hf"

    @property
    def quant(self) -> str:
        return self.manifest["quant"]

    def gguf(self, kind: str | None = None, base: bool = False) -> Path:
        """A GGUF file of the export: the quantized one by default, `f16`, or the base model's (`base`)."""
        return self.dir / f"{'base' if base else 'model'}-{kind or self.quant}.gguf"

    def run(self) -> runs.Run | None:
        """The run the export came from, when it is still on this machine."""
        path = Path(self.manifest.get("run", ""))
        return runs.Run(path) if (path / "spec.yaml").is_file() else None

    @property
    def grounded(self) -> bool:
        """Whether the model answers from retrieved passages (the manifest then holds the `retrieval:` block)."""
        return bool(self.manifest.get("grounded"))

    def corpus_changes(self, root: Path = Path(".")) -> list[str]:
        """The retrieval corpus files (relative to the project) missing or changed since the export."""
        recorded = self.manifest.get("retrieval", {}).get("corpus_sha256", {})
        return [name for name, digest in recorded.items()
                if not (root / name).is_file() or sha256(root / name) != digest]

    def verify(self) -> list[str]:
        """Files whose checksum no longer matches the manifest (empty when the export is intact)."""
        return [name for name, digest in self.manifest["sha256"].items()
                if not (self.dir / name).is_file() or sha256(self.dir / name) != digest]
