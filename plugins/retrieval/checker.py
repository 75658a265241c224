"""Cite or stay silent: a grounded answer is checked sentence by sentence before anyone sees it.

A citation lends NIH's authority to the sentence beside it, so each sentence the model writes is attributed to
the passage that supports it best (the share of its content words, as the index stems them, found in that
passage and its topic) and shown with that passage's `[n]` only when the support reaches `min_support`, its
numbers are in the passage, a negation in it has one in the passage, and it says something beyond the question.
Generation stops at the first sentence that repeats an earlier one (or runs on, saying a 3-word phrase a third
time; or counts citation markers): a looping answer is cut where it starts to loop. When nothing supported is
left, the answer is the best passage's own sentences, quoted and cited; when the model says its passages do not
answer, the "not answered" reply. The app, the API and `make compare` all answer through `check` (or `stream`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from plugins.retrieval import sentences as split
from plugins.retrieval.index import DEFAULTS, Hit, Retriever

MIN_SUPPORT = DEFAULTS["min_support"]  # the share of a sentence's content words its passage must hold
# what training teaches for passages that do not answer; its first word starts no NIH sentence, so greedy decoding
# never drifts into it from an answer that begins with "The ..."
DECLINE = "None of the sources above answers this question."
NOT_COVERED = ("The trusted sources this assistant answers from (NIH pages, MedQuAD) do not cover this question, "
               "so it will not guess. Please ask a clinician or look at https://medlineplus.gov/.")
NOT_ANSWERED = ("The NIH passages found for this question do not answer it, so the assistant will not guess. "
                "Please ask a clinician or look at https://medlineplus.gov/.")
QUOTE_WORDS = 45  # the quoted fallback: the best passage's first sentences up to about this many words
NEGATION = re.compile(r"\b(?:not|no|never|none|neither|nor|cannot|without)\b|n't\b", re.IGNORECASE)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
LOOP_NGRAM, LOOP_COUNT = 3, 3  # a 3-word phrase said 3 times in one sentence is a loop
MARKER_RUN = re.compile(r"\[\d+\](?:\s*\[\d+\]){2,}")  # "[1] [2] [3] ...": the model counting citations, a loop
DECLINE_OPENING = "none of the sources above answer"  # however the decline reply goes on


@dataclass
class Sentence:
    """One sentence of the model's answer and the checker's verdict on it."""

    text: str  # without the model's own [n] markers
    cite: int | None  # the rank of the passage that supports it best (None: no passage holds any of it)
    support: float  # the share of its content words in that passage
    kept: bool
    why: str = ""  # why it was removed

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Checked:
    """What is shown for one answer, and how it was decided."""

    text: str  # the shown answer: kept sentences with their [n], a note on removals; or the fallback / decline
    sentences: list[Sentence] = field(default_factory=list)
    declined: bool = False  # the model said its passages do not answer (or none were found): nothing asserted
    quoted: bool = False  # nothing the model wrote was supported: the best passage quoted instead
    stopped: bool = False  # generation was cut at a repeated sentence or phrase
    generated: str = ""  # the model's text as generated (before the cut)
    cited: list[int] = field(default_factory=list)  # the passages the shown text cites, by rank
    final: bool = True  # False while the answer is still being generated (only complete sentences shown)
    tokens: int = 0  # tokens generated so far (counted by whoever drives the model)

    @property
    def removed(self) -> int:
        return sum(not s.kept for s in self.sentences)

    def attribution(self) -> list[dict]:
        """Per sentence: its text, the passage it cites, its support, kept or removed and why (the API's view)."""
        return [s.as_dict() for s in self.sentences]


def content(text: str) -> set[str]:
    """The content words of a text as the index stems them, plus its numbers."""
    return Retriever.stems(text) | set(NUMBER.findall(text))


def _normal(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", split.without_markers(sentence).lower()))


def loop_start(parts: list[str]) -> int | None:
    """The index of the first sentence that repeats an earlier one or runs on saying one 3-word phrase a third
    time; None when the sentences do not loop. (A topic's three-word name said three times over several sentences
    is how NIH pages write, not a loop.)"""
    seen = set()
    for i, sentence in enumerate(parts):
        normal = _normal(sentence)
        if normal and normal in seen:
            return i
        seen.add(normal)
        tokens = normal.split()
        grams = Counter(zip(*(tokens[j:] for j in range(LOOP_NGRAM))))
        if grams and max(grams.values()) >= LOOP_COUNT:
            return i
    return None


def loops(text: str) -> bool:
    """The text repeats a sentence, says a 3-word phrase 3 times in one sentence or runs citation markers on
    ("[1] [2] [3]"): the loop rate's definition."""
    return bool(MARKER_RUN.search(text)) or loop_start(split.sentences(text)) is not None


class Checker:
    """The checks for one question's passages: `judge` one sentence, `should_stop` while the answer grows,
    `finish` for what is shown."""

    def __init__(self, hits: list[Hit], question: str = "", min_support: float = MIN_SUPPORT):
        self.hits, self.min_support = list(hits), float(min_support)
        self.question = Retriever.stems(question)
        # the passages' headers as the prompt shows them ("[2] Chickenpox (MPlusHealthTopics):"): copied into an
        # answer they are not a statement
        self.headers = re.compile("|".join(rf"(?:\[\d+\]\s*)?{re.escape(h.focus)}\s*\({re.escape(h.source)}\):"
                                           for h in self.hits), re.IGNORECASE) if self.hits else None
        self.passages = [content(f"{h.focus} {h.text}") for h in self.hits]
        self.negated = [bool(NEGATION.search(h.text)) for h in self.hits]

    def judge(self, sentence: str) -> Sentence:
        """One sentence attributed to its best passage, kept or removed with the reason."""
        text = split.without_markers(sentence)
        words = content(text)
        if not words:
            return Sentence(text, None, 0.0, False, "no content words")
        cited = split.markers(sentence)
        scores = [len(words & p) / len(words) for p in self.passages]
        best = max(scores, default=0.0)
        ties = [i for i, s in enumerate(scores) if s == best]
        choice = next((i for i in ties if i + 1 in cited), ties[0]) if scores and best > 0 else None
        verdict = Sentence(text, None if choice is None else self.hits[choice].rank, round(best, 4), False)
        if choice is None or best < self.min_support:
            verdict.why = f"its passage holds {best:.0%} of its content words (at least {self.min_support:.0%} needed)"
        elif missing := sorted(set(NUMBER.findall(text)) - self.passages[choice]):
            verdict.why = f"number(s) {', '.join(missing)} not in its passage"
        elif NEGATION.search(text) and not self.negated[choice]:
            verdict.why = "it negates what its passage states"
        elif not (words - self.question - set(NUMBER.findall(text))) - Retriever.stems(self.hits[choice].focus):
            verdict.why = "it only restates the question's topic"
        else:
            verdict.kept = True
        return verdict

    def parts(self, text: str) -> tuple[list[str], bool]:
        """The answer's sentences, copied passage headers dropped and cut where it starts to loop; and whether it
        loops."""
        run = MARKER_RUN.search(text)
        if run:  # keep the first marker of the run: the sentence before it cited that passage
            text = f"{text[:run.start()]}[{split.markers(run.group(0))[0]}]"
        if self.headers is not None:
            text = self.headers.sub(" ", text)
        parts = split.sentences(text)
        cut = loop_start(parts)
        return (parts if cut is None else parts[:cut]), bool(run) or cut is not None

    def should_stop(self, text: str) -> bool:
        """While streaming: the answer so far loops, so generation can stop."""
        return self.parts(text)[1]

    def finish(self, generated: str) -> Checked:
        """The shown answer for the model's whole text."""
        generated = generated.strip()
        parts, stopped = self.parts(generated)
        if not self.hits:
            return Checked(NOT_COVERED, declined=True, generated=generated)
        if _normal(generated).startswith(DECLINE_OPENING):
            return Checked(NOT_ANSWERED, declined=True, generated=generated)
        if parts and not re.search(r"[.!?](\s*\[\d+\])*$", parts[-1]) and not stopped:
            unfinished = parts.pop()  # cut by the token limit mid-sentence: never shown half
        else:
            unfinished = None
        judged = [self.judge(p) for p in parts]
        if unfinished is not None:
            judged.append(Sentence(split.without_markers(unfinished), None, 0.0, False, "unfinished"))
        kept = [s for s in judged if s.kept]
        if not kept:
            text, rank = self.quote(generated)
            return Checked(text, judged, quoted=True, stopped=stopped, generated=generated, cited=[rank])
        text = shown(judged)
        if removed := len(judged) - len(kept):
            text += (f"\n\n({removed} sentence{'s' if removed > 1 else ''} the sources do not support "
                     f"{'were' if removed > 1 else 'was'} removed.)")
        return Checked(text, judged, stopped=stopped, generated=generated,
                       cited=sorted({s.cite for s in kept if s.cite is not None}))

    def quote(self, generated: str) -> tuple[str, int]:
        """The passage sharing most words with what the model tried to say beyond the question (ties, a looping or
        empty answer among them: retrieval's best), its first sentences quoted and cited."""
        words = content(split.without_markers(generated)) - self.question
        best = max(range(len(self.hits)), key=lambda i: (len(words & self.passages[i]), -i))
        hit = self.hits[best]
        quoted = ""
        for sentence in split.sentences(hit.text):
            if quoted and split.words(quoted) + split.words(sentence) > QUOTE_WORDS:
                break
            quoted = f"{quoted} {sentence}".strip()
        if split.words(quoted) > QUOTE_WORDS:  # one long sentence, typically a list: its opening words
            quoted = " ".join(quoted.split()[:QUOTE_WORDS]) + " \u2026"
        return f"The NIH page on {hit.focus} says: \u201c{quoted}\u201d [{hit.rank}]", hit.rank


def shown(judged: list[Sentence]) -> str:
    """The kept sentences, each with its citation."""
    return " ".join(f"{s.text} [{s.cite}]" for s in judged if s.kept)


def stream(texts: Iterator[str], checker: Checker) -> Iterator[Checked]:
    """Checked answers while the model writes: each complete sentence is judged as soon as the next one starts
    and shown if kept (`final` False), then the whole answer once (`final` True). The shown text only grows.
    `texts` (the answer so far, growing) is closed as soon as the answer loops: generation stops there."""
    text, judged = "", []
    try:
        for text in texts:
            parts, looping = checker.parts(text)
            if looping:
                break
            complete = parts[:-1]
            if len(complete) > len(judged):
                judged += [checker.judge(s) for s in complete[len(judged):]]
                if judged[-1].kept:
                    yield Checked(shown(judged), list(judged), final=False,
                                  cited=sorted({s.cite for s in judged if s.kept}))
    finally:
        close = getattr(texts, "close", None)
        if close:
            close()
    yield checker.finish(text)


def check(generated: str, hits: list[Hit], question: str = "", min_support: float = MIN_SUPPORT) -> Checked:
    """The shown answer for a grounded run's generated text and the passages it was given."""
    return Checker(hits, question, min_support).finish(generated)
