"""The one way this project changes Ludwig's behaviour: named, reversible patches installed once.

Every workaround and speed-up replaces an attribute of a Ludwig object (a function in a module, a
method of a class) or an entry of one of its registries. `install` keeps the original and the reason
(the upstream bug), does nothing when the same replacement is already in place, and `undo` puts the
original back, so tests and benchmarks compare stock and patched behaviour in one process.
`installed()` lists what is active: the list to revisit on a Ludwig upgrade.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Patch:
    owner: Any  # a module or class whose attribute is replaced, or a registry dict whose entry is
    name: Hashable
    original: Any
    replacement: Any
    why: str  # the upstream bug (Ludwig version, file, function) or the reason for a speed-up
    own: bool  # whether `owner` itself held the entry (else it was inherited or absent)


_ACTIVE: dict[tuple[int, Hashable], Patch] = {}


def _namespace(owner: Any) -> dict:
    return owner if isinstance(owner, dict) else vars(owner)


def _set(owner: Any, name: Hashable, value: Any) -> None:
    if isinstance(owner, dict):
        owner[name] = value
    else:
        setattr(owner, name, value)


def install(owner: Any, name: Hashable, replacement: Any, why: str) -> Patch:
    """Replace `owner.name` (or `owner[name]` for a dict) by `replacement`, keeping the original."""
    active = _ACTIVE.get((id(owner), name))
    if active is not None:
        if active.replacement is replacement:
            return active
        undo(owner, name)
    own = name in _namespace(owner)
    current = _namespace(owner)[name] if own else (None if isinstance(owner, dict) else getattr(owner, name))
    patch = Patch(owner, name, current, replacement, why, own)
    _set(owner, name, replacement)
    _ACTIVE[(id(owner), name)] = patch
    return patch


def original(owner: Any, name: Hashable) -> Any:
    """What `owner.name` was before this project patched it (the current value when unpatched)."""
    active = _ACTIVE.get((id(owner), name))
    if active is not None:
        return active.original
    return owner.get(name) if isinstance(owner, dict) else getattr(owner, name)


def is_installed(owner: Any, name: Hashable) -> bool:
    return (id(owner), name) in _ACTIVE


def undo(owner: Any, name: Hashable) -> None:
    """Put the original back (nothing to do when not patched)."""
    patch = _ACTIVE.pop((id(owner), name), None)
    if patch is None:
        return
    if patch.own:
        _set(owner, name, patch.original)
    elif isinstance(owner, dict):
        del owner[name]
    else:
        delattr(owner, name)


def installed() -> list[Patch]:
    return list(_ACTIVE.values())
