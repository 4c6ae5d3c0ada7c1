"""The marketing funnel of real persons: lead creation, MQL, Salesforce sync, routing, pickup,
qualification and conversion. Everything is a numpy array indexed by person (persons are
sorted by lead creation time); times are epoch seconds, ``NEVER`` when it does not happen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import names
from ._util import DAY, HOUR, NEVER, lognormal, pick, stream
from .profile import CURRENCY_OF_COUNTRY, SEGMENTS


@dataclass
class Persons:
    n: int
    created: np.ndarray
    source: np.ndarray  # index into profile channels (HubSpot analytics source)
    segment: np.ndarray
    employees: np.ndarray
    country: np.ndarray
    currency: np.ndarray  # "USD" / "EUR" / "GBP"
    first: np.ndarray
    last: np.ndarray
    title: np.ndarray
    company: np.ndarray
    domain: np.ndarray
    industry: np.ndarray
    email: np.ndarray
    mql: np.ndarray
    lead_created: np.ndarray  # Salesforce lead (MQL synced)
    owner_kind: np.ndarray  # 0 SDR, 1 AE
    owner: np.ndarray  # index into the SDR or AE list
    accepted: np.ndarray
    first_task: np.ndarray
    picked_up: np.ndarray
    n_tasks: np.ndarray
    qualified: np.ndarray
    disqualified: np.ndarray
    dq_reason: np.ndarray  # index into profile disqualify_reasons, -1 none
    converted: np.ndarray
    demo_form: np.ndarray  # bool: MQL came with a demo-request form fill
    via_form: np.ndarray  # bool: created through a form fill


def _daily_lead_rate(profile: dict[str, Any], start_s: int, n_days: int, scale: float) -> np.ndarray:
    vol = profile["volume"]
    days = np.arange(n_days)
    dt = (np.int64(start_s) + days * DAY).astype("datetime64[s]").astype("datetime64[D]")
    month = dt.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (dt.astype(np.int64) + 3) % 7  # 0 = Monday
    season = np.asarray(vol["seasonality"], dtype=float)
    season = season / season.mean()
    wf = vol["weekend_factor"]
    week = np.where(weekday >= 5, wf, 1.0) / ((5 + 2 * wf) / 7)
    growth = 1 + vol["growth_per_year"] * (days / 365.25 - (n_days / 365.25) / 2)
    return vol["leads_per_year_at_scale_1"] / 365.25 * scale * season[month] * week * np.maximum(growth, 0.2)


def simulate_persons(profile: dict[str, Any], seed: int, start_s: int, n_days: int, scale: float) -> Persons:
    rng = stream(seed, "persons")
    counts = rng.poisson(_daily_lead_rate(profile, start_s, n_days, scale))
    n = int(counts.sum())
    day = np.repeat(np.arange(n_days), counts)
    tod = np.clip(rng.normal(14.5, 3.5, n), 0, 23.99) * HOUR
    created = np.sort(start_s + day * DAY + tod.astype(np.int64))

    channels = profile["channels"]
    source = pick(rng, {k: v["share"] for k, v in channels.items()}, n)
    seg_cfg = [profile["segments"][s] for s in SEGMENTS]
    segment = pick(rng, [s["share"] for s in seg_cfg], n)
    lo = np.array([s["employees"][0] for s in seg_cfg])[segment]
    hi = np.array([s["employees"][1] for s in seg_cfg])[segment]
    employees = np.exp(rng.uniform(np.log(lo), np.log(hi + 1))).astype(np.int64)
    countries = list(profile["countries"])
    country = pick(rng, profile["countries"], n)
    currency = np.array([CURRENCY_OF_COUNTRY[c] for c in countries], dtype=object)[country]

    first = names.FIRST[rng.integers(0, names.FIRST.size, n)]
    last = names.LAST[rng.integers(0, names.LAST.size, n)]
    title = names.TITLES[rng.integers(0, names.TITLES.size, n)]
    company, domain = names.company_names(rng, n)
    industry = names.INDUSTRY[rng.integers(0, names.INDUSTRY.size, n)]
    email = np.char.lower((first + "." + last + "@" + domain).astype(str)).astype(object)

    t = profile["timing"]
    mql_rate = (
        np.array([v["mql"] for v in channels.values()])[source]
        * np.array([s["mql_factor"] for s in seg_cfg])[segment]
    )
    is_mql = rng.random(n) < mql_rate
    mql = np.where(is_mql, created + (lognormal(rng, t["mql_delay_hours"], n) * HOUR).astype(np.int64), NEVER)
    sync = rng.uniform(t["lead_sync_minutes"][0], t["lead_sync_minutes"][1], n) * 60
    lead_created = np.where(is_mql, mql + sync.astype(np.int64), NEVER)

    team = profile["team"]
    to_ae = (segment == 2) & bool(team["enterprise_to_ae"])
    n_sdr, n_ae = team_sizes(profile, scale)["SDR"], team_sizes(profile, scale)["AE"]
    owner_kind = to_ae.astype(np.int8)
    owner = np.where(to_ae, rng.integers(0, n_ae, n), rng.integers(0, n_sdr, n))

    never = rng.random(n) < t["never_picked_up"]
    late = rng.random(n) < t["late_accept_share"]
    on_time_h = np.minimum(lognormal(rng, t["accept_hours"], n), 23.5)
    late_h = rng.uniform(24, 120, n)
    accept_h = np.where(late, late_h, on_time_h)
    worked = is_mql & ~never
    accepted = np.where(worked, lead_created + (accept_h * HOUR).astype(np.int64), NEVER)
    before = rng.random(n) < t["first_task_before_accept_share"]
    frac = rng.uniform(0.2, 0.9, n)
    after_h = rng.uniform(0.1, 4, n)
    first_task = np.where(
        before,
        lead_created + (frac * accept_h * HOUR).astype(np.int64),
        accepted + (after_h * HOUR).astype(np.int64),
    )
    first_task = np.where(worked, first_task, NEVER)
    picked_up = np.minimum(first_task, accepted)
    n_tasks = np.where(worked, rng.integers(t["tasks_per_lead"][0], t["tasks_per_lead"][1] + 1, n), 0)

    decide = accepted + (lognormal(rng, t["qualify_days"], n) * DAY).astype(np.int64)
    decide = np.maximum(decide, first_task + HOUR)
    qual = worked & (rng.random(n) < np.array([s["qualify"] for s in seg_cfg])[segment])
    qualified = np.where(qual, decide, NEVER)
    disqualified = np.where(worked & ~qual, decide, NEVER)
    dq_reason = np.where(worked & ~qual, pick(rng, profile["disqualify_reasons"], n), -1)
    converted = np.where(qual, decide + rng.integers(600, 2 * HOUR, n), NEVER)
    demo_form = is_mql & (rng.random(n) < 0.5)
    via_form = rng.random(n) < profile["volume"]["form_fill_share"]
    return Persons(
        n, created, source, segment, employees, country, currency, first, last, title, company, domain,
        industry, email, mql, lead_created, owner_kind, owner, accepted, first_task, picked_up, n_tasks,
        qualified, disqualified, dq_reason, converted, demo_form, via_form,
    )  # fmt: skip


def team_sizes(profile: dict[str, Any], scale: float) -> dict[str, int]:
    team = profile["team"]
    grow = max(scale, 0.0) ** 0.5
    return {
        "SDR": max(2, round(team["sdr"] * grow)),
        "AE": max(2, round(team["ae"] * grow)),
        "CSM": max(2, round(team["csm"] * grow)),
        "MKT": max(1, round(team["marketing_owners"] * grow)),
    }
