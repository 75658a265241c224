"""`make check`: validate a spec and its data alone, offline, in seconds; writes nothing under runs/.

Prints every problem as `file: key: what is allowed` and exits 2, or prints the split sizes, the precision
training would pick on this machine and any warnings (values that are legal but rarely sensible) and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from plugins import data as data_mod
from plugins import spec as spec_mod


def check(spec_path: Path) -> int:
    try:
        spec = spec_mod.load(spec_path)
        if "hf_dataset" in spec.data and spec_mod.hub_offline():
            spec.warnings.append(f"hub dataset '{spec.data['hf_dataset']}' not checked: the hub is offline")
            prepared = None
        else:
            with tempfile.TemporaryDirectory() as tmp:
                prepared = data_mod.prepare_spec(spec, Path(tmp))
    except spec_mod.SpecError as e:
        for problem in e.problems:
            print(f"error: {e.path}: {problem}", file=sys.stderr)
        return 2
    except data_mod.DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for w in spec.warnings:
        print(f"warning: {spec_path}: {w}", file=sys.stderr)
    from plugins import precision

    print(f"{spec_path}: on this machine, {precision.of_project(spec.project).describe()}")
    if prepared is None:
        print(f"ok: {spec_path} (spec only)")
        return 0
    sizes = ", ".join(f"{k} {v}" for k, v in prepared.split_sizes.items())
    dropped = ", ".join(f"{k} {v}" for k, v in prepared.dropped.items() if v) or "none"
    print(f"ok: {spec_path} (data: {sizes}; dropped: {dropped})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", type=Path, nargs="+", help="spec files")
    args = parser.parse_args(argv)
    return max(check(p) for p in args.specs)


if __name__ == "__main__":
    sys.exit(main())
