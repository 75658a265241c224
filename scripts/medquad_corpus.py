"""Rebuild data/medquad/*.csv.gz, the retrieval corpus that ships, from the shared MedQuAD copy.

MedQuAD (Ben Abacha & Demner-Fushman, BMC Bioinformatics 2019) is CC BY 4.0; its seven answered
collections are carried here, one gzip file per collection, so that a fresh clone retrieves offline.
The files are byte-for-byte reproducible (rows as in the shared CSVs, gzip without a timestamp), so a
rebuild from the same shared copy changes nothing in git. Usage:

    .venv/bin/python -m scripts.medquad_corpus [--shared ../shared/data/medquad] [--out data/medquad]
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

COLLECTIONS = ("1_CancerGov_QA", "2_GARD_QA", "3_GHR_QA", "4_MPlus_Health_Topics_QA", "6_NINDS_QA",
               "8_NHLBI_QA_XML", "9_CDC_QA")
COLUMNS = "id,source,focus,qtype,question,answer,url"
LIMIT = 2_000_000  # bytes per shipped file


def rebuild(shared: Path, out: Path) -> list[Path]:
    missing = [c for c in COLLECTIONS if not (shared / f"{c}.csv").is_file()]
    if missing:
        raise SystemExit(f"error: {shared} lacks {', '.join(f'{c}.csv' for c in missing)}; the shared MedQuAD "
                         "copy is ../shared/data/medquad (give --shared)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in COLLECTIONS:
        raw = (shared / f"{name}.csv").read_bytes()
        header = raw.split(b"\n", 1)[0].decode().strip()
        if header != COLUMNS:
            raise SystemExit(f"error: {shared / name}.csv has columns {header!r}; expected {COLUMNS!r}")
        path = out / f"{name}.csv.gz"
        with open(path, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0,
                                                   compresslevel=9) as gz:
            gz.write(raw)
        if path.stat().st_size > LIMIT:
            raise SystemExit(f"error: {path} is {path.stat().st_size:,} bytes, above the {LIMIT:,} allowed")
        written.append(path)
        print(f"{path}  {path.stat().st_size / 1e6:.2f} MB")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/data/medquad"))
    parser.add_argument("--out", type=Path, default=Path("data/medquad"))
    args = parser.parse_args(argv)
    rebuild(args.shared, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
