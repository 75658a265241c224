"""The spec's `prompt.template` checked against the base model's own chat template: placeholders, control tokens,
and the exact text `tokenizer.apply_chat_template` renders for (system prompt, user question).

Why: a template that differs from the one the base model was instruction-tuned with is the classic cause of
rambling, repeated answers after fine-tuning, and Ludwig does not compare them. The template itself is rendered
in one place (plugins/prompt.py) for training, evaluation and the app; this module only judges it.
"""

from __future__ import annotations

import difflib
import os
import string

from plugins import prompt
from plugins.retrieval.sources import COLUMN as SOURCES
from plugins.spec.base_model import hub_offline, is_local_model
from plugins.spec.document import PROJECT_KEY


def placeholder_problems(template: str, question_field: str, extra: tuple[str, ...] = ()) -> list[str]:
    """A template `str.format` can fill with the question and nothing else (Ludwig fills it that way), besides
    the `extra` columns data preparation adds (a grounded spec's {sources}), which it must then use."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as e:
        return [f"'prompt.template' cannot be filled: {e}; the only placeholder is {{{question_field}}}, and a "
                "literal brace is written twice: '{{' or '}}'"]
    allowed = (question_field, *extra)
    others = sorted({f for f in fields if f not in allowed})
    if others:
        shown = ", ".join("{" + f + "}" for f in others)
        named = (f"the only placeholder allowed is {{{question_field}}} (the input feature)" if not extra else
                 "the placeholders allowed are " + " and ".join("{" + f + "}" for f in allowed)
                 + " (the input feature and the retrieved passages)")
        return [f"'prompt.template' has the placeholder(s) {shown}; {named}; write a literal brace twice: "
                "'{{' or '}}'"]
    if question_field not in fields:
        return [f"'prompt.template' has no {{{question_field}}} placeholder for the input feature"]
    unused = [f for f in extra if f not in fields]
    if unused:
        return [f"'prompt.template' has no {{{unused[0]}}} placeholder: medical_llm.retrieval gives every question "
                f"its passages in the {unused[0]} column; put {{{unused[0]}}} in the system prompt"]
    return []


def control_token_problems(system_prompt: str, tokenizer) -> list[str]:
    """Control tokens typed into a system prompt would end its turn early or forge another role's turn."""
    found = [t for t in prompt.control_tokens(tokenizer) if t in system_prompt]
    if not found:
        return []
    return [f"the system prompt in 'prompt.template' contains the control token(s) {', '.join(map(repr, found))}: "
            "they mark turns for the model and cannot be part of the instructions; remove them"]


def check_template(template: str, tokenizer, question_field: str, extra: tuple[str, ...] = ()) -> list[str]:
    """Problems with the spec's template compared with the chat template; empty when they agree."""
    problems = placeholder_problems(template, question_field, extra)
    if problems or not getattr(tokenizer, "chat_template", None):
        return problems  # a base (non-chat) model: any fillable template is the user's choice
    system = prompt.system_prompt_of(template, tokenizer, question_field)
    if system is not None and (problems := control_token_problems(system, tokenizer)):
        return problems
    expected = prompt.chat_template_prompt(tokenizer, system if system is not None else "<your system prompt>",
                                           question_field)
    if template == expected:
        return []
    diff = "\n".join(difflib.unified_diff(expected.splitlines(keepends=False), template.splitlines(keepends=False),
                                          "chat template", "spec template", lineterm="", n=1))
    return ["'prompt.template' differs from the base model's chat template (apply_chat_template with a system "
            "prompt and the user question); use exactly:\n"
            f"  {expected!r}\n  difference:\n" + "\n".join("    " + line for line in diff.splitlines())]


def problems(raw: dict, warnings: list[str]) -> list[str]:
    """Compare the prompt with the local base model's chat template (hub models: only when online)."""
    base, template = raw.get("base_model"), (raw.get("prompt") or {}).get("template")
    if not isinstance(template, str):
        return ["missing 'prompt.template': write the base model's chat template with a {question} placeholder"]
    extra = (SOURCES,) if isinstance(raw.get(PROJECT_KEY), dict) and "retrieval" in raw[PROJECT_KEY] else ()
    if problems := placeholder_problems(template, raw["input_features"][0]["name"], extra):
        return problems
    if not is_local_model(base) and hub_offline():
        warnings.append(f"'base_model: {base}' is a hub id and the hub is offline: prompt template not compared "
                        "with its chat template")
        return []
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(os.path.expanduser(base))
    except Exception as e:  # noqa: BLE001 - any load failure is reported as a spec problem
        return [f"'base_model': could not load its tokenizer: {str(e).splitlines()[0]}"]
    if prompt.pad_token_in_template(template, tokenizer):
        warnings.append(f"the pad token {tokenizer.pad_token!r} occurs in 'prompt.template': stock `ludwig` 0.17.10 "
                        "cuts the prompt there; this project's entry points patch it (plugins/ludwig/fixes.py)")
    return check_template(template, tokenizer, raw["input_features"][0]["name"], extra)
