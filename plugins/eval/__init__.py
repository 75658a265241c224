"""Scoring and reporting: ROUGE/BLEU on generated answers, base vs fine-tuned comparison, reports and plots."""
