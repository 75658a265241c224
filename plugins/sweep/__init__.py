"""Sweeps: a spec's `hyperopt:` block (Ludwig's own) checked by `make check` and run by `make sweep` on Ray Tune."""
