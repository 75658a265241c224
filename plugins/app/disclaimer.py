"""The medical disclaimer: one text for every place that shows model answers (reports, the app)."""

DISCLAIMER = (
    "**Not medical advice.** These answers come from a small language model fine-tuned for research and "
    "education. They can be wrong, incomplete or out of date, and are never a substitute for a qualified "
    "clinician. In an emergency, call your local emergency number."
)
