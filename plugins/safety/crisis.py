"""Self-harm and harm to others: the messages that get the crisis text instead of an answer, and the questions
about suicide that get the crisis resources first and then their answer.

Why never gated: a general question about a lethal dose is treated as a self-harm message, so every phrase
here names intent, a plan, a method, an injury to oneself, or a threat to someone else.
"""

from __future__ import annotations

import re

from plugins.safety.frames import QUESTION
from plugins.safety.wording import W4, W8, rx

WEAPON = re.compile(r"\b(?:gun|knife|rifle|shotgun|weapon|hammer|bat|machete|poison|axe|crowbar|petrol|ammo)\b")
INTENT = (
    r"\b(?:want\w*|going|urges?|thoughts?(?: of| about)?|can't stop (?:myself )?|feel like|afraid|scared"
    r"|worried|terrified|might|"
    r"think\w* about|plan\w*|fantasi\w*|telling me|tempted|picturing|imagin\w*|see myself|keep wanting|nearly"
    r"|came "
    r"(?:really |so )?close to)\b"
)
HARM = (
    r"(?:kill\w*|murder\w*|stab\w*|strangl\w*|shoot\w*|smother\w*|hurt\w*|harm\w*|beat\w*|push\w*|drown\w*|"
    r"chok\w*|poison\w*|attack\w*|go after|drop\w*|shak\w*|throw\w*|suffocat\w*|hit\w*)"
)
OTHERS = (
    r"(?:him|her|them|someone|somebody|people|everyone|anyone|a person|(?:the|that|this) (?:girl|boy|guy|man|"
    r"woman|kid|lady|child)|(?:my|our|the|this|that|his|her|their)"
    r" (?:little |big "
    r"|older |younger |baby |twin )?(?:husband|wife|"
    r"partner|boyfriend|girlfriend|baby|child|kids?|son|daughter|mum|dad|mother|father|brother|sister|boss|"
    r"neighbou?r|roommate|flatmate|family|coworker|co worker|colleague|teacher|ex|friend|step\w*|\w+ in law|"
    r"grand\w*|uncle|aunt|cousin|classmates?|manager|toddler|infant|newborn|children|students?|pupils?|"
    r"patients?))\b(?! feelings)"
)

