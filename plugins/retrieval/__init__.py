"""Grounded answers: trusted NIH passages retrieved for each question (BM25 over the corpus the spec declares)."""
