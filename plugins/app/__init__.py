"""The answering side: the assistant that loads a run, safety triage, the Gradio app and Spec Studio."""