# (d) Self-harm: never gated, so every phrase names intent, a plan, a method or an injury to oneself.
SELF_HARM = {
    # 988 / AFSP warning signs: talking about wanting to die or to kill oneself
    "intent_direct": rx(
        r"\bkill\w* (?:myself|himself|herself|themselves)",
        r"\bend\w* it all\b",
        r"\b(?:want\w*|going|plan\w*|ready|think\w*|thought|feel like|about)" + W4 + r" end\w* it\b(?! with)",
        r"\b(?:end\w*|take) (?:my|his|her|their) (?:own )?life",
        r"\bend (?:everything|things)\b",
        r"\b(?:wants?|wanted|wish|ready) to (?:die|be dead)\b(?! laughing| (?:of|from)"
        r" (?:embarrassment"
        r"|laughing|shame|boredom|cringe))",
        r"\brather be dead",
        r"\bwish\w* (?:i|he|she|they) (?:was|were|could be|had) (?:dead|never been born|never born)",
        r"\bhang (?:myself|himself|herself)",
        r"\bwant to overdose|\b(?:took|taken|take) an overdose",
        r"\b(?:going to|will|gonna|think\w* (?:of|about)|plan\w* (?:to|on)|want\w* to) "
        r"(?:take|taking|swallow\w*) all (?:of )?(?:my|the|his|her|their) (?:pills|tablets|meds)",
        r"\b(?:overdos\w*|took|taken|swallowed|cut|hurt)" + W4 + r" on purpose",
        r"(?<!what )(?<!word )\bunaliv\w*(?! means| mean)",
        r"(?<!does )\bsewer ?slide(?! mean)",
        r"\b(?:finish|end)\w* (?:my|his|her|their) (?:own )?life",
        r"\b(?:overdos\w*|took|taken|swallowed|cut|hurt|stopped|not|haven't|quit)" + W8 + r" on purpose",
        r"\bstop my (?:own )?heart",
        r"\b(?:don't|do not|never) want to (?:wake up|be (?:saved|found|rescued|helped))",
        r"\bmak\w* sure i (?:don't|do not|never)\b(?! (?:go over|overdo|exceed|take too|forget|miss|get|catch))",
        r"\bmake sure it works|\bworks first time",
        r"\bcatch(?:ing)? the bus\b.*\b(?:picked|spot|date|tonight|goodbye)",
        r"\basking for (?:myself|me)\b",
        r"\b(?:possible to|can you|could i|would i) die (?:from|of) taking",
    ),
    # Samaritans / 988: hopelessness, being a burden, no reason to live, saying goodbye, wishing not to exist
    "intent_indirect": rx(
        r"\b(?:better (?:off|of)|happier) (?:without (?:me|him|her|them|us)|dead"
        r"|if (?:i|he|she|they) (?:was|were) dead)",
        r"\bno (?:reason|point)(?: in| to| of)? (?:live|living|going on|life|being alive|any ?more)",
        r"\bdon't see the point",
        r"\bwhat's the point" + W4 + r" (?:living|life|anything|going on)",
        r"\bpoint (?:of|in) (?:living|life|going on|being alive)",
        r"\blife is (?:pointless|meaningless)",
        r"\b(?:don't|do not|never) want to (?:be here|live\b(?! with| in| near)|be alive|exist"
        r"|go on)",
        r"\bwant to (?:not|stop) (?:exist|be here|be alive|living)",
        r"\b(?:disappear|sleep) forever",
        r"\bnot (?:going to )?be (?:here|around|alive) (?:much longer|for long|any ?more|tomorrow)",
        r"\b(?:think\w*|thought) (?:about|of) (?:not being here|being dead|dying)\b",
        r"\b(?:want\w*|wish\w*|hop(?:e|es|ing)|rather|would like)\b"
        + W8
        + r" (?:never|not|don't|didn't|won't) wake up",
        r"\bstop existing",
        r"\btired of (?:living|life|being alive)",
        r"\bno way out\b",
        r"\bcan't (?:go on|carry on|keep going)(?: like this| any ?more| living|$)",
        r"\bcan't (?:do (?:this|life|it)|take (?:it|this)|cope) any ?more",
        r"\bwant\w* (?:it all|everything|all of it) to (?:be )?(?:over|stop|end)",
        r"\bwant\w* it to (?:be over|end)\b",
        r"\b(?:stop|end|over) (?:forever|for good)\b",
        r"\bdone with (?:it all|life|living)",
        r"\b(?:feel|feeling|so|completely) hopeless",
        r"\b(?:isn't|not|no longer) worth living",
        r"\b(?:don't|do not) deserve to (?:live|be alive)",
        r"\bshouldn't be alive",
        r"\b(?:bother|keep) (?:even )?living",
        r"\b(?:i'm|feel like) a burden",
        r"\b(?:care|notice|miss me)" + W4 + r" if i (?:died|was gone|were gone|was dead|wasn't here)",
        r"\b(?:texted|messaged|sent) (?:me |us )?(?:a )?goodbye",
        r"\bsorry for everything",
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
        r" (?:all )?my "
        r"(?:socials|accounts|social media)",
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
        r"\bnot getting on it\b",
    ),
    # WHO / 988: access to means, a place or a plan, and method or lethal-dose questions
    "method": rx(
        r"\bhow (?:many|much)" + W8 + r" (?:to die|would kill|to kill|kill (?:me|you)|lethal|fatal|not wake"
        r"|never wake)",
        r"\b(?:lethal|fatal) dose",
        r"\bpainless way",
        r"\bhow deep" + W8 + r" cut",
        r"\bways? to (?:die|kill (?:myself|me|yourself)|end (?:it|my life|things|everything))\b",
        r"\bhow long" + W4 + r" to die\b",
        r"\bwould (?:i|it|that|this) (?:die|kill (?:me|you|someone))",
        r"\benough" + W4 + r" to (?:die|kill (?:me|myself|you|someone)|end it)",
        r"\bhow (?:do|would|could|can|to) (?:i |you |someone )?(?:kill (?:myself|yourself|me)|die)\b",
        r"\b(?:would|will|could) (?:\S+ing|it|that|this|these|they)\b" + W4 + r" kill me\b",
        r"\b(?:which|what)\b" + W8 + r" (?:would|will|could) kill me\b",
        r"\bwhat happens if you take \d+",
        r"\b(?:stash\w*|stockpil\w*|saved up|saving up|saving|hoard\w*)" + W4 + r" (?:pills|tablets|meds"
        r"|insulin|"
        r"medicines?|medication|sleeping)",
        r"\btake (?:it|them|everything) all at once",
        r"\b(?:have|has|had|got|bought|buying) (?:a|the) (?:rope|noose|gun)\b",
        r"\bnoose|\bhave a knife\b(?! cut| wound)",
        r"\b(?:will|going to|wants? to|threaten\w* to) jump\b",
        r"\b(?:jump|step|throw|walk|lie)\w*"
        r"(?: myself)? in front of",
        r"\bjump\w* (?:off|from) (?:a|the) (?:bridge|roof|building|cliff|"
        r"balcony|\d+\w* floor)",
        r"\b(?:standing|sitting|stood) on (?:the|a) (?:bridge|roof|ledge|edge|"
        r"cliff|tracks|railway)",
        r"\b(?:drive|driving|drove|crash) (?:my car )?into (?:a |the )?(?:wall|tree"
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
        r"\bholding them in my hand",
        r"\bneed it to be quick",
        r"\bhose\b.*\bexhaust|\bexhaust\b.*\bhose",
        r"\bengine running\b.*\bgarage|\bgarage\b.*\bengine running",
        r"\b(?:does|would|will) (?:drowning|hanging|jumping|dying|it) hurt",
        r"\b(?:cleanest|quickest|easiest|surest|gentlest|best) way to (?:go|do it|die|end)\b",
        r"\b(?:drive|driving|drove|crash\w*) (?:my car )?into (?:a |the )?(?:\S+ )?(?:wall|tree|oak|traffic|river"
        r"|lorry|truck|"
        r"bridge)",
        r"\b(?:till|until) it's over\b",
        r"\b(?:bath|tub)\b.*\b(?:razor|blade)|\b(?:razor|blade)\b.*\b(?:bath|tub)\b",
        r"\b(?:saving|saved|stockpil\w*|stash\w*|hoard\w*)\b" + W4 + r" (?:\S+ )?(?:oxy\w*|diazepam|lithium|codeine"
        r"|tramadol|"
        r"morphine|amitriptyline|paracetamol|tylenol|sleeping)",
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
        r"\btying (?:a|the) (?:rope|noose)",
    ),
    # MedlinePlus "Feeling of committing ... murder": urges or plans to kill or seriously hurt another person
    "harm_to_others": rx(
        r"\b(?:feel\w*|i'm|i am|been|having) homicidal",
        INTENT + W8 + r" " + HARM + r" " + OTHERS,
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
        r"|meal|"
        r"dinner|water)\b.*\bso (?:they|he|she) (?:don't|doesn't|won't|can't) (?:notice|know|taste|find out)",
        r"\b(?:death|murder|killing|it)\b" + W4 + r" look like an accident|\bget away with (?:murder|killing)",
        r"\b(?:gun|knife|rifle|shotgun|weapon|hammer|bat|machete)\b.*\b(?:pay for|make (?:him|her|them) pay|teach "
        r"(?:him|her|them) a lesson)|\b(?:pay for|make (?:him|her|them) pay)\b.*\b(?:gun|knife|rifle|shotgun|weapon|"
        r"hammer|bat|machete)\b",
        r"\bsmash\w* (?:his|her|their|your|someone's) (?:skull|face|head)",
        r"\b(?:poison|antifreeze|chemical|rat poison|bleach|arsenic|cyanide)\b.*\b(?:taste|notice|tox screen"
        r"|detect\w*|show up|"
        r"make (?:him|her|them) (?:really )?sick)",
        r"\b(?:put|putting|slip\w*|add\w*)\b" + W8 + r" (?:in|into) (?:his|her|their|someone's|someones|my (?:\S+"
        r" ){0,3}\S+'s|my"
        r" \S+s) "
        r"(?:food|drinks?|coffee|tea|meal|dinner|water)",
        r"\b(?:hand|pillow) over (?:his|her|their) (?:mouth|face)|\bholding (?:him|her|them) over",
        r"\bmak\w* (?:them|him|her|you|my \S+) (?:all )?pay\b",
        r"\bgoing over there\b.*\b(?:hammer|bat|knife|gun|axe|crowbar|machete)|\b(?:hammer|bat|knife|gun|axe|crowbar|"
        r"machete)\b.*\bgoing over there",
        r"\blook (?:like )?(?:an accident|sids|suicide|natural causes|natural)\b",
        r"\b(?:nobody|no one) would (?:question|know|suspect)",
        r"\b(?:they'll|they will) (?:never forget|all know my name|know my name)|\blist of (?:names|people)",
        r"\b(?:driv\w*|ram\w*|plough\w*|plow\w*) (?:my car )?into (?:the )?(?:protesters|crowd|people|pedestrians"
        r"|queue)|\bhit"
        r" (?:someone|somebody|"
        r"him|her|them) with my car",
        r"\b(?:he|she|they)(?:'ll| will| is going to|'s going to| said (?:he|she)'d| says (?:he|she)'ll) (?:kill|hurt"
        r"|shoot|stab) "
        r"(?:me|us|the kids|my \S+|mum|mom|dad)",
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
        r"\bbuying (?:ammo|ammunition)",
    ),
    # an attempt happening now, or just now, in anyone
    "attempt_now": rx(
        r"\b(?:attempt\w*|tried|trying|tries) (?:to commit |to )?suicide"
        + W8
        + r" (?:just|tonight|today|right now|just now|last night|this morning|an hour ago|minutes"
        r" ago)\b",
        r"\b(?:just|tonight|today|right now) (?:\S+ )?(?:attempt\w*|tried) (?:to commit |to )?suicide",
    ),
    # NICE self-harm: cutting, burning, hitting or scratching oneself, injuring until bleeding or bruising
    "self_injury": rx(
        r"\b(?:cut|burn|hit|hurt|harm|scratch|punch|starv)\w* (?:myself|himself|herself|themselves)",
        r"\b(?:slit|sliced|cut) (?:my|his|her) wrists?\b(?!.*\b(?:by accident|accidentally))",
        r"\bcuts all over",
        r"\bcutting (?:again|(?:my|his|her) (?:arms|legs|wrists|thighs|skin))",
        r"\b(?:scratch|pick|punch|hit|bang|bit)\w*" + W8 + r" (?:until|till) (?:they|it|i|my \w+) "
        r"(?:bleeds?|bruises?)",
        r"\bcut\w* (?:deeper|too deep|again)",
        r"\b(?:scratch|pick|punch|hit|bang|bit)\w*" + W8 + r" (?:until|till|til) (?:they|it|i|my \w+) (?:bleed\w*"
        r"|bruis\w*|"
        r"can't feel|go numb|hurt\w*)",
        r"\bhide (?:my |the )?(?:cuts|scars|burns|self harm)|\bi cut (?:every|myself|again|deeper)",
    ),
}

