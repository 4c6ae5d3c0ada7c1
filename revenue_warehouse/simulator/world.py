"""The whole simulated world: persons, their HubSpot contact records (incl. email variants and
spam), Salesforce lead records (incl. orphans and spam), deals, and every id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from ._util import DAY, NEVER, epoch, salesforce_ids, same_day_after, stream, token_ids
from .deals import Deals, simulate_deals
from .people import Persons, simulate_persons, team_sizes
from .team import Team

PERSON, VARIANT, SPAM = 0, 1, 2  # contact record kinds
LEAD_PERSON, LEAD_ORPHAN, LEAD_SPAM = 0, 1, 2  # lead record kinds
ORPHAN_OFFSET = 90_000_000  # record indices from here never exist (parents that never arrive)


@dataclass
class ContactRecords:
    n: int
    kind: np.ndarray
    person: np.ndarray  # -1 for spam
    created: np.ndarray
    source: np.ndarray
    email: np.ndarray
    deleted_at: np.ndarray
    id: np.ndarray  # HubSpot contact id


@dataclass
class LeadRecords:
    n: int
    kind: np.ndarray
    person: np.ndarray  # -1 for orphan and spam leads
    created: np.ndarray
    owner: np.ndarray  # global user index
    id: np.ndarray


@dataclass
class World:
    profile: dict[str, Any]
    seed: int
    scale: float
    start: date
    end: date
    start_s: int
    end_s: int  # last second of the end date: the as-of instant
    horizon: date  # the world is simulated to this day; files and truth stop at ``end``
    horizon_s: int  # last second of the horizon day
    dirt: dict[str, float]
    team: Team
    persons: Persons
    contacts: ContactRecords
    leads: LeadRecords
    deals: Deals
    person_contact_id: np.ndarray  # HubSpot id of each person's original contact record
    person_lead: np.ndarray  # lead record index per person, -1
    ids: dict[str, np.ndarray] = field(default_factory=dict)
    dirt_counts: dict[str, Any] = field(default_factory=dict)
    orphans: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    missing_links: list[tuple[str, str]] = field(default_factory=list)  # (stripe customer, account)
    # per table: (records, state instant) of records whose latest change by the end is a late
    # update still in flight; the warehouse can only know their state at that earlier instant
    late_pending: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def account_of_person(self) -> np.ndarray:
        """Salesforce account index of each person (-1 if the person never converted)."""
        acc = np.full(self.persons.n, -1, dtype=np.int64)
        acc[self.deals.accounts.person] = np.arange(self.deals.accounts.n)
        return acc

    @property
    def n_days(self) -> int:
        """Days from the start to the end (the days that get files)."""
        return (self.end - self.start).days + 1

    @property
    def horizon_days(self) -> int:
        """Days from the start to the horizon (the days that are simulated)."""
        return (self.horizon - self.start).days + 1


def _variant_emails(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    style = rng.integers(0, 4, emails.size)
    e = emails.astype(str)
    title = np.char.title(e)
    upper = np.char.upper(e)
    out = np.where(style == 0, title, np.where(style == 1, np.char.add(" ", e), upper))
    out = np.where(style == 3, np.char.add(np.char.capitalize(e), "  "), out)
    return out.astype(object)


def _contact_records(w_seed: int, p: Persons, dirt: dict, start_s: int, end_s: int) -> ContactRecords:
    rng = stream(w_seed, "contact-records")
    var = np.flatnonzero(rng.random(p.n) < dirt["email_variants"])
    var_created = p.created[var] + (rng.uniform(10, 200, var.size) * DAY).astype(np.int64)
    keep = var_created <= end_s
    var, var_created = var[keep], var_created[keep]
    n_spam = int(rng.binomial(p.n, min(dirt["spam_contacts"], 1.0))) if p.n else 0
    spam_created = rng.integers(start_s, max(start_s + 1, end_s - 3 * DAY), n_spam)
    # deleted the same day (never straddles a day boundary, so never live at any as-of instant)
    spam_deleted = same_day_after(rng, spam_created)
    spam_email = np.array(
        [f"test{k}@mailinator.com" for k in rng.integers(1000, 99999, n_spam)], dtype=object
    )
    kind = np.concatenate([np.full(p.n, PERSON), np.full(var.size, VARIANT), np.full(n_spam, SPAM)])
    person = np.concatenate([np.arange(p.n), var, np.full(n_spam, -1)])
    created = np.concatenate([p.created, var_created, spam_created])
    source = np.concatenate([p.source, rng.integers(0, 8, var.size), rng.integers(0, 8, n_spam)])
    email = np.concatenate([p.email, _variant_emails(rng, p.email[var]), spam_email])
    deleted = np.concatenate([np.full(p.n + var.size, NEVER), spam_deleted])
    order = np.lexsort((person, kind, created))
    n = order.size
    base = 1_000 + (w_seed % 97) * 100_000
    return ContactRecords(
        n, kind[order], person[order], created[order], source[order], email[order], deleted[order],
        id=base + 7 * np.arange(n, dtype=np.int64),
    )  # fmt: skip


def _lead_records(seed: int, p: Persons, team: Team, dirt: dict, start_s: int, end_s: int) -> LeadRecords:
    rng = stream(seed, "lead-records")
    real = np.flatnonzero(p.lead_created <= end_s)
    n_orphan = int(rng.binomial(real.size, min(dirt["orphan_leads"], 1.0)))
    n_spam = int(rng.binomial(real.size, min(dirt["spam_leads"], 1.0)))
    extra_created = rng.integers(start_s, max(start_s + 1, end_s - 2 * DAY), n_orphan + n_spam)
    owner_real = np.where(p.owner_kind[real] == 1, team.ae0, team.sdr0) + p.owner[real]
    kind = np.concatenate(
        [np.full(real.size, LEAD_PERSON), np.full(n_orphan, LEAD_ORPHAN), np.full(n_spam, LEAD_SPAM)]
    )
    person = np.concatenate([real, np.full(n_orphan + n_spam, -1)])
    created = np.concatenate([p.lead_created[real], extra_created])
    owner = np.concatenate([owner_real, team.sdr0 + rng.integers(0, team.n_sdr, n_orphan + n_spam)])
    order = np.lexsort((person, created))
    return LeadRecords(order.size, kind[order], person[order], created[order], owner[order],
                       id=salesforce_ids("00Q", np.arange(order.size), seed))  # fmt: skip


def build_world(
    profile: dict, dirt: dict, seed: int, scale: float, start: date, end: date, horizon: date
) -> World:
    """The world simulated from ``start`` to ``horizon``, seen as of the end of ``end``. Nothing
    simulated depends on ``end``: two ends with the same horizon share every record and id."""
    start_s, end_s = epoch(start), epoch(end) + DAY - 1
    h_s = epoch(horizon) + DAY - 1
    n_days = (horizon - start).days + 1
    sizes = team_sizes(profile, scale)
    team = Team(sizes["SDR"], sizes["AE"], sizes["CSM"], sizes["MKT"])
    persons = simulate_persons(profile, seed, start_s, n_days, scale)
    contacts = _contact_records(seed, persons, dirt, start_s, h_s)
    leads = _lead_records(seed, persons, team, dirt, start_s, h_s)
    deals = simulate_deals(profile, seed, persons, team, h_s)
    person_contact_id = np.zeros(persons.n, dtype=np.int64)
    orig = contacts.kind == PERSON
    person_contact_id[contacts.person[orig]] = contacts.id[orig]
    person_lead = np.full(persons.n, -1, dtype=np.int64)
    real = leads.kind == LEAD_PERSON
    person_lead[leads.person[real]] = np.flatnonzero(real)
    w = World(profile, seed, scale, start, end, start_s, end_s, horizon, h_s, dirt, team, persons, contacts, leads, deals,
              person_contact_id, person_lead)  # fmt: skip
    d = deals
    w.ids = {
        "user": salesforce_ids("005", np.arange(team.n_users), seed),
        "role": salesforce_ids("00E", np.arange(7), seed),
        "account": salesforce_ids("001", np.arange(d.accounts.n), seed),
        "sf_contact": salesforce_ids("003", np.arange(d.accounts.n), seed),
        "opportunity": salesforce_ids("006", np.arange(d.opps.n), seed),
        "line_item": salesforce_ids("00k", np.arange(d.opps.n), seed),
        "product_2": salesforce_ids("01t", np.arange(3), seed),
        "customer": token_ids("cus_", np.arange(d.customers.n), seed, "cus"),
        "subscription": token_ids("sub_", np.arange(d.subs.n), seed, "sub"),
        "subscription_item": token_ids("si_", np.arange(d.subs.n), seed, "si"),
    }
    return w
