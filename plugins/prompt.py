"""The prompt: one template (the spec's `prompt.template`) for training, evaluation and the app.

Ludwig fills the template itself but does not apply the model's chat template, and a template that
differs from the one the base model was instruction-tuned with is the classic cause of rambling,
repeated answers after fine-tuning. `check_template` proves the spec's template renders exactly what
`tokenizer.apply_chat_template` renders for (system prompt, user question).
"""

from __future__ import annotations

import difflib
import string

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
    found = [t for t in control_tokens(tokenizer) if t in system_prompt]
    if not found:
        return []
    return [f"the system prompt in 'prompt.template' contains the control token(s) {', '.join(map(repr, found))}: "
            "they mark turns for the model and cannot be part of the instructions; remove them"]


def control_tokens(tokenizer) -> list[str]:
    tokens = set(tokenizer.all_special_tokens)
    tokens |= {t.content for t in tokenizer.added_tokens_decoder.values() if t.special}
    return sorted((t for t in tokens if t), key=len, reverse=True)


def check_template(template: str, tokenizer, question_field: str, extra: tuple[str, ...] = ()) -> list[str]:
    """Problems with the spec's template compared with the chat template; empty when they agree."""
    problems = placeholder_problems(template, question_field, extra)
    if problems or not getattr(tokenizer, "chat_template", None):
        return problems  # a base (non-chat) model: any fillable template is the user's choice
    system = system_prompt_of(template, tokenizer, question_field)
    if system is not None and (problems := control_token_problems(system, tokenizer)):
        return problems
    expected = chat_template_prompt(tokenizer, system if system is not None else "<your system prompt>", question_field)
    if template == expected:
        return []
    diff = "\n".join(difflib.unified_diff(expected.splitlines(keepends=False), template.splitlines(keepends=False),
                                          "chat template", "spec template", lineterm="", n=1))
    return ["'prompt.template' differs from the base model's chat template (apply_chat_template with a system "
            "prompt and the user question); use exactly:\n"
            f"  {expected!r}\n  difference:\n" + "\n".join("    " + line for line in diff.splitlines())]


def pad_token_in_template(template: str, tokenizer) -> bool:
    """Whether the pad token's text occurs in the template (stock Ludwig 0.17.10 then cuts the prompt)."""
    pad = tokenizer.pad_token
    return bool(pad) and pad in template


def render(template: str, question_field: str, question: str, **columns: str) -> str:
    """The prompt for one question, filled exactly as Ludwig fills `prompt.template` for a row
    (`str.format` on the template; the question's own braces are never parsed). The app builds every
    prompt here, so it sends what training and evaluation sent. `columns`: a grounded spec's {sources}."""
    return template.format(**{question_field: question, **columns})
