"""Safety triage of every message a person types: the wording it reads, the red-flag rules by published family,
and the decision (which notice, and whether the answer is shown)."""
