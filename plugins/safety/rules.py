"""The triage's rules, one family at a time, each named after the published list it follows.

Why one list: a detector written from its author's own examples misses what nobody here thought of. The
families are the warning signs of MedlinePlus "Recognizing medical emergencies" (the American College of
Emergency Physicians' list, medlineplus.gov/ency/article/001927.htm), its "call 911 if" examples (heart attack,
severe allergic reaction), and from the NHS "call 999" list the signs that list leaves out (seizures, meningitis,
sepsis, babies, pregnancy, diabetes). Each rule describes a *situation* in the words people use: the body part
and its everyday synonyms, an onset word, a trigger with its reaction. Rules read text from
`plugins.safety.wording.normalize`.
"""

from __future__ import annotations

import re


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(parts))


W4, W8 = r"(?: \S+){0,4}", r"(?: \S+){0,8}"  # a few words allowed between the parts of a phrase
PERSON = r"(?:i|i'm|i've|me|my|we|our|us|he|he's|him|his|she|she's|her|they're|someone|somebody)"
SITUATION = re.compile(rf"\b(?:{PERSON}|help|please|now|right now|just|suddenly|\d+ ?(?:yo|yr|year|month|week)s?)\b")
QUESTION = re.compile(r"^(?:(?:hi|hello|hey|sorry|quick question|so|ok) )*(?:what|what's|how|why|which|when|where|"
                      r"who|is|are|does|do|can|could|should|would|will|at what|any|tell me|explain)(?![\w'])")
# A question about learning, or about something over and done with, is not an emergency unless something points
# at now ("last summer" vs "still", "since this morning").
LEARNING = re.compile(r"\b(?:first aid for|what (?:should|do|would|can) (?:you|i|we|one|people) (?:actually |really"
                      r" )?do "
                      r"(?:if|when)|in (?:victorian|old)"
                      r" (?:novels|films)|"
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
                      r"absolutely |perfectly )?(?:fine|ok|okay|normal|well) (?:since|after|now|ever since))\b")
PRESENT = re.compile(r"\b(?:suddenly|all of a sudden|(?:i'm|i am|he's|she's|it's|he is|she is) (?:going|getting"
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
                     r" (?:\d+ |a few |several )?hours|now)\b")
# Something taken by mouth on purpose or by mistake (not "gave him his rescue medicine")
TAKEN = re.compile(r"\b(?:swallowed|swallowing|drank|drunk|ate|eaten|took|taken|downed|chew\w*|got into|suck\w*|bit)\b")
# Over and done with ("back to normal now"): quiet unless it came back or something is severe
RESOLVED = re.compile(r"\b(?:back to normal|goes away|(?:was|were|got) checked (?:over )?and (?:was |is )?fine|i feel"
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
                      r"ever since))\b")
CAME_BACK = re.compile(r"\b(?:but|and) (?:now|tonight|today|this morning|then|suddenly)\b|\bagain (?:now|today"
                       r"|tonight)\b|"
                       r"\bstarted again|\bback again|\bnow (?:i'm|he's|she's|it's|they're|i|he|she|it|they)\b(?!"
                       r" (?:back|fine|"
                       r"ok|okay|well|better|normal))")
# A symptom the writer calls small ("a tiny streak of blood", "a bit wheezy"), unless something says otherwise.
MILD = re.compile(r"\b(?:(?:slight|mild)(?:ly)? (?:ache|pain|discomfort)|(?:tiny|small|little|faint) (?:streak|speck"
                  r"|fleck|trace|spot|drop)s? of blood|streaks? of"
                  r" blood|"
                  r"a (?:tiny |little )?bit (?:wheezy|dizzy|sore|achy|light ?headed|breathless|out of breath|short of"
                  r" breathe?)|(?:small|minor|tiny|little|paper|shaving) (?:shaving )?(?:cut|nick|graze|"
                  r"scratch))\b")
SEVERE = re.compile(r"\b(?:a lot|severe|worse|worst|can't|cannot|won't stop|heavy|heavily|pouring|mouthfuls|"
                    r"cups?|blue|feel\w* faint|collapsed)\b")
# Weeks of the same thing: the learned second opinion stays out of it (the rules still judge it)
CHRONIC = re.compile(r"\bfor (?:a (?:couple|few) (?:of )?|several |many |\d+ |two |three )?(?:weeks|months|years)\b|"
                     r"\bby the end of the (?:work)?day|\bevery (?:day|night|morning|evening|time i)\b")
# Fiction, film and history: red flags in a story are not happening to anyone
FICTION = re.compile(r"\bin (?:the|a|this) (?:film|movie|show|book|novel|series|game|episode)\b|\b(?:victorian|old)"
                     r" (?:novels|films)")
STUDY = re.compile(r"\b(?:is it (?:common|normal|usual) for|reading about|difference between|writing a (?:crime "
                   r"|murder |detective )?(?:novel|story"
                   r"|book|"
                   r"script|screenplay)|for (?:my|a|our) (?:\S+ )?(?:class|essay|course|module|assignment|exam)|what"
                   r" does \S+ "
                   r"mean)\b")
JOKING = re.compile(r"(?<!not )\b(?:lol|lmao|haha\w*|jk|joking|kidding)\b")
WEAPON = re.compile(r"\b(?:gun|knife|rifle|shotgun|weapon|hammer|bat|machete|poison|axe|crowbar|petrol|ammo)\b")
ONSET = r"(?:sudden\w*|out of nowhere|out of the blue|all of a sudden|just now|in seconds|came on|started)"
SIDE = r"(?:one side|left side|right side|half (?:of )?(?:my|his|her|the|their))"
OWNER = r"(?:my|his|her|their|the)"
INTENT = (r"\b(?:want\w*|going|urges?|thoughts?(?: of| about)?|can't stop (?:myself )?|feel like|afraid|scared"
          r"|worried|terrified|might|"
          r"think\w* about|plan\w*|fantasi\w*|telling me|tempted|picturing|imagin\w*|see myself|keep wanting|nearly"
          r"|came "
          r"(?:really |so )?close to)\b")
HARM = (r"(?:kill\w*|murder\w*|stab\w*|strangl\w*|shoot\w*|smother\w*|hurt\w*|harm\w*|beat\w*|push\w*|drown\w*|"
        r"chok\w*|poison\w*|attack\w*|go after|drop\w*|shak\w*|throw\w*|suffocat\w*|hit\w*)")
OTHERS = (r"(?:him|her|them|someone|somebody|people|everyone|anyone|a person|(?:the|that|this) (?:girl|boy|guy|man|"
          r"woman|kid|lady|child)|(?:my|our|the|this|that|his|her|their)"
          r" (?:little |big "
          r"|older |younger |baby |twin )?(?:husband|wife|"
          r"partner|boyfriend|girlfriend|baby|child|kids?|son|daughter|mum|dad|mother|father|brother|sister|boss|"
          r"neighbou?r|roommate|flatmate|family|coworker|co worker|colleague|teacher|ex|friend|step\w*|\w+ in law|"
          r"grand\w*|uncle|aunt|cousin|classmates?|manager|toddler|infant|newborn|children|students?|pupils?|"
          r"patients?))\b(?! feelings)")

