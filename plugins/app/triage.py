"""Safety triage: decide whether a message describes an emergency, and which notice to show.

Why: people type emergencies fast, on phones, in their own words ("my 2yo drank some bleach",
"I can’t breathe", "everyone would be better off without me"), not in the words a symptom list uses.
So the text is normalised first (curly quotes, typos, repeated letters, punctuation), and the rules
describe *situations*: a red-flag symptom family from public "call the emergency number" guidance,
a substance plus an ingestion, or self-harm intent. A red flag mentioned in a general information
question ("what is angina?") with nothing pointing at a real person stays quiet; everything else
errs on the side of triggering, because a missed emergency is the dangerous failure. Self-harm
intent and lethal-dose or method questions always trigger, however they are phrased.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
        "**You are not alone, and help is available right now.** If you are thinking about suicide or harming "
        "yourself, please reach out now: call or text 988 in the US, call Samaritans on 116 123 in the UK and "
        "Ireland, or call your local emergency number, or tell someone you trust. If you have taken something "
        "or are in danger now, call your local emergency number (112 / 999 / 911) immediately."
    ),
}

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
                         "`": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-"})
# Common misspellings, missing apostrophes and text-speak -> the word the rules are written against.
_SPELLING = dict(
    [(w.replace("'", ""), w) for w in ("can't", "won't", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't",
                                       "hasn't", "haven't", "shouldn't", "couldn't", "i'm", "i've", "there's",
                                       "he's", "she's", "what's")],
    cannot="can't", breath="breathe", breth="breathe", brething="breathing", breathin="breathing",
    unconcious="unconscious", unconscous="unconscious", unconsious="unconscious", unresponcive="unresponsive",
    siezure="seizure", seizur="seizure", sezure="seizure", seisure="seizure", siezures="seizures",
    suicidel="suicidal", sucidal="suicidal", suicidle="suicidal", sucide="suicide", suiside="suicide",
    suicde="suicide", overdoes="overdose", od="overdose", oded="overdosed", pils="pills", vomitting="vomiting",
    vommiting="vomiting", pleease="please", pls="please", plz="please", heelp="help", hellp="help", rn="right now",
    bf="boyfriend", gf="girlfriend", u="you", ur="your", mom="mum", wanna="want to", gonna="going to",
)


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces, with quotes, typos and contractions standardised."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_QUOTES)
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)  # "sooo" -> "soo", "heeelp" -> "heelp" (then the map)
    text = re.sub(r"(?<=\w)'(?=\w)", "\0", text)  # keep apostrophes inside words only
    text = re.sub(r"[^\w\s\0]", " ", text).replace("\0", "'")
    text = re.sub(r"\bcan not\b", "can't", text)
    return " ".join(_SPELLING.get(w, w) for w in text.split())


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(parts))


W4, W8 = r"(?: \S+){0,4}", r"(?: \S+){0,8}"  # a few words allowed between the parts of a phrase
PERSON = r"(?:i|i'm|i've|me|my|we|our|us|he|he's|him|his|she|she's|her|they're|someone|somebody)"
SITUATION = re.compile(rf"\b(?:{PERSON}|help|please|now|right now|just|suddenly|\d+ ?(?:yo|yr|year|month|week)s?)\b")
QUESTION = re.compile(r"^(?:(?:hi|hello|hey|sorry|quick question|so|ok) )*(?:what|what's|how|why|which|when|where|"
                      r"who|is|are|does|do|can|could|should|would|will|at what|any|tell me|explain)(?![\w'])")

# (a) Red-flag symptom families, each following public "call the emergency number now" guidance.
RED_FLAGS = {
    # NHS / AHA heart attack: central chest pain or pressure, spreading to the left arm, sweating
    "chest_pain": _rx(r"\bchest (?:pains?|hurts?|tight|pressure|burns?|feels? (?:like|heavy|tight))",
                      r"\b(?:pain|tight|pressure|crushing|clutching)" + W4 + r" (?:chest|left arm)\b",
                      r"\b(?:having|had|think|is) (?:a )?heart attack"),
    # AHA / ASA stroke FAST: face drooping, arm weakness, speech difficulty, sudden onset
    "stroke": _rx(r"\bdroop", r"\bslurr", r"\b(?:having|had|is) a stroke", r"\bhalf (?:my|his|her) face",
                  r"\bone side of (?:my|his|her|the) (?:face|mouth|body)", r"\bwords come out wrong",
                  r"\bsudden\w*" + W4 + r" (?:can't|numb|weak|confus|loss of vision|talking nonsense)",
                  r"\btalking nonsense", r"\b(?:arm|leg|side) (?:is |feels )?(?:weak|numb|dead)"),
    # NHS / Resuscitation Council: severe difficulty breathing, choking, blue lips, silent asthma
    "breathing": _rx(r"\b(?:can't|unable to|struggling to|hard to|barely) (?:breathe|catch|get (?:his|her|my) breath)",
                     r"\b(?:not|isn't|barely) breathing", r"\bgasping", r"\bshort of breathe?", r"\bchoking\b",
                     r"\b(?:turning|turned|gone|going|went) blue", r"\b(?:lips|face|skin)" + W4 + r" blu(?:e|ish)",
                     r"\bwheez", r"\bsucking in", r"\bgrunting", r"\bbetween breaths", r"\bbarely talk",
                     r"\binhaler (?:isn't|is not|not) (?:working|helping|doing)", r"\basthma attack", r"\bpink froth"),
    # Resuscitation Council anaphylaxis: swelling of the airway after a trigger, adrenaline already used
    "anaphylaxis": _rx(r"\bthroat (?:is )?(?:closing|swell)", r"\b(?:tongue|lips?|face)" + W4 + r" swell",
                       r"\bswell\w*" + W4 + r" (?:tongue|lips?|throat)", r"\bused (?:my|his|her) epi", r"\banaphyla"),
    # NHS: severe bleeding, coughing or vomiting blood, black stools, penetrating injury
    "bleeding": _rx(r"\bbleed\w*" + W4 + r" (?:everywhere|heavily|won't stop|through|over an hour|ear)",
                    r"\b(?:heavy|severe|uncontrolled) bleed", r"\bspurt", r"\bcough\w*" + W8 + r" blood",
                    r"\b(?:vomit\w*|threw up|throwing up|sick)" + W4 + r" blood", r"\bcoffee grounds",
                    r"\bblack tarry", r"\bstabbed|\b(?:been|was|got) shot\b"),
    # NHS "call 999": unconscious, collapsed, cannot be woken, not responding, sudden confusion
    "unresponsive": _rx(r"\bunconscious", r"\bunresponsive", r"\bnot (?:responding|answering|making sense)",
                        r"\b(?:won't|can't|couldn't|hasn't|not) (?:wake|woken)", r"\bcollapsed", r"\bpass(?:ed)? out",
                        r"\bfainted", r"\bfloppy", r"\blying on the floor", r"\bconfused\b(?! about| by| with)",
                        r"\bcan't recognise"),
    # NHS epilepsy: a seizure lasting over 5 minutes, a first seizure, not waking afterwards
    "seizure": _rx(r"\bseizure", r"\bfitting\b", r"\b(?:a|having) fit\b", r"\bconvuls", r"\bshaking all over"),
    # NHS meningitis: rash that does not fade under a glass, stiff neck with fever, bulging fontanelle
    "meningitis": _rx(r"\brash" + W8 + r" (?:doesn't|does not|don't|won't) (?:fade|go away)", r"\bpurple spots",
                      r"\bglass test|\b(?:under|press\w*) (?:a|the) glass", r"\bbulging (?:soft spot|fontanelle)",
                      r"\bstiff neck" + W8 + r" (?:fever|temperature|light|headache)",
                      r"\b(?:fever|temperature|headache|sick)" + W8 + r" stiff neck"),
    # NHS burns and scalds: large or deep (white, charred) burns, scalds, electrical burns
    "burn": _rx(r"\bscald", r"\b(?:boiling|hot) (?:water|oil|fat|kettle)" + W8 + r" (?:on|onto|over|burn\w*|skin)",
                r"\bburn\w*" + W8 + r" (?:boiling|hot oil|whole|chest|face|skin)", r"\belectric shock",
                r"\bskin is (?:white|charred|peeling)", r"\b(?:big|large|deep|severe) burns?\b"),
    # NICE head injury: a knock to the head followed by vomiting, confusion, drowsiness, or on anticoagulants
    "head_injury": _rx(r"\b(?:hit|banged|bumped|knocked)" + W4 + r" head" + W8 +
                       r" (?:vomit|sick|throwing up|confus|drowsy|sleepy|not making sense|blood thinners|warfarin)"),
    # NHS sudden severe ("thunderclap") headache
    "headache": _rx(r"\bworst headache", r"\bthunderclap", r"\bsudden\w* severe headache",
                    r"\bheadache" + W8 + r" (?:blurry|blurred) vision"),
    # UK Sepsis Trust: mottled or blotchy skin, no urine all day, "I feel like I might die"
    "sepsis": _rx(r"\bmottled", r"\bblotchy", r"\bhaven't peed|\bnot peed|\bno urine", r"\bgoing to die"),
    # NICE traffic light: a baby under 3 months with a fever, floppy, blue, very sleepy or not feeding
    "baby": _rx(r"\b(?:newborn|\d+ (?:week|month) old)" + W8 + r" (?:fever|temperature|floppy|blue|sleepy|feed)",
                r"\b(?:not|isn't|won't) feed"),
    # NHS: suspected spinal injury or major trauma
    "trauma": _rx(r"\bcan't feel (?:my|his|her) (?:legs|arms)", r"\bhit by a car", r"\bbent (?:the )?wrong way",
                  r"\bbone (?:is )?(?:sticking|poking) out", r"\bneck" + W8 + r" (?:tingling|numb|can't move)"),
    # NHS: severe abdominal pain, burst appendix, testicular torsion
    "abdominal": _rx(r"\b(?:severe|worst|agonising|agonizing|unbearable)" + W4 + r" (?:stomach|abdominal|tummy|belly"
                     r"|pain)", r"\bpain is (?:unbearable|agonising|excruciating)", r"\brock hard", r"\bappendix",
                     r"\btestic\w*" + W4 + r" (?:pain|swollen|swelling)"),
    # NHS pregnancy: bleeding, waters breaking early, one-sided pain, pre-eclampsia signs
    "pregnancy": _rx(r"\bpregnant" + W8 + r" (?:bleed|waters|severe|headache|pain)", r"\bwaters broke"),
    # Diabetes UK: hypo with confusion, DKA (fruity breath, vomiting)
    "diabetic": _rx(r"\bblood sugar is (?:[0-3]\b|very low)", r"\bdiabetic" + W8 + r" (?:confused|drowsy|sweaty)",
                    r"\bfruity", r"\bhypo\b"),
    # NHS: palpitations with faintness, drowning
    "circulation": _rx(r"\b(?:heart|pulse) (?:is )?(?:racing|pounding)" + W8 + r" (?:faint|pass out|dizzy|chest)",
                       r"\bdrown", r"\b(?:fell|found|pulled) (?:\S+ )?(?:in|into|out of) (?:the|a) (?:pool|pond|river"
                       r"|sea|bath)"),
}

# (c) Poisoning, after poison centres' advice: a substance plus an ingestion, or a count of pills.
CHEMICAL = (r"bleach|antifreeze|batter(?:y|ies)|magnets?|berr(?:y|ies)|mushrooms?|foxglove|leaf|leaves|dishwasher|"
            r"laundry|detergent|washing up liquid|weed ?killer|pesticide|poison|cleaner|white spirit|paraffin|"
            r"kerosene|lamp oil|petrol|screenwash|washer fluid|saniti[sz]er|nail polish|perfume|mouthwash|e ?cig\w*|"
            r"vape|e ?liquid|ammonia|denture|edibles|chemicals?")
MEDICINE = (r"pills?|tablets?|meds|medicines?|medication|capsules|paracetamol|ibuprofen|aspirin|calpol|tylenol|"
            r"acetaminophen|tramadol|morphine|methadone|heroin|fentanyl|opioids?|insulin|warfarin|vitamins?|"
            r"gummies|antihistamines?|antidepressants?|sertraline|co ?codamol|codeine|iron|"
            r"\w+(?:pam|pine|pril|olol|statin|mycin|cillin|zole|tyline|oxetine|aline)")  # common drug-name endings
INGEST = (r"(?:swallowed|drank|drunk|ate|eaten|took|taken|had|downed|chewed|licked|got into|injected|given|"
          r"mixed|inhaled)")
EXCESS = re.compile(r"\b(?:too (?:much|many)|whole|all (?:of )?(?:my|his|her|the)|double|twice|extra|instead of|"
                    r"by accident|accidentally|by mistake|a load|a bunch|(?<!\d )(?:[5-9]|\d\d+)(?! ?(?:ml|mg|g|mcg|"
                    r"weeks?|months?|years?|yo|yr)\b))\b")
CHILD = re.compile(r"\b(?:baby|toddler|kid|child|son|daughter|boy|girl|little one|\d+ ?(?:yo|yr|year|month))")
POISONING = {
    "chemical_ingested": re.compile(rf"\b{INGEST}\b.*\b(?:{CHEMICAL})\b"),
    "medicine_excess": re.compile(rf"\b{INGEST}\b.*\b(?:{MEDICINE})\b"),  # only with an excess, a child or a red flag
    "pill_count": re.compile(rf"\b(?:took|taken|swallowed|had|downed) (?:about |like |over )?(?:[5-9]|\d\d+|all|"
                             rf"a (?:whole|full) \w+){W4} (?:{MEDICINE}|of (?:my|his|her|them|the)\b)"),
    "overdose": re.compile(r"\boverdos|\bpoisoning\b|\bpoisoned\b|\bspiked\b"),
}

# (d) Self-harm: never gated, so every phrase names intent, a plan, a method or an injury to oneself.
SELF_HARM = {
    # 988 / AFSP warning signs: talking about wanting to die or to kill oneself
    "intent_direct": _rx(r"\bsuicid", r"\bkill\w* (?:myself|himself|herself|themselves)", r"\bend\w* it all\b",
                         r"\b(?:want\w*|going|plan\w*|ready|think\w*|thought|feel like|about)" + W4
                         + r" end\w* it\b(?! with)",
                         r"\b(?:end\w*|take) (?:my|his|her|their) (?:own )?life", r"\bend (?:everything|things)\b",
                         r"\b(?:wants?|wanted|wish|ready) to (?:die|be dead)\b", r"\brather be dead",
                         r"\bwish\w* (?:i|he|she|they) (?:was|were|could be|had) (?:dead|never been born|never born)",
                         r"\bhang (?:myself|himself|herself)", r"\bwant to overdose|\b(?:took|taken|take) an overdose",
                         r"\b(?:going to|will|gonna|think\w* (?:of|about)|plan\w* (?:to|on)|want\w* to) "
                         r"(?:take|taking|swallow\w*) all (?:of )?(?:my|the|his|her|their) (?:pills|tablets|meds)",
                         r"\b(?:overdos\w*|took|taken|swallowed|cut|hurt)" + W4 + r" on purpose"),
    # Samaritans / 988: hopelessness, being a burden, no reason to live, saying goodbye, wishing not to exist
    "intent_indirect": _rx(r"\b(?:better (?:off|of)|happier) (?:without (?:me|him|her|them|us)|dead"
                           r"|if (?:i|he|she|they) (?:was|were) dead)",
                           r"\bno (?:reason|point)(?: in| to| of)? (?:live|living|going on|life|being alive|any ?more)",
                           r"\bdon't see the point", r"\bwhat's the point" + W4 + r" (?:living|life|anything|going on)",
                           r"\bpoint (?:of|in) (?:living|life|going on|being alive)",
                           r"\blife is (?:pointless|meaningless)",
                           r"\b(?:don't|do not|never) want to (?:be here|live\b(?! with| in| near)|be alive|exist"
                           r"|go on)",
                           r"\bwant to (?:not|stop) (?:exist|be here|be alive|living)",
                           r"\b(?:disappear|sleep) forever",
                           r"\bnot (?:going to )?be (?:here|around|alive) (?:much longer|for long|any ?more|tomorrow)",
                           r"\b(?:think\w*|thought) (?:about|of) (?:not being here|being dead|dying)\b",
                           r"\b(?:want\w*|wish\w*|hope\w*|rather|like)\b" + W8
                           + r" (?:never|not|don't|didn't|won't) wake up",
                           r"\bstop existing", r"\btired of (?:living|life|being alive)", r"\bno way out\b",
                           r"\bcan't (?:go on|carry on|keep going)(?: like this| any ?more| living|$)",
                           r"\bcan't (?:do (?:this|life|it)|take (?:it|this)|cope) any ?more",
                           r"\bwant\w* (?:it all|everything|all of it) to (?:be )?(?:over|stop|end)",
                           r"\bwant\w* it to (?:be over|end)\b", r"\b(?:stop|end|over) (?:forever|for good)\b",
                           r"\bdone with (?:it all|life|living)", r"\b(?:feel|feeling|so|completely) hopeless",
                           r"\b(?:isn't|not|no longer) worth living",
                           r"\b(?:don't|do not) deserve to (?:live|be alive)",
                           r"\bshouldn't be alive", r"\b(?:bother|keep) (?:even )?living",
                           r"\b(?:i'm|feel like) a burden",
                           r"\b(?:care|notice|miss me)" + W4
                           + r" if i (?:died|was gone|were gone|was dead|wasn't here)",
                           r"\b(?:texted|messaged|sent) (?:me |us )?(?:a )?goodbye", r"\bsorry for everything",
                           r"\b(?:suicide|goodbye) (?:note|letter)|\bnotes? (?:for|to) (?:my|his|her) (?:family|kids)",
                           r"\bgiv\w* away (?:all )?(?:my|his|her) (?:things|stuff|belongings|possessions)"),
    # WHO / 988: access to means, a place or a plan, and method or lethal-dose questions
    "method": _rx(r"\bhow (?:many|much)" + W8 + r" (?:to die|would kill|to kill|kill (?:me|you)|lethal|fatal|not wake"
                  r"|never wake)", r"\b(?:lethal|fatal) dose", r"\bpainless way", r"\bhow deep" + W8 + r" cut",
                  r"\bways? to (?:die|kill (?:myself|me|yourself)|end (?:it|my life|things|everything))\b",
                  r"\bhow long" + W4 + r" to die\b", r"\bwould (?:i|it|that|this) (?:die|kill (?:me|you|someone))",
                  r"\benough" + W4 + r" to (?:die|kill (?:me|myself|you|someone)|end it)",
                  r"\bhow (?:do|would|could|can|to) (?:i |you |someone )?(?:kill (?:myself|yourself|me)|die)\b",
                  r"\b(?:would|will|could) (?:\S+ing|it|that|this|these|they)\b" + W4 + r" kill me\b",
                  r"\b(?:which|what)\b" + W8 + r" (?:would|will|could) kill me\b", r"\bwhat happens if you take \d+",
                  r"\b(?:stash|stockpil\w*|saved up|saving up)" + W4 + r" (?:pills|tablets|meds)",
                  r"\b(?:have|has|had|got|bought|buying) (?:a|the) (?:rope|noose|gun)\b",
                  r"\bnoose|\bhave a knife\b(?! cut| wound)",
                  r"\b(?:will|going to|wants? to|threaten\w* to) jump\b", r"\b(?:jump|step|throw|walk|lie)\w*"
                  r"(?: myself)? in front of", r"\bjump\w* (?:off|from) (?:a|the) (?:bridge|roof|building|cliff|"
                  r"balcony|\d+\w* floor)", r"\b(?:standing|sitting|stood) on (?:the|a) (?:bridge|roof|ledge|edge|"
                  r"cliff|tracks|railway)", r"\b(?:drive|driving|drove|crash) (?:my car )?into (?:a |the )?(?:wall|tree"
                  r"|traffic|river)"),
    # NICE self-harm: cutting, burning, hitting or scratching oneself, injuring until bleeding or bruising
    "self_injury": _rx(r"\b(?:cut|burn|hit|hurt|harm|scratch|punch|starv)\w* (?:myself|himself|herself|themselves)",
                       r"\bself ?harm", r"\b(?:slit|sliced|cut) (?:my|his|her) wrists?", r"\bcuts all over",
                       r"\bcutting (?:again|(?:my|his|her) (?:arms|legs|wrists|thighs|skin))",
                       r"\b(?:scratch|pick|punch|hit|bang|bit)\w*" + W8 + r" (?:until|till) (?:they|it|i|my \w+) "
                       r"(?:bleeds?|bruises?)"),
}


@dataclass(frozen=True)
class Triage:
    category: str | None        # None when no emergency
    signals: tuple[str, ...]    # names of the rules that fired, for tests and logs
    notice: str | None          # Markdown notice for the category

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


def triage(message: str) -> Triage:
    """Classify one message; the highest-priority category that fired wins (see CATEGORIES)."""
    text = normalize(message)
    # (b) Situation: a general information question with no person, time or plea in it is not an emergency.
    informational = bool(QUESTION.match(text)) and not SITUATION.search(text)
    fired: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    fired["self_harm"] = [n for n, rx in SELF_HARM.items() if rx.search(text)]  # always, however it is phrased
    if not informational:
        fired["medical_emergency"] = [n for n, rx in RED_FLAGS.items() if rx.search(text)]
        meds = EXCESS.search(text) or CHILD.search(text) or fired["medical_emergency"]
        fired["poisoning"] = [n for n, rx in POISONING.items()
                              if rx.search(text) and (n != "medicine_excess" or meds)]
    category = next((c for c in CATEGORIES if fired[c]), None)
    signals = tuple(f"{c}:{n}" for c in CATEGORIES for n in fired[c])
    return Triage(category, signals, NOTICES.get(category) if category else None)


# The notice that is right for each true category (an overdose with intent rightly gets the crisis text).
ACCEPT = {"self_harm": {"self_harm"}, "poisoning": {"poisoning", "self_harm"},
          "medical_emergency": {"medical_emergency"}}


def score(rows: list[tuple[str, str]]) -> dict:
    """Recall per category, false-alarm rate on `none` and category accuracy for (text, category) rows."""
    counts = {c: {"n": 0, "hit": 0, "right": 0} for c in (*CATEGORIES, "none")}
    misses, false_alarms, wrong = [], [], []
    for text, expected in rows:
        got = triage(text).category
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
