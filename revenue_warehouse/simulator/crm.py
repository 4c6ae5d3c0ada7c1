"""Salesforce (CRM) extract tables: users and roles, leads, accounts, contacts, opportunities with
stage history and line items, products, tasks and events."""

from __future__ import annotations

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
    lookup,
    salesforce_ids,
    same_day_after,
    str_array,
    stream,
    ts_array,
    uniform_hash,
)  # fmt: skip
from .deals import CURRENCIES, EDITIONS, LOST_COL, RENEWAL, WON_COL
from .marketing import Marketing, _phone
from .names import FIRST, LAST, TITLES
from .profile import OPEN_STAGES, SEGMENTS, STAGES
from .sources import Source, event_source, versioned_source, visible
from .team import ROLES
from .world import LEAD_PERSON, LEAD_SPAM, ORPHAN_OFFSET, World

LEAD_SOURCE = np.array(["Paid Search", "Paid Social", "Organic Search", "Email", "Referral", "Direct",
                        "Event", "Social"], dtype=object)  # fmt: skip


def _stage_now(stage_at: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """Index (into STAGES) of the latest stage entered by ``cut``; -1 if none."""
    seen = stage_at <= cut[:, None]
    times = np.where(seen, stage_at, -1)
    last = np.argmax(times, axis=1)
    return np.where(seen.any(axis=1), last, -1)


class Crm:
    def __init__(self, w: World, m: Marketing) -> None:
        self.w, self.m = w, m
        self.stage_prob = np.array([w.profile["stages"][s] for s in STAGES])

    # ------------------------------------------------------------------ users
    def user_role(self) -> Source:
        w = self.w

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            parent = np.array([r[2] for r in ROLES])[rec]
            return {
                "id": str_array(w.ids["role"][rec]), "_fivetran_deleted": pa.array(np.zeros(rec.size, bool)),
                "name": str_array(np.array([ROLES[i][1] for i in rec], dtype=object)),
                "developer_name": str_array(np.array([ROLES[i][0] for i in rec], dtype=object)),
                "parent_role_id": str_array(lookup(w.ids["role"], parent, parent >= 0, None)),
            }  # fmt: skip

        n = len(ROLES)
        return Source(get_table("salesforce", "user_role"), np.zeros(n, np.int64), np.arange(n),
                      np.full(n, w.start_s), render)  # fmt: skip

    def user(self) -> Source:
        w, team = self.w, self.w.team
        role, manager = team.role_of_user(), team.manager_of_user()
        n = team.n_users
        created = w.start_s - (500 - 3 * np.arange(n)) * DAY
        dept = np.array(["Sales", "Sales", "Sales", "Customer Success", "Sales", "Sales", "Customer Success"])

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            first, last = FIRST[(rec * 13 + 5) % FIRST.size], LAST[(rec * 17 + 2) % LAST.size]
            mgr = manager[rec]
            return {
                "id": str_array(w.ids["user"][rec]), "_fivetran_deleted": pa.array(np.zeros(rec.size, bool)),
                "name": str_array(first + " " + last), "first_name": str_array(first), "last_name": str_array(last),
                "email": str_array(np.char.lower((first + "." + last + "@northwind.example").astype(str))),
                "title": str_array(np.array([ROLES[r][1] for r in role[rec]], dtype=object)),
                "department": str_array(dept[role[rec]].astype(object)),
                "user_role_id": str_array(w.ids["role"][role[rec]]),
                "manager_id": str_array(lookup(w.ids["user"], mgr, mgr >= 0, None)),
                "is_active": pa.array(np.ones(rec.size, bool)), "created_date": ts_array(created[rec]),
            }  # fmt: skip

        return Source(get_table("salesforce", "user"), np.zeros(n, np.int64), np.arange(n), created, render)

    # ------------------------------------------------------------------ leads
    def lead(self) -> Source:
        w, lr, p = self.w, self.w.leads, self.w.persons
        per = np.maximum(lr.person, 0)
        is_p = lr.kind == LEAD_PERSON

        def only(ts: np.ndarray) -> np.ndarray:
            return gather(ts, lr.person, is_p, NEVER)

        acc = gather(w.account_of_person, lr.person, is_p, -1)
        conv = np.where(acc >= 0, only(p.converted), NEVER)
        rng = stream(w.seed, "lead-extra")
        extra_first = FIRST[rng.integers(0, FIRST.size, lr.n)]
        extra_last = LAST[rng.integers(0, LAST.size, lr.n)]
        spam_deleted = np.where(lr.kind == LEAD_SPAM, same_day_after(rng, lr.created), NEVER)
        null_title = uniform_hash(np.arange(lr.n), w.seed * 31 + 3) < w.dirt["null_optional"]
        w.dirt_counts.setdefault("null_optional", {})["salesforce.lead.title"] = int(
            null_title[lr.created <= w.end_s].sum()
        )
        reasons = np.array(list(w.profile["disqualify_reasons"]), dtype=object)
        for k in np.flatnonzero((lr.kind != LEAD_PERSON) & (lr.created <= w.end_s)):
            if lr.kind[k] == LEAD_SPAM:
                continue
            w.orphans.append(("salesforce", "lead", lr.id[k], "hubspot.contact", ""))
        events = [lr.created, only(p.first_task), only(p.accepted), only(p.qualified), only(p.disqualified), conv,
                  spam_deleted]  # fmt: skip

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            pe, q = is_p[rec], per[rec]
            first = np.where(pe, p.first[q], extra_first[rec])
            last = np.where(pe, p.last[q], extra_last[rec])
            spam = lr.kind[rec] == LEAD_SPAM
            accepted, qual, disq = (
                np.where(pe, ts[q], NEVER) for ts in (p.accepted, p.qualified, p.disqualified)
            )
            working = visible(accepted, cut) | visible(np.where(pe, p.first_task[q], NEVER), cut)
            c = conv[rec]
            status = np.where(working, "Working", "Open").astype(object)
            status = np.where(visible(disq, cut), "Disqualified", status)
            status = np.where(visible(qual, cut), "Qualified", status)
            status = np.where(visible(c, cut), "Converted", status)
            a = acc[rec]
            converted = visible(c, cut)
            email = np.where(
                pe,
                p.email[q],
                np.char.add(
                    np.char.lower((extra_first[rec] + "." + extra_last[rec]).astype(str)), "@example.org"
                ).astype(object),
            )
            email = np.where(
                spam, np.char.add("spam", rec.astype(str)).astype(object) + "@bots.example", email
            )
            return {
                "id": str_array(lr.id[rec]), "is_deleted": pa.array(visible(spam_deleted[rec], cut)),
                "created_date": ts_array(lr.created[rec]), "email": str_array(email),
                "first_name": str_array(first), "last_name": str_array(last),
                "company": str_array(np.where(pe, p.company[q], "Unknown")),
                "title": str_array(np.where(pe, p.title[q], TITLES[rec % TITLES.size]), mask=null_title[rec]),
                "phone": str_array(_phone(q + 17 * (~pe))),
                "status": str_array(status),
                "lead_source": str_array(np.where(pe, LEAD_SOURCE[p.source[q]], "Outbound")),
                "owner_id": str_array(w.ids["user"][lr.owner[rec]]),
                "accepted_date_c": ts_array(accepted, visible(accepted, cut)),
                "qualified_date_c": ts_array(qual, visible(qual, cut)),
                "disqualified_date_c": ts_array(disq, visible(disq, cut)),
                "unqualified_reason_c": str_array(lookup(reasons, p.dq_reason[q], visible(disq, cut), None)),
                "is_converted": pa.array(converted),
                "converted_date": date_array(c, converted),
                "converted_account_id": str_array(lookup(w.ids["account"], a, converted, None)),
                "converted_contact_id": str_array(lookup(w.ids["sf_contact"], a, converted, None)),
                "converted_opportunity_id": str_array(lookup(w.ids["opportunity"], a, converted, None)),
            }  # fmt: skip

        late = (w.dirt["late_updates"], stream(w.seed, "late-lead"))
        return versioned_source(get_table("salesforce", "lead"), events, render, w, late)

    # ------------------------------------------------------------------ accounts & contacts
    def account_type(self, acc: np.ndarray, cut: np.ndarray) -> np.ndarray:
        """Prospect / Customer / Former Customer at ``cut`` (a subscription live => customer)."""
        d = self.w.deals
        live = np.zeros(acc.size, bool)
        ever = np.zeros(acc.size, bool)
        sub_acc, sub_start, sub_end = d.subs.account, d.subs.start, d.subs.ended_at
        order = np.argsort(sub_acc, kind="stable")
        lo = np.searchsorted(sub_acc[order], acc)
        hi = np.searchsorted(sub_acc[order], acc, side="right")
        for j in range(int((hi - lo).max(initial=0))):
            has = lo + j < hi
            s = order[np.minimum(lo + j, order.size - 1)]
            started = has & (sub_start[s] <= cut)
            ever |= started
            live |= started & (sub_end[s] > cut)
        return np.where(live, "Customer", np.where(ever, "Former Customer", "Prospect")).astype(object)

    def account(self) -> Source:
        w, d, p = self.w, self.w.deals, self.w.persons
        a = d.accounts
        null = uniform_hash(np.arange(a.n), w.seed * 31 + 4) < w.dirt["null_optional"]
        w.dirt_counts.setdefault("null_optional", {})["salesforce.account.industry"] = int(
            null[a.created <= w.end_s].sum()
        )
        sub_events = [d.subs.start, d.subs.ended_at]
        extra = [
            np.full(a.n, NEVER)
            for _ in range(2 * max(1, int(np.bincount(d.subs.account, minlength=1).max(initial=0))))
        ]
        counter = np.zeros(a.n, np.int64)
        for s in np.argsort(d.subs.account, kind="stable"):
            acc, k = d.subs.account[s], counter[d.subs.account[s]]
            extra[2 * k][acc], extra[2 * k + 1][acc] = sub_events[0][s], sub_events[1][s]
            counter[acc] += 1
        countries = np.array(list(w.profile["countries"]), dtype=object)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            q = a.person[rec]
            return {
                "id": str_array(w.ids["account"][rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "name": str_array(p.company[q]), "website": str_array(np.char.add("https://www.", p.domain[q].astype(str)).astype(object)),
                "industry": str_array(p.industry[q], mask=null[rec]),
                "number_of_employees": pa.array(p.employees[q]),
                "billing_country": str_array(countries[p.country[q]]),
                "type": str_array(self.account_type(rec, cut)),
                "owner_id": str_array(w.ids["user"][a.owner[rec]]),
                "customer_success_manager_c": str_array(w.ids["user"][a.csm[rec]]),
                "segment_c": str_array(np.array(SEGMENTS, dtype=object)[p.segment[q]]),
                "created_date": ts_array(a.created[rec]),
            }  # fmt: skip

        return versioned_source(get_table("salesforce", "account"), [a.created, *extra], render, w)

    def contact(self) -> Source:
        w, a, p = self.w, self.w.deals.accounts, self.w.persons
        created = p.converted[a.person]

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            q = a.person[rec]
            return {
                "id": str_array(w.ids["sf_contact"][rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "account_id": str_array(w.ids["account"][rec]), "email": str_array(p.email[q]),
                "first_name": str_array(p.first[q]), "last_name": str_array(p.last[q]), "title": str_array(p.title[q]),
                "phone": str_array(_phone(q)), "owner_id": str_array(w.ids["user"][a.owner[rec]]),
                "lead_source": str_array(LEAD_SOURCE[p.source[q]]), "created_date": ts_array(created[rec]),
            }  # fmt: skip

        return event_source(get_table("salesforce", "contact"), created, render, w)

    # ------------------------------------------------------------------ opportunities
    def opportunity(self) -> Source:
        w, o, d = self.w, self.w.deals.opps, self.w.deals
        loss = np.array(list(w.profile["loss_reasons"]), dtype=object)
        names = np.array(["New Business", "Renewal", "New Business"], dtype=object)
        lead_source = lookup(LEAD_SOURCE[w.persons.source], o.person)
        lead_source = np.where(o.type == RENEWAL, "Existing Customer", lead_source)
        lead_source = np.where(o.type == 2, "Existing Customer", lead_source)
        events = [o.stage_at[:, k] for k in range(len(STAGES))]
        amount = o.amount_cents

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            st = _stage_now(o.stage_at[rec], cut)
            closed = st >= WON_COL
            acc_name = w.persons.company[d.accounts.person[o.account[rec]]]
            kind = names[o.type[rec]]
            sub = o.subscription[rec]
            return {
                "id": str_array(w.ids["opportunity"][rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "account_id": str_array(w.ids["account"][o.account[rec]]),
                "name": str_array((acc_name + " - " + kind).astype(object)),
                "type": str_array(kind), "stage_name": str_array(np.array(STAGES, dtype=object)[st]),
                "amount": decimal_cents(amount[rec]),
                "currency_iso_code": str_array(np.array(CURRENCIES, dtype=object)[o.currency[rec]]),
                "probability": pa.array(self.stage_prob[st] * 100),
                "close_date": date_array(o.close[rec]), "created_date": ts_array(o.created[rec]),
                "is_closed": pa.array(closed), "is_won": pa.array(st == WON_COL),
                "owner_id": str_array(w.ids["user"][o.owner[rec]]), "lead_source": str_array(lead_source[rec]),
                "campaign_id": pa.nulls(rec.size, pa.string()),  # the simulated CRM does not use campaigns
                "forecast_category": str_array(np.where(st == WON_COL, "Closed", np.where(st == LOST_COL, "Omitted", np.where(st >= 3, "Best Case", "Pipeline"))).astype(object)),
                "loss_reason_c": str_array(lookup(loss, o.loss_reason[rec], st == LOST_COL, None)),
                "stripe_subscription_id_c": str_array(lookup(w.ids["subscription"], sub, sub >= 0, None)),
                "term_end_date_c": date_array(o.term_end[rec]),
            }  # fmt: skip

        late = (w.dirt["late_updates"], stream(w.seed, "late-opportunity"))
        return versioned_source(get_table("salesforce", "opportunity"), events, render, w, late)

    def opportunity_history(self) -> Source:
        w, o = self.w, self.w.deals.opps
        opp, stage = np.nonzero(o.stage_at < NEVER)
        at = o.stage_at[opp, stage]
        amount = o.amount_cents

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            k = opp[rec]
            return {
                "id": str_array(salesforce_ids("017", rec, w.seed)), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "opportunity_id": str_array(w.ids["opportunity"][k]), "created_date": ts_array(at[rec]),
                "stage_name": str_array(np.array(STAGES, dtype=object)[stage[rec]]),
                "amount": decimal_cents(amount[k]), "probability": pa.array(self.stage_prob[stage[rec]] * 100),
                "close_date": date_array(o.close[k]),
            }  # fmt: skip

        return event_source(get_table("salesforce", "opportunity_history"), at, render, w)

    def product_2(self) -> Source:
        w = self.w

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            ed = np.array(EDITIONS, dtype=object)[rec]
            return {
                "id": str_array(w.ids["product_2"][rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "name": str_array(("Northwind " + ed + " (per seat, annual)").astype(object)),
                "product_code": str_array(np.char.add("NW-", np.char.upper(ed.astype(str))).astype(object)),
                "family": str_array(np.full(rec.size, "Subscription", dtype=object)),
                "is_active": pa.array(np.ones(rec.size, bool)),
            }  # fmt: skip

        return Source(get_table("salesforce", "product_2"), np.zeros(3, np.int64), np.arange(3),
                      np.full(3, w.start_s), render)  # fmt: skip

    def opportunity_line_item(self) -> Source:
        w, o = self.w, self.w.deals.opps
        price = o.list_price_cents
        unit = price * (100 - o.discount) // 100

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            ed = np.array(EDITIONS, dtype=object)[o.edition[rec]]
            return {
                "id": str_array(w.ids["line_item"][rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "opportunity_id": str_array(w.ids["opportunity"][rec]),
                "product_2_id": str_array(w.ids["product_2"][o.edition[rec]]),
                "name": str_array(("Northwind " + ed).astype(object)),
                "product_code": str_array(np.char.add("NW-", np.char.upper(ed.astype(str))).astype(object)),
                "quantity": pa.array(o.seats[rec].astype(float)), "list_price": decimal_cents(price[rec]),
                "unit_price": decimal_cents(unit[rec]), "discount": pa.array(o.discount[rec].astype(float)),
                "total_price": decimal_cents(o.amount_cents[rec]), "created_date": ts_array(o.created[rec] + 600),
            }  # fmt: skip

        return event_source(get_table("salesforce", "opportunity_line_item"), o.created + 600, render, w)

    # ------------------------------------------------------------------ activities
    def task_rows(self) -> dict[str, np.ndarray]:
        """Every task: sales touches on leads, CS introductions on won deals, deleted and orphan tasks."""
        w, p, o, a = self.w, self.w.persons, self.w.deals.opps, self.w.deals.accounts
        rng = stream(w.seed, "tasks")
        worked = np.flatnonzero(p.n_tasks > 0)
        per = np.repeat(worked, p.n_tasks[worked])
        k = np.arange(per.size) - np.repeat(
            np.cumsum(p.n_tasks[worked]) - p.n_tasks[worked], p.n_tasks[worked]
        )
        span = np.maximum(np.minimum(p.qualified, p.disqualified)[per] - p.first_task[per], HOUR)
        t_sales = np.where(
            k == 0,
            p.first_task[per],
            p.first_task[per] + (rng.uniform(0.05, 1, per.size) * span).astype(np.int64),
        )
        lead_of = w.person_lead[per]
        won_nb = np.flatnonzero((o.type != RENEWAL) & (o.stage_at[:, WON_COL] < NEVER))
        t_cs = (
            o.stage_at[won_nb, WON_COL]
            + (rng.uniform(*w.profile["timing"]["cs_intro_days"], won_nb.size) * DAY).astype(np.int64)
            + HOUR
        )
        n_del = int(rng.binomial(per.size, min(w.dirt["deleted_tasks"], 1.0)))
        d_per = worked[rng.integers(0, worked.size, n_del)] if worked.size else np.zeros(0, np.int64)
        t_del = p.lead_created[d_per] + (
            rng.uniform(0, 1, n_del) * (p.picked_up[d_per] - p.lead_created[d_per])
        ).astype(np.int64)
        n_orph = int(rng.binomial(per.size, min(w.dirt["orphan_tasks"], 1.0)))
        t_orph = rng.integers(w.start_s, w.horizon_s, n_orph)
        n_s, n_c = per.size, won_nb.size
        kind = np.concatenate(
            [
                np.zeros(n_s, np.int8),
                np.ones(n_c, np.int8),
                np.full(n_del, 2, np.int8),
                np.full(n_orph, 3, np.int8),
            ]
        )
        time = np.concatenate([t_sales, t_cs, t_del, np.asarray(t_orph, np.int64)])
        who_lead = np.concatenate(
            [lead_of, np.full(n_c, -1), w.person_lead[d_per], ORPHAN_OFFSET + np.arange(n_orph)]
        )
        opp = np.concatenate([np.full(n_s, -1), won_nb, np.full(n_del + n_orph, -1)])
        # a person whose lead comes after the window has no lead record; its tasks do too, so
        # they are never written and any valid user will do as their owner
        owner_sales = gather(w.leads.owner, lead_of, default=w.team.sdr0)
        owner_del = gather(w.leads.owner, w.person_lead[d_per], default=w.team.sdr0)
        owner = np.concatenate([owner_sales, a.csm[o.account[won_nb]], owner_del,
                                w.team.sdr0 + rng.integers(0, w.team.n_sdr, n_orph)])  # fmt: skip
        channel = np.concatenate(
            [rng.integers(0, 2, n_s), np.full(n_c, 2), rng.integers(0, 2, n_del + n_orph)]
        )
        order = np.lexsort((kind, time))
        rows = {
            "kind": kind,
            "time": time,
            "who_lead": who_lead,
            "opp": opp,
            "owner": owner,
            "channel": channel,
        }
        rows = {key: v[order] for key, v in rows.items()}
        rows["id"] = salesforce_ids("00T", np.arange(order.size), w.seed)
        return rows

    def task(self) -> Source:
        w, o = self.w, self.w.deals.opps
        r = self.task_rows()
        self.tasks = r
        orphan = r["kind"] == 3
        fake_leads = salesforce_ids("00Q", r["who_lead"][orphan], w.seed)
        for tid, lid, t in zip(r["id"][orphan], fake_leads, r["time"][orphan], strict=True):
            if t <= w.end_s:
                w.orphans.append(("salesforce", "task", tid, "salesforce.lead", lid))
        w.dirt_counts["orphans_task"] = int((orphan & (r["time"] <= w.end_s)).sum())
        w.dirt_counts.setdefault("soft_deletes", {})["salesforce.task"] = int(
            ((r["kind"] == 2) & (r["time"] <= w.end_s)).sum()
        )
        who = np.full(r["id"].size, None, dtype=object)
        real_lead = (r["who_lead"] >= 0) & ~orphan
        who[real_lead] = w.leads.id[r["who_lead"][real_lead]]
        who[orphan] = fake_leads
        cs = r["kind"] == 1
        acc = gather(o.account, r["opp"], cs, -1)
        who[cs] = w.ids["sf_contact"][acc[cs]]
        types = np.array(["Call", "Email", "CS Introduction"], dtype=object)
        subjects = np.array(
            ["Call: discovery", "Email: follow-up", "Customer Success introduction"], dtype=object
        )

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            t, ch = r["time"][rec], r["channel"][rec]
            is_cs = r["kind"][rec] == 1
            a = acc[rec]
            return {
                "id": str_array(r["id"][rec]), "is_deleted": pa.array(r["kind"][rec] == 2),
                "who_id": str_array(who[rec]),
                "what_id": str_array(lookup(w.ids["opportunity"], r["opp"][rec], is_cs, None)),
                "account_id": str_array(lookup(w.ids["account"], a, is_cs, None)),
                "owner_id": str_array(w.ids["user"][r["owner"][rec]]), "subject": str_array(subjects[ch]),
                "type": str_array(types[ch]), "status": str_array(np.full(rec.size, "Completed", dtype=object)),
                "activity_date": ts_array(t), "created_date": ts_array(t), "completed_date_time": ts_array(t + 300),
            }  # fmt: skip

        return event_source(get_table("salesforce", "task"), r["time"], render, w)

    def event(self) -> Source:
        w, o, a = self.w, self.w.deals.opps, self.w.deals.accounts
        rng = stream(w.seed, "events")
        demo = np.flatnonzero(o.stage_at[:, OPEN_STAGES.index("Demo")] < NEVER)
        won_nb = np.flatnonzero((o.type != RENEWAL) & (o.stage_at[:, WON_COL] < NEVER))
        t_demo = o.stage_at[demo, OPEN_STAGES.index("Demo")] + HOUR
        lo, hi = w.profile["timing"]["kickoff_days"]
        t_kick = o.stage_at[won_nb, WON_COL] + (rng.uniform(lo, hi, won_nb.size) * DAY).astype(np.int64)
        opp = np.concatenate([demo, won_nb])
        kind = np.concatenate([np.zeros(demo.size, np.int8), np.ones(won_nb.size, np.int8)])
        start = np.concatenate([t_demo, t_kick])
        created = start - np.concatenate([rng.integers(HOUR, 3 * DAY, demo.size), np.full(won_nb.size, 600)])
        created = np.maximum(created, o.created[opp] + 60)
        owner = np.where(kind == 0, o.owner[opp], a.csm[o.account[opp]])
        ids = salesforce_ids("00U", np.arange(opp.size), w.seed)
        self.events = {"kind": kind, "opp": opp, "start": start, "created": created, "id": ids}
        types = np.array(["Demo", "Onboarding Kickoff"], dtype=object)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            k = opp[rec]
            acc = o.account[k]
            return {
                "id": str_array(ids[rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "who_id": str_array(w.ids["sf_contact"][acc]), "what_id": str_array(w.ids["opportunity"][k]),
                "account_id": str_array(w.ids["account"][acc]), "owner_id": str_array(w.ids["user"][owner[rec]]),
                "subject": str_array(types[kind[rec]]), "type": str_array(types[kind[rec]]),
                "start_date_time": ts_array(start[rec]), "end_date_time": ts_array(start[rec] + HOUR),
                "created_date": ts_array(created[rec]),
            }  # fmt: skip

        return event_source(get_table("salesforce", "event"), created, render, w)


__all__ = ["Crm"]
