"""`make export [RUN=…] [QUANT=q8_0]`: a trained run as files that run anywhere, in exports/<spec>/<timestamp>/.

hf/ (LoRA merged, the spec's chat template and generation settings), model-f16.gguf and model-<quant>.gguf
(llama.cpp's converter and quantizer), base-<quant>.gguf (the base model, for side-by-side answers), an
Ollama Modelfile, a README with the commands, and manifest.json (checksums, run, spec, data hash, checks).
A grounded run's export also carries its retrieval (the spec's `retrieval:` block and its corpus files'
checksums): the project's server and app answer from it through llama.cpp with the same passages, prompt and
checker as PyTorch, and its checks run with the passages in the prompt; Ollama and llama-server cannot retrieve,
which its Modelfile and README say. The export is built in a hidden directory and moved into place only when
every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from plugins import runs
from plugins.app.engines import LlamaCppEngine, Settings, TransformersEngine
from plugins.export import bundle, fidelity, gguf, merged, ollama
from plugins.retrieval import sources

GGUF_MATCH_TOKENS = 32  # the f16 GGUF must match hf/ greedily this far ...
GGUF_MATCH_SHARE = 0.9  # ... on at least this share of the questions


def step(message: str) -> float:
    print(f"[export] {message} ...", flush=True)
    return time.monotonic()


def local_model_dir(base_model: str, root: Path) -> Path:
    """The base model's directory: a local path, or a hub model already in the local cache."""
    from plugins.app.assistant import base_model_path

    path = Path(base_model_path(base_model, root))
    if path.is_dir():
        return path
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(base_model, local_files_only=True))


def checks(run: runs.Run, tmp: Path, base_path: Path, settings: Settings, questions: list[str], quant: str,
           retriever=None) -> dict:
    """Fidelity of hf/ to the run and of the f16 GGUF to hf/ (greedy tokens; a grounded run's with the passages
    retrieved for each question in the prompt), and the GGUF metadata."""
    from transformers import AutoTokenizer

    from plugins import models

    tokenizer = AutoTokenizer.from_pretrained(tmp / "hf")
    result = {}
    for name in ("model-f16.gguf", f"model-{quant}.gguf", f"base-{quant}.gguf"):
        meta = gguf.metadata_of(tmp / name)
        problems = []
        if meta["eos_token_id"] != tokenizer.eos_token_id:
            problems.append(f"EOS id {meta['eos_token_id']} != the tokenizer's {tokenizer.eos_token_id}")
        if name.startswith("model") and meta["chat_template"] != tokenizer.chat_template:
            problems.append("the embedded chat template differs from hf/'s")
        if problems:
            raise gguf.ExportError(f"{name}: " + "; ".join(problems))
    result["gguf_metadata"] = "chat template and EOS token embedded and equal to hf/'s"
    if not questions:
        return result
    def columns(question: str) -> dict:
        return sources.columns(run.template, retriever.search(question) if retriever else None, retriever)

    with_passages = " with their retrieved passages" if retriever else ""
    t = step(f"checking hf/ against the run on {len(questions)} test questions{with_passages} (greedy, "
             f"{GGUF_MATCH_TOKENS} tokens)")
    run_model = TransformersEngine(models.load_base(base_path), tokenizer)
    from peft import PeftModel

    # the run as trained: base + adapter, unmerged
    run_model.model = PeftModel.from_pretrained(run_model.model, str(run.adapter_dir)).eval()
    hf = TransformersEngine(models.load_base(tmp / "hf"), tokenizer)
    same = fidelity.agreement(run_model, hf, questions, run.template, run.input_name, settings, GGUF_MATCH_TOKENS,
                              columns)
    if same.same != same.questions:
        raise gguf.ExportError(f"hf/ does not answer what the run answers: {same}; first difference: "
                               f"{same.first_difference}")
    result["hf_vs_run"] = str(same)
    print(f"[export]   hf/ vs run: {same} ({time.monotonic() - t:.0f} s)", flush=True)
    f16 = LlamaCppEngine(tmp / "model-f16.gguf", n_ctx=run.max_sequence_length + max(512, settings.max_new_tokens))
    same = fidelity.agreement(hf, f16, questions, run.template, run.input_name, settings, GGUF_MATCH_TOKENS, columns)
    if same.same < GGUF_MATCH_SHARE * same.questions:
        raise gguf.ExportError(f"model-f16.gguf drifts from hf/: {same}; first difference: {same.first_difference}")
    result["f16_gguf_vs_hf"] = str(same)
    print(f"[export]   model-f16.gguf vs hf/: {same}", flush=True)
    return result


