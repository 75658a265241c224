"""The app's model side: a trained run loaded for chat, its answers streamed token by token.

The LoRA adapter is merged into the base model once at load (peft `merge_and_unload`), so each token
costs what the plain base model costs. The prompt comes from `plugins.prompt.render` on the run's own
spec, the question is cleaned like the training data (`plugins.data.normalize_text`), and text a user
types can never become one of the tokenizer's control tokens.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plugins import models, prompt, runs
from plugins.app import triage
from plugins.data import normalize_text
from plugins.spec import is_local_model

MAX_QUESTION_CHARS = 8000  # a cheap first cut, so a pasted book is not tokenised whole


class QuestionError(ValueError):
    """A question that cannot be answered; the message is meant for the user."""


@dataclass
class Settings:
    """Generation controls of the app; temperature 0 means greedy decoding."""

    temperature: float
    top_p: float
    max_new_tokens: int
    repetition_penalty: float

    def generate_kwargs(self) -> dict:
        kwargs = {"max_new_tokens": int(self.max_new_tokens), "repetition_penalty": float(self.repetition_penalty)}
        if self.temperature > 0:
            kwargs.update(do_sample=True, temperature=float(self.temperature), top_p=float(self.top_p))
        else:
            kwargs["do_sample"] = False
        return kwargs


@dataclass
class Question:
    """A question ready for the model, with what the user should be told about it."""

    question: str
    prompt: str
    notices: list[str]  # Markdown lines: truncation, neutralised control tokens
    triage: triage.Triage  # emergency, poisoning or self-harm (with its notice), or nothing


def neutralise(text: str, tokens: list[str]) -> tuple[str, list[str]]:
    """`text` with each control token broken by a space after its first character (`<|im_end|>` ->
    `< |im_end|>`), so it tokenises as plain text; also the tokens that were found. Repeated until none
    is left, because breaking one occurrence may complete another (`<|im_<|im_end|>end|>`)."""
    found = []
    while hit := next((t for t in tokens if t in text), None):
        found.append(hit)
        text = text.replace(hit, hit[0] + " " + hit[1:])
    return text, list(dict.fromkeys(found))


def generation_defaults(run: runs.Run) -> Settings:
    """The run's generation settings as Ludwig resolved them (its saved config), as app controls."""
    gen = run.generation
    return Settings(temperature=float(gen.get("temperature") or 0) if gen.get("do_sample") else 0.0,
                    top_p=float(gen.get("top_p") or 1.0), max_new_tokens=int(gen.get("max_new_tokens") or 96),
                    repetition_penalty=float(gen.get("repetition_penalty") or 1.0))


def base_model_path(base_model: str, root: Path) -> str:
    """A local base model relative to the project root, or a hub id unchanged."""
    if not is_local_model(base_model):
        return base_model
    path = Path(base_model).expanduser()
    return str(path if path.is_absolute() else root / path)


class Assistant:
    """One trained run, ready to answer: the merged fine-tuned model and, on demand, its base model."""

    def __init__(self, run_dir: Path, root: Path = Path(".")):
        from transformers import AutoTokenizer

        self.run = runs.Run(run_dir)
        self.run_dir = self.run.dir
        self.spec = self.run.spec
        self.spec_name = self.run.name
        self.base_path = base_model_path(self.run.base_model, Path(root))
        self.template = self.run.template
        self.question_field = self.run.input_name
        self.tokenizer = AutoTokenizer.from_pretrained(self.base_path)
        self.model = models.merge_adapter(models.load_base(self.base_path), self.run.adapter_dir)
        self.defaults = generation_defaults(self.run)
        self.control_tokens = prompt.control_tokens(self.tokenizer)
        max_length = self.run.max_sequence_length
        template_tokens = len(self.tokenizer(prompt.render(self.template, self.question_field, "")).input_ids)
        # the longest question training could have shown the model, in tokens
        self.max_question_tokens = max(16, max_length - template_tokens)
        self._base = None
        self._base_lock = threading.Lock()

    def base_model(self):
        """The base model without the adapter, loaded on the first comparison."""
        with self._base_lock:
            if self._base is None:
                self._base = models.load_base(self.base_path)
        return self._base

    def prepare(self, question: str) -> Question:
        """Clean, neutralise and bound a question and build its prompt; QuestionError when empty."""
        text = normalize_text(question or "")
        if not text:
            raise QuestionError("Please type a question first, for example: *What are the symptoms of anaemia?*")
        checked = triage.triage(question)  # the message as typed, before any cut: a miss is the dangerous failure
        notices = []
        text, found = neutralise(text[:MAX_QUESTION_CHARS], self.control_tokens)
        if found:
            notices.append("Control markers in your text were treated as plain text: "
                           + ", ".join(f"`{t}`" for t in found) + ".")
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        if len(encoded.input_ids) > self.max_question_tokens:
            text = text[:encoded.offset_mapping[self.max_question_tokens - 1][1]]
            notices.append(f"Your question was too long for this model; only its first {self.max_question_tokens} "
                           f"tokens ({len(text)} characters) were used — the most it saw in training.")
        return Question(text, prompt.render(self.template, self.question_field, text), notices, checked)

    def stream(self, prepared: Question, settings: Settings, fine_tuned: bool = True) -> Iterator[str]:
        """The answer as it grows, one yield per decoded piece. Generation runs in a thread and stops
        early when the caller stops iterating (a user pressed Stop, or left)."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        model = self.model if fine_tuned else self.base_model()
        inputs = self.tokenizer(prepared.prompt, return_tensors="pt")
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        stop = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return stop.is_set()

        errors = []

        def generate():
            try:
                with torch.inference_mode():
                    model.generate(**inputs, streamer=streamer, stopping_criteria=StoppingCriteriaList([_Stop()]),
                                   pad_token_id=self.tokenizer.pad_token_id, **settings.generate_kwargs())
            except Exception as e:  # noqa: BLE001 - re-raised in the caller's thread below
                errors.append(e)
                streamer.end()

        thread = threading.Thread(target=generate, daemon=True)
        thread.start()
        text = ""
        try:
            for piece in streamer:
                if piece:
                    text += piece
                    yield text
        finally:
            stop.set()
            thread.join()
        if errors:
            raise errors[0]

    def describe(self) -> str:
        """Which run and spec are loaded, for the page header."""
        return (f"Run `{self.run_dir}` · spec `{self.spec_name}` · base model `{self.spec['base_model']}` "
                f"+ LoRA adapter (merged)")
