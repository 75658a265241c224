"""Questions that describe an emergency: the app shows an urgent-care notice above the answer.

A small model must never be the first thing someone with crushing chest pain or suicidal thoughts
reads, so a question matching any pattern below gets the notice, whatever the model says. The list
errs on the side of showing it; each pattern names the situation it catches.
"""

from __future__ import annotations

import re

NOTICE = (
    "**This may be an emergency.** If you or someone near you has these symptoms now, call your local "
    "emergency number (112 in Europe, 911 in the US) or go to the nearest emergency department. "
    "Do not wait for an answer from this assistant."
)
CRISIS = (
    "If you are thinking about suicide or harming yourself, please reach out now: call your local emergency "
    "number or a crisis line (988 in the US, 116 123 Samaritans in the UK and Ireland), or tell someone you trust."
)

# (situation, pattern); matched case-insensitively against the whole question.
PATTERNS: list[tuple[str, str]] = [
    ("chest pain", r"\bchest\s+(pain|pressure|tightness|hurts?)\b|\bcrushing\b.*\bchest\b|\bheart\s+attack\b"),
    ("stroke signs", r"\bstroke\b|\bface\s+(is\s+)?droop|\bslurred\s+speech\b|\bsudden(ly)?\s+(numb|weak|confus)"
                     r"|\bone\s+side\s+of\s+(my|his|her|the)\s+(face|body)\b"),
    ("breathing", r"\b(can'?t|cannot|unable\s+to|struggling\s+to|hard\s+to)\s+breathe?\b|\bchoking\b"
                  r"|\bnot\s+breathing\b|\bturning\s+blue\b"),
    ("anaphylaxis", r"\banaphyla|\bthroat\s+(is\s+)?(closing|swelling|swollen)|\b(tongue|lips?)\s+(is\s+|are\s+)?swell"
                    r"|\bepi-?pen\b"),
    ("severe bleeding", r"\b(severe|heavy|uncontrolled|won'?t\s+stop|not\s+stopping)\s+bleed|\bbleeding\s+heavily\b"
                        r"|\bbleed(ing)?\s+(that\s+)?(won'?t|will\s+not|does\s*n[o']t)\s+stop|\bcoughing\s+(up\s+)?blood\b"
                        r"|\bvomiting\s+blood\b"),
    ("unconscious or seizure", r"\bunconscious\b|\bunresponsive\b|\bpassed\s+out\b|\bfainted\b|\bseizure|\bconvuls"),
    ("suicidal thoughts", r"\bsuicid|\bkill\s+myself\b|\bend\s+my\s+life\b|\bwant\s+to\s+die\b|\bself[-\s]?harm"
                          r"|\bhurt(ing)?\s+myself\b|\boverdos"),
    ("poisoning", r"\bpoison(ed|ing)?\b|\bswallowed\s+(bleach|batteries|a\s+battery|pills)\b"),
    ("worst headache", r"\bworst\s+headache\b|\bthunderclap\b"),
    ("head injury", r"\bhead\s+injury\b.*\b(vomit|confus|drows)|\bhit\s+(my|his|her)\s+head\b.*\b(vomit|confus|drows)"),
]
_COMPILED = [(name, re.compile(pattern, re.IGNORECASE | re.DOTALL)) for name, pattern in PATTERNS]


def situations(question: str) -> list[str]:
    """The emergency situations a question describes (empty when none)."""
    return [name for name, pattern in _COMPILED if pattern.search(question or "")]


def notice(question: str) -> str | None:
    """The urgent-care notice (Markdown) for a question, or None when it describes no emergency."""
    found = situations(question)
    if not found:
        return None
    return NOTICE + ("\n\n" + CRISIS if "suicidal thoughts" in found else "")
