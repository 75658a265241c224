"""Sweeps: a spec's `hyperopt:` block (Ludwig's own) checked by `make check` (plugins/spec/hyperopt.py) and run by
`make sweep` on Ray Tune."""