# (a) Red flags, medical emergencies. The key is the family; the comment names the line of the list it covers.
RED_FLAGS = {
    # MedlinePlus "Chest pain"; AHA heart attack warning signs: pressure, squeezing, spreading to arm, jaw or back
    "chest_pain": _rx(r"\bchest (?:really |so |very )?(?:pains?|hurts?|tight|pressure|burns?|feels? (?:like|heavy"
                      r"|tight)|is (?:killing|"
                      r"crushing|tight|heavy))",
                      r"\b(?:pain|tight|pressure|crushing|clutching|squeez\w*|heavy|heaviness|ache|aching)" + W4
                      + r" (?:chest|left arm|breastbone|sternum)\b",
                      r"\b(?:breastbone|sternum)\b" + W8 + r" (?:pain|hurts?|pressure|crush|squeez|tight|heavy)",
                      r"\b(?:elephant|weight|brick|vice|band)" + W4 + r" (?:on|round|around|across) " + OWNER
                      + r"? ?chest", r"\bchest" + W8 + r" (?:spread\w*|going|goes|radiat\w*|moving|down|up) (?:\S+ )"
                      r"{0,3}(?:arm|jaw|neck|back|shoulder)",
                      r"\b(?:having|had|think|is|it's) (?:a )?heart attack",
        r"\b(?:pain|tight|pressure|crush|clutch|squeez|heav|ach)\w*" + W8 + r" (?:chest|breastbone|sternum)\b",
        r"\b(?:gtn|nitro\w*|angina spray)\b.*\b(?:still|worse|(?:not|isn't|doesn't|is not) (?:working|helping)|didn't"
        r"|hasn't)",
        r"\bchest (?:is |feels )?(?:very |so |really )?(?:pain\w*|heavy|tight|sore)",
        r"\b(?:going|spreading|radiating|moving) (?:in)?to (?:my|his|her|the) jaw",
        r"\bcold sweats?\b",
        r"\b(?:grey|gray)\b" + W4 + r" (?:sweat\w*|clammy)|\b(?:sweat\w*|clammy)" + W4 + r" (?:grey|gray)\b",
        r"\bsqueez\w*\b.*\barms?\b (?:ache|aches|aching|hurts|numb)"),
    # MedlinePlus "Breathing problems (difficulty breathing, shortness of breath)"
    "breathing": _rx(r"\b(?:can't|unable to|struggling to|hard to|barely|trouble|difficulty|problems?) "
                     r"(?:breathe|breathing|catch|get (?:his|her|my|a|any|enough )?(?:breath|air))",
                     r"\bstridor|\b(?:high pitched|squeak\w*|whistl\w*|crowing) (?:\S+ ){0,3}(?:noise|sound|breath)",
                     r"\b(?:not|isn't|barely|stopped|stop) breathing", r"\bgasping", r"\bshort of breathe?",
                     r"\b(?:turning|turned|gone|going|went) (?:blue|grey|gray)",
                     r"\b(?:lips|face|skin|fingers)" + W4 + r" (?:blu(?:e|ish)|grey|gray)",
                     r"\bwheez", r"\bsucking in", r"\bgrunting", r"\bbetween breaths", r"\bbarely talk",
                     r"\bcan't (?:talk|speak|finish|get (?:a|the) words?)" + W4 + r" (?:breath|sentence)",
                     r"\bfighting for (?:breath|air)", r"\bbreathless", r"\bout of breathe?\b" + W8
                     + r" (?:sitting|resting|lying|rest|doing nothing|talking)", r"\bcan't get (?:any |enough )?air",
                     r"\binhaler (?:isn't|is not|not|doesn't|does not) (?:working|helping|doing)",
                     r"\basthma attack", r"\bpink froth", r"\bribs (?:are )?sucking",
        r"\bbreathing" + W4 + r" (?:whistl\w*|tight|noisy|funny|weird|strange|rattl\w*|raspy|laboured|labored|fast|"
        r"really fast|shallow)",
        r"\b(?:breathed|inhaled|sucked) in (?:a|the|my|his|her|some) \S+",
        r"\b(?:sips?|whistle|thin stream|tiny bit) (?:of )?air",
        r"\bstopping breathing|\bstops breathing",
        r"\bblue (?:around|round) (?:the |his |her |my )?(?:mouth|lips)",
        r"\b(?:so |really )?hard to breathe|\bbreathing is (?:so |really )?(?:hard|difficult)",
        r"\bdrool\w*\b.*\bcan't swallow|\bcan't swallow\b.*\bdrool",
        r"\bnoise when (?:she|he|i|they) breathes? in"),
    # MedlinePlus "Change in mental status (such as unusual behavior, confusion, difficulty arousing)"
    "mental_status": _rx(r"\bconfused\b(?! about| by| with)", r"\bconfusion\b", r"\bcan't recognise",
                         r"\b(?:doesn't|don't|didn't|does not) (?:know|recogni[sz]e) (?:where|who|what day|me|us|"
                         r"his|her)", r"\b(?:talking|making) (?:gibberish|nonsense|no sense)",
                         r"\bnot making (?:any )?sense", r"\bdisorient", r"\bgibberish",
                         r"\b(?:seeing|talking to|hearing|talks to|sees) (?:people|things|someone|voices|bugs) (?:who"
                         r"|that)"
                         r" (?:aren't|isn't|are not|is not|weren't) there",
                         r"\b(?:can't|can barely|barely|struggling to) (?:stay awake|keep (?:his |her |my |their"
                         r" )?eyes "
                         r"open)", r"\b(?:speak\w*|talk\w*|saying|says) (?:\S+ ){0,2}(?:strange|weird|odd) things",
                         r"\bacting (?:strange|strangely|weird|odd|drunk|crazy)",
                         r"\b(?:really|very|so|too) (?:drowsy|sleepy) (?:and|to)", r"\bdelirious|\bhallucinat",
                         r"\b(?:hard|difficult|impossible) to (?:wake|rouse|keep awake)",
                         r"\b(?:won't|can't|couldn't|hasn't|not|cannot) (?:wake|woken|be woken|stay awake)",
        r"\bnot recogni[sz]\w*", r"\b(?:can|could)? ?(?:barely|hardly) (?:wake|be woken|stay awake|keep)",
        ONSET + W8 + r" (?:aggressive|agitated|a different person|not (?:him|her)self|forgetful|can't remember)",
        r"\bkeeps? asking the same (?:question|thing)",
        r"\bcan't remember anything",
        r"\bjumbled",
        r"\bonly groans|\b(?:doesn't|won't|can't|not|isn't) open(?:ing)? (?:his|her|their|my) eyes",
        r"\bfall\w* asleep (?:in the middle of|mid|while) (?:talking|a sentence|sentence|eating)",
        r"\b(?:doesn't|won't|not|isn't) react\w*|\bcan't keep (?:him|her|them) awake"),
    # MedlinePlus "Choking"
    "choking": _rx(r"\bchok(?:ing|ed|es)\b(?! hazards?| in (?:the|my|a) (?:final|game|match|exam|interview"
                   r"|presentation|speech))",
    r"\bstuck in " + OWNER + r" (?:throat|windpipe)",
                   r"\bstuck\b" + W4 + r" (?:can't|barely|hardly) (?:breathe|get air|talk|speak)",
                   r"\b(?:can't|cannot) (?:cough|swallow)" + W4 + r" (?:breathe|talk|stuck)",
        r"\bhands? (?:on|at|round|around|to|clutching) (?:his|her|my|their) throat",
        r"\bcan't (?:talk|speak|breathe) or cough|\bcan't cough\b",
        r"\b(?:clutch\w*|grab\w*|holding) (?:his|her|my|their) (?:neck|throat)",
        r"\b(?:not|isn't|can't) mak\w* (?:a|any) (?:sound|noise)",
        r"\bcan't (?:even )?swallow (?:his|her|my|their) (?:own )?(?:spit|saliva)",
        r"\bdusky|\b(?:going|gone|turning|turned|went) purple",
        r"\bstuck\b.*\bdrool"),
    # MedlinePlus "Bleeding that will not stop", "deep or large wound"
    "bleeding": _rx(r"\bbleed\w*" + W4 + r" (?:everywhere|heavily|won't stop|wont stop|isn't stopping|not stopping|"
                    r"through|over an hour|ear|a lot|badly|loads|not stop\w*|doesn't stop)",
                    r"\b(?:heavy|severe|uncontrolled|lots of|so much) (?:bleed|blood)", r"\bspurt",
                    r"\b(?:blood|bleeding)" + W4 + r" (?:pouring|gushing|pumping|soak\w*|everywhere|won't stop|"
                    r"dripping|not stop\w*|isn't stopping|doesn't stop)", r"\b(?:cut|wound|gash)" + W8 + r" (?:very"
                        r"|really"
                    r"|so) deep\b", r"\bsoaked (?:through|the)", r"\b(?:deep|big|huge|gaping|large) (?:cut|gash|wound"
                    r"|slash)", r"\bgash", r"\bcan see (?:the )?(?:bone|fat)", r"\bstabbed|\b(?:been|was|got) shot\b",
        r"\b(?:nose ?)?bleed\w*" + W8 + r" (?:non ?stop|hours|for (?:over|more than) (?:an|one|1) hour|isn't stopping|"
        r"not stopping)",
        r"\b(?:still|keeps?) (?:pouring|gushing|bleeding|soaking|filling|pumping)",
        r"\bsoak\w*" + W4 + r" (?:through|pads?|towels?|bandages?|every)",
        r"\bblood" + W8 + r" (?:pumps?|pumping|spurts?|pulsing|pulses|in time with)",
        r"\b(?:blood|claret)" + W4 + r" everywhere",
        r"\bclots? (?:the size of|bigger than|as big as)",
        r"\bbleeding" + W4 + r" (?:heavy|heavier)",
        r"\bdeep into\b",
        r"\bfill\w* (?:up )?with (?:fresh )?blood",
        r"\b(?:bleed\w*|lost (?:a lot of |so much )?blood|losing blood|blood loss|blood everywhere)\b.*\b(?:pale|grey"
        r"|gray|faint|lightheaded|light headed|clammy)\b",
        r"\b(?:warfarin|blood thinners?|anticoagula\w*|apixaban|rivaroxaban)\b.*\b(?:nose ?)?bleed\w*" + W8
        + r" (?:won't|not|isn't|hours?|a lot|heavily)",
        r"\b(?:gushing|spraying|spurting|squirting)\b",
        r"\bblood\b" + W4 + r" (?:very fast|so fast|fast|like a tap|like a hose)",
        r"\bslash\w*",
        r"\b(?:cut|knife|wound|blood|bleed\w*)\b.*\b(?:can't|cannot|couldn't) stop (?:it|the bleed\w*|the blood)",
        r"\bveins? (?:has |have |just )?burst",
        r"\b(?:won't|doesn't|isn't|not|can't|cannot|couldn't) stop(?:ped)? (?:the )?bleed\w*",
        r"\bbled (?:through|everywhere|all over)",
        r"\bdrip\w* (?:on|onto) the floor",
        r"\b(?:loads of|lots of|a lot of|so much|full of) (?:bright red |dark red |fresh )?blood\b",
        r"\bsoak\w* (?:the |my |his |her )?dressings?"),
    # MedlinePlus "Coughing up or vomiting blood"
    "blood_up": _rx(r"\bcough\w*" + W8 + r" blood", r"\b(?:vomit\w*|threw up|throw(?:s|ing)? up|thrown up|sick"
                                                    r"|spit\w*|spat)" + W4
                    + r" blood", r"\bblood in " + OWNER + r" (?:vomit|sick|spit|phlegm|mucus)", r"\bcoffee grounds",
                    r"\bblack tarry",
        r"\b(?:vomit\w*|threw up|throw\w* up|thrown up|sick|spew\w*|retch\w*|bring\w* up|brought up|heav\w*)\b.*"
        r"\b(?:bright red|dark red|fresh|mouthfuls of|loads of|lots of|a lot of|amount of|mostly|all|was|of|been|is) "
        r"blood\b",
        r"\bblood\b" + W4 + r" (?:came|coming|come) up",
        r"\bblood\b" + W4 + r" (?:with|when|in) (?:my|his|her|the) cough",
        r"\bblack (?:and )?tarry|\btarry",
        r"\b(?:vomit\w*|threw up|throw\w* up|thrown up|sick|spew\w*|retch\w*|bring\w* up|brought up)\b(?: \S+){0,12}"
        r" (?:blood(?! (?:pressure|tests?|sugar|thinners?|type|count|results?))|bloody|clots|like coffee|dark brown|"
        r"(?:dark|bright|really) red|all red)\b"),
    # MedlinePlus "Fainting or loss of consciousness"
    "fainting": _rx(r"\bunconscious", r"\bunresponsive", r"\bnot (?:respond\w*|answer\w*)", r"\bcollapsed",
                    r"\bpass(?:ed|es|ing)? out",
                    r"\bfaint(?:ed|ing|s)\b(?! (?:from )?laughing)",
                    r"\bblack(?:ed|s|ing)? out\b",
                    r"\bkeeled over", r"\blos\w* consciousness", r"\bout cold", r"\b(?:went|gone|is) limp",
                    r"\b(?:won't|not|didn't) come (?:round|around|to)\b", r"\bfloppy", r"\blying on the floor",
        r"\b(?:no|not|never|won't|doesn't|didn't|isn't) (?:dey )?respond\w*",
        r"\bslumped",
        r"\b(?:no|any|get a) response\b"),
    # MedlinePlus "Head or spine injury"
    "head_spine_injury": _rx(r"\b(?:hit|banged|bumped|knocked|smashed|landed on)" + W4 + r" head" + W8
                             + r" (?:vomit|sick|throwing up|confus|drowsy|sleepy|not making sense|blood thinners|"
                             r"warfarin|knocked out|blood|clear fluid|seizure|fit)",
                             r"\b(?:fell|fall|fallen|dived|dove)" + W8 + r" (?:head|neck|back|spine)" + W8
                             + r" (?:can't (?:move|feel)|numb|tingl|paraly|weak)",
                             r"\bcan't feel " + OWNER + r" (?:legs|arms|feet|hands)",
                             r"\bneck" + W8 + r" (?:tingling|numb|can't move|legs (?:feel |are |went )?(?:weak|numb"
                                              r"|heavy))",
                             r"\bknocked (?:out|unconscious)", r"\bclear fluid" + W4 + r" (?:nose|ear)",
                             r"\bbruis\w* behind " + OWNER + r" ears?",
        r"\b(?:hit|banged|bumped|knocked|smashed|landed on|fell on)" + W4 + r" head\b.*\b(?:vomit\w*|threw up|thrown"
            r" up|"
        r"throwing up|sick|confus\w*|drowsy|sleepy|seeing double|double vision|pupils?|knocked out|seizure|fit)\b",
        r"\b(?:warfarin|blood thinners?|anticoagula\w*|apixaban|rivaroxaban)\b.*\b(?:hit|banged|bumped|knocked)\b"
        + W4 + r" head",
        r"\b(?:neck|back|spine)\b.*\b(?:pins and needles|tingl\w*|numb\w*)" + W4 + r" (?:both|arms?|legs?|hands?"
            r"|feet)",
        r"\bclear (?:\S+ )?fluid" + W4 + r" (?:nose|ear)",
        r"\b(?:fell|landed|fall\w*|dropped)\b" + W8 + r" (?:on|onto) (?:his|her|my|their|the) head\b.*\b(?:vomit\w*|"
        r"throw\w* up|threw up|sick|drowsy|sleepy|confus\w*)",
        r"\b(?:fell|fall\w*|rolled|dropped|hit|banged|bumped|knocked)\b.*\bhead\b.*\b(?:keeps? vomit\w*|"
        r"vomiting|throwing up|threw up|drowsy|sleepy|confus\w*)",
        r"\b(?:squishy|boggy) (?:swelling|lump|bump)",
        r"\bhead\b.*\bnot (?:him|her)self|\bnot (?:him|her)self\b.*\bhead\b"),
    # MedlinePlus "Severe or persistent vomiting"
    "vomiting": _rx(r"\bcan't keep (?:anything|any ?thing|water|fluids|food|drinks?)" + W4 + r" down",
                    r"\b(?:vomit\w*|throwing up|thrown up|being sick|been sick)" + W8 + r" (?:all (?:day|night)|"
                    r"hours|nonstop|non stop|won't stop|can't stop|for (?:\d+|two|three|a) days?|\d+ times?|every"
                    r"|since "
                    r"(?:yesterday|last night|this morning))", r"\bcan't stop (?:vomit\w*|throwing up|being sick)",
                    r"\b(?:vomit\w*|throwing up)" + W8 + r" (?:no (?:pee|wee|urine)|dry mouth|mouth (?:is )?(?:very "
                                                         r"|so )?dry|dehydrat|can't stand)",
        r"\b(?:vomit\w*|throwing up|being sick)\b" + W4 + r" (?:green|bile|bilious)",
        r"\b(?:belly|tummy|stomach|abdomen)\b" + W4 + r" (?:rigid|rock hard|hard as|swollen and hard|distended)",
        r"\b(?:haven't|hasn't|can't|not|no) pass(?:ed|ing)? (?:wind|gas|a stool)|\bvomit\w* (?:smells|looks) like "
        r"(?:poo|poop|faeces|feces)",
        r"\b(?:vomit\w*|throw\w* up|sick)\b.*\bsmells? like (?:poo|poop|faeces|feces)",
        r"\b(?:stomach|belly|tummy) (?:is )?(?:huge|swollen|distended)\b"),
    # MedlinePlus "Sudden injury due to a motor vehicle accident, burns or smoke inhalation, near drowning"
    "accident": _rx(r"\b(?:car|motorbike|motorcycle|bike|road|traffic) (?:crash|accident|collision)",
                    r"\bhit by (?:a )?(?:car|bus|truck|van|lorry|train|motorbike)", r"\bcrashed (?:his|her|my|the|"
                    r"our|their) (?:car|bike|motorbike)", r"\bfell (?:off|from|out of|down)(?: \S+){0,3} (?:ladder|"
                    r"roof|balcony|window|scaffold\w*|tree|horse|cliff|stairs|floor|storey|story|metres|meters|feet)",
                    r"\bsmoke inhalation|\b(?:breathed|inhaled)"
                    + W4 + r" smoke|\b(?:house|kitchen|building) fire", r"\bdrown", r"\b(?:fell|found|pulled) (?:\S+"
                        r" ){0,2}"
                    r"(?:in|into|out of|from) (?:the|a) (?:pool|pond|river|sea|bath|lake|water)",
                    r"\bunder ?water" + W8 + r" (?:minute|seconds|long|breath\w*|cough\w*|blue|not)",
                    r"\bscald", r"\b(?:boiling|hot) (?:water|oil|fat|kettle)" + W8 + r" (?:on|onto|over|burn\w*|skin)",
                    r"\bburn\w*" + W8 + r" (?:boiling|hot oil|whole|chest|face|skin)", r"\belectric\w* shock",
                    r"\belectrocut", r"\bskin is (?:white|charred|peeling|black)",
                    r"\bburn\w*" + W4 + r" (?:white|leathery|charred|black|to the bone)",
                    r"\b(?:almost|nearly|partly|half|hanging) (?:off|cut off|severed)\b|\bsevered|\bamputat",
                    r"\bcrushed\b", r"\bcaught in (?:a|the) (?:machine|machinery|press|mower|engine)",
                    r"\b(?:kicked|punched|stabbed|struck|run over|trampled)" + W4 + r" (?:in|on) (?:the |his |her |my"
                        r" )?"
                    r"(?:upper )?(?:stomach|tummy|belly|abdomen|chest|head|ribs|neck)", r"\b(?:big|large|deep|severe)"
                        r" burns?\b",
                    r"\bbent (?:the )?wrong way", r"\bbone (?:is )?(?:sticking|poking) out",
        r"\b(?:deep end|under ?water)\b",
        r"\blive wire|\b(?:shock|zapped)" + W4 + r" (?:wire|mains|socket|power)",
        r"\bmangled",
        r"\b(?:caught|stuck|trapped) in (?:a|an|the) (?:\S+ )?(?:machine\w*|auger|press|mower|engine|"
        r"grinder|saw|door|gears?)",
        r"\b(?:splash\w*|spray\w*|squirt\w*|got)" + W4 + r" (?:in|into) (?:my|his|her|their|the) (?:eyes?|face)",
        r"\bhit (?:in|on) (?:the|his|her|my) (?:upper )?(?:stomach|tummy|belly|abdomen|chest|ribs)",
        r"\b(?:t ?boned|rear ended|head on collision|rolled the car)",
        r"\b(?:fell|fall|fallen|falls)\b.*\bcan't (?:get up|stand|move)",
        r"\bgot (?:a|an) (?:electric )?shock",
        r"\bhanging (?:by|off)",
        r"\bcaught (?:his|her|my|their) \S+ in (?:a|an|the) \S+",
        r"\b(?:kicked|punched|stabbed|struck|hit) (?:\S+ )?(?:in|on) (?:the|his|her|my) (?:upper |lower )?(?:left "
        r"|right )?" r"(?:stomach|tummy|belly|abdomen|chest|ribs|side)",
        r"\bcame off (?:my|his|her|the|a) (?:motor)?(?:bike|cycle|horse)|\bfell off (?:my|his|her|the|a)"
        r" (?:motor)?bike",
        r"\b(?:went|gone|go|goes) (?:straight |right )?through (?:my|his|her|the) (?:hand|foot|arm|leg|finger|eye"
        r"|thigh)",
        r"\bimpaled",
        r"\bsinged|\bfire\b.*\b(?:hoarse|in my face|in his face|in her face)",
        r"\b(?:finger|thumb|toe|hand|arm|leg|ear)s? (?:\S+ )?(?:got |was |is )?(?:cut|chopped|sliced|ripped|torn) off",
        r"\bdeep bites?|\bmauled"),
    # MedlinePlus "Sudden, severe pain anywhere in the body", with the NHS's sudden "thunderclap" headache
    "severe_pain": _rx(r"\b(?:severe|worst|agonising|agonizing|unbearable|excruciating|horrendous|terrible|crippling)"
                       + W4 + r" (?:stomach|abdominal|tummy|belly|pain|headache|head)",
                       r"\bpain is (?:unbearable|agonising|agonizing|excruciating|10)", r"\b(?:[89]|10) ?(?:out of"
                           r" )?10\b",
                       r"\bworst (?:pain|headache)", r"\bthunderclap",
                       r"\bheadache" + W8 + r" (?:blurry|blurred) vision",
                       r"\b(?:headache|head)" + W8 + r" (?:exploded|explod\w*|like (?:being|i was|he was|she was) "
                       r"(?:hit|kicked|struck)|in seconds|out of nowhere|out of the blue)",
                       ONSET + W4 + r" (?:severe|terrible|horrible|intense|sharp|stabbing|tearing|ripping) (?:pain|"
                       r"headache)", r"\btearing (?:pain|feeling)", r"\brock hard", r"\bappendix",
                       r"\btestic\w*" + W4 + r" (?:pain|swollen|swelling)",
        r"\bagony\b|\bagonising|\bagonizing",
        ONSET + W4 + r" (?:really |very |so )?(?:bad|awful|painful|excruciating|unbearable)",
        r"\b(?:pain|swollen|swelling)" + W4 + r" (?:testic\w*|balls?|scrotum)",
        r"\b(?:leg|arm|foot|hand)\b" + W4 + r" (?:cold and pale|pale and cold|white and cold|(?:went|gone|turned)"
                                            r" (?:cold|white|pale))",
        r"\b(?:very (?:very )?strong|so strong|unbelievable|insane|incredible|unreal) pain|\bpain\b" + W4
        + r" (?:unbelievable|insane|incredible|unreal)",
        r"\blike a knife|\bexploded with pain|\bscreaming (?:in|with) pain",
        r"\bscreaming\b.*\b(?:belly|tummy|stomach|pain|hurts|touch)",
        r"\bhalos? (?:around|round) (?:the )?lights",
        r"\b(?:toes|fingers)\b" + W4 + r" (?:blue|white|numb and cold|cold and numb)",
        r"\brolling (?:around )?on the floor|\bcan't get comfortable",
        r"\bworst\b" + W4 + r" ever\b"),
    # MedlinePlus "Sudden dizziness, weakness, or change in vision"; the stroke signs (BE FAST)
    "dizziness_weakness_vision": _rx(
        r"\bdroop", r"\bslurr", r"\b(?:having|had|is|it's) a stroke", r"\bhalf (?:my|his|her) face",
        r"\b(?:one side|half) of (?:my|his|her|the|their) (?:face|mouth|body)", r"\b" + SIDE + W4
        + r" (?:numb|weak|dead|heavy|droop|paraly|tingl|won't move|can't move)",
        r"\b(?:face|mouth|smile)" + W4 + r" (?:lopsided|crooked|uneven|fallen|dropped|drooping)",
        r"\bwords? (?:are |is |keep |were )?(?:com\w* out|coming) (?:wrong|jumbled|funny|weird|mixed|garbled)",
        r"\b(?:speech|talking|voice)" + W4 + r" (?:garbled|jumbled|funny|strange|weird|slow|drunk)",
        r"\bgarbled", r"\bcan't (?:get (?:my|his|her|the) words out|find (?:my|his|her|the) words|speak properly"
        r"|talk properly|lift (?:my|his|her) arm|raise (?:my|his|her|both) arms?)",
        r"\b" + ONSET + W8 + r" (?:can't|numb|weak|confus|loss of vision|lost (?:my|his|her|the) vision|blind|"
        r"double vision|can't see|dizzy|dizziness|vertigo|room spinning|talking nonsense)",
        r"\b(?:lost|losing|loss of) (?:the )?(?:vision|sight)", r"\bcan't see out of", r"\bwent blind",
        r"\bcurtain (?:over|across|coming down)",
        r"\b(?:vision|sight|everything)" + W4 + r" (?:side|half)? ?(?:is |went |gone )?(?:missing|gone|black|blank"
                                                r"|dark)\b",
        r"\bcan't see\b(?! (?:well|far|the board|small|at night|without|in the dark))", r"\btalking nonsense",
        r"\b(?:arm|leg|side) (?:is |feels |went |gone )?(?:weak|numb|dead|floppy)",
        r"\b(?:face|mouth|smile)" + W4 + r" on one side",
        r"\b(?:speech|talking|voice|words)" + W4 + r" (?:slur\w*|slurp\w*|garbled|jumbled|strange|weird|drunk)",
        r"\b(?:dizzy|dizziness|vertigo)\b.*\b(?:seeing double|double vision|can't walk (?:straight|properly)|falling"
        r" to)",
        r"\bcan't walk straight|\bgetting weaker",
        r"\b(?:shadow|curtain|flashes)" + W8 + r" (?:vision|eye|floaters)",
        r"\b(?:speech|words?|sentences?)" + W4 + r" (?:coming out|come out|came out) (?:wrong|as|all)",
        r"\b(?:sees|seeing|see) double",
        r"\bcan't walk (?:in a )?straight",
        ONSET + W8 + r" (?:unsteady|spinning|vertigo|off balance)",
        r"\b(?:arm|leg)s?\b" + W4 + r" (?:no|not|isn't|won't|stopped) (?:working|moving)",
        r"\b(?:hand|arm|leg) (?:is |feels |went )?(?:clumsy|useless)",
        r"\b(?:arm|leg|hand|face)\b" + W4 + r" (?:weak|numb)\b.*\b(?:mouth|face|speech|talk\w*)\b",
        r"\bmouth (?:feels |is |looks )?(?:funny|numb|droopy|weird)",
        r"\bnumb\w* (?:\S+ ){0,4}(?:left|right|one) side",
        r"\bweakness\b.*\bspreading|\bspreading up(?:wards)?\b"),
    # MedlinePlus "Upper abdominal pain or pressure" (a heart attack can feel like indigestion)
    "upper_abdominal": _rx(r"\bupper (?:stomach|abdominal|abdomen|belly|tummy)" + W4 + r" (?:pain|pressure|ache|hurt)",
                           r"\b(?:pain|pressure|ache|burning)" + W4 + r" (?:upper (?:stomach|abdomen|belly|tummy)"
                           r"|top of " + OWNER + r" (?:stomach|belly|tummy)|under " + OWNER + r" ribs|pit of "
                           + OWNER + r" stomach)", r"\bpit of " + OWNER + r" stomach" + W4 + r" (?:pain|pressure)",
                           r"\bepigastr", r"\b(?:stomach|tummy|belly|abdominal|abdomen)" + W8 + r" radiat\w* (?:to"
                               r"|into|"
                           r"through) (?:\S+ )?back", r"\bupper (?:stomach|abdominal|abdomen|belly|tummy)" + W8
                           + r" (?:worse|pale|vomit\w*|sweat\w*|hard)",
        r"\b(?:pain|pressure|ache|burning|agony)" + W4 + r" under (?:my|his|her|the) (?:right |left )?ribs",
        r"\btop of " + OWNER + r" (?:stomach|belly|tummy)" + W4 + r" (?:agony|pain|hurts|killing)",
        r"\btop of (?:my|his|her|the) (?:stomach|tummy|belly)" + W8 + r" (?:squeez\w*|pain|agony|pressure|crush\w*"
            r"|fist)",
        r"\b(?:pain|pressure)\b" + W4 + r" (?:in )?(?:the )?top of (?:the |my |his |her )?(?:stomach|tummy|belly)",
        r"\bhigh up in (?:my|his|her|the) (?:belly|stomach|tummy)",
        r"\bclutch\w*" + W4 + r" (?:stomach|chest|belly|tummy)",
        r"\bupper (?:right |left )?(?:stomach|abdominal|abdomen|belly|tummy)" + W4 + r" (?:pain|pressure|ache|hurt)"),
    # MedlinePlus "call 911 if ... a severe allergic reaction": swelling of the airway, hives with faintness
    "allergic_reaction": _rx(r"\bthroat (?:is |feels )?(?:like (?:it's|its|it is) )?(?:closing|swell|tight)",
    r"\b(?:tongue|lips?|face|eyes?"
        r"|throat)" + W4
                             + r" (?:swell|swollen|puff|huge|massive|thick|fat|tight)",
                             r"\bswell\w*" + W4 + r" (?:tongue|lips?|throat|face)",
                             r"\bused (?:my|his|her|the|an) epi", r"\bepi ?pen", r"\banaphyla",
                             r"\ballergic reaction", r"\b(?:hives|rash|welts|itch\w*)" + W8 + r" (?:faint|dizzy"
                                 r"|breath|swell|"
                             r"throat|voice|hoarse|tongue|lips|wheez)", r"\bhives" + W4 + r" (?:all over|everywhere)",
                             r"\b(?:stung|sting|bee|wasp|peanut|nuts?|shellfish)" + W8
                             + r" (?:hives|swell|swollen|faint|dizzy|breath|throat|rash all over)",
        r"\bskin (?:is )?peel\w*\b.*\b(?:mouth|eyes|blister\w*)|\bblisters? in (?:my|his|her) mouth"),
    # NHS "call 999": a seizure lasting over 5 minutes, a first seizure, not waking afterwards
    "seizure": _rx(r"\bseizure", r"\bseizing", r"\bfitting\b", r"\b(?:a|having|had|another)(?: \S+)? fits?\b",
                   r"\bshak\w*" + W4
                   + r" (?:whole|all over|entire|full) body", r"\bconvuls",
                   r"\bshaking all over", r"\b(?:jerking|twitching)" + W4 + r" (?:won't stop|all over|arms|legs)",
                   r"\beyes (?:rolled|rolling) back",
        r"\bfoam\w* (?:at|from) (?:the )?mouth",
        r"\beyes (?:go|went|gone|going|rolled|rolling) (?:up|back)",
        r"\bshak\w* (?:very |so )?(?:strong|hard|violently)",
        r"\bjerking\b.*\bstiff|\bstiff\b.*\bjerking",
        r"\brescue (?:medicine|meds|medication|midazolam)\b.*\b(?:didn't|not|hasn't|isn't) work"),
    # NHS meningitis: rash that does not fade under a glass, stiff neck with fever, bulging fontanelle
    "meningitis": _rx(r"\brash" + W8 + r" (?:doesn't|does not|don't|won't) (?:fade|go away)", r"\bpurple spots",
                      r"\bglass test|\b(?:under|press\w*) (?:a|the) glass", r"\bbulging (?:soft spot|fontanelle)",
                      r"\bstiff neck" + W8 + r" (?:fever|temperature|light|headache)",
                      r"\b(?:fever|temperature|headache|sick)" + W8 + r" stiff neck"),
    # UK Sepsis Trust: mottled or blotchy skin, no urine all day, "I feel like I might die"
    "sepsis": _rx(r"\bmottled", r"\bblotchy", r"\b(?:haven't|hasn't|not|didn't|hadn't) (?:peed|weed|urinated|had a"
                                              r" (?:pee|wee)|passed (?:any )?urine)",
                  r"\bno (?:urine|pee|wee)\b",
                  r"\bgoing to die\b(?! if i (?:have|need) to| of (?:boredom|embarrassment|shame|laughter|laughing))"),
    # NICE traffic light: a baby under 3 months with a fever, floppy, blue, very sleepy or not feeding
    "baby": _rx(r"\b(?:newborn|\d+ (?:week|month) old)" + W8 + r" (?:fever|temperature|floppy|blue|sleepy|feed)",
                r"\b(?:not|isn't|won't) feed"),
    # NHS pregnancy: bleeding, waters breaking early, one-sided pain, pre-eclampsia signs
    "pregnancy": _rx(r"\bpregnant" + W8 + r" (?:bleed|waters|severe|headache|pain)", r"\bwaters broke"),
    # Diabetes UK: hypo with confusion, DKA (fruity breath, vomiting)
    "diabetic": _rx(r"\bblood sugar is (?:[0-3]\b|very low)", r"\bdiabetic" + W8 + r" (?:confused|drowsy|sweaty)",
                    r"\bfruity", r"\bhypo\b"),
    # NHS: palpitations with faintness
    "palpitations": _rx(r"\b(?:heart|pulse) (?:is )?(?:racing|pounding)" + W8 + r" (?:faint|pass out|dizzy|chest)",
        r"\bheart" + W4 + r" (?:beating (?:irregular\w*|funny|weird)|skipping|all over the place)"),
}

