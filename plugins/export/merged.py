"""`hf/`: the run's LoRA merged into its base model, loadable anywhere with plain transformers.

Its tokenizer's chat template renders exactly the spec's `prompt.template` for (system prompt, question),
and its `generation_config.json` holds the spec's generation settings, so `apply_chat_template` +
`generate()` elsewhere answer what the run answers here. A grounded run's template also names its passages,
which nothing outside the project retrieves: there they are rendered as "no passage matched", the case the
model was trained to decline, never left for the model to invent.
"""

from __future__ import annotations

import json
from pathlib import Path

from plugins import models, prompt, runs
from plugins.app.engines import Settings
from plugins.retrieval import sources

SENTINEL = "\x00QUESTION\x00"


def template_parts(template: str, question_field: str, system_prompt: str | None) -> tuple[str, str, str]:
    """The filled template split around the system prompt and the question: (before the system prompt,
    between it and the question, after the question). With no system prompt the first part is empty."""
    prefix, _, suffix = prompt.render(template, question_field, SENTINEL).partition(SENTINEL)
    if system_prompt and system_prompt in prefix:
        before, _, between = prefix.partition(system_prompt)
        return before, between, suffix
    return "", prefix, suffix


def chat_template(template: str, question_field: str, system_prompt: str | None) -> str:
    """A Jinja chat template equal to the spec's template: the last user message is the question and a
    system message, if any, replaces the spec's system prompt (when the template has one). Earlier turns
    are not rendered: the model was trained on single questions."""
    before, between, suffix = template_parts(template, question_field, system_prompt)

    def lit(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = ["{%- set users = messages | selectattr('role', 'equalto', 'user') | list -%}",
             "{%- set question = users[-1]['content'] if users else '' -%}"]
    if system_prompt:
        lines += [f"{{%- set system = namespace(text={lit(system_prompt)}) -%}}",
                  "{%- for m in messages if m['role'] == 'system' %}{% set system.text = m['content'] %}{% endfor -%}",
                  f"{{{{- {lit(before)} + system.text + {lit(between)} + question + {lit(suffix)} -}}}}"]
    else:
        lines.append(f"{{{{- {lit(between)} + question + {lit(suffix)} -}}}}")
    return "\n".join(lines)


def system_prompt(template: str, question_field: str, tokenizer) -> str | None:
    """The system prompt a template carries (read against the base model's chat template)."""
    if not getattr(tokenizer, "chat_template", None):
        return None
    return prompt.system_prompt_of(template, tokenizer, question_field)


def generation_config(settings: Settings, tokenizer):
    from transformers import GenerationConfig

    kwargs = settings.generate_kwargs()
    return GenerationConfig(**kwargs, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                            bos_token_id=tokenizer.bos_token_id)


def write(run: runs.Run, base_path: str, out: Path) -> dict:
    """Merge, save and describe `hf/` in `out`; returns what the manifest and the Modelfile take from it."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    template = sources.without_retrieval(run.template)
    system = system_prompt(template, run.input_name, tokenizer)
    model = models.merge_adapter(models.load_base(base_path), run.adapter_dir)
    settings = Settings.from_generation(run.generation)
    model.generation_config = generation_config(settings, tokenizer)
    tokenizer.chat_template = chat_template(template, run.input_name, system)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    probe = [{"role": "user", "content": "What is anaemia?"}]
    rendered = tokenizer.apply_chat_template(probe, tokenize=False, add_generation_prompt=True)
    if rendered != prompt.render(template, run.input_name, "What is anaemia?"):  # never ship a drifting template
        raise RuntimeError(f"the exported chat template renders {rendered!r}, not the spec's template")
    return {"template": template, "system_prompt": system, "generation": model.generation_config.to_diff_dict(),
            "eos_token": tokenizer.eos_token, "eos_token_id": tokenizer.eos_token_id}
