"""The prompt: one template (the spec's `prompt.template`) for training, evaluation and the app.

Ludwig fills the template itself but does not apply the model's chat template, and a template that
differs from the one the base model was instruction-tuned with is the classic cause of rambling,
repeated answers after fine-tuning. `check_template` (plugins/spec/prompt.py) proves the spec's template renders
exactly what `tokenizer.apply_chat_template` renders for (system prompt, user question).
"""

from __future__ import annotations

SENTINEL = "\x00SYSTEM\x00"


def chat_template_prompt(tokenizer, system_prompt: str, question_field: str) -> str:
    """What the base model's own chat template renders, with `{question_field}` as the user turn."""
    messages = [{"role": "system", "content": system_prompt}, {"role": "user", "content": "{" + question_field + "}"}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def system_prompt_of(template: str, tokenizer, question_field: str) -> str | None:
    """The system prompt a template carries, read by matching it against the chat template."""
    before, _, after = chat_template_prompt(tokenizer, SENTINEL, question_field).partition(SENTINEL)
    if not template.startswith(before):
        return None
    if template.endswith(after) and len(template) >= len(before) + len(after):
        return template[len(before):len(template) - len(after)]
    # Not an exact match: take the system prompt up to the end-of-turn marker, so the diff shows only
    # what really differs (the first line of what follows the system prompt, e.g. `<|im_end|>`).
    end_marker = after.split("\n")[0] or after[:1]
    end = template.find(end_marker, len(before))
    return template[len(before):end] if end >= 0 else None


def escape(text: str) -> str:
    """Literal text inside a template: Ludwig fills templates with `str.format`, so braces are doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def template_for(tokenizer, system_prompt: str, question_field: str) -> str:
    """The template for a system prompt typed as plain text (Spec Studio): braces in it stay literal."""
    return chat_template_prompt(tokenizer, escape(system_prompt), question_field)


def control_tokens(tokenizer) -> list[str]:
    tokens = set(tokenizer.all_special_tokens)
    tokens |= {t.content for t in tokenizer.added_tokens_decoder.values() if t.special}
    return sorted((t for t in tokens if t), key=len, reverse=True)


def pad_token_in_template(template: str, tokenizer) -> bool:
    """Whether the pad token's text occurs in the template (stock Ludwig 0.17.10 then cuts the prompt)."""
    pad = tokenizer.pad_token
    return bool(pad) and pad in template


def render(template: str, question_field: str, question: str, **columns: str) -> str:
    """The prompt for one question, filled exactly as Ludwig fills `prompt.template` for a row
    (`str.format` on the template; the question's own braces are never parsed). The app builds every
    prompt here, so it sends what training and evaluation sent. `columns`: a grounded spec's {sources}."""
    return template.format(**{question_field: question, **columns})