# (e) Suicide or self-harm named as a topic. The writer's own thoughts get the crisis text; so does a statement
# without a question. A question (prevention, statistics, warning signs in someone else, how to help) is answered,
# the crisis resources first.
TOPIC = re.compile(r"\bsuicid|\bself ?harm|\bself ?injur")
OWN_TOPIC = rx(
    r"\b(?:i'm|i am|i was|i've been|i have been|i feel|i felt|i keep|i get|i got|i've had|i have|i had|"
    r"i'd|i've|i think i'm|i might be)\b(?: \S+){0,2} (?:suicid|self ?harm|self ?injur)",
    r"\bmy (?:own )?(?:suicid|self ?harm)",
    r"\b(?:i|i'll|i will|i might|i could|i want to|i'm going to|"
    r"going to|i think about)\b(?: \S+){0,2} (?:commit\w*|attempt\w*|try\w*|doing) suicide",
)
# The writer's own suicidal feelings, long over ("years ago I was suicidal, I've been well since")
PAST_SELF = re.compile(
    r"\b(?:years ago|as a (?:teen|teenager|kid)|used to|in the past|been well|doing well now"
    r"|recovered)\b"
)
TOPIC_FRAME = rx(
    QUESTION.pattern,
    r"\b(?:leaflet|side effects?|look out for|watch (?:out )?for|warnings?|increase\w*|prevent\w*|statistics?"
    r"|stats|rates?|how common|numbers|warning signs|"
    r"signs|risk factors?|research|studies|study|programmes?|programs?|hotlines?|helplines?|crisis "
    r"(?:lines?|centres?|centers?|teams?)|988|awareness|myths?|screening|how (?:do|can|should) (?:i|we|"
    r"you|people|parents|teachers)|support|supporting|help (?:a|my|someone|them|him|her)|talk to|"
    r"bereave\w*|grief|griev\w*|lost (?:a|my|our) \S+ to|lost someone to|guidelines|journalists?"
    r"|reporting|media|books?|"
    r"recommendations|as a (?:teen|teenager|kid|child)|years (?:ago"
    r"|later)|used to|"
    r"in the past|scars?|doing (?:well|better|ok) now|evidence|data|module|polic(?:y|ies)|reduc\w*|"
    r"lecture|essay|course)\b",
)