# (c) Poisoning, after poison centres' advice: a substance plus an ingestion, or a count of pills.
CHEMICAL = (r"(?:laundry|dishwasher|detergent|washing|tide) pods?|(?:fentanyl|nicotine|medicine|medicated|pain) "
            r"patch(?:es)?|lamp oil|bleach|antifreeze|batter(?:y|ies)|magnets?|berr(?:y|ies)|mushrooms?"
            r"|foxglove|leaf|leaves|dishwasher|"
            r"laundry|detergent|washing up liquid|weed ?killer|pesticide|poison|cleaner|white spirit|paraffin|"
            r"kerosene|lamp oil|petrol|screenwash|washer fluid|saniti[sz]er|nail polish|perfume|mouthwash|e ?cig\w*|"
            r"vape|e ?liquid|ammonia|denture|edibles|chemicals?")
MEDICINE = (r"pills?|tablets?|meds|medicines?|medication|capsules|paracetamol|ibuprofen|aspirin|calpol|tylenol|"
            r"acetaminophen|tramadol|morphine|methadone|heroin|fentanyl|opioids?|insulin|warfarin|vitamins?|"
            r"gummies|antihistamines?|antidepressants?|sertraline|co ?codamol|codeine|iron|"
            r"\w+(?:pam|pine|pril|olol|statin|mycin|cillin|zole|tyline|oxetine|aline)")  # common drug-name endings
