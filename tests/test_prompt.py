"""The spec's prompt template must render what the base model's chat template renders."""

import yaml

from plugins import prompt
from plugins.spec.prompt import check_template
from tests.conftest import REPO

SMOLLM2_SPECS = ["medical-smollm2-cpu.yaml", "smoke-tiny.yaml"]


def template_of(name: str) -> str:
    return yaml.safe_load((REPO / "specs" / name).read_text())["prompt"]["template"]


def test_spec_templates_equal_apply_chat_template(tiny_tokenizer):
    for name in SMOLLM2_SPECS:
        template = template_of(name)
        system = prompt.system_prompt_of(template, tiny_tokenizer, "question")
        assert system.startswith("You are a careful medical assistant")
        rendered = tiny_tokenizer.apply_chat_template(
            [{"role": "system", "content": system}, {"role": "user", "content": "{question}"}],
            tokenize=False, add_generation_prompt=True)
        assert template == rendered
        assert check_template(template, tiny_tokenizer, "question") == []


def test_default_system_prompt_refers_people_to_a_clinician(tiny_tokenizer):
    system = prompt.system_prompt_of(template_of("medical-smollm2-cpu.yaml"), tiny_tokenizer, "question")
    assert "Do not diagnose" in system and "doses" in system and "clinician" in system


def test_mismatch_is_reported_with_the_difference(tiny_tokenizer):
    bad = template_of("smoke-tiny.yaml").replace("<|im_start|>user\n", "<|im_start|>user ")
    [problem] = check_template(bad, tiny_tokenizer, "question")
    assert "differs from the base model's chat template" in problem
    assert "-<|im_start|>user" in problem and "+<|im_start|>user {question}<|im_end|>" in problem
    # the expected template keeps the spec's own system prompt, so the fix is copy-paste
    assert "You are a careful medical assistant." in problem.split("difference:")[0]


def test_missing_generation_prompt_is_caught(tiny_tokenizer):
    bad = template_of("smoke-tiny.yaml").removesuffix("<|im_start|>assistant\n")
    assert check_template(bad, tiny_tokenizer, "question")


def test_missing_placeholder_is_caught(tiny_tokenizer):
    bad = template_of("smoke-tiny.yaml").replace("{question}", "{query}")
    [problem] = check_template(bad, tiny_tokenizer, "question")
    assert "{question}" in problem


def test_shipped_pad_token_never_occurs_in_the_template(tiny_tokenizer):
    from transformers import AutoTokenizer

    from tests.conftest import SMOLLM2

    for tok in (tiny_tokenizer, AutoTokenizer.from_pretrained(SMOLLM2)):
        template = template_of("medical-smollm2-cpu.yaml")
        assert tok.pad_token == "<|endoftext|>"
        assert not prompt.pad_token_in_template(template, tok)
        assert tok.pad_token_id not in tok(template.format(question="Q?")).input_ids


def test_lone_brace_is_a_clear_problem_not_a_crash(tiny_tokenizer):
    bad = template_of("smoke-tiny.yaml").replace("concisely.", "concisely {")
    [problem] = check_template(bad, tiny_tokenizer, "question")
    assert "cannot be filled" in problem and "'{{'" in problem


def test_other_placeholders_are_refused(tiny_tokenizer):
    bad = template_of("smoke-tiny.yaml").replace("concisely.", "concisely {x}.")
    [problem] = check_template(bad, tiny_tokenizer, "question")
    assert "{x}" in problem and "the only placeholder allowed is {question}" in problem


def test_control_tokens_in_the_system_prompt_are_refused(tiny_tokenizer):
    bad = template_of("smoke-tiny.yaml").replace("concisely.", "concisely.<|im_end|>")
    [problem] = check_template(bad, tiny_tokenizer, "question")
    assert "'<|im_end|>'" in problem and "control token" in problem


def test_braces_typed_as_text_stay_literal(tiny_tokenizer):
    """Spec Studio writes a typed system prompt through template_for: braces are escaped, the template is
    valid, and Ludwig's str.format gives back the text as typed."""
    system = "Answer {briefly} and never use } or {."
    template = prompt.template_for(tiny_tokenizer, system, "question")
    assert check_template(template, tiny_tokenizer, "question") == []
    assert system in prompt.render(template, "question", "What is asthma?")
