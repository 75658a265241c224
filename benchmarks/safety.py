"""`make bench` safety part: the triage on the labelled corpus (data/safety/triage_corpus.csv), per half.

The detector was written against the `dev` half; `heldout` is the figure to quote. Reports recall per
category, the false-alarm rate on informational questions, how often the right notice is shown, the
messages it still gets wrong, and how fast it runs (it is on the path of every answer).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from plugins.app import triage

CORPUS = Path("data/safety/triage_corpus.csv")
TARGETS = {"emergency_recall": 0.97, "self_harm_recall": 1.0, "false_alarm_rate": 0.20}  # issue 13


def read(path: Path = CORPUS) -> list[dict]:
    with Path(path).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def measure(path: Path = CORPUS) -> dict:
    rows = read(path)
    halves = {}
    for half in ("heldout", "dev"):
        pairs = [(r["text"], r["category"]) for r in rows if r["half"] == half]
        halves[half] = triage.score(pairs)
    started = time.perf_counter()
    for r in rows:
        triage.triage(r["text"])
    seconds = time.perf_counter() - started
    return {"corpus": str(path), "messages": len(rows), "halves": halves,
            "milliseconds_per_message": 1000 * seconds / len(rows)}


def markdown(r: dict) -> str:
    lines = ["## Safety triage\n",
             f"{r['messages']} labelled messages in `{r['corpus']}`; the detector was written against `dev`, "
             f"`heldout` is the honest figure. {r['milliseconds_per_message']:.2f} ms per message.\n",
             "| half | self-harm recall | poisoning recall | emergency recall | all emergencies | false alarms | "
             "right notice |", "|---|---|---|---|---|---|---|"]
    for half, s in r["halves"].items():
        recall = s["recall"]
        lines.append(f"| {half} | {recall['self_harm']:.1%} | {recall['poisoning']:.1%} | "
                     f"{recall['medical_emergency']:.1%} | {s['emergency_recall']:.1%} | {s['false_alarm_rate']:.1%} | "
                     f"{s['category_accuracy']:.1%} |")
    held = r["halves"]["heldout"]
    for title, items in (("Missed (held-out)", held["misses"]), ("False alarms (held-out)", held["false_alarms"]),
                         ("Wrong notice (held-out)", held["wrong_category"])):
        if items:
            lines += ["", f"{title}:"] + [f"- {' / '.join(map(str, item))}" for item in items]
    return "\n".join(lines) + "\n"
