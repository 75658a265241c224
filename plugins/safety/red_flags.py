"""Red flags, one family of the published list each: MedlinePlus "Recognizing medical emergencies" (the American
College of Emergency Physicians' warning signs, medlineplus.gov/ency/article/001927.htm), its "call 911 if"
examples (a heart attack, a severe allergic reaction), and from the NHS "When to call 999" list the signs it
leaves out (seizures, meningitis, sepsis, babies, pregnancy, diabetes).

Why one list: a detector written from its author's own examples misses what nobody here thought of. Each rule
describes a *situation* in the words people use: the body part and its everyday synonyms, an onset word, a
trigger with its reaction. Rules read text from `plugins.safety.wording.normalize`.
"""

from __future__ import annotations

from plugins.safety.wording import W4, W8, rx

ONSET = r"(?:sudden\w*|out of nowhere|out of the blue|all of a sudden|just now|in seconds|came on|started)"
SIDE = r"(?:one side|left side|right side|half (?:of )?(?:my|his|her|the|their))"
OWNER = r"(?:my|his|her|their|the)"

# (a) Red flags, medical emergencies. The key is the family; the comment names the line of the list it covers.
RED_FLAGS = {
    # MedlinePlus "Chest pain"; AHA heart attack warning signs: pressure, squeezing, spreading to arm, jaw or back
    "chest_pain": rx(r"\bchest (?:really |so |very )?(?:pains?|hurts?|tight|pressure|burns?|feels? (?:like|heavy"
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
    "breathing": rx(r"\b(?:can't|unable to|struggling to|hard to|barely|trouble|difficulty|problems?) "
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
    "mental_status": rx(r"\bconfused\b(?! about| by| with)", r"\bconfusion\b", r"\bcan't recognise",
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
    "choking": rx(r"\bchok(?:ing|ed|es)\b(?! hazards?| under pressure| (?:in|during|at|on) (?:the|my|a|an|our|his|her)"
                   r" (?:\S+ )?(?:final|game|match|exam|interview|presentation|speech|test|audition|performance))",
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
    "bleeding": rx(r"\bbleed\w*" + W4 + r" (?:everywhere|heavily|won't stop|wont stop|isn't stopping|not stopping|"
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
    "blood_up": rx(r"\bcough\w*" + W8 + r" blood", r"\b(?:vomit\w*|threw up|throw(?:s|ing)? up|thrown up|sick"
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
    "fainting": rx(r"\bunconscious", r"\bunresponsive", r"\bnot (?:respond\w*|answer\w*)", r"\bcollapsed",
                    r"\bpass(?:ed|es|ing)? out",
                    r"\bfaint(?:ed|ing|s)\b(?! (?:from )?laughing)",
                    r"\bblack(?:ed|s|ing)? out\b",
                    r"\bkeeled over", r"\blos\w* consciousness", r"\bout cold", r"\b(?:went|gone|is) limp",
                    r"\b(?:won't|not|didn't) come (?:round|around|to)\b", r"\bfloppy", r"\blying on the floor",
        r"\b(?:no|not|never|won't|doesn't|didn't|isn't) (?:dey )?respond\w*",
        r"\bslumped",
        r"\b(?:no|any|get a) response\b"),
    # MedlinePlus "Head or spine injury"
    "head_spine_injury": rx(r"\b(?:hit|banged|bumped|knocked|smashed|landed on)" + W4 + r" head" + W8
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
    "vomiting": rx(r"\bcan't keep (?:anything|any ?thing|water|fluids|food|drinks?)" + W4 + r" down",
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
    "accident": rx(r"\b(?:car|motorbike|motorcycle|bike|road|traffic) (?:crash|accident|collision)",
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
    "severe_pain": rx(r"\b(?:severe|worst|agonising|agonizing|unbearable|excruciating|horrendous|terrible|crippling)"
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
    "dizziness_weakness_vision": rx(
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
        r"\bgetting weaker",
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
    "upper_abdominal": rx(r"\bupper (?:stomach|abdominal|abdomen|belly|tummy)" + W4 + r" (?:pain|pressure|ache|hurt)",
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
    "allergic_reaction": rx(r"\bthroat (?:is |feels )?(?:like (?:it's|its|it is) )?(?:closing|swell|tight)",
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
    "seizure": rx(r"\bseizure", r"\bseizing", r"\bfitting\b", r"\b(?:a|having|had|another)(?: \S+)? fits?\b",
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
    "meningitis": rx(r"\brash" + W8 + r" (?:doesn't|does not|don't|won't) (?:fade|go away)", r"\bpurple spots",
                      r"\bglass test|\b(?:under|press\w*) (?:a|the) glass", r"\bbulging (?:soft spot|fontanelle)",
                      r"\bstiff neck" + W8 + r" (?:fever|temperature|light|headache)",
                      r"\b(?:fever|temperature|headache|sick)" + W8 + r" stiff neck"),
    # UK Sepsis Trust: mottled or blotchy skin, no urine all day, "I feel like I might die"
    "sepsis": rx(r"\bmottled", r"\bblotchy", r"\b(?:haven't|hasn't|not|didn't|hadn't) (?:peed|weed|urinated|had a"
                                              r" (?:pee|wee)|passed (?:any )?urine)",
                  r"\bno (?:urine|pee|wee)\b",
                  r"\bgoing to die\b(?! if i (?:have|need) to| of (?:boredom|embarrassment|shame|laughter|laughing))"),
    # NICE traffic light: a baby under 3 months with a fever, floppy, blue, very sleepy or not feeding
    "baby": rx(r"\b(?:newborn|\d+ (?:week|month) old)" + W8 + r" (?:fever|temperature|floppy|blue|sleepy|feed)",
                r"\b(?:not|isn't|won't) feed"),
    # NHS pregnancy: bleeding, waters breaking early, one-sided pain, pre-eclampsia signs
    "pregnancy": rx(r"\bpregnant" + W8 + r" (?:bleed|waters|severe|headache|pain)", r"\bwaters broke"),
    # Diabetes UK: hypo with confusion, DKA (fruity breath, vomiting)
    "diabetic": rx(r"\bblood sugar is (?:[0-3]\b|very low)", r"\bdiabetic" + W8 + r" (?:confused|drowsy|sweaty)",
                    r"\bfruity", r"\bhypo\b"),
    # NHS: palpitations with faintness
    "palpitations": rx(r"\b(?:heart|pulse) (?:is )?(?:racing|pounding)" + W8 + r" (?:faint|pass out|dizzy|chest)",
        r"\bheart" + W4 + r" (?:beating (?:irregular\w*|funny|weird)|skipping|all over the place)"),
}
