"""Spec loading and strict validation: one clear message per problem, before any model loads.

Ludwig 0.17.10 accepts unknown keys at every level, takes `learning_rate: -1` or `epochs: -1`, and reports the
errors it does catch after a traceback and a schema dump. So a spec is read (document.py) and checked block by
block, one module each: Ludwig's schema and unknown keys (schema.py), value ranges (ranges.py), the project block
(project.py) with its data (data.py) and retrieval (retrieval.py), the sweep (hyperopt.py), the base model
(base_model.py) and the prompt template (prompt.py), in the order loader.py runs them. Here: the names the rest of
the project uses.
"""

from plugins.spec.base_model import hub_offline, is_local_model
from plugins.spec.document import PROJECT_KEY, Spec, SpecError, read_yaml
from plugins.spec.loader import load
from plugins.spec.ranges import ADVICE, RULES, Rule
from plugins.spec.schema import resolved

__all__ = ["ADVICE", "PROJECT_KEY", "RULES", "Rule", "Spec", "SpecError", "hub_offline", "is_local_model", "load",
           "read_yaml", "resolved"]
