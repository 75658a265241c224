"""Poisoning, after poison centres' advice: a substance plus a way of taking it in, a count of pills, carbon
monoxide. A medicine counts only with an excess, or a child or a red flag plus swallowing (triage.py gates it):
people take medicines every day."""

from __future__ import annotations

import re

from plugins.safety.wording import W4, W8

# Something taken by mouth on purpose or by mistake (not "gave him his rescue medicine")
TAKEN = re.compile(r"\b(?:swallowed|swallowing|drank|drunk|ate|eaten|took|taken|downed|chew\w*|got into|suck\w*|bit)\b")
# (c) Poisoning, after poison centres' advice: a substance plus an ingestion, or a count of pills.
CHEMICAL = (
    r"(?:laundry|dishwasher|detergent|washing|tide) pods?|(?:fentanyl|nicotine|medicine|medicated|pain) "
    r"patch(?:es)?|lamp oil|bleach|antifreeze|batter(?:y|ies)|magnets?|berr(?:y|ies)|mushrooms?"
    r"|foxglove|leaf|leaves|dishwasher|"
    r"laundry|detergent|washing up liquid|weed ?killer|pesticide|poison|cleaner|white spirit|paraffin|"
    r"kerosene|lamp oil|petrol|screenwash|washer fluid|saniti[sz]er|nail polish|perfume|mouthwash|e ?cig\w*|"
    r"vape|e ?liquid|ammonia|denture|edibles|chemicals?"
)
MEDICINE = (
    r"pills?|tablets?|meds|medicines?|medication|capsules|paracetamol|ibuprofen|aspirin|calpol|tylenol|"
    r"acetaminophen|tramadol|morphine|methadone|heroin|fentanyl|opioids?|insulin|warfarin|vitamins?|"
    r"gummies|antihistamines?|antidepressants?|sertraline|co ?codamol|codeine|iron|"
    r"\w+(?:pam|pine|pril|olol|statin|mycin|cillin|zole|tyline|oxetine|aline)"
)  # common drug-name endings
INGEST = (
    r"(?:swallowed|swallowing|drank|drunk|drinking|ate|eaten|eating|took|taken|had|downed|chew\w*|lick\w*|"
    r"suck\w*|bit (?:into|on|off)|bitten|biting|bite (?:into|on|off)|gave|give|giving|fed|got into|injected"
    r"|given|drink|"
    r"eat|swallow|chew|"
    r"mixed|inhaled)"
)
EXCESS = re.compile(
    r"\b(?:too (?:much|many)|whole|all (?:of )?(?:my|his|her|the)|double|twice|extra|instead of|"
    r"by accident|accidentally|by mistake|a load|a bunch|(?<!\d )(?:[5-9]|\d\d+)(?! ?(?:ml|mg|g|mcg|"
    r"weeks?|months?|years?|yo|yr|min|mins|minutes?|hours?|hrs?|days?|times|puffs?|percent|degrees?|c"
    r"|f)\b))\b"
)
CHILD = re.compile(r"\b(?:baby|toddler|kid|child|son|daughter|boy|girl|little one|\d+ ?(?:yo|yr|year|month))")
POISONING = {
    "chemical_ingested": re.compile(rf"\b{INGEST}\b.*\b(?:{CHEMICAL})\b|\b(?:{CHEMICAL})\b.*\b{INGEST}\b"),
    # only with an excess, a child or a red flag (see triage.py)
    "medicine_excess": re.compile(rf"\b{INGEST}\b.*\b(?:{MEDICINE})\b"),
    # "taking" is what people do every day: only with a stated excess
    "medicine_taking": re.compile(rf"\btaking\b.*\b(?:{MEDICINE})\b"),
    "pill_count": re.compile(
        rf"\b(?:took|taken|swallowed|had|downed) (?:about |like |over )?(?:[5-9]|\d\d+|all|"
        rf"a (?:whole|full) \w+)(?! (?:puffs?|sprays?|drops?)){W4} "
        rf"(?:{MEDICINE}|of (?:my|his|her|them|the)\b)"
    ),
    # NHS carbon monoxide: an alarm, or headaches and sickness that come with a boiler, heater or engine
    "carbon_monoxide": re.compile(
        r"\bcarbon monoxide (?:leak|poisoning)\b.*\b(?:headaches?|sick|dizzy|sleepy)|"
        r"\b(?:co|carbon monoxide) (?:alarm|detector)" + W4 + r" (?:going off|beeping|went"
        r" off|"
        r"sounding)|\b(?:boiler|heater|heating|gas fire|generator"
        r"|exhaust)\b.*\b(?:headaches?|"
        r"feel(?:ing)? sick|dizzy|drowsy|lethargic)|\b(?:headaches?|feel(?:ing)? sick"
        r"|dizzy)\b.*"
        r"\b(?:boiler|heater|gas fire|generator|exhaust)\b"
    ),
    # a child near missing pills (gated like an excess: a child, an excess or a red flag)
    "medicine_missing": re.compile(
        rf"\b(?:{MEDICINE}|pill (?:organi[sz]er|box))\b" + W8 + r" missing\b|\bmissing "
        rf"(?:{MEDICINE})\b"
    ),
    "overdose": re.compile(r"\boverdos|(?<!food )\bpoisoning\b|\bpoisoned\b|\bspiked\b"),
}
