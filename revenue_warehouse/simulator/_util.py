"""Small vectorised helpers shared by the simulator: time arithmetic, random streams, ids and
Arrow column builders. Times are int64 seconds since the Unix epoch (UTC) everywhere;
``NEVER`` marks something that does not happen."""

from __future__ import annotations

import calendar
import zlib
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

NEVER = np.int64(2**62)
DAY = 86_400
HOUR = 3_600

_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_SF_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)


def epoch(d: date) -> int:
    """Seconds since the Unix epoch at midnight UTC of ``d``."""
    return (d - date(1970, 1, 1)).days * DAY


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream per (seed, component name)."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))


def same_day_after(rng: np.random.Generator, t: np.ndarray) -> np.ndarray:
    """A random instant after each ``t`` and no later than the last second of its day."""
    t = np.asarray(t, dtype=np.int64)
    room = (t // DAY) * DAY + DAY - 1 - t
    return t + np.minimum(1 + (rng.random(t.size) * room).astype(np.int64), room)


def mix64(x: np.ndarray, key: int) -> np.ndarray:
    """A bijective 64-bit mix (splitmix64 finaliser) keyed by ``key``: unique in, unique out."""
    z = (np.asarray(x, dtype=np.uint64) + np.uint64(key & 0xFFFFFFFFFFFFFFFF)) * np.uint64(1)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z


def uniform_hash(x: np.ndarray, key: int) -> np.ndarray:
    """Deterministic uniform [0, 1) per element of ``x`` (for per-record dirt decisions)."""
    return (mix64(x, key) >> np.uint64(11)).astype(np.float64) / float(2**53)


def _chars_to_str(chars: np.ndarray) -> np.ndarray:
    n, width = chars.shape
    return np.ascontiguousarray(chars).view(f"S{width}").reshape(n).astype(f"U{width}").astype(object)


def _base62(values: np.ndarray, width: int) -> np.ndarray:
    v = np.asarray(values, dtype=np.uint64).copy()
    out = np.empty((v.size, width), dtype=np.uint8)
    for i in range(width - 1, -1, -1):
        out[:, i] = _B62[(v % np.uint64(62)).astype(np.intp)]
        v //= np.uint64(62)
    return out


def salesforce_ids(prefix: str, index: np.ndarray, seed: int) -> np.ndarray:
    """18-character Salesforce ids: 3-char object prefix, 3 chars from the seed, 9 base-62 digits
    of the record index, then Salesforce's 3-character case checksum."""
    idx = np.asarray(index, dtype=np.int64)
    pod = _base62(np.array([zlib.crc32(f"{seed}".encode()) % (62**3)]), 3)[0]
    chars = np.empty((idx.size, 15), dtype=np.uint8)
    chars[:, :3] = np.frombuffer(prefix.encode(), dtype=np.uint8)
    chars[:, 3:6] = pod
    chars[:, 6:] = _base62(idx, 9)
    upper = (chars >= ord("A")) & (chars <= ord("Z"))
    weights = 1 << np.arange(5)
    suffix = np.stack(
        [_SF_SUFFIX[(upper[:, 5 * k : 5 * k + 5] * weights).sum(axis=1)] for k in range(3)], axis=1
    )
    return _chars_to_str(np.concatenate([chars, suffix], axis=1))


def token_ids(prefix: str, index: np.ndarray, seed: int, kind: str, width: int = 14) -> np.ndarray:
    """Stripe-style ids (``cus_...``): a keyed bijective hash of the index, base 62. Unique per kind."""
    key = zlib.crc32(f"{seed}:{kind}".encode())
    body = _base62(mix64(np.asarray(index, dtype=np.int64), key), 11)
    pad = _base62(np.array([key % (62 ** (width - 11))]), width - 11)[0]
    chars = np.concatenate([np.broadcast_to(pad, (body.shape[0], width - 11)), body], axis=1)
    return np.char.add(prefix, _chars_to_str(chars).astype(str)).astype(object)


def hex_ids(index: np.ndarray, seed: int, kind: str) -> np.ndarray:
    """16 hex characters, unique per index (keyed bijective hash)."""
    v = mix64(np.asarray(index, dtype=np.int64), zlib.crc32(f"{seed}:{kind}".encode()))
    out = np.empty((v.size, 16), dtype=np.uint8)
    for i in range(15, -1, -1):
        out[:, i] = _HEX[(v & np.uint64(15)).astype(np.intp)]
        v = v >> np.uint64(4)
    return _chars_to_str(out)


# ---------------------------------------------------------------------------- calendar
def to_dt64(ts: np.ndarray) -> np.ndarray:
    return np.asarray(ts, dtype=np.int64).astype("datetime64[s]")


def month_index(ts: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each timestamp."""
    return to_dt64(ts).astype("datetime64[M]").astype(np.int64)


def add_months(ts: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Add calendar months keeping day-of-month and time (clamped to the month's last day),
    like a billing anchor."""
    t = np.asarray(ts, dtype=np.int64)
    d = t.astype("datetime64[s]").astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    tod = t - d.astype("datetime64[s]").astype(np.int64)
    m2 = m + np.asarray(months, dtype=np.int64)
    length = ((m2 + 1).astype("datetime64[D]") - m2.astype("datetime64[D]")).astype(np.int64)
    day = m2.astype("datetime64[D]") + np.minimum(dom, length - 1)
    return day.astype("datetime64[s]").astype(np.int64) + tod


def add_months_scalar(ts: int, months: int) -> int:
    """``add_months`` for one timestamp (fast path for the per-subscription loop)."""
    days, tod = divmod(int(ts), DAY)
    d = date(1970, 1, 1) + timedelta(days=days)
    m = d.year * 12 + d.month - 1 + months
    year, month = divmod(m, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return (date(year, month + 1, min(d.day, last)) - date(1970, 1, 1)).days * DAY + tod


def month_start_ts(month_idx: np.ndarray) -> np.ndarray:
    return (
        np.asarray(month_idx, dtype=np.int64).astype("datetime64[M]").astype("datetime64[s]").astype(np.int64)
    )


def lognormal(rng: np.random.Generator, spec: dict, size: int) -> np.ndarray:
    return rng.lognormal(np.log(spec["median"]), spec["sigma"], size)


def pick(rng: np.random.Generator, weights: dict | list, size: int) -> np.ndarray:
    w = np.asarray(list(weights.values()) if isinstance(weights, dict) else weights, dtype=float)
    return rng.choice(w.size, size=size, p=w / w.sum())


# ---------------------------------------------------------------------------- arrow builders
def ts_array(ts: np.ndarray, visible: np.ndarray | None = None) -> pa.Array:
    t = np.asarray(ts, dtype=np.int64)
    mask = t >= NEVER
    if visible is not None:
        mask |= ~visible
    return pa.array(np.where(mask, 0, t), type=pa.timestamp("s"), mask=mask)


def date_array(ts: np.ndarray, visible: np.ndarray | None = None) -> pa.Array:
    t = np.asarray(ts, dtype=np.int64)
    mask = t >= NEVER
    if visible is not None:
        mask |= ~visible
    return pa.array(np.where(mask, 0, t // DAY).astype(np.int32), type=pa.date32(), mask=mask)


def int_array(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=mask)


def decimal_cents(cents: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """DECIMAL(18,2) from integer cents without going through floats."""
    c = np.asarray(cents, dtype=np.int64)
    raw = np.empty((c.size, 2), dtype=np.int64)
    raw[:, 0] = c
    raw[:, 1] = np.where(c < 0, -1, 0)
    validity = None
    nulls = 0
    if mask is not None and mask.any():
        validity = pa.py_buffer(np.packbits(~mask, bitorder="little").tobytes())
        nulls = int(mask.sum())
    return pa.Array.from_buffers(pa.decimal128(18, 2), c.size, [validity, pa.py_buffer(raw.tobytes())], nulls)


def str_array(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, type=pa.string(), mask=mask, from_pandas=True)


def lookup(
    values: np.ndarray, idx: np.ndarray, ok: np.ndarray | None = None, default: object = None
) -> np.ndarray:
    """``values[idx]`` where ``ok`` (default ``idx >= 0``), else ``default``; safe when ``values`` is empty."""
    idx = np.asarray(idx)
    ok = (idx >= 0) if ok is None else np.asarray(ok) & (idx >= 0)
    out = np.full(idx.shape, default, dtype=object)
    out[ok] = np.asarray(values, dtype=object)[idx[ok]]
    return out


def gather(
    values: np.ndarray, idx: np.ndarray, ok: np.ndarray | None = None, default: object = 0
) -> np.ndarray:
    """``lookup`` keeping the dtype of ``values`` (``default`` must fit it): ``values[idx]`` where ``ok``
    (default ``idx >= 0``), else ``default``; safe when ``values`` is empty. Replaces the unsafe
    ``np.where(ok, values[np.maximum(idx, 0)], default)``."""
    values, idx = np.asarray(values), np.asarray(idx)
    ok = (idx >= 0) if ok is None else np.asarray(ok) & (idx >= 0)
    out = np.full(idx.shape + values.shape[1:], default, dtype=values.dtype)
    out[ok] = values[idx[ok]]
    return out


def take(values: np.ndarray | list, idx: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)[idx]