def relative(path: Path) -> str:
    """`path` relative to the project when it lies inside it (manifests stay valid when the project moves)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def export(run: runs.Run, quant: str, root: Path = Path("."), out_root: Path = bundle.EXPORTS,
           check_questions: int = 10) -> Path:
    quant = gguf.check_quant(quant)
    block = (run.spec.get("medical_llm") or {}).get("retrieval")
    gguf.converter(root)  # fail before any work when llama.cpp's tools are missing
    if not (run.adapter_dir / "adapter_config.json").is_file():
        raise runs.RunError(f"run {run.dir} has no trained adapter ({run.adapter_dir}); it may have been interrupted")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    final = out_root / run.name / stamp
    n = 1
    while final.exists():
        n += 1
        final = out_root / run.name / f"{stamp}-{n}"
    tmp = final.with_name(f".{final.name}.partial")
    tmp.mkdir(parents=True)
    try:
        base_path = local_model_dir(run.base_model, root)
        settings = Settings.from_generation(run.generation)
        t = step(f"merging the LoRA adapter of {run.dir} into {run.base_model} -> hf/")
        hf = merged.write(run, str(base_path), tmp / "hf")
        print(f"[export]   hf/ written ({time.monotonic() - t:.0f} s)", flush=True)
        t = step("converting hf/ to GGUF with llama.cpp's converter (f16)")
        gguf.convert(tmp / "hf", tmp / "model-f16.gguf", "f16", root)
        t = step(f"quantizing to {quant} with llama.cpp's quantizer")
        gguf.quantize(tmp / "model-f16.gguf", tmp / f"model-{quant}.gguf", quant)
        t = step(f"converting the base model to GGUF ({quant}), for side-by-side answers")
        gguf.convert(base_path, tmp / ".base-f16.gguf", "f16", root)
        gguf.quantize(tmp / ".base-f16.gguf", tmp / f"base-{quant}.gguf", quant)
        (tmp / ".base-f16.gguf").unlink()
        questions = run.rows("test")[run.input_name].head(check_questions).tolist() if check_questions else []
        retriever = None
        if block:
            from plugins.retrieval.index import Retriever

            retriever = Retriever(block, root)
        checked = checks(run, tmp, base_path, settings, questions, quant, retriever)
        summary = json.loads((run.dir / "summary.json").read_text()) if (run.dir / "summary.json").is_file() else {}
        manifest = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "run": relative(run.dir), "spec": run.name, "spec_file": "spec.yaml", "base_model": run.base_model,
            "data_sha256": summary.get("data_sha256") or bundle.sha256(run.dataset),
            "prompt": {"template": run.template, "input_name": run.input_name, "system_prompt": hf["system_prompt"]},
            "generation": settings.__dict__, "max_sequence_length": run.max_sequence_length, "quant": quant,
            "eos_token": hf["eos_token"], "llama_cpp_python": gguf.llama_cpp_version(), "checks": checked,
            "grounded": bool(block),
        }
        if block:
            manifest["retrieval"] = {"block": block, "corpus_sha256": {  # as the spec names them: root-relative
                os.path.relpath(f, root): bundle.sha256(f) for f in retriever.files}}
        shutil.copy(run.dir / "spec.yaml", tmp / "spec.yaml")
        (tmp / "Modelfile").write_text(ollama.modelfile(  # hf/'s template: a grounded one says no passage matched
            f"model-{quant}.gguf", hf["template"], run.input_name, hf["system_prompt"],
            settings, [hf["eos_token"]], run.max_sequence_length + settings.max_new_tokens, grounded=bool(block)))
        (tmp / "README.md").write_text(ollama.readme(manifest))
        manifest["sha256"] = {str(p.relative_to(tmp)): bundle.sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        (tmp / bundle.MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    runs.point_link(final.parent / "latest", final)
    return final


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", nargs="?", help="a run directory (default: the newest run)")
    parser.add_argument("--quant", default="q8_0", help="llama.cpp quantization type (default q8_0; e.g. q4_0, q4_k_m)")
    parser.add_argument("--check-questions", type=int, default=10,
                        help="test questions for the greedy-token checks (0 skips them)")
    args = parser.parse_args(argv)
    try:
        run = runs.Run.find(args.run)
        started = time.monotonic()
        final = export(run, args.quant, check_questions=args.check_questions)
    except (runs.RunError, gguf.ExportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    sizes = "\n".join(f"  {p.name:<22} {p.stat().st_size / 1e6:8.1f} MB" for p in sorted(final.glob("*.gguf")))
    print(f"\nexport: {final} ({(time.monotonic() - started) / 60:.1f} min)\n{sizes}\n"
          f"  serve it:  make serve EXPORT={final}\n  elsewhere: {final / 'README.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