INGEST = (r"(?:swallowed|swallowing|drank|drunk|drinking|ate|eaten|eating|took|taken|had|downed|chew\w*|lick\w*|"
          r"suck\w*|bit (?:into|on|off)|bitten|biting|bite (?:into|on|off)|gave|give|giving|fed|got into|injected"
          r"|given|drink|"
          r"eat|swallow|chew|"
          r"mixed|inhaled)")
EXCESS = re.compile(r"\b(?:too (?:much|many)|whole|all (?:of )?(?:my|his|her|the)|double|twice|extra|instead of|"
                    r"by accident|accidentally|by mistake|a load|a bunch|(?<!\d )(?:[5-9]|\d\d+)(?! ?(?:ml|mg|g|mcg|"
                    r"weeks?|months?|years?|yo|yr|min|mins|minutes?|hours?|hrs?|days?|times|puffs?|percent|degrees?|c"
                    r"|f)\b))\b")
CHILD = re.compile(r"\b(?:baby|toddler|kid|child|son|daughter|boy|girl|little one|\d+ ?(?:yo|yr|year|month))")
POISONING = {
    "chemical_ingested": re.compile(rf"\b{INGEST}\b.*\b(?:{CHEMICAL})\b|\b(?:{CHEMICAL})\b.*\b{INGEST}\b"),
    # only with an excess, a child or a red flag (see triage.py)
    "medicine_excess": re.compile(rf"\b{INGEST}\b.*\b(?:{MEDICINE})\b"),
    # "taking" is what people do every day: only with a stated excess
    "medicine_taking": re.compile(rf"\btaking\b.*\b(?:{MEDICINE})\b"),
    "pill_count": re.compile(rf"\b(?:took|taken|swallowed|had|downed) (?:about |like |over )?(?:[5-9]|\d\d+|all|"
                             rf"a (?:whole|full) \w+)(?! (?:puffs?|sprays?|drops?)){W4} "
                             rf"(?:{MEDICINE}|of (?:my|his|her|them|the)\b)"),
    # NHS carbon monoxide: an alarm, or headaches and sickness that come with a boiler, heater or engine
    "carbon_monoxide": re.compile(r"\bcarbon monoxide (?:leak|poisoning)\b.*\b(?:headaches?|sick|dizzy|sleepy)|"
                                  r"\b(?:co|carbon monoxide) (?:alarm|detector)" + W4 + r" (?:going off|beeping|went"
        r" off|"
                                  r"sounding)|\b(?:boiler|heater|heating|gas fire|generator"
                                  r"|exhaust)\b.*\b(?:headaches?|"
                                  r"feel(?:ing)? sick|dizzy|drowsy|lethargic)|\b(?:headaches?|feel(?:ing)? sick"
                                  r"|dizzy)\b.*"
                                  r"\b(?:boiler|heater|gas fire|generator|exhaust)\b"),
    # a child near missing pills (gated like an excess: a child, an excess or a red flag)
    "medicine_missing": re.compile(rf"\b(?:{MEDICINE}|pill (?:organi[sz]er|box))\b" + W8 + r" missing\b|\bmissing "
                                   rf"(?:{MEDICINE})\b"),
    "overdose": re.compile(r"\boverdos|(?<!food )\bpoisoning\b|\bpoisoned\b|\bspiked\b"),
}

