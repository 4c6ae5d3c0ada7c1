"""What the simulation knows, written to ``<out>/_truth/`` (format documented in docs/sources.md).

Every figure follows docs/metrics.md, computed here from the simulation's own state (never
from the extract files), as of the last second of the end date. The world runs on to its horizon;
only what happened by the end date counts. A late update still in flight at the end date is not
known yet: the records it changes count at their last delivered state (``known_at``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ._util import DAY, NEVER, add_months, gather, lookup, month_index
from .billing import Billing
from .crm import Crm, _stage_now
from .deals import CURRENCIES, LOST_COL, RENEWAL, WON_COL
from .marketing import SOURCES, Marketing
from .profile import CHANNEL_OF_SOURCE, FX_TO_USD, STAGES
from .world import PERSON, World

FX = np.array([FX_TO_USD[c] for c in CURRENCIES])
FX_MICRO = np.array([round(FX_TO_USD[c] * 1_000_000) for c in CURRENCIES], dtype=np.int64)  # exact, 1e-6 USD
HANDOFF_WINDOW_DAYS = 120


def _ts(t: np.ndarray, end_s: int) -> pd.Series:
    t = np.asarray(t, dtype=np.int64)
    s = pd.Series(pd.to_datetime(np.where(t <= end_s, t, 0), unit="s").strftime("%Y-%m-%d %H:%M:%S"))
    return s.where(t <= end_s, "")


def _date(t: np.ndarray, ok: np.ndarray | None = None) -> pd.Series:
    t = np.asarray(t, dtype=np.int64)
    ok = (t < NEVER) if ok is None else ok
    s = pd.Series(pd.to_datetime(np.where(ok, t, 0), unit="s").strftime("%Y-%m-%d"))
    return s.where(ok, "")


def _write_csv(df: pd.DataFrame, fh: BinaryIO, header: bool) -> None:
    """CSV with pyarrow: header row, strings quoted, empty = NULL (much faster than pandas)."""
    if header:
        fh.write((",".join(df.columns) + "\n").encode())
    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, f in enumerate(table.schema):  # "" means NULL: write it as an empty field
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            col = table.column(i)
            table = table.set_column(i, f.name, pc.if_else(pc.equal(col, ""), pa.scalar(None, f.type), col))
    pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="needed"))


def _month(m: np.ndarray) -> np.ndarray:
    return np.asarray(m, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(str)


def channel_of(source: np.ndarray) -> np.ndarray:
    return np.array([CHANNEL_OF_SOURCE[s] for s in SOURCES], dtype=object)[source]


class Truth:
    def __init__(self, w: World, m: Marketing, crm: Crm, billing: Billing) -> None:
        self.w, self.m, self.crm, self.billing = w, m, crm, billing
        self.end_s = e = w.end_s
        self.as_of_month = int(month_index(np.array([w.end_s]))[0])
        p, c = w.persons, w.contacts
        self.n_persons = int(np.searchsorted(p.created, e, side="right"))  # persons sorted by creation
        contact_at = self.known_at("contact", c.n)
        orig = c.kind == PERSON
        self.contact_at = np.full(p.n, e, dtype=np.int64)  # what the person's HubSpot contact shows
        self.contact_at[c.person[orig]] = contact_at[orig]
        self.lead_at = gather(self.known_at("lead", w.leads.n), w.person_lead, default=e)
        self.opp_at = self.known_at("opportunity", w.deals.opps.n)
        self.sub_at = self.known_at("subscription", w.deals.subs.n)
        # the person's lead (linked by the synced id or else by email, docs/metrics.md#identity),
        # and the opportunity as the lead's conversion links it
        self.has_lead = (w.person_lead >= 0) & (p.lead_created <= e)
        self.has_opp = self.has_lead & (p.converted <= self.lead_at) & (m.person_opp >= 0)

    def known_at(self, table: str, n: int) -> np.ndarray:
        """Per record of ``table``: the instant whose state the warehouse has by the end date."""
        at = np.full(n, self.end_s, dtype=np.int64)
        rec, cut = self.w.late_pending.get(table, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
        at[rec] = cut
        return at

    def write(self, out: Path, rows: dict, meta: dict) -> dict[str, Path]:
        out.mkdir(parents=True, exist_ok=True)
        paths = {}
        frames: dict[str, Callable[[], pd.DataFrame | Iterator[pd.DataFrame]]] = {
            "funnel_monthly": self.funnel, "persons": self.persons, "opportunities": self.opportunities,
            "handoffs": self.handoffs, "mrr_monthly": self.mrr, "renewals": self.renewals,
            "orphans": lambda: pd.DataFrame(
                sorted(self.w.orphans), columns=["system", "table", "id", "missing_parent_table", "missing_parent_id"]
            ),
        }  # fmt: skip
        for name, make in frames.items():  # one at a time: each is written, then freed
            paths[name] = out / f"{name}.csv"
            made = make()
            parts = [made] if isinstance(made, pd.DataFrame) else made
            with open(paths[name], "wb") as fh:
                for k, df in enumerate(parts):
                    _write_csv(df, fh, header=k == 0)
        dirt = dict(self.w.dirt_counts)
        dirt["rates"] = self.w.dirt
        dirt["customer_metadata_missing_ids"] = [list(x) for x in self.w.missing_links]
        for name, payload in (("dirt", dirt), ("rows", rows), ("meta", meta)):
            paths[name] = out / f"{name}.json"
            paths[name].write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        return paths

    # ------------------------------------------------------------------ funnel
    def _person_opp_times(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per person, as the warehouse knows them by the end: opportunity created, won and lost."""
        o, po, has = self.w.deals.opps, self.m.person_opp, self.has_opp
        at = gather(self.opp_at, po, default=self.end_s)
        created = gather(o.created, po, has, default=NEVER)
        won = gather(o.stage_at[:, WON_COL], po, has, default=NEVER)
        lost = gather(o.stage_at[:, LOST_COL], po, has, default=NEVER)
        return created, np.where(won <= at, won, NEVER), np.where(lost <= at, lost, NEVER), has

    def funnel(self) -> pd.DataFrame:
        p, e = self.w.persons, self.end_s
        opp_created, won, lost, _ = self._person_opp_times()
        has_lead = self.has_lead
        accepted = np.where(has_lead & (p.accepted <= self.lead_at), p.accepted, NEVER)
        stages = {
            "leads": p.created, "mqls": np.where(p.mql <= self.contact_at, p.mql, NEVER), "sales_accepted": accepted,
            "opportunities": opp_created, "won": won, "lost": lost,
        }  # fmt: skip
        m0 = int(month_index(np.array([self.w.start_s]))[0])
        months = np.arange(m0, self.as_of_month + 1)
        ch = list(CHANNEL_OF_SOURCE.values())
        grid = pd.MultiIndex.from_product([_month(months), sorted(ch)], names=["month", "channel"])
        channel = channel_of(p.source)
        out = pd.DataFrame(index=grid)
        for name, t in stages.items():
            ok = t <= e
            df = pd.DataFrame({"month": _month(month_index(t[ok])), "channel": channel[ok]})
            out[name] = df.groupby(["month", "channel"]).size().reindex(grid, fill_value=0).astype(int)
        return out.reset_index()

    def persons(self, chunk: int = 200_000) -> Iterator[pd.DataFrame]:
        """persons.csv in slices of ``chunk`` persons (memory stays flat at large scales)."""
        w, p, e = self.w, self.w.persons, self.end_s
        c = w.contacts
        var = (c.kind == 1) & (c.created <= e)
        variant_of = np.full(p.n, -1, dtype=np.int64)
        variant_of[c.person[var]] = c.id[var]
        opp_created, won, lost, has_opp = self._person_opp_times()
        reasons = np.array(list(w.profile["disqualify_reasons"]), dtype=object)
        closed = np.minimum(won, lost)
        segments = np.array(["SMB", "Mid-Market", "Enterprise"], dtype=object)

        def lead_side(t: np.ndarray) -> np.ndarray:
            return np.where(has_lead_all & (t <= self.lead_at[i]), t, NEVER)

        for lo in range(0, max(self.n_persons, 1), chunk):
            i = np.arange(lo, min(lo + chunk, self.n_persons))
            # a person's records: the original, then at most one later email variant (higher id)
            ids = w.person_contact_id[i].astype(str).astype(object)
            v = variant_of[i] >= 0
            ids[v] = ids[v] + "|" + variant_of[i][v].astype(str).astype(object)
            lead, acc = w.person_lead[i], w.account_of_person[i]
            has_lead = has_lead_all = self.has_lead[i]
            acc = np.where(self.has_opp[i], acc, -1)
            first_task = np.where(has_lead & (p.first_task[i] <= e), p.first_task[i], NEVER)
            qualified, disqualified = lead_side(p.qualified[i]), lead_side(p.disqualified[i])
            yield pd.DataFrame({
                "person_id": np.char.add("P", np.char.zfill(i.astype(str), 8)) if i.size else i.astype(str),
                "canonical_email": p.email[i],
                "hubspot_contact_ids": ids,
                "salesforce_lead_id": lookup(w.leads.id, lead, has_lead, ""),
                "salesforce_contact_id": lookup(w.ids["sf_contact"], acc, acc >= 0, ""),
                "salesforce_account_id": lookup(w.ids["account"], acc, acc >= 0, ""),
                "channel": channel_of(p.source[i]),
                "segment": segments[p.segment[i]],
                "lead_created_at": _ts(p.created[i], e), "mql_at": _ts(p.mql[i], self.contact_at[i]),
                "accepted_at": _ts(lead_side(p.accepted[i]), e),
                "picked_up_at": _ts(np.minimum(first_task, lead_side(p.accepted[i])), e),
                "qualified_at": _ts(qualified, e), "disqualified_at": _ts(disqualified, e),
                "disqualify_reason": lookup(reasons, p.dq_reason[i], disqualified <= e, ""),
                "opportunity_id": lookup(w.ids["opportunity"], self.m.person_opp[i], has_opp[i], ""),
                "opportunity_created_at": _ts(opp_created[i], e), "closed_at": _ts(closed[i], e),
                "is_won": np.where(closed[i] <= e, np.where(won[i] <= e, "true", "false"), ""),
            })  # fmt: skip

    # ------------------------------------------------------------------ opportunities
    def opportunities(self) -> pd.DataFrame:
        w, o, e = self.w, self.w.deals.opps, self.end_s
        st = _stage_now(o.stage_at, self.opp_at)
        closed = st >= WON_COL
        open_reached = np.where(o.stage_at[:, :5] <= self.opp_at[:, None], np.arange(5)[None, :], -1).max(
            axis=1
        )
        created_day = o.created // DAY
        close_day = o.close // DAY
        person = o.person
        lead = gather(w.person_lead, person, default=-1)
        amount = o.amount_cents
        sub = o.subscription
        return self._opportunity_frame(pd.DataFrame({
            "opportunity_id": w.ids["opportunity"],
            "type": np.where(o.type == RENEWAL, "Renewal", "New Business"),
            "is_reactivation": np.where(o.type == 2, "true", "false"),
            "account_id": w.ids["account"][o.account], "owner_id": w.ids["user"][o.owner],
            "currency": np.array(CURRENCIES, dtype=object)[o.currency],
            "amount": [f"{a / 100:.2f}" for a in amount],
            "amount_usd": [f"{round(a * f) / 100:.2f}" for a, f in zip(amount, FX[o.currency], strict=True)],
            "created_date": _date(o.created), "created_at": _ts(o.created, e), "close_date": _date(o.close),
            "is_closed": np.where(closed, "true", "false"), "is_won": np.where(st == WON_COL, "true", "false"),
            "cycle_days": pd.Series(close_day - created_day, dtype="Int64").where(closed, pd.NA),
            "stage_reached": np.array(STAGES, dtype=object)[st],
            "last_open_stage": np.array(STAGES, dtype=object)[open_reached],
            "source_lead_id": lookup(w.leads.id, lead, lead >= 0, ""),
            "channel": lookup(channel_of(w.persons.source), person, default=""),
            "stripe_subscription_id": lookup(w.ids["subscription"], sub, sub >= 0, ""),
            "term_end_date": _date(o.term_end),
        }))  # fmt: skip

    def _opportunity_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """Only the opportunities created by the end date."""
        return df[self.w.deals.opps.created <= self.end_s].reset_index(drop=True)

    # ------------------------------------------------------------------ recurring revenue
    def _term_mrr_cents(self, sub: np.ndarray, qty: np.ndarray) -> np.ndarray:
        """MRR in USD cents of a subscription at a seat quantity, per docs/metrics.md#mrr: the net
        amount of one invoice in USD / months of the plan interval, rounded half away from zero to
        the cent, exactly (integers, no float step)."""
        s, price = self.w.deals.subs, self.w.deals.price_cents
        annual = price[s.edition[sub], s.currency[sub]]
        step = s.interval_months[sub]
        unit = np.where(step == 12, annual, annual // 12)
        amount = unit * np.asarray(qty, dtype=np.int64)
        net = amount - (amount * s.discount[sub] + 50) // 100
        return _round_div(net * FX_MICRO[s.currency[sub]], 1_000_000 * step)

    def term_ends(self) -> pd.DataFrame:
        s, o, e = self.w.deals.subs, self.w.deals.opps, self.end_s
        sub, j = np.nonzero(s.term_start <= e)
        term_end = add_months(s.start[sub], 12 * (j + 1))
        ren = np.flatnonzero(o.type == RENEWAL)
        key = {(int(o.subscription[k]), int(o.term_end[k])): k for k in ren}
        opp = np.array(
            [key.get((int(a), int(b)), -1) for a, b in zip(sub, term_end, strict=True)], dtype=np.int64
        )
        has = opp >= 0
        created = gather(o.created, opp, default=NEVER)
        closed_by = gather(o.close, opp, default=NEVER) <= gather(self.opp_at, opp, default=e)
        decided = has & closed_by & (term_end <= e)
        won = gather(o.stage_at[:, WON_COL], opp, default=NEVER) < NEVER
        qty = s.term_qty[sub, j]
        new_qty = gather(o.seats, opp, default=0)
        before = self._term_mrr_cents(sub, qty)
        after = np.where(won, self._term_mrr_cents(sub, new_qty), 0)
        outcome = np.where(
            ~won,
            "churned",
            np.where(new_qty > qty, "upgraded", np.where(new_qty < qty, "downgraded", "renewed_flat")),
        )
        outcome = np.where(decided, outcome, "pending")
        return pd.DataFrame({
            "sub": sub, "term_end": term_end, "opp": opp, "renewal_created": created, "outcome": outcome,
            "mrr_before": before, "mrr_after": after, "decided": decided,
        })  # fmt: skip

    def renewals(self) -> pd.DataFrame:
        w, t = self.w, self.term_ends()
        return pd.DataFrame({
            "subscription_id": w.ids["subscription"][t["sub"]],
            "term_end_date": _date(t["term_end"].to_numpy()),
            "renewal_opportunity_id": lookup(w.ids["opportunity"], t["opp"], t["renewal_created"] <= self.end_s, ""),
            "renewal_created_at": _ts(t["renewal_created"].to_numpy(), self.end_s),
            "outcome": t["outcome"],
            "mrr_before": _money_cents(t["mrr_before"].to_numpy()),
            "mrr_after": np.where(t["decided"], _money_cents(t["mrr_after"].to_numpy()), ""),
        }).sort_values(["term_end_date", "subscription_id"], kind="stable")  # fmt: skip

    def mrr(self) -> pd.DataFrame:
        """Customer MRR per month from the subscriptions live on each month's measuring day, the
        earlier of its last day and the as-of date (docs/metrics.md#mrr): a subscription is live
        from its start date until its end date (exclusive), at the seats of the term running then."""
        w, s = self.w, self.w.deals.subs
        end_day = self.end_s // DAY
        m0 = month_index(s.start)
        n = np.maximum(self.as_of_month - m0 + 1, 0)
        sub = np.repeat(np.arange(s.n), n)
        month = m0[sub] + (np.arange(sub.size) - np.repeat(np.cumsum(n) - n, n))
        month_end = (month + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1
        day = np.minimum(month_end, end_day)
        ended_day = np.where(s.ended_at <= self.sub_at, s.ended_at // DAY, NEVER)
        live = (s.start[sub] // DAY <= day) & (day < ended_day[sub])
        sub, month, day = sub[live], month[live], day[live]
        term_day = np.where(s.term_start < NEVER, s.term_start // DAY, NEVER)
        term = np.maximum((term_day[sub] <= day[:, None]).sum(axis=1) - 1, 0)
        cents = self._term_mrr_cents(sub, s.term_qty[sub, term])
        df = pd.DataFrame({"customer": s.customer[sub], "month": month, "cents": cents})
        per = df.groupby(["customer", "month"], as_index=False)["cents"].sum()
        per = per[per["cents"] > 0]
        out = _spine_with_movements(per, self.as_of_month)
        acc = w.deals.customers.account[out["customer"]]
        return pd.DataFrame({
            "stripe_customer_id": w.ids["customer"][out["customer"]],
            "salesforce_account_id": w.ids["account"][acc],
            "month": _month(out["month"]),
            "mrr_usd": _money_cents(out["cents"]),
            "movement": out["movement"],
        })  # fmt: skip

    # ------------------------------------------------------------------ handoffs
    def handoffs(self) -> pd.DataFrame:
        return pd.concat([self._m2s(), self._s2cs(), self._cs2r()], ignore_index=True)

    def _m2s(self) -> pd.DataFrame:
        # every MQL is an instance (docs/metrics.md#handoffs); one whose Salesforce lead was not created
        # by the end (the sync runs minutes after the MQL) has no record id and is not picked up
        w, p, e = self.w, self.w.persons, self.end_s
        idx = np.flatnonzero(p.mql <= self.contact_at)
        synced = self.has_lead[idx]
        record = np.where(synced, w.leads.id[np.maximum(w.person_lead[idx], 0)], "")
        accepted = np.where(p.accepted[idx] <= self.lead_at[idx], p.accepted[idx], NEVER)
        first_task = np.where(p.first_task[idx] <= e, p.first_task[idx], NEVER)
        picked = np.where(synced, np.minimum(first_task, accepted), NEVER)
        done = picked <= e
        return _handoff_frame("marketing_to_sales", record, p.mql[idx], picked, done,
                              np.where(done, "", "sales_pickup"), e)  # fmt: skip

    def _s2cs(self) -> pd.DataFrame:
        w, o, e = self.w, self.w.deals.opps, self.end_s
        won = np.flatnonzero((o.type != RENEWAL) & (o.stage_at[:, WON_COL] <= self.opp_at))
        t = self.crm.tasks
        cs = t["kind"] == 1
        intro = np.full(o.n, NEVER)
        np.minimum.at(intro, t["opp"][cs], t["time"][cs])
        ev = self.crm.events
        kick = np.full(o.n, NEVER)
        k = ev["kind"] == 1
        np.minimum.at(kick, ev["opp"][k], ev["created"][k])
        s = w.deals.subs
        billing = np.full(o.n, NEVER)
        np.minimum.at(billing, s.opportunity, s.start)
        has_intro, has_bill, has_kick = intro[won] <= e, billing[won] <= e, kick[won] <= e
        missing = np.where(
            ~has_intro,
            "cs_introduction",
            np.where(~has_bill, "billing_subscription", np.where(~has_kick, "onboarding_kickoff", "")),
        )
        handed = (o.close[won] // DAY) * DAY
        return _handoff_frame("sales_to_customer_success", w.ids["opportunity"][won], handed, intro[won],
                              has_intro & has_bill & has_kick, missing, e)  # fmt: skip

    def _cs2r(self) -> pd.DataFrame:
        w, e = self.w, self.end_s
        t = self.term_ends()
        handed = t["term_end"].to_numpy() - HANDOFF_WINDOW_DAYS * DAY
        t = t[handed <= e]
        handed = handed[handed <= e]
        created = t["renewal_created"].to_numpy()
        has = created <= e
        decided = t["outcome"].to_numpy() != "pending"
        rec = np.char.add(
            np.char.add(w.ids["subscription"][t["sub"].to_numpy()].astype(str), ":"),
            _date(t["term_end"].to_numpy()).to_numpy().astype(str),
        )
        missing = np.where(~has, "renewal_opportunity", np.where(~decided, "outcome", ""))
        return _handoff_frame("customer_success_to_renewal", rec, handed, created, has & decided, missing, e)


def _spine_with_movements(per: pd.DataFrame, as_of_month: int) -> dict[str, np.ndarray]:
    """Customer-month spine (first to last active month, plus the churn month unless it is after
    the as-of month) with MRR cents and the docs/metrics.md#mrr movement, vectorised."""
    bounds = per.groupby("customer")["month"].agg(["min", "max"])
    custs = bounds.index.to_numpy(np.int64)
    first, last = bounds["min"].to_numpy(np.int64), bounds["max"].to_numpy(np.int64)
    n = last - first + 1 + (last + 1 <= as_of_month)
    cust = np.repeat(custs, n)
    month = np.repeat(first, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    spine = pd.DataFrame({"customer": cust, "month": month})
    cur = spine.merge(per[["customer", "month", "cents"]], how="left")["cents"].fillna(0).to_numpy(np.int64)
    starts = np.r_[True, cust[1:] != cust[:-1]] if cust.size else np.zeros(0, bool)
    prev = np.zeros_like(cur)
    prev[1:] = cur[:-1]
    prev[starts] = 0
    active = (cur > 0).astype(np.int64)
    before = np.cumsum(active) - active  # active months before this row, over all customers
    before -= np.repeat(before[starts], n)  # ... within this customer
    movement = np.select(
        [
            (cur > 0) & (prev == 0) & (before == 0),
            (cur > 0) & (prev == 0),
            (cur == 0) & (prev > 0),
            cur > prev,
            cur < prev,
        ],
        ["new", "reactivation", "churn", "expansion", "contraction"],
        "unchanged",
    )
    return {"customer": cust, "month": month, "cents": cur, "movement": movement}


def _round_div(n: np.ndarray, d: np.ndarray | int) -> np.ndarray:
    """n / d rounded half away from zero, in integers (d > 0)."""
    n = np.asarray(n, dtype=np.int64)
    return np.sign(n) * ((2 * np.abs(n) + d) // (2 * np.asarray(d, dtype=np.int64)))


def _money_cents(cents: np.ndarray) -> np.ndarray:
    c = np.asarray(cents, dtype=np.int64)
    if not c.size:
        return c.astype(str)
    return np.char.add(np.char.add((c // 100).astype(str), "."), np.char.zfill((c % 100).astype(str), 2))


def _handoff_frame(name: str, record: np.ndarray, handed: np.ndarray, picked: np.ndarray, complete: np.ndarray,
                   missing: np.ndarray, end_s: int) -> pd.DataFrame:  # fmt: skip
    return pd.DataFrame({
        "handoff": name, "record_id": record, "handed_at": _ts(handed, end_s), "picked_up_at": _ts(picked, end_s),
        "is_complete": np.where(complete, "true", "false"), "missing_step": missing,
    }).sort_values(["handed_at", "record_id"], kind="stable")  # fmt: skip


__all__ = ["Truth"]
