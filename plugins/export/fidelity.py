"""Checks that an export answers what its run answers: greedy tokens compared on test questions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plugins import prompt
from plugins.app.engines import Engine, Settings


@dataclass
class Agreement:
    """How many questions two engines answered with the same first `tokens` greedy tokens."""

    same: int
    questions: int
    tokens: int
    first_difference: dict | None  # the first question that differed: its index and both answers' tokens

    def __str__(self) -> str:
        return f"{self.same}/{self.questions} questions with identical first {self.tokens} greedy tokens"


def greedy(settings: Settings, tokens: int) -> Settings:
    """The spec's settings, greedy, cut at `tokens` new tokens (the repetition penalty stays: it shapes the answer)."""
    return Settings(0.0, 1.0, tokens, settings.repetition_penalty)


def agreement(reference: Engine, other: Engine, questions: list[str], template: str, question_field: str,
              settings: Settings, tokens: int, columns: Callable[[str], dict] | None = None) -> Agreement:
    """`columns(question)`: the template's other columns for a question (a grounded run's passages)."""
    same, first = 0, None
    run = greedy(settings, tokens)
    for i, question in enumerate(questions):
        text = prompt.render(template, question_field, question, **(columns(question) if columns else {}))
        a, b = list(reference.tokens(text, run)), list(other.tokens(text, run))
        if a == b:
            same += 1
        elif first is None:
            first = {"question": i, reference.name: a, other.name: b}
    return Agreement(same, len(questions), tokens, first)
