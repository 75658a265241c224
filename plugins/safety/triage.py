"""Safety triage: decide whether a message describes an emergency, and which notice to show.

Why: people type emergencies fast, on phones, in their own words ("my 2yo drank some bleach", "I can\u2019t
breathe", "everyone would be better off without me"), not in the words a symptom list uses. The text is
normalised (`wording.py`) and the rules describe *situations*: one family of a published red-flag list each
(`red_flags.py`), a substance plus an ingestion, or self-harm intent. A red flag mentioned in a general information
question ("what is angina?") with nothing pointing at a real person stays quiet; everything else errs on the
side of triggering, because a missed emergency is the dangerous failure. Self-harm intent and lethal-dose or
method questions always trigger, however they are phrased; a question *about* suicide that names no intent of
the writer's (prevention, statistics, warning signs in someone else) is answered, with the crisis resources
first.
"""

from __future__ import annotations

from dataclasses import dataclass

from plugins.safety import crisis, frames, poisoning, red_flags, second_opinion
from plugins.safety.wording import normalize

CATEGORIES = ("self_harm", "poisoning", "medical_emergency")  # priority order

NOTICES = {
    "medical_emergency": (
        "**This may be an emergency.** If you or someone near you has these symptoms now, call your local "
        "emergency number now (112 in Europe, 999 in the UK, 911 in the US) or go to the nearest emergency "
        "department. Do not wait for an answer from this assistant."
    ),
    "poisoning": (
        "**This may be a poisoning.** If the person is unconscious, having trouble breathing or having a fit, "
        "call your local emergency number now (112 / 999 / 911). Otherwise call a poison control centre now: "
        "US Poison Help 1-800-222-1222, UK NHS 111. Do not make them vomit. Keep the container or packet to "
        "show what was taken. Do not wait for an answer from this assistant."
    ),
    "self_harm": (
        "**You are not alone, and help is available right now.** If you are thinking about suicide, or about "
        "harming yourself or someone else, please reach out now: call or text 988 in the US, call Samaritans on "
        "116 123 in the UK and Ireland, or call your local emergency number, or tell someone you trust. If you have "
        "taken something or are in danger now, call your local emergency number (112 / 999 / 911) immediately."
    ),
}
# An information question about suicide or self-harm (prevention, statistics, warning signs in someone else) is
# answered, with the help that is there for anyone it concerns shown first.
SUPPORT = (
    "**If this is about you or someone close to you, help is there now:** call or text 988 in the US, call "
    "Samaritans on 116 123 in the UK and Ireland, or your local emergency number (112 / 999 / 911) if someone is in "
    "danger. The answer to your question follows."
)


@dataclass(frozen=True)
class Triage:
    category: str | None        # None when no emergency
    signals: tuple[str, ...]    # names of the rules that fired, for tests and logs
    notice: str | None          # Markdown notice for the category, or the help shown before an answer (SUPPORT)

    @property
    def replaces_answer(self) -> bool:
        """Self-harm: the crisis text replaces the model's answer entirely."""
        return self.category == "self_harm"

    @property
    def collapses_answer(self) -> bool:
        """Poisoning or medical emergency: the model's answer is shown collapsed behind the notice."""
        return self.category in ("poisoning", "medical_emergency")

    def as_dict(self) -> dict:
        return {"category": self.category, "signals": list(self.signals), "notice": self.notice}


def _informational(text: str) -> bool:
    """A general question, a lesson or a story: no red-flag or poisoning rule judges it (self-harm rules always do)."""
    present = frames.PRESENT.search(text)
    return (bool(frames.QUESTION.match(text)) and not frames.SITUATION.search(text) and not present
            or bool(frames.LEARNING.search(text)) and not present and not frames.SEVERE.search(text)
            or bool(frames.FICTION.search(text)))


def _settled(text: str) -> bool:
    """Something small, habitual, or over and done with: no red flag judges it. Poisoning rules still do: an overdose of
    paracetamol feels fine for a day."""
    severe = frames.SEVERE.search(text)
    return (bool(frames.MILD.search(text)) and not severe
            or bool(frames.RESOLVED.search(text)) and not severe and not frames.CAME_BACK.search(text)
            or bool(frames.HABITUAL.search(text)) and not severe and not frames.PRESENT.search(text))


