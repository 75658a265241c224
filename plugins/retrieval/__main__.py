"""`make index SPEC=…`: build (or find in the cache) the BM25 index of the spec's `retrieval:` corpus.

Seconds for the shipped MedQuAD corpus; the index is cached under .cache/retrieval/<key>/, keyed by the
corpus files' hash and the indexing choices, so training, evaluation and the app reuse it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from plugins import spec as spec_mod
from plugins.retrieval import corpus as corpus_mod
from plugins.retrieval.index import Retriever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path, help="a spec with a medical_llm.retrieval block")
    parser.add_argument("--query", action="append", default=[], help="try a question (repeatable)")
    args = parser.parse_args(argv)
    try:
        spec = spec_mod.load(args.spec)
        block = spec.project.get("retrieval")
        if block is None:
            raise spec_mod.SpecError(args.spec, ["no 'medical_llm.retrieval:' block: nothing to index"])
        started = time.time()
        retriever = Retriever(block, quiet=False)
    except (spec_mod.SpecError, corpus_mod.CorpusError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    how = (f"built in {retriever.built_seconds:.1f} s" if retriever.built_seconds is not None
           else f"loaded from the cache in {time.time() - started:.1f} s")
    print(f"index {retriever.cache_dir}: {len(retriever.corpus)} passages from {len(retriever.files)} file(s), {how}")
    for query in args.query:
        hits = retriever.search(query)
        print(f"\n{query}\n" + ("\n".join(f"  [{h.rank}] {h.score:5.1f}  {h.focus} ({h.source}) {h.url}" for h in hits)
                                or f"  nothing at or above min_score {retriever.min_score}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
