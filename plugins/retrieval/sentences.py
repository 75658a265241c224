"""Sentences of NIH pages and of answers: one splitter for chunking the corpus, making training targets and
checking answers, so that a sentence the checker keeps is cut the way the passages were cut.

A period ends a sentence when a capital, digit, quote or bracket follows, except after an abbreviation
("e.g.", "Dr.", "U.S.", a single initial); "?" and "!" always do. A citation marker after the stop ("... arthritis.
[1] It causes ...") stays with its sentence. Line breaks and list bullets ("- Fever - Rash") are kept inside a
sentence: a list is one statement, cut by `pieces` only when it is longer than a passage.
"""

from __future__ import annotations

import re

ABBREVIATIONS = {"e.g", "i.e", "dr", "mr", "mrs", "ms", "st", "vs", "etc", "al", "no", "approx", "fig", "u.s", "jr",
                 "sr", "inc", "ltd", "mt", "ft", "oz", "lb", "mg", "ml", "ca", "cf", "ie", "eg", "resp", "dept"}
_BOUNDARY = re.compile(r"(?<=[.!?])((?:\s*\[\d+\])*)\s+(?=[\"'(]?[A-Z0-9])")  # a stop, its [n]s, a new start
MARKER = re.compile(r"\s*\[(\d+)\]")


def sentences(text: str) -> list[str]:
    """`text` cut into sentences (whitespace normalised; each keeps its end mark and any `[n]` after it)."""
    text = " ".join(str(text).split())
    out, start = [], 0
    for match in _BOUNDARY.finditer(text):
        end = match.start()
        if text[end - 1] == "." and _abbreviation(text[start:end]):
            continue
        out.append((text[start:end] + match.group(1)).strip())
        start = match.end()
    if tail := text[start:].strip():
        out.append(tail)
    return [s for s in out if s]


def _abbreviation(sentence: str) -> bool:
    """The sentence so far ends with an abbreviation's period, not a sentence's."""
    last = sentence[:-1].split()[-1] if sentence[:-1].split() else ""
    word = last.lstrip("(\"'").lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def words(text: str) -> int:
    return len(text.split())


def pieces(sentence: str, limit: int) -> list[str]:
    """A sentence longer than `limit` words cut into parts of at most `limit` words, at list bullets (" - ") or
    semicolons where it has them, else between words."""
    if words(sentence) <= limit:
        return [sentence]
    parts = [p for p in re.split(r"(?<=;)\s+|\s+(?=- )", sentence) if p.strip()]
    if len(parts) == 1:
        tokens = sentence.split()
        return [" ".join(tokens[i:i + limit]) for i in range(0, len(tokens), limit)]
    out, current = [], ""
    for part in parts:
        for piece in pieces(part, limit):
            if current and words(current) + words(piece) > limit:
                out.append(current)
                current = ""
            current = f"{current} {piece}".strip()
    return out + ([current] if current else [])


def without_markers(sentence: str) -> str:
    """A sentence without its `[n]` citation markers."""
    return " ".join(MARKER.sub("", sentence).split())


def markers(sentence: str) -> list[int]:
    """The `[n]` numbers a sentence cites, in order."""
    return [int(n) for n in MARKER.findall(sentence)]
