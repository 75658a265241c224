"""Whether a message is happening to someone now: the frames that decide which rules judge it.

Why: the same red-flag words appear in "my dad collapsed and won't wake up" and in "what is the first aid for
someone who collapses?", "I fainted at a concert two years ago", "a tiny streak of blood, I feel fine". A
question with no person in it, a lesson, a story, something small or over and done with is not an emergency,
unless something points at now ("right now", "keeps", "since this morning", "isn't working").
"""

from __future__ import annotations

import re

PERSON = r"(?:i|i'm|i've|me|my|we|our|us|he|he's|him|his|she|she's|her|they're|someone|somebody)"
SITUATION = re.compile(rf"\b(?:{PERSON}|help|please|now|right now|just|suddenly|\d+ ?(?:yo|yr|year|month|week)s?)\b")
QUESTION = re.compile(
    r"^(?:(?:hi|hello|hey|sorry|quick question|so|ok) )*(?:what|what's|how|why|which|when|where|"
    r"who|is|are|does|do|can|could|should|would|will|at what|any|tell me|explain)(?![\w'])"
)
# A question about learning, or about something over and done with, is not an emergency unless something points
# at now ("last summer" vs "still", "since this morning").
LEARNING = re.compile(
    r"\b(?:first aid for|what (?:should|do|would|can) (?:you|i|we|one|people) (?:actually |really"
    r" )?do "
    r"(?:if|when)|in (?:victorian|old)"
    r" (?:novels|films)|"
    r"(?:was|were|been|got|had) (?:just |recently |newly )?prescribed"
    r"|(?:driving|travel|flying) (?:rules|restrictions|laws?)"
    r"|how (?:do|can|would) (?:i|we) tell (?:if|whether|the difference|apart|\S+ from)"
    r"|statistics|how common (?:is|are)|"
    r"what tests|find out why|want to know for|for (?:my )?(?:work|job|training)\b|as a (?:kid"
    r"|child|teen|teenager|"
    r"baby)|^can (?:you|i|people|kids) get|^can (?:\S+ ){1,3}(?:feel like|cause|make you|give you)"
    r"|sundowning|"
    r"(?:cardiologist|neurologist|consultant|specialist|doctor|gp) (?:says|thinks|said)|nearly"
    r" (?:fainted|died|had a "
    r"heart attack) when i (?:saw|heard|read)|(?:shoes|boots|heels) (?:are|is) (?:absolute |total"
    r" )?agony|how"
    r" (?:do|"
    r"should|can|would) (?:you|one|we|people) (?:help|treat|recogni[sz]e|spot|tell|use|give|know)"
    r"|just "
    r"curious|out of curiosity|for (?:a|my|an|our) (?:class|exam|course|essay|project|assignment"
    r"|module)|"
    r"after reading|want to understand|i (?:read|saw|heard) (?:that|about|an?)|news article|is it"
    r" true|what (?:are|is) the "
    r"(?:symptoms|signs|warning signs) of|last (?:year|summer|winter|spring|autumn|month)|years ago|"
    r"months ago|when i was (?:a|\d)|(?:how|what) (?:can|do|should) (?:i|we) (?:do to )?(?:avoid"
    r"|prevent)|"
    r"resolved (?:on its own|by itself|itself)|writing a (?:crime )?(?:novel|story|book|script)|for"
    r" my training|"
    r"training notes|sleep apn(?:o)?ea|difference between|during a (?:fit"
    r"|seizure)|^(?:should|do|"
    r"can|would) you\b|^can \S+ (?:feel like"
    r"|cause|make you|give you)|what does \S+ (?:\S+ )?do to"
    r"|why (?:do|does) (?:i|you|people|my \S+) (?:feel|get|have)|(?:doctor|gp|nurse"
    r"|pharmacist|"
    r"dentist) (?:mentioned|said|told me|explained)|at my (?:check ?up|appointment)|(?:\d+|a|one"
    r"|two|three|few) "
    r"(?:weeks?|months?|years?) ago|(?:at|for|before) (?:my|his|her|the) next"
    r" (?:check ?up|"
    r"appointment|visit|gp)|learning (?:for|about)|care plan|(?:listed|described|mentioned) as|is a"
    r" (?:sign|symptom) of|"
    r"first aid (?:for|steps|tips|advice)|if (?:someone|a person|somebody) (?:has|is having|gets)"
    r"|how (?:do|should|"
    r"can) i (?:use|store|carry)|back to normal|slowly improving|getting better|doing (?:well|fine"
    r"|ok) now|"
    r"(?:eating|drinking|playing) (?:and (?:eating|drinking|playing) )?(?:normally|now)|for (?:my|a"
    r"|our) \S+ (?:class|exam"
    r"|course|"
    r"module)|fully recovered|never again since|all good now|(?:been|is|was|seems?|seemed)"
    r" (?:totally "
    r"|completely |"
    r"absolutely |perfectly )?(?:fine|ok|okay|normal|well) (?:since|after|now|ever since))\b"
)
PRESENT = re.compile(
    r"\b(?:suddenly|all of a sudden|(?:i'm|i am|he's|she's|it's|he is|she is) (?:going|getting"
    r"|having|feeling|losing|"
    r"bleeding|vomiting|shaking|struggling)|feel(?:s|ing)? like (?:i'm|i am|he's|she's) going to"
    r"|(?:isn't|is not|not|"
    r"doesn't|does not) (?:working|helping)|right now|tonight|today|this (?:morning|afternoon"
    r"|evening)|(?<!can i )(?<!could i )(?<!should i )still(?! (?:get|have|think|feel|remember"
    r"|struggle|stiff|sore|"
    r"achy|aching|bruised|tender|itchy))|keeps?|won't stop|"
    r"isn't stopping|currently|at the moment|minutes? ago|an hour ago|hours ago|just (?:now|happened)|"
    r"since (?:yesterday|this morning|last night)|please|help me|(?:it's|its|is|it is) happening"
    r" again|started again|"
    r"(?<!someone )(?<!somebody )(?<!person )(?:has|have|i've|he's|she's|they've) been \w+ing|for"
    r" (?:\d+ |a few |several )?hours|for (?:about |over |almost |nearly )?(?:half an hour|an hour|\d+ ?min\w*|(?:ten|"
    r"twenty|thirty|forty|fifteen) min\w*)|now)\b"
)
# Over and done with ("back to normal now"): quiet unless it came back or something is severe
RESOLVED = re.compile(
    r"\b(?:(?:doctor|gp|tests?|ecg|scans?|bloods|hospital|a&e|er)\b(?: \S+){0,5} (?:said|says|came back|were|was)"
    r" (?:all |it was |it's |everything was )?(?:normal|fine|clear|ok)|back to normal|goes away"
    r"|(?:was|were|got) checked (?:over )?and (?:was |is )?fine|i feel"
    r" (?:totally |completely )?fine|feel fine now|(?:she's|he's|i'm|"
    r"they're) (?:totally |completely )?fine now|got (?:it |my \S+ (?:\S+ )?)?checked|went away"
    r"|cleared up|(?:antacids?|rest|it) (?:fix|fixes|helps?) it"
    r"|coughed it (?:out|up)|(?:is|it's|its) healing|fine afterwards|slowly"
    r" improving|getting better|doing (?:well|fine|ok) now|healing"
    r" (?:well|nicely|"
    r"fine)|fully recovered|never again since|all good now|resolved (?:on its own|by itself|itself)|"
    r"(?:eating|drinking|playing) (?:and (?:eating|drinking|playing) )?(?:normally|now)|(?:been|is"
    r"|was|seems?|"
    r"seemed) (?:totally |completely |absolutely |perfectly )?(?:fine|ok|okay|normal|well) (?:since"
    r"|after|now|"
    r"ever since))\b"
)
CAME_BACK = re.compile(
    r"\b(?:but|and) (?:now|tonight|today|this morning|then|suddenly)\b|\bagain (?:now|today"
    r"|tonight)\b|"
    r"\bstarted again|\bback again|\bnow (?:i'm|he's|she's|it's|they're|i|he|she|it|they)\b(?!"
    r" (?:back|fine|"
    r"ok|okay|well|better|normal))"
)
# A symptom the writer calls small ("a tiny streak of blood", "a bit wheezy"), unless something says otherwise.
MILD = re.compile(
    r"\b(?:breathing (?:is )?(?:fine|ok|okay|normal)|(?:slight|mild)(?:ly)? (?:ache|pain|discomfort)"
    r"|(?:tiny|small|little|faint) (?:streak|speck"
    r"|fleck|trace|spot|drop)s? of blood|streaks? of"
    r" blood|"
    r"(?:a )?(?:tiny |little )?bit (?:wheezy|dizzy|sore|achy|light ?headed|breathless|out of breath|short of"
    r" breathe?)|(?:small|minor|tiny|little|paper|shaving) (?:shaving )?(?:cut|nick|graze|"
    r"scratch))\b"
)
SEVERE = re.compile(
    r"\b(?:a lot|severe|worse|worst|can't|cannot|won't stop|heavy|heavily|pouring|mouthfuls|"
    r"cups?|blue|feel\w* faint|collapsed)\b"
)
# Every morning, most nights: a pattern to ask about, not an emergency now (unless something says otherwise)
HABITUAL = re.compile(r"\b(?:in the (?:mornings|evenings|nights)|most (?:mornings|nights|days|evenings))\b")
# Weeks of the same thing: the learned second opinion stays out of it (the rules still judge it)
CHRONIC = re.compile(
    r"\bfor (?:a (?:couple|few) (?:of )?|several |many |\d+ |two |three )?(?:weeks|months|years)\b|"
    r"\bby the end of the (?:work)?day|\bevery (?:day|night|morning|evening|time i)\b"
)
# Fiction, film and history: red flags in a story are not happening to anyone
FICTION = re.compile(
    r"\bin (?:the|a|this) (?:film|movie|show|book|novel|series|game|episode)\b|\b(?:victorian|old)"
    r" (?:novels|films)"
)
STUDY = re.compile(
    r"\b(?:is it (?:common|normal|usual) for|reading about|difference between|writing a (?:crime "
    r"|murder |detective )?(?:novel|story"
    r"|book|"
    r"script|screenplay)|for (?:my|a|our) (?:\S+ )?(?:class|essay|course|module|assignment|exam)|what"
    r" does \S+ "
    r"mean)\b"
)
JOKING = re.compile(r"(?<!not )\b(?:lol|lmao|haha\w*|jk|joking|kidding)\b")