# (d) Self-harm: never gated, so every phrase names intent, a plan, a method or an injury to oneself.
SELF_HARM = {
    # 988 / AFSP warning signs: talking about wanting to die or to kill oneself
    "intent_direct": _rx(r"\bkill\w* (?:myself|himself|herself|themselves)", r"\bend\w* it all\b",
                         r"\b(?:want\w*|going|plan\w*|ready|think\w*|thought|feel like|about)" + W4
                         + r" end\w* it\b(?! with)",
                         r"\b(?:end\w*|take) (?:my|his|her|their) (?:own )?life", r"\bend (?:everything|things)\b",
                         r"\b(?:wants?|wanted|wish|ready) to (?:die|be dead)\b(?! laughing| (?:of|from)"
                         r" (?:embarrassment"
                         r"|laughing|shame|boredom|cringe))", r"\brather be dead",
                         r"\bwish\w* (?:i|he|she|they) (?:was|were|could be|had) (?:dead|never been born|never born)",
                         r"\bhang (?:myself|himself|herself)", r"\bwant to overdose|\b(?:took|taken|take) an overdose",
                         r"\b(?:going to|will|gonna|think\w* (?:of|about)|plan\w* (?:to|on)|want\w* to) "
                         r"(?:take|taking|swallow\w*) all (?:of )?(?:my|the|his|her|their) (?:pills|tablets|meds)",
                         r"\b(?:overdos\w*|took|taken|swallowed|cut|hurt)" + W4 + r" on purpose",
        r"(?<!what )(?<!word )\bunaliv\w*(?! means| mean)", r"(?<!does )\bsewer ?slide(?! mean)",
        r"\b(?:finish|end)\w* (?:my|his|her|their) (?:own )?life",
        r"\b(?:overdos\w*|took|taken|swallowed|cut|hurt|stopped|not|haven't|quit)" + W8 + r" on purpose",
        r"\bstop my (?:own )?heart", r"\b(?:don't|do not|never) want to (?:wake up|be (?:saved|found|rescued|helped))",
        r"\bmak\w* sure i (?:don't|do not|never)\b(?! (?:go over|overdo|exceed|take too|forget|miss|get|catch))",
        r"\bmake sure it works|\bworks first time",
        r"\bcatch(?:ing)? the bus\b.*\b(?:picked|spot|date|tonight|goodbye)",
        r"\basking for (?:myself|me)\b",
        r"\b(?:possible to|can you|could i|would i) die (?:from|of) taking"),
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
                           r"\b(?:want\w*|wish\w*|hop(?:e|es|ing)|rather|would like)\b" + W8
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
                           r"\b(?:suicide|goodbye) (?:note|letter)|\b(?:notes?|letters?) (?:for|to) (?:my|his|her)"
                           r" (?:family|kids|"
                           r"children|wife|husband|parents|mum|dad)",
                           r"\b(?:going to|gonna|will|i'll) do it (?:tonight|today|now|soon|this weekend|tomorrow)",
                           r"\bgiv\w* away (?:all )?(?:my|his|her) (?:things|stuff|belongings|possessions)|\bgiv\w*"
                           r" (?:all )?(?:my|his|her) "
                           r"(?:things|stuff|belongings|possessions) away|\bwon't (?:need|be needing) (?:it|them|any"
                           r" of it|anything)",
        r"\b(?:everyone|everybody|they|people|family)(?:'s| is| are|s| will be| would be)? (?:all )?better off\b",
        r"\b(?:i'm|i am|me) not (?:here|around|alive) any ?more",
        r"\bbetter if i (?:am|was|were|wasn't|weren't) (?:not )?(?:around|here|gone|dead|alive)",
        r"\btonight(?:'s| is) the night",
        r"\bgave (?:away )?(?:my|his|her) (?:cat|dog|pets?|things) (?:away|to)",
        r"\b(?:notes?|letters?) (?:for|to) (?:everyone|everybody)",
        r"\b(?:my )?last (?:message|text|post|goodbye)\b(?! (?:from|about|i sent you))",
        r"\b(?:feels like|is) the (?:night|day)\b",
        r"\bwon't be (?:a problem|a burden|around|here|bothering)",
        r"\bwant\w* to (?:disappear|vanish|not exist)\b",
        r"\bgoodbye (?:emails?|messages?|texts?|notes?|letters?|posts?|videos?)|\bmessaged everyone i love|\bdeleted"
        r" (?:all )?my " r"(?:socials|accounts|social media)",
        r"\b(?:i've|have|i) (?:written|wrote) (?:my |all my )?(?:goodbye )?letters",
        r"\b(?:wrote|writing|redoing|made|updat\w*) (?:a|my) will\b.*\b(?:gave|given|giving|goodbye|overdose|pills"
        r"|won't be)",
        r"\bnot doing this any ?more|\btired of fighting|\bmake it easier for (?:them|everyone)",
        r"\b(?:planned|plotted) it (?:all )?out|\bgive me (?:one|a) reason (?:i|not to)",
        r"\b(?:knife|gun|rope|pills|razor) (?:is |are )?ready\b|\bgot the (?:knife|gun|rope|pills|razor) ready",
        r"\b(?:and|so) i'm done\b(?! with)|\bi'm done$",
        r"\bbeing (?:such )?a burden",
        r"\brope(?:'s| is) up\b",
        r"\b(?:drove|driving|went|walked) (?:up )?to the (?:cliffs?|bridge|tracks|edge)",
        r"\bnot getting on it\b"),
    # WHO / 988: access to means, a place or a plan, and method or lethal-dose questions
    "method": _rx(r"\bhow (?:many|much)" + W8 + r" (?:to die|would kill|to kill|kill (?:me|you)|lethal|fatal|not wake"
                  r"|never wake)", r"\b(?:lethal|fatal) dose", r"\bpainless way", r"\bhow deep" + W8 + r" cut",
                  r"\bways? to (?:die|kill (?:myself|me|yourself)|end (?:it|my life|things|everything))\b",
                  r"\bhow long" + W4 + r" to die\b", r"\bwould (?:i|it|that|this) (?:die|kill (?:me|you|someone))",
                  r"\benough" + W4 + r" to (?:die|kill (?:me|myself|you|someone)|end it)",
                  r"\bhow (?:do|would|could|can|to) (?:i |you |someone )?(?:kill (?:myself|yourself|me)|die)\b",
                  r"\b(?:would|will|could) (?:\S+ing|it|that|this|these|they)\b" + W4 + r" kill me\b",
                  r"\b(?:which|what)\b" + W8 + r" (?:would|will|could) kill me\b", r"\bwhat happens if you take \d+",
                  r"\b(?:stash\w*|stockpil\w*|saved up|saving up|saving|hoard\w*)" + W4 + r" (?:pills|tablets|meds"
                      r"|insulin|"
                  r"medicines?|medication|sleeping)", r"\btake (?:it|them|everything) all at once",
                  r"\b(?:have|has|had|got|bought|buying) (?:a|the) (?:rope|noose|gun)\b",
                  r"\bnoose|\bhave a knife\b(?! cut| wound)",
                  r"\b(?:will|going to|wants? to|threaten\w* to) jump\b", r"\b(?:jump|step|throw|walk|lie)\w*"
                  r"(?: myself)? in front of", r"\bjump\w* (?:off|from) (?:a|the) (?:bridge|roof|building|cliff|"
                  r"balcony|\d+\w* floor)", r"\b(?:standing|sitting|stood) on (?:the|a) (?:bridge|roof|ledge|edge|"
                  r"cliff|tracks|railway)", r"\b(?:drive|driving|drove|crash) (?:my car )?into (?:a |the )?(?:wall|tree"
                  r"|traffic|river)",
        r"\bheight\b.*\bjump|\bjump\w*\b.*\b(?:high enough|height|to make sure)",
        r"\b(?:high|tall|deep|strong|enough)\b.*\b(?:wouldn't|would not|won't|not|never) survive",
        r"\b(?:dying|death|die|going)\b.*\bpainless|\bpainless\b.*\b(?:die|dying|death|go)\b",
        r"\b(?:have|has|had|got|bought|buying|keep|kept) (?:a |the |some )?(?:rope|noose)\b",
        r"\b(?:enough|amount)\b.*\b(?:for sure|so i (?:don't|won't) wake|to do it|to not wake)",
        r"\bso (?:i|i'll) (?:don't|won't|never) wake up",
        r"\bwould do it\b|\bstop (?:a|my|the) heart",
        r"\b(?:is|are|would) \d+ (?:\S+ ){0,3}enough",
        r"\b(?:took|take|taking|swallow\w*) all \d+",
        r"\bholding them in my hand", r"\bneed it to be quick",
        r"\bhose\b.*\bexhaust|\bexhaust\b.*\bhose",
        r"\bengine running\b.*\bgarage|\bgarage\b.*\bengine running",
        r"\b(?:does|would|will) (?:drowning|hanging|jumping|dying|it) hurt",
        r"\b(?:cleanest|quickest|easiest|surest|gentlest|best) way to (?:go|do it|die|end)\b",
        r"\b(?:drive|driving|drove|crash\w*) (?:my car )?into (?:a |the )?(?:\S+ )?(?:wall|tree|oak|traffic|river"
        r"|lorry|truck|" r"bridge)",
        r"\b(?:till|until) it's over\b",
        r"\b(?:bath|tub)\b.*\b(?:razor|blade)|\b(?:razor|blade)\b.*\b(?:bath|tub)\b",
        r"\b(?:saving|saved|stockpil\w*|stash\w*|hoard\w*)\b" + W4 + r" (?:\S+ )?(?:oxy\w*|diazepam|lithium|codeine"
            r"|tramadol|" r"morphine|amitriptyline|paracetamol|tylenol|sleeping)",
        r"\b(?:to be sure|for sure|sure it's|surely) (?:it's )?(?:fatal|lethal|deadly|kill)",
        r"\bhow high\b.*\b(?:fatal|die|kill|survive)",
        r"\bbleeds? out\b",
        r"\bsupply saved|\bsaved (?:up )?(?:\S+ ){0,3}(?:supply|pills|tablets)",
        r"\b(?:pills|tablets|rope|knife|gun|razor|blade)\b (?:\S+ )?in front of me",
        r"\btied (?:a|the) (?:rope|noose|belt)|\bif it would hold",
        r"\bhold my weight|\bknot\b.*\b(?:weight|won't slip)",
        r"\b(?:tablets|pills|overdose|vodka)\b.*\bpainless",
        r"\bone bullet",
        r"\bhelium\b.*\b(?:tank|ordered|bag)",
        r"\bctb\b",
        r"\b(?:gun|knife|rope|pills|razor|blade)\b (?:\S+ ){0,2}in my hands?\b",
        r"\btying (?:a|the) (?:rope|noose)"),
    # MedlinePlus "Feeling of committing ... murder": urges or plans to kill or seriously hurt another person
    "harm_to_others": _rx(r"\b(?:feel\w*|i'm|i am|been|having) homicidal", INTENT + W8 + r" " + HARM + r" " + OTHERS,
                          r"\bkill (?:him|her|them|someone|somebody|everyone)\b(?! off)",
                          r"\bwant\w* (?:to see )?" + OTHERS + r" (?:dead|gone for good)",
                          r"\brun (?:him|her|them|my \S+|the \S+) over",
                          r"\b(?:gun|knife|rifle|weapon)\b.*\b(?:go after|shoot|kill|hurt)\b",
                          r"\bpoison\w*" + W8 + r" (?:undetect\w*|hard to detect|can't be (?:traced|detected)"
                                                r"|untrace\w*|"
                          r"without (?:them|him|her) knowing|(?:in )?(?:an )?autopsy|post mortem|toxicology)",
        r"\bend (?:both|all) (?:of )?our lives",
        r"\b(?:gun|knife|rifle|shotgun|weapon|hammer|bat|machete)\b.*\b(?:make (?:him|her|them) pay|end this|finish"
        r" (?:him|her|them))",
        r"\bso (?:they|he|she) (?:don't|doesn't|won't|never) (?:get back up|wake up)",
        r"\bmake sure (?:he|she|they) never",
        r"\bpillow over (?:his|her|their) face",
        r"\b(?:in|into) (?:someone's|someones|somebody's|his|her|their|my \S+'s|my \S+s) (?:drink|food|tea|coffee"
        r"|meal|" r"dinner|water)\b.*\bso (?:they|he|she) (?:don't|doesn't|won't|can't) (?:notice|know|taste|find out)",
        r"\b(?:death|murder|killing|it)\b" + W4 + r" look like an accident|\bget away with (?:murder|killing)",
        r"\b(?:gun|knife|rifle|shotgun|weapon|hammer|bat|machete)\b.*\b(?:pay for|make (?:him|her|them) pay|teach "
        r"(?:him|her|them) a lesson)|\b(?:pay for|make (?:him|her|them) pay)\b.*\b(?:gun|knife|rifle|shotgun|weapon|"
        r"hammer|bat|machete)\b",
        r"\bsmash\w* (?:his|her|their|your|someone's) (?:skull|face|head)",
        r"\b(?:poison|antifreeze|chemical|rat poison|bleach|arsenic|cyanide)\b.*\b(?:taste|notice|tox screen"
        r"|detect\w*|show up|" r"make (?:him|her|them) (?:really )?sick)",
        r"\b(?:put|putting|slip\w*|add\w*)\b" + W8 + r" (?:in|into) (?:his|her|their|someone's|someones|my (?:\S+"
                                                     r" ){0,3}\S+'s|my"
                                                     r" \S+s) " r"(?:food|drinks?|coffee|tea|meal|dinner|water)",
        r"\b(?:hand|pillow) over (?:his|her|their) (?:mouth|face)|\bholding (?:him|her|them) over",
        r"\bmak\w* (?:them|him|her|you|my \S+) (?:all )?pay\b",
        r"\bgoing over there\b.*\b(?:hammer|bat|knife|gun|axe|crowbar|machete)|\b(?:hammer|bat|knife|gun|axe|crowbar|"
        r"machete)\b.*\bgoing over there",
        r"\blook (?:like )?(?:an accident|sids|suicide|natural causes|natural)\b",
        r"\b(?:nobody|no one) would (?:question|know|suspect)",
        r"\b(?:they'll|they will) (?:never forget|all know my name|know my name)|\blist of (?:names|people)",
        r"\b(?:driv\w*|ram\w*|plough\w*|plow\w*) (?:my car )?into (?:the )?(?:protesters|crowd|people|pedestrians"
        r"|queue)|\bhit"
        r" (?:someone|somebody|" r"him|her|them) with my car",
        r"\b(?:he|she|they)(?:'ll| will| is going to|'s going to| said (?:he|she)'d| says (?:he|she)'ll) (?:kill|hurt"
        r"|shoot|stab) " r"(?:me|us|the kids|my \S+|mum|mom|dad)",
        r"\b(?:get rid of|dispose of|hide) (?:a|the|his|her) body",
        r"\bdo it while (?:he|she|they)",
        r"\b(?:strangl\w*|smother\w*|chok\w*|stab\w*|kill\w*) (?:someone|somebody|him|her|them|my \S+)\b.*\bcame"
        r" (?:really |so )?close",
        r"\bburn (?:his|her|their|the) house down|\bwith (?:him|her|them) inside",
        r"\bjail\b.*\b(?:hurt|kill|stab)|\b(?:hurt|kill|stab)\w*\b.*\bjail\b",
        r"\b(?:way|how) to (?:kill|murder|poison) (?:my|a|someone|somebody|him|her|them)\b",
        r"\bso (?:no one|nobody) (?:can tell|knows|finds out|would know)",
        r"\b(?:they'll|they will|he'll|she'll) (?:all )?(?:see|regret|pay|be sorry)\b",
        r"\b(?:knock|put) (?:them|him|her|someone) (?:out|down) for good",
        r"\btaking (?:the kids|them|my kids|my children|the children) with me\b",
        r"\bshoot up (?:my|the|a|our|his|her|their) (?:school|work|office|church|class|college|mosque|synagogue)",
        r"\b(?:beat|kick|stab|strangl|chok|batter)\w* (?:\S+ ){0,3}to death",
        r"\bcut\w* (?:the |his |her |their )?brake lines?",
        r"\b(?:ending this|finish (?:this|him|her|them)|putting (?:him|her|them) in the ground|take out as many"
        r"|getting what's "
        r"coming|isn't seeing christmas|won't see (?:christmas|tomorrow))",
        r"\bwithout it showing up|\bso (?:they|he|she) (?:don't|doesn't|won't) survive|\blook self inflicted",
        r"\b(?:hands?|fingers) (?:round|around) (?:his|her|their|the baby's) (?:neck|throat)|\bheld (?:his|her|their)"
        r" head "
        r"under|\bshook (?:her|him|the baby) (?:so )?hard|\bshake a baby",
        r"\bbody\b.*\b(?:lime|identifiable|dissolve)",
        r"\bcrush\w* (?:pills|tablets)\b.*\b(?:into|in) (?:his|her|their)",
        r"\b(?:hit|stab|shoot|strangle)\w* (?:him|her|them|someone)\b.*\b(?:will|would) (?:he|she|they) die",
        r"\bwant\w* (?:her|him|them) to stop breathing",
        r"\bcoming (?:round |over |here )?(?:tonight |now )?to (?:sort (?:me|us) out|finish (?:what|me|us"
        r"|it)|kill|hurt)",
        r"\bfinish (?:me|us) off|\bwith me inside",
        r"\bshank\w*|\bbreak (?:his|her|their) (?:jaw|neck|legs?|arms?)",
        r"\bstockpil\w* (?:ammo|ammunition|guns|weapons)",
        r"\bdrive off (?:the|a) (?:bridge|cliff)",
        r"\bheld (?:\S+ )?underwater|\bhold (?:him|her|them) (?:under|underwater)",
        r"\bwhere to (?:hit|stab|cut|shoot)\b",
        r"\b(?:outside|at) (?:his|her|their) (?:house|flat|place|door)\b.*\b(?:petrol|gun|knife|axe|bat|hammer)",
        r"\bdose\b.*\b(?:lethal|fatal)\b.*\b(?:for|to) (?:an? |my )?(?:\S+ )?(?:man|woman|person|grandfather"
        r"|grandmother|"
        r"husband|wife)",
        r"\b(?:choked|strangled|strangling|choking) me\b",
        r"\bthreaten\w* (?:\S+ ){0,3}with (?:a|an|the) (?:knife|gun|weapon|machete|bat|axe)",
        r"\b(?:and|but) not show up\b",
        r"\b(?:driving|going|heading) to (?:his|her|their) (?:house|place|flat)\b" + r".*\b(?:gun|knife|bat|axe"
            r"|hammer|machete)|\b(?:gun|knife|bat|axe|hammer|machete)\b.*\b(?:driving|going|heading) "
        r"to (?:his|her|their) (?:house|place|flat)",
        r"\bbuying (?:ammo|ammunition)"),
    # an attempt happening now, or just now, in anyone
    "attempt_now": _rx(r"\b(?:attempt\w*|tried|trying|tries) (?:to commit |to )?suicide" + W8
                       + r" (?:just|tonight|today|right now|just now|last night|this morning|an hour ago|minutes"
                         r" ago)\b",
                       r"\b(?:just|tonight|today|right now) (?:\S+ )?(?:attempt\w*|tried) (?:to commit |to )?suicide"),
    # NICE self-harm: cutting, burning, hitting or scratching oneself, injuring until bleeding or bruising
    "self_injury": _rx(r"\b(?:cut|burn|hit|hurt|harm|scratch|punch|starv)\w* (?:myself|himself|herself|themselves)",
                       r"\b(?:slit|sliced|cut) (?:my|his|her) wrists?\b(?!.*\b(?:by accident|accidentally))",
                       r"\bcuts all over",
                       r"\bcutting (?:again|(?:my|his|her) (?:arms|legs|wrists|thighs|skin))",
                       r"\b(?:scratch|pick|punch|hit|bang|bit)\w*" + W8 + r" (?:until|till) (?:they|it|i|my \w+) "
                       r"(?:bleeds?|bruises?)",
        r"\bcut\w* (?:deeper|too deep|again)",
        r"\b(?:scratch|pick|punch|hit|bang|bit)\w*" + W8 + r" (?:until|till|til) (?:they|it|i|my \w+) (?:bleed\w*"
                                                           r"|bruis\w*|" r"can't feel|go numb|hurt\w*)",
        r"\bhide (?:my |the )?(?:cuts|scars|burns|self harm)|\bi cut (?:every|myself|again|deeper)"),
}

