"""Text files that travel with an export: an Ollama `Modelfile` and a README with the commands to run it."""

from __future__ import annotations

from plugins.app.engines import Settings
from plugins.export.merged import template_parts

WITHOUT_PASSAGES = ("This model was trained to answer from NIH passages retrieved for each question. Ollama and "
                    "llama-server cannot retrieve: run here, it answers WITHOUT the passages (its prompt says none "
                    "matched, so it mostly declines; anything else it says is unchecked, and no citation means "
                    "anything). For checked, cited answers run the project's server on this export: "
                    "make serve EXPORT=<this directory> (or make app).")


def modelfile(gguf_name: str, template: str, question_field: str, system_prompt: str | None,
              settings: Settings, stop: list[str], n_ctx: int, grounded: bool = False) -> str:
    """An Ollama Modelfile whose TEMPLATE renders the spec's prompt (Go template syntax: `.System`, `.Prompt`); a
    grounded model's starts with the warning that Ollama answers without its passages."""
    before, between, suffix = template_parts(template, question_field, system_prompt)

    def go(text: str) -> str:  # literal text inside a Go template
        return text.replace("{{", '{{ "{{" }}')

    body = (go(before) + "{{ .System }}" if system_prompt else "") + go(between) + "{{ .Prompt }}" + go(suffix)
    lines = [f"# WARNING: {WITHOUT_PASSAGES}"] if grounded else []
    lines += [f"FROM ./{gguf_name}", f'TEMPLATE """{body}"""']
    if system_prompt:
        lines.append(f'SYSTEM """{system_prompt}"""')
    lines += [f'PARAMETER stop "{s}"' for s in stop]
    lines += [f"PARAMETER temperature {settings.temperature:g}", f"PARAMETER num_predict {settings.max_new_tokens}",
              f"PARAMETER repeat_penalty {settings.repetition_penalty:g}",
              "PARAMETER repeat_last_n -1",  # the whole context, as transformers' repetition penalty
              f"PARAMETER num_ctx {n_ctx}"]
    if settings.temperature > 0:
        lines.append(f"PARAMETER top_p {settings.top_p:g}")
    return "\n".join(lines) + "\n"


def readme(manifest: dict) -> str:
    """How to use the export elsewhere, with the exact file names of this one."""
    quant, spec = manifest["quant"], manifest["spec"]
    gguf_name = f"model-{quant}.gguf"
    question = "What are the symptoms of anaemia?"
    checks = manifest.get("checks", {})
    fidelity = "\n".join(f"- {k}: {v}" for k, v in checks.items()) or "- (none recorded)"
    grounded = f"\n**Grounded model.** {WITHOUT_PASSAGES}\n" if manifest.get("grounded") else ""
    return f"""# {spec}: exported model

From run `{manifest['run']}` (data sha256 `{manifest['data_sha256'][:12]}…`), exported {manifest['created']} by
`make export`. A research model fine-tuned on medical flashcards: **not medical advice**; it can be wrong.
{grounded}
| file | what |
|---|---|
| `hf/` | the LoRA merged into `{manifest['base_model']}`: safetensors, the spec's chat template, \
`generation_config.json` |
| `model-f16.gguf` | the same weights in GGUF (f16), by llama.cpp's converter |
| `{gguf_name}` | quantized by llama.cpp's quantizer ({quant}) |
| `base-{quant}.gguf` | the base model, same quantization (for side-by-side answers) |
| `Modelfile` | Ollama: template, stop tokens, generation settings |
| `manifest.json` | checksums, run, spec, data hash, checks |

## Run it

transformers (Python):

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
tok = AutoTokenizer.from_pretrained("hf")
model = AutoModelForCausalLM.from_pretrained("hf")
ids = tok.apply_chat_template([{{"role": "user", "content": "{question}"}}], add_generation_prompt=True,
                              return_tensors="pt", return_dict=True)
print(tok.decode(model.generate(**ids)[0, ids["input_ids"].shape[1]:], skip_special_tokens=True))
```

llama.cpp (`llama-cli` / `llama-server` use the chat template embedded in the GGUF; `--jinja` applies it as is):

```sh
llama-server -m {gguf_name} --jinja --temp 0 --repeat-penalty {manifest['generation'].get('repetition_penalty', 1.0)} \\
  --repeat-last-n -1 --host 127.0.0.1 --port 8080
```

Ollama:

```sh
ollama create {spec} -f Modelfile
ollama run {spec} "{question}"
```

This project's own OpenAI-compatible server, with its safety triage: `make serve EXPORT=<this directory>`.

## Checks made at export

{fidelity}
"""