def _poisoning(text: str, red_flags: list[str]) -> list[str]:
    """Poisoning rules that fired; a medicine counts only with an excess, or a child or red flag plus swallowing."""
    swallowed = (poisoning.CHILD.search(text) or red_flags) and poisoning.TAKEN.search(text)
    gates = {"medicine_excess": poisoning.EXCESS.search(text) or swallowed,
             "medicine_taking": poisoning.EXCESS.search(text),
             "medicine_missing": poisoning.CHILD.search(text) or red_flags}
    return [n for n, rx in poisoning.POISONING.items() if rx.search(text) and gates.get(n, True)]


def triage(message: str, learned: bool = True) -> Triage:
    """Classify one message; the highest-priority category that fired wins (see CATEGORIES). `learned=False`:
    the rules alone, without the learned second opinion (to measure what it adds)."""
    text = normalize(message)
    informational, settled = _informational(text), _settled(text)
    fired: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    fired["self_harm"] = [n for n, rx in crisis.SELF_HARM.items() if rx.search(text)]  # always, however it is phrased
    if fired["self_harm"] == ["harm_to_others"] and not crisis.WEAPON.search(text) \
            and (frames.JOKING.search(text) or frames.STUDY.search(text)):
        fired["self_harm"] = []  # "lol i'm going to kill her" about leftovers; a question for a class or a novel
    about = not fired["self_harm"] and crisis.TOPIC.search(text)
    own = crisis.OWN_TOPIC.search(text) and not crisis.PAST_SELF.search(text)
    if about and (own or not crisis.TOPIC_FRAME.search(text)):
        fired["self_harm"] = ["topic"]  # the writer's own thoughts, or news without a question: the crisis text
    if not informational:
        fired["medical_emergency"] = [] if settled else [n for n, rx in red_flags.RED_FLAGS.items() if rx.search(text)]
        fired["poisoning"] = _poisoning(text, fired["medical_emergency"])
    category = next((c for c in CATEGORIES if fired[c]), None)
    signals = tuple(f"{c}:{n}" for c in CATEGORIES for n in fired[c])
    if category is None and about:
        return Triage(None, ("support:topic",), SUPPORT)
    weeks = frames.CHRONIC.search(text) and not frames.PRESENT.search(text)  # weeks of the same: the rules only
    if category is None and learned and not (informational or settled or weeks) \
            and (opinion := second_opinion.opinion(message)):
        category, signals = opinion[0], (f"second_opinion:{opinion[0]}",)  # it adds a trigger, never removes one
    return Triage(category, signals, NOTICES.get(category) if category else None)


# The notice that is right for each true category (an overdose with intent rightly gets the crisis text).
ACCEPT = {"self_harm": {"self_harm"}, "poisoning": {"poisoning", "self_harm"},
          "medical_emergency": {"medical_emergency"}}


def score(rows: list[tuple[str, str]], learned: bool = True) -> dict:
    """Recall per category, false-alarm rate on `none` and category accuracy for (text, category) rows."""
    counts = {c: {"n": 0, "hit": 0, "right": 0} for c in (*CATEGORIES, "none")}
    misses, false_alarms, wrong = [], [], []
    for text, expected in rows:
        got = triage(text, learned).category
        c = counts[expected]
        c["n"] += 1
        c["hit"] += got is not None if expected != "none" else got is None
        c["right"] += (got in ACCEPT[expected]) if expected != "none" else got is None
        if expected == "none" and got is not None:
            false_alarms.append((text, got))
        elif expected != "none" and got is None:
            misses.append((text, expected))
        elif expected != "none" and got not in ACCEPT[expected]:
            wrong.append((text, expected, got))
    emergencies = [counts[c] for c in CATEGORIES]
    n_em = sum(c["n"] for c in emergencies) or 1
    return {
        "counts": counts,
        "recall": {c: counts[c]["hit"] / (counts[c]["n"] or 1) for c in CATEGORIES},
        "emergency_recall": sum(c["hit"] for c in emergencies) / n_em,
        "false_alarm_rate": len(false_alarms) / (counts["none"]["n"] or 1),
        "category_accuracy": sum(c["right"] for c in emergencies) / n_em,
        "misses": misses, "false_alarms": false_alarms, "wrong_category": wrong,
    }