# (e) Suicide or self-harm named as a topic. The writer's own thoughts get the crisis text; so does a statement
# without a question. A question (prevention, statistics, warning signs in someone else, how to help) is answered,
# the crisis resources first.
TOPIC = re.compile(r"\bsuicid|\bself ?harm|\bself ?injur")
OWN_TOPIC = _rx(r"\b(?:i'm|i am|i was|i've been|i have been|i feel|i felt|i keep|i get|i got|i've had|i have|i had|"
                r"i'd|i've|i think i'm|i might be)\b(?: \S+){0,2} (?:suicid|self ?harm|self ?injur)",
                r"\bmy (?:own )?(?:suicid|self ?harm)", r"\b(?:i|i'll|i will|i might|i could|i want to|i'm going to|"
                r"going to|i think about)\b(?: \S+){0,2} (?:commit\w*|attempt\w*|try\w*|doing) suicide")
# The writer's own suicidal feelings, long over ("years ago I was suicidal, I've been well since")
PAST_SELF = re.compile(r"\b(?:years ago|as a (?:teen|teenager|kid)|used to|in the past|been well|doing well now"
                       r"|recovered)\b")
TOPIC_FRAME = _rx(QUESTION.pattern, r"\b(?:leaflet|side effects?|look out for|increase\w*|prevent\w*|statistics?"
                                    r"|stats|rates?|how common|numbers|warning signs|"
                  r"signs|risk factors?|research|studies|study|programmes?|programs?|hotlines?|helplines?|crisis "
                  r"(?:lines?|centres?|centers?|teams?)|988|awareness|myths?|screening|how (?:do|can|should) (?:i|we|"
                  r"you|people|parents|teachers)|support|supporting|help (?:a|my|someone|them|him|her)|talk to|"
                  r"bereave\w*|grief|griev\w*|lost (?:a|my|our) \S+ to|lost someone to|guidelines|journalists?"
                  r"|reporting|media|books?|"
                  r"recommendations|as a (?:teen|teenager|kid|child)|years (?:ago"
                  r"|later)|used to|"
                  r"in the past|scars?|doing (?:well|better|ok) now|evidence|data|module|polic(?:y|ies)|reduc\w*|"
                  r"lecture|essay|course)\b")
