"""High-volume marketing events, generated month by month (never all in memory): web sessions
(person-linked and anonymous) and email campaigns with their events and clicks."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from ._util import (
    DAY,
    HOUR,
    NEVER,
    hex_ids,
    int_array,
    lookup,
    month_start_ts,
    pick,
    str_array,
    stream,
    ts_array,
)
from .marketing import (
    EMAIL,
    OFFLINE,
    PAGES,
    REFERRER,
    UTM_MEDIUM,
    UTM_SOURCE,
    Marketing,
    month_days,
)  # fmt: skip
from .people import _daily_lead_rate
from .sources import day_of

Chunk = dict[str, tuple[pa.Table, int]]
ANON_SOURCE_MIX = [0.15, 0.1, 0.35, 0.05, 0.08, 0.22, 0.0, 0.05]  # analytics source of anonymous visits


class PersonSessions:
    """Sessions of persons around sign-up, as sorted (time, person, kind) arrays.
    kind 0: the sign-up visit (identified), 1: earlier anonymous visits, 2: later identified visits."""

    def __init__(self, m: Marketing) -> None:
        w, p = m.w, m.w.persons
        rng = stream(w.seed, "person-sessions")
        vol = w.profile["volume"]["sessions_per_lead"]
        conv = np.flatnonzero(p.source != OFFLINE)
        n_before, n_after = rng.poisson(vol["before"], p.n), rng.poisson(vol["after"], p.n)
        before = np.repeat(np.arange(p.n), n_before)
        after = np.repeat(np.arange(p.n), n_after)
        t_conv = p.created[conv] - rng.integers(60, 900, conv.size)
        t_before = p.created[before] - rng.integers(HOUR, 30 * DAY, before.size)
        t_after = p.created[after] + rng.integers(HOUR, 120 * DAY, after.size)
        time = np.concatenate([t_conv, t_before, t_after])
        keep = (time >= w.start_s) & (time <= w.horizon_s)  # the end date only cuts what is written
        kind = np.concatenate(
            [np.zeros(conv.size, np.int8), np.ones(before.size, np.int8), np.full(after.size, 2, np.int8)]
        )
        person = np.concatenate([conv, before, after])
        order = np.lexsort((kind, person, time))
        order = order[keep[order]]
        self.time, self.person, self.kind = time[order], person[order].astype(np.int64), kind[order]


def web_sessions(m: Marketing) -> Iterator[Chunk]:
    w = m.w
    ps = PersonSessions(m)
    rate = (
        _daily_lead_rate(w.profile, w.start_s, w.horizon_days, w.scale)
        * w.profile["volume"]["anonymous_sessions_per_lead"]
    )
    serial = 0
    always = {
        ch: np.flatnonzero(m.camps.always_on & (m.camps.channel == ch))
        for ch in ("paid_search", "paid_social")
    }
    for month, lo, hi in month_days(w):
        rng = stream(w.seed, f"sessions-{month}")
        ms, me = int(month_start_ts(np.array([month]))[0]), int(month_start_ts(np.array([month + 1]))[0])
        a, b = np.searchsorted(ps.time, [ms, me])
        t_p, per, kind = ps.time[a:b], ps.person[a:b], ps.kind[a:b]
        counts = rng.poisson(rate[lo:hi])
        t_a = np.sort(
            w.start_s + np.repeat(np.arange(lo, hi), counts) * DAY + rng.integers(0, DAY, counts.sum())
        )
        n_p, n_a = t_p.size, t_a.size
        src_p = np.where(
            kind == 0,
            w.persons.source[per],
            np.where(kind == 1, 2, pick(rng, [0, 0, 0.3, 0.3, 0, 0.4, 0, 0], n_p)),
        )
        src = np.concatenate([src_p, pick(rng, ANON_SOURCE_MIX, n_a)])
        time = np.concatenate([t_p, t_a])
        quarter = (month // 3) * np.ones(src.size, np.int64)
        camp = np.full(src.size, -1, np.int64)
        camp[:n_p] = np.where((kind == 0), m.person_campaign[per], -1)
        for s, ch in ((0, "paid_search"), (1, "paid_social")):
            fallback = always[ch][
                np.clip(np.searchsorted(m.camps.quarter[always[ch]], quarter), 0, always[ch].size - 1)
            ]
            camp = np.where((src == s) & (camp < 0), fallback, camp)
        utm_campaign = lookup(m.camps.utm, camp, camp >= 0, None)
        utm_campaign = np.where(src == EMAIL, "newsletter", utm_campaign)
        identified = np.concatenate([kind != 1, np.zeros(n_a, bool)])
        contact = np.concatenate([w.person_contact_id[per], np.zeros(n_a, np.int64)])
        cookie = np.concatenate([per, (1 << 40) + serial + np.arange(n_a)])
        ids = hex_ids((1 << 41) + serial + np.arange(src.size), w.seed, "session")
        serial += src.size
        table = pa.table({
            "id": str_array(np.char.add("ws_", ids.astype(str)).astype(object)),
            "anonymous_id": str_array(hex_ids(cookie, w.seed, "cookie")),
            "contact_id": int_array(contact, mask=~identified),
            "started_at": ts_array(time),
            "landing_page": str_array(PAGES[rng.integers(0, PAGES.size, src.size)]),
            "referrer": str_array(REFERRER[src]),
            "utm_source": str_array(UTM_SOURCE[src]),
            "utm_medium": str_array(UTM_MEDIUM[src]),
            "utm_campaign": str_array(np.where(UTM_SOURCE[src] == None, None, utm_campaign)),  # noqa: E711
            "pageviews": int_array(1 + rng.poisson(2.0, src.size)),
            "_fivetran_synced": ts_array(w.start_s + day_of(time, w.start_s) * DAY + DAY - 1),
            "_day": pa.array(day_of(time, w.start_s)),
            "_order": pa.array(time),
        })  # fmt: skip
        yield {"web_session": (table, hi)}


def email_campaign_plan(m: Marketing) -> tuple[np.ndarray, np.ndarray]:
    """(send time, month) of every email campaign: the first, second... Tuesday-ish of each month."""
    w = m.w
    per = int(w.profile["volume"]["email_campaigns_per_month"])
    sends, months = [], []
    for month, _, _ in month_days(w):
        ms = int(month_start_ts(np.array([month]))[0])
        for k in range(per):
            t = ms + (2 + 7 * k + (month * 3 + k) % 3) * DAY + 15 * HOUR
            if w.start_s <= t <= w.end_s:
                sends.append(t)
                months.append(month)
    return np.array(sends, dtype=np.int64), np.array(months, dtype=np.int64)


def email_campaign_rows(m: Marketing) -> tuple[np.ndarray, dict]:
    send, month = email_campaign_plan(m)
    n = send.size
    year, mon = 1970 + month // 12, month % 12 + 1
    names = np.array(
        [f"Newsletter {y}-{mo:02d} #{k}" for y, mo, k in zip(year, mon, np.arange(n), strict=True)],
        dtype=object,
    )
    return send, {"id": 800_000 + np.arange(n), "name": names}


def email_events(m: Marketing) -> Iterator[Chunk]:
    w, p = m.w, m.w.persons
    send, info = email_campaign_rows(m)
    funnel = w.profile["volume"]["email_funnel"]
    share = w.profile["volume"]["email_audience_share"]
    for month, _, hi in month_days(w):
        in_month = np.flatnonzero(
            (send >= month_start_ts(np.array([month]))[0]) & (send < month_start_ts(np.array([month + 1]))[0])
        )
        parts, clicks = [], []
        camp_rows = []
        for c in in_month:
            rng = stream(w.seed, f"email-{c}")
            n_existing = int(np.searchsorted(p.created, send[c]))
            rcpt = np.flatnonzero(rng.random(n_existing) < share)
            if not rcpt.size:
                continue
            camp_rows.append(c)
            t_sent = send[c] + rng.integers(0, HOUR, rcpt.size)
            delivered = rng.random(rcpt.size) < funnel["delivered"]
            t_deliv = np.where(delivered, t_sent + rng.integers(5, 120, rcpt.size), NEVER)
            opened = delivered & (rng.random(rcpt.size) < funnel["open"])
            t_open = np.where(
                opened, t_deliv + (rng.lognormal(np.log(3), 1.2, rcpt.size) * HOUR).astype(np.int64), NEVER
            )
            clicked = opened & (rng.random(rcpt.size) < funnel["click"])
            t_click = np.where(clicked, t_open + rng.integers(10, 900, rcpt.size), NEVER)
            for code, (ev, t) in enumerate(
                (("SENT", t_sent), ("DELIVERED", t_deliv), ("OPEN", t_open), ("CLICK", t_click))
            ):
                ok = t <= w.end_s
                key = (np.int64(c) << 40) | (rcpt[ok].astype(np.int64) << 3) | code
                parts.append((ev, c, rcpt[ok], t[ok], hex_ids(key, w.seed, "email-event")))
                if ev == "CLICK":
                    clicks.append((rcpt[ok], t[ok], parts[-1][4]))
        if not parts:
            continue
        ev = np.concatenate([np.full(x[2].size, x[0], dtype=object) for x in parts])
        camp = np.concatenate([np.full(x[2].size, x[1]) for x in parts])
        rcpt = np.concatenate([x[2] for x in parts])
        t = np.concatenate([x[3] for x in parts])
        ids = np.concatenate([x[4] for x in parts])
        day = day_of(t, w.start_s)
        synced = ts_array(w.start_s + day * DAY + DAY - 1)
        out: Chunk = {"email_event": (pa.table({
            "id": str_array(ids), "_fivetran_synced": synced, "created": ts_array(t),
            "email_campaign_id": int_array(info["id"][camp]), "recipient": str_array(p.email[rcpt]),
            "type": str_array(ev), "_day": pa.array(day), "_order": pa.array(t),
        }), hi)}  # fmt: skip
        if clicks:
            c_t = np.concatenate([x[1] for x in clicks])
            c_day = day_of(c_t, w.start_s)
            pages = PAGES[np.concatenate([x[0] for x in clicks]) % PAGES.size]
            out["email_event_click"] = (pa.table({
                "id": str_array(np.concatenate([x[2] for x in clicks])),
                "_fivetran_synced": ts_array(w.start_s + c_day * DAY + DAY - 1),
                "url": str_array(np.char.add("https://northwind.example", pages.astype(str)).astype(object)),
                "referer": str_array(np.full(c_t.size, None, dtype=object)),
                "browser": str_array(np.full(c_t.size, "Chrome", dtype=object)),
                "_day": pa.array(c_day), "_order": pa.array(c_t),
            }), hi)  # fmt: skip
        cr = np.array(camp_rows)
        c_day = day_of(send[cr], w.start_s)
        out["email_campaign"] = (pa.table({
            "id": int_array(info["id"][cr]), "_fivetran_synced": ts_array(w.start_s + c_day * DAY + DAY - 1),
            "name": str_array(info["name"][cr]), "subject": str_array(np.char.add("News from Northwind: ", info["name"][cr].astype(str)).astype(object)),
            "type": str_array(np.full(cr.size, "BATCH", dtype=object)), "app_name": str_array(np.full(cr.size, "Batch", dtype=object)),
            "_day": pa.array(c_day), "_order": pa.array(send[cr]),
        }), hi)  # fmt: skip
        yield out


__all__ = ["web_sessions", "email_events"]
