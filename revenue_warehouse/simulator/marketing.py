"""HubSpot (marketing) extract tables: contacts, companies, ad campaigns and their daily
delivery, web sessions, forms and form fills, email campaigns and events, owners."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..contract import get_table
from ._util import (
    DAY,
    HOUR,
    NEVER,
    date_array,
    decimal_cents,
    gather,
    hex_ids,
    int_array,
    lookup,
    month_index,
    month_start_ts,
    pick,
    str_array,
    stream,
    ts_array,
    uniform_hash,
)  # fmt: skip
from .deals import WON_COL
from .names import FIRST, LAST
from .sources import Source, day_of, event_source, versioned_source, visible
from .world import PERSON, SPAM, World

SOURCES = ("PAID_SEARCH", "PAID_SOCIAL", "ORGANIC_SEARCH", "EMAIL_MARKETING", "REFERRALS", "DIRECT_TRAFFIC",
           "OFFLINE", "SOCIAL_MEDIA")  # fmt: skip
PAID_SEARCH, PAID_SOCIAL, ORGANIC, EMAIL, REFERRAL, DIRECT, OFFLINE, SOCIAL = range(8)
NETWORK = {"paid_search": ("google", "cpc"), "paid_social": ("linkedin", "paid_social"),
           "display": ("capterra", "display"), "sponsorship": ("events", "sponsorship")}  # fmt: skip
# Referrer of a session by its analytics source (index as SOURCES).
REFERRER = np.array(["https://www.google.com/", "https://www.linkedin.com/", "https://www.google.com/", None,
                     "https://www.g2.com/", None, None, "https://www.linkedin.com/"], dtype=object)  # fmt: skip
UTM_SOURCE = np.array(["google", "linkedin", None, "hubspot", None, None, None, "linkedin"], dtype=object)
UTM_MEDIUM = np.array(["cpc", "paid_social", None, "email", None, None, None, "social"], dtype=object)
PAGES = np.array(["/", "/pricing", "/product", "/blog/revenue-ops", "/blog/data-stack", "/demo", "/customers",
                  "/ebook/analytics-playbook", "/webinars"], dtype=object)  # fmt: skip
FORMS = (("Newsletter signup", "newsletter"), ("Ebook download", "ebook"), ("Webinar registration", "webinar"),
         ("Contact us", "contact"), ("Demo request", "demo"))  # fmt: skip
LIFECYCLE = np.array(["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
                      "customer"], dtype=object)  # fmt: skip


@dataclass
class AdCampaigns:
    n: int
    channel: np.ndarray  # object: paid_search, ...
    quarter: np.ndarray
    start: np.ndarray  # epoch seconds (midnight)
    end: np.ndarray  # last day (midnight)
    budget: np.ndarray  # daily spend USD
    utm: np.ndarray
    name: np.ndarray
    always_on: np.ndarray


def ad_campaigns(w: World) -> AdCampaigns:
    rng = stream(w.seed, "ad-campaigns")
    k = max(2, round(w.profile["volume"]["ad_campaigns_at_scale_1"] * max(w.scale, 0.0) ** 0.5))
    q0, q1 = month_index(np.array([w.start_s, w.horizon_s])) // 3
    rows = []
    kinds = np.array(["paid_search", "paid_social", "display", "sponsorship"], dtype=object)
    for q in range(int(q0), int(q1) + 1):
        qs = int(month_start_ts(np.array([q * 3]))[0])
        qe = int(month_start_ts(np.array([q * 3 + 3]))[0]) - DAY
        for j in range(k):
            always = j < 2
            channel = kinds[j] if always else kinds[pick(rng, [0.4, 0.3, 0.2, 0.1], 1)[0]]
            if always:
                s, e = qs, qe
            else:
                s = qs + int(rng.integers(0, 60)) * DAY
                e = min(qe, s + int(rng.integers(14, 90)) * DAY)
            year, qn = 1970 + q // 4, q % 4 + 1
            label = "Always-on" if always else f"Push {j}"
            utm = f"{year}q{qn}_{channel}_{j}"
            budget = float(rng.uniform(150, 900) * max(w.scale, 0.01) ** 0.5)
            rows.append(
                (
                    channel,
                    q,
                    s,
                    e,
                    budget,
                    utm,
                    f"{year} Q{qn} {channel.replace('_', ' ').title()} {label}",
                    always,
                )
            )
    cols = list(zip(*rows, strict=True))
    return AdCampaigns(
        len(rows), np.array(cols[0], dtype=object), np.array(cols[1]), np.array(cols[2], dtype=np.int64),
        np.array(cols[3], dtype=np.int64), np.array(cols[4]), np.array(cols[5], dtype=object),
        np.array(cols[6], dtype=object), np.array(cols[7]),
    )  # fmt: skip


def person_campaigns(w: World, camps: AdCampaigns) -> np.ndarray:
    """The ad campaign (index) each paid-channel person came through, else -1."""
    rng = stream(w.seed, "person-campaigns")
    p = w.persons
    out = np.full(p.n, -1, dtype=np.int64)
    quarter = month_index(p.created) // 3
    for src, channel in ((PAID_SEARCH, "paid_search"), (PAID_SOCIAL, "paid_social")):
        for q in np.unique(quarter[p.source == src]):
            who = np.flatnonzero((p.source == src) & (quarter == q))
            cand = np.flatnonzero((camps.quarter == q) & (camps.channel == channel))
            choice = cand[rng.integers(0, cand.size, who.size)]
            running = (camps.start[choice] <= p.created[who]) & (p.created[who] < camps.end[choice] + DAY)
            fallback = cand[camps.always_on[cand]][0]
            out[who] = np.where(running, choice, fallback)
    return out


class Marketing:
    def __init__(self, w: World) -> None:
        self.w = w
        self.camps = ad_campaigns(w)
        self.person_campaign = person_campaigns(w, self.camps)
        p, d = w.persons, w.deals
        self.person_opp = np.full(p.n, -1, dtype=np.int64)
        lead_opp = np.flatnonzero(d.opps.person >= 0)
        self.person_opp[d.opps.person[lead_opp]] = lead_opp
        self.person_won = gather(d.opps.stage_at[:, WON_COL], self.person_opp, default=NEVER)
        self.company_id = 3_000_000 + 11 * np.arange(p.n, dtype=np.int64)

    # ------------------------------------------------------------------ contacts & companies
    def contact(self) -> Source:
        w, c, p = self.w, self.w.contacts, self.w.persons
        person = np.maximum(c.person, 0)
        is_p = c.kind == PERSON

        def only(ts: np.ndarray) -> np.ndarray:
            return np.where(is_p, ts[person], NEVER)

        lead_id = lookup(w.leads.id, w.person_lead, w.person_lead >= 0, None)
        conv = only(p.converted)
        acc_of_person = w.account_of_person
        null_title = uniform_hash(c.id, w.seed * 31 + 1) < w.dirt["null_optional"]
        w.dirt_counts.setdefault("null_optional", {})["hubspot.contact.property_jobtitle"] = int(
            null_title[c.created <= w.end_s].sum()
        )
        events = [c.created, only(p.mql), only(p.lead_created), only(p.accepted), conv,
                  np.where(is_p, self.person_won[person], NEVER), c.deleted_at]  # fmt: skip

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            kind, per = c.kind[rec], person[rec]
            real = kind != SPAM
            pe = kind == PERSON
            stage = np.where(kind == SPAM, 0, 1)
            for k, ts in enumerate((p.mql, p.accepted, p.converted, self.person_won), start=2):
                stage = np.where(pe & visible(ts[per], cut), k, stage)
            src = c.source[rec]
            camp = np.where(pe, self.person_campaign[per], -1)
            acc = acc_of_person[per]
            return {
                "id": int_array(c.id[rec]),
                "_fivetran_deleted": pa.array(visible(c.deleted_at[rec], cut)),
                "property_email": str_array(c.email[rec]),
                "property_firstname": str_array(np.where(real, p.first[per], "Test")),
                "property_lastname": str_array(np.where(real, p.last[per], "User")),
                "property_company": str_array(np.where(real, p.company[per], None)),
                "property_jobtitle": str_array(np.where(real, p.title[per], "Tester"), mask=null_title[rec]),
                "property_phone": str_array(np.where(real, _phone(per), None)),
                "property_createdate": ts_array(c.created[rec]),
                "property_lifecyclestage": str_array(LIFECYCLE[stage]),
                "property_hs_lifecyclestage_marketingqualifiedlead_date": ts_array(
                    np.where(pe, p.mql[per], NEVER), visible(np.where(pe, p.mql[per], NEVER), cut)
                ),
                "property_hs_analytics_source": str_array(np.array(SOURCES, dtype=object)[src]),
                "property_hs_analytics_source_data_1": str_array(
                    np.where(camp >= 0, self.camps.utm[camp], None)
                ),
                "property_hubspotscore": int_array(stage * 20 + per % 17),
                "property_associatedcompanyid": int_array(self.company_id[per], mask=~real),
                "property_salesforceleadid": str_array(
                    np.where(pe & visible(p.lead_created[per], cut), lead_id[per], None)
                ),
                "property_salesforcecontactid": str_array(
                    lookup(w.ids["sf_contact"], acc, pe & visible(p.converted[per], cut))
                ),  # fmt: skip
            }

        late = (w.dirt["late_updates"], stream(w.seed, "late-contact"))
        return versioned_source(get_table("hubspot", "contact"), events, render, w, late)

    def company(self) -> Source:
        w, p = self.w, self.w.persons
        null = uniform_hash(self.company_id, w.seed * 31 + 2) < w.dirt["null_optional"]
        w.dirt_counts.setdefault("null_optional", {})["hubspot.company.property_industry"] = int(
            null[p.created <= w.end_s].sum()
        )

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            return {
                "id": int_array(self.company_id[rec]),
                "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "property_name": str_array(p.company[rec]),
                "property_domain": str_array(p.domain[rec]),
                "property_industry": str_array(p.industry[rec], mask=null[rec]),
                "property_numberofemployees": int_array(p.employees[rec]),
                "property_country": str_array(
                    np.array(list(w.profile["countries"]), dtype=object)[p.country[rec]]
                ),
                "property_createdate": ts_array(p.created[rec]),
            }

        return event_source(get_table("hubspot", "company"), p.created, render, w)

    def owner(self) -> Source:
        w = self.w
        n = w.team.n_marketing
        created = np.full(n, w.start_s - 400 * DAY) + np.arange(n) * DAY

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            first, last = FIRST[(rec * 7 + 3) % FIRST.size], LAST[(rec * 5 + 11) % LAST.size]
            return {
                "owner_id": int_array(90_000 + rec),
                "email": str_array(np.char.lower((first + "." + last + "@northwind.example").astype(str))),
                "first_name": str_array(first), "last_name": str_array(last),
                "created_at": ts_array(created[rec]), "updated_at": ts_array(created[rec]),
                "type": str_array(np.full(rec.size, "PERSON", dtype=object)),
            }  # fmt: skip

        return Source(get_table("hubspot", "owner"), np.zeros(n, np.int64), np.arange(n), created, render)

    # ------------------------------------------------------------------ ads
    def ad_campaign(self) -> Source:
        w, a = self.w, self.camps
        created = np.maximum(a.start - 7 * DAY, w.start_s)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            ch = a.channel[rec]
            return {
                "id": int_array(700_000 + rec), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "name": str_array(a.name[rec]), "channel": str_array(ch),
                "ad_network": str_array(np.array([NETWORK[c][0] for c in ch], dtype=object)),
                "utm_source": str_array(np.array([NETWORK[c][0] for c in ch], dtype=object)),
                "utm_medium": str_array(np.array([NETWORK[c][1] for c in ch], dtype=object)),
                "utm_campaign": str_array(a.utm[rec]),
                "start_date": date_array(a.start[rec]), "end_date": date_array(a.end[rec]),
                "currency": str_array(np.full(rec.size, "USD", dtype=object)),
            }  # fmt: skip

        return event_source(get_table("hubspot", "ad_campaign"), created, render, w)

    def ad_campaign_daily(self) -> Source:
        w, a = self.w, self.camps
        rng = stream(w.seed, "ad-daily")
        length = ((a.end - a.start) // DAY + 1).astype(np.int64)
        camp = np.repeat(np.arange(a.n), length)
        day_ts = a.start[camp] + (np.arange(camp.size) - np.repeat(np.cumsum(length) - length, length)) * DAY
        spend_cents = np.round(a.budget[camp] * rng.uniform(0.7, 1.3, camp.size) * 100).astype(np.int64)
        cpm = np.where(a.channel[camp] == "paid_social", 28.0, 14.0) * rng.uniform(0.8, 1.2, camp.size)
        impressions = (spend_cents / 100 / cpm * 1000).astype(np.int64)
        ctr = np.where(a.channel[camp] == "paid_search", 0.035, 0.008) * rng.uniform(0.7, 1.3, camp.size)
        clicks = rng.binomial(impressions, ctr)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            return {
                "ad_campaign_id": int_array(700_000 + camp[rec]), "date": date_array(day_ts[rec]),
                "impressions": int_array(impressions[rec]), "clicks": int_array(clicks[rec]),
                "spend": decimal_cents(spend_cents[rec]),
            }  # fmt: skip

        return event_source(get_table("hubspot", "ad_campaign_daily"), day_ts + 23 * HOUR, render, w)

    # ------------------------------------------------------------------ forms
    def form(self) -> Source:
        w = self.w
        n = len(FORMS)
        created = np.full(n, w.start_s - 200 * DAY) + np.arange(n) * DAY

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            return {
                "guid": str_array(self.form_guid[rec]),
                "name": str_array(np.array([FORMS[i][0] for i in rec], dtype=object)),
                "form_type": str_array(np.full(rec.size, "HUBSPOT", dtype=object)),
                "created_at": ts_array(created[rec]), "updated_at": ts_array(created[rec]),
            }  # fmt: skip

        return Source(get_table("hubspot", "form"), np.zeros(n, np.int64), np.arange(n), created, render)

    @property
    def form_guid(self) -> np.ndarray:
        return hex_ids(np.arange(len(FORMS)), self.w.seed, "form")

    def contact_form_submission(self) -> Source:
        w, p = self.w, self.w.persons
        rng = stream(w.seed, "form-fills")
        first_form = np.where(p.source == EMAIL, 0, rng.integers(0, 4, p.n))
        a = np.flatnonzero(p.via_form)
        b = np.flatnonzero(p.demo_form)
        person = np.concatenate([a, b])
        when = np.concatenate([p.created[a] + 5, p.mql[b] - 60])
        form = np.concatenate([first_form[a], np.full(b.size, 4)])
        guid = self.form_guid

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            f = form[rec]
            return {
                "conversion_id": str_array(hex_ids(rec, w.seed, "conversion")),
                "contact_id": int_array(w.person_contact_id[person[rec]]),
                "form_id": str_array(guid[f]),
                "timestamp": ts_array(when[rec]),
                "page_url": str_array(
                    np.array([f"https://northwind.example/{FORMS[i][1]}" for i in f], dtype=object)
                ),
                "title": str_array(np.array([FORMS[i][0] for i in f], dtype=object)),
            }

        return event_source(get_table("hubspot", "contact_form_submission"), when, render, w)


def _phone(person: np.ndarray) -> np.ndarray:
    num = (np.asarray(person, dtype=np.int64) * 7_919 + 2_000_003) % 9_000_000 + 1_000_000
    return np.char.add("+1 555-", num.astype(str)).astype(object)


def month_days(w: World) -> Iterator[tuple[int, int, int]]:
    """(month index, first day, first day of next month) of every month up to the end date's, as
    file days; the last month runs to its end (or the horizon), so its draws do not depend on the
    end date."""
    m0, m1 = month_index(np.array([w.start_s, w.end_s]))
    for m in range(int(m0), int(m1) + 1):
        lo = max(0, int(day_of(month_start_ts(np.array([m])), w.start_s)[0]))
        hi = min(w.horizon_days, int(day_of(month_start_ts(np.array([m + 1])), w.start_s)[0]))
        yield m, lo, hi
