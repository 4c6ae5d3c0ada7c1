"""Extending generated extracts by more days: the folder's ``_truth/meta.json`` says which world
wrote it (seed, scale, start, format, dirt rates, company profile, horizon); a later end date on
the same world writes only the new days' files and the truth as of the new end. Earlier files are
left alone: a generation straight to the new end would write them byte for byte the same."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from . import GenerationSummary, default_horizon, generate
from .profile import load_profile, resolve_dirt

META = Path("_truth") / "meta.json"


class ExtendError(ValueError):
    """The extension cannot be done as asked; the message is one line naming what differs."""


def read_meta(out: Path) -> dict[str, Any] | None:
    path = Path(out) / META
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ExtendError(f"{path} is not readable generator metadata: {exc}") from None


def world_of(meta: dict[str, Any]) -> dict[str, Any]:
    """The generate() arguments that fix the world, as the metadata records them."""
    return {
        "seed": int(meta["seed"]), "scale": float(meta["scale"]), "start": date.fromisoformat(meta["start"]),
        "fmt": meta["format"], "dirt": dict(meta["dirt"]), "horizon": date.fromisoformat(meta["horizon"]),
    }  # fmt: skip


def _mismatch(meta: dict[str, Any], out: Path, given: dict[str, Any]) -> str | None:
    """What makes ``given`` (values left as None are not checked) another world than ``meta``'s."""
    world = world_of(meta)
    names = {
        "seed": "--seed",
        "scale": "--scale",
        "start": "--start",
        "fmt": "--format",
        "horizon": "--horizon",
    }
    for key, flag in names.items():
        if given.get(key) is not None and given[key] != world[key]:
            return f"{flag} {given[key]} does not match the extracts in {out} ({world[key]})"
    if given.get("dirt") is not None:
        profile = load_profile()
        if resolve_dirt(profile, given["dirt"]) != world["dirt"]:
            return f"the dirt rates asked for do not match the extracts in {out} ({META} has them)"
    if meta.get("profile") != load_profile():
        return f"the company profile changed since the extracts in {out} were generated"
    return None


def extension_of(out: Path, end: date, given: dict[str, Any]) -> dict[str, Any] | None:
    """generate() arguments extending ``out`` to ``end`` if it holds the same world to an earlier
    end within the horizon (``given``: seed, scale, start, fmt, dirt, horizon; None = any), else None."""
    meta = read_meta(out)
    if meta is None or "horizon" not in meta or _mismatch(meta, out, given):
        return None
    world, old_end = world_of(meta), date.fromisoformat(meta["end"])
    if not old_end < end <= world["horizon"]:
        return None
    return {**world, "end": end, "written_through": old_end}


def extend(out: Path, days: int, *, progress: bool = False, **given: Any) -> GenerationSummary:
    """Extend the extracts in ``out`` by ``days`` days (``given``: arguments that must match)."""
    if days < 1:
        raise ExtendError(f"the number of days to extend by must be 1 or more, not {days}")
    meta = read_meta(out)
    if meta is None:
        raise ExtendError(f"{out} holds no generated extracts to extend ({META} is missing)")
    if "horizon" not in meta:
        raise ExtendError(f"{out} was generated before extensions existed; generate it again")
    problem = _mismatch(meta, out, given)
    if problem:
        raise ExtendError(problem)
    world, old_end = world_of(meta), date.fromisoformat(meta["end"])
    end = old_end + timedelta(days=days)
    if end > world["horizon"]:
        later = default_horizon(world["start"], end)
        raise ExtendError(
            f"{end} is past the simulated horizon {world['horizon']} of {out}; "
            f"generate it again with --horizon {later} (or later) to extend past it"
        )
    return generate(out, end=end, written_through=old_end, progress=progress, **world)
