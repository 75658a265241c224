"""The wording the safety rules read: one normal form for what people type on phones.

Why: emergencies are typed fast ("cant breath", "pleeease", "he\u2019s unconcious", "my mom"), and a rule written
against one spelling must not miss another. NFKC, lower case, ASCII quotes, letters repeated three times cut to
two, punctuation removed, and a map of common misspellings and text-speak to the word the rules are written
against.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
                         "`": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-"})
# Common misspellings, missing apostrophes and text-speak -> the word the rules are written against.
_SPELLING = dict(
    [(w.replace("'", ""), w) for w in ("can't", "won't", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't",
                                       "hasn't", "haven't", "shouldn't", "couldn't", "wouldn't", "i'm", "i've",
                                       "there's",
                                       "he's", "she's", "what's")],
    cannot="can't", breath="breathe", breth="breathe", brething="breathing", breathin="breathing",
    unconcious="unconscious", unconscous="unconscious", unconsious="unconscious", unresponcive="unresponsive",
    siezure="seizure", seizur="seizure", sezure="seizure", seisure="seizure", siezures="seizures",
    suicidel="suicidal", sucidal="suicidal", suicidle="suicidal", sucide="suicide", suiside="suicide",
    suicde="suicide", overdoes="overdose", od="overdose", oded="overdosed", pils="pills", vomitting="vomiting",
    vommiting="vomiting", pleease="please", pls="please", plz="please", heelp="help", hellp="help", rn="right now",
    bf="boyfriend", gf="girlfriend", u="you", ur="your", mom="mum", wanna="want to", gonna="going to",
    breating="breathing", breathng="breathing", bleding="bleeding", bleedin="bleeding", blooding="bleeding",
    alergic="allergic", allergick="allergic", anaphylactic="anaphylaxis", stomache="stomach", pian="pain",
    dizy="dizzy", numbe="numb", concious="conscious", faintd="fainted", thru="through",
    wat="what", wht="what", abt="about", bc="because", cuz="because", ppl="people", hes="he's", shes="she's",
    thats="that's",
    kms="kill myself", soakin="soaking", stoppin="stopping", pourin="pouring", comin="coming", goin="going",
    gettin="getting", feelin="feeling", doin="doing", pumpin="pumping", spewin="spewing", bleedn="bleeding",
    puking="vomiting", puke="vomit", puked="vomited", throwin="throwing",
)


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces, with quotes, typos and contractions standardised."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_QUOTES)
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)  # "sooo" -> "soo", "heeelp" -> "heelp" (then the map)
    text = re.sub(r"(?<=\w)'(?=\w)", "\0", text)  # keep apostrophes inside words only
    text = re.sub(r"[^\w\s\0]", " ", text).replace("\0", "'")
    text = re.sub(r"\bcan not\b", "can't", text)
    return " ".join(_SPELLING.get(w, w) for w in text.split())


def rx(*parts: str) -> re.Pattern:
    """One pattern from alternatives, each written against `normalize`'s output."""
    return re.compile("|".join(parts))


W4, W8 = r"(?: \S+){0,4}", r"(?: \S+){0,8}"  # a few words allowed between the parts of a phrase
