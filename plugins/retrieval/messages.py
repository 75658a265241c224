"""Training questions written as people write to a health library: a subject line, who is asking, a worry, the
question, a closing. MedQuAD's questions are one line ("What are the treatments for X ?"); the messages people
send are several sentences, and a model that never saw one continues the story instead of answering. Wrapping a
seeded share of the training questions (`retrieval.message_share`) teaches it that the passages and the question
inside decide the answer, not the story around it. The words are generic: no symptom, medicine or advice.
"""

from __future__ import annotations

import numpy as np

SUBJECTS = ("Subject: {topic}\n", "SUBJECT: question about {topic} MESSAGE: ", "Subject: {topic} - please help\n",
            "", "", "")
WHO = ("My {relative} was just diagnosed with {topic}.", "I was told I have {topic} after some tests.",
       "Our doctor mentioned {topic} at the last visit.", "my {relative} has {topic} and we dont know much about it.",
       "I am writing for my {relative}, who has {topic}.", "Hello, I have a question about {topic}.")
RELATIVES = ("mother", "father", "son", "daughter", "husband", "wife", "sister", "brother", "grandmother", "friend")
WORRIES = ("We are all very worried.", "The doctor did not explain much and I am confused.",
           "I have been reading online and everything says something different.", "It has been a hard year for us.",
           "", "")
CLOSINGS = ("Thank you.", "Thanks for any help!", "Any information would help, thank you so much.", "thanks", "", "")


def wrap(question: str, topic: str, rng: np.random.Generator) -> str:
    """`question` inside a message naming `topic`, its other parts drawn with `rng` (some may be empty)."""
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    relative = pick(RELATIVES)
    parts = [pick(WHO).format(relative=relative, topic=topic), pick(WORRIES), question, pick(CLOSINGS)]
    return pick(SUBJECTS).format(topic=topic) + " ".join(p for p in parts if p)
