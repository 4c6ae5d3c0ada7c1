"""What the simulation knows, written to ``<out>/_truth/`` (format documented in docs/sources.md).

Every figure follows docs/metrics.md, computed here from the simulation's own state (never
from the extract files), as of the last second of the end date."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ._util import DAY, NEVER, add_months, lookup, month_index
from .billing import Billing
from .crm import Crm, _stage_now
from .deals import CURRENCIES, LOST_COL, RENEWAL, WON_COL
from .marketing import SOURCES, Marketing
from .profile import CHANNEL_OF_SOURCE, FX_TO_USD, STAGES
from .world import PERSON, World

FX = np.array([FX_TO_USD[c] for c in CURRENCIES])
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


def _month(m: np.ndarray) -> np.ndarray:
    return np.asarray(m, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(str)


def _write(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def channel_of(source: np.ndarray) -> np.ndarray:
    return np.array([CHANNEL_OF_SOURCE[s] for s in SOURCES], dtype=object)[source]


class Truth:
    def __init__(self, w: World, m: Marketing, crm: Crm, billing: Billing) -> None:
        self.w, self.m, self.crm, self.billing = w, m, crm, billing
        self.end_s = w.end_s
        self.as_of_month = int(month_index(np.array([w.end_s]))[0])

    def write(self, out: Path, rows: dict, meta: dict) -> dict[str, Path]:
        out.mkdir(parents=True, exist_ok=True)
        paths = {}
        frames = {
            "funnel_monthly": self.funnel(), "persons": self.persons(), "opportunities": self.opportunities(),
            "handoffs": self.handoffs(), "mrr_monthly": self.mrr(), "renewals": self.renewals(),
            "orphans": pd.DataFrame(sorted(self.w.orphans), columns=["system", "table", "id", "missing_parent_table", "missing_parent_id"]),
        }  # fmt: skip
        for name, df in frames.items():
            paths[name] = out / f"{name}.csv"
            _write(df, paths[name])
        dirt = dict(self.w.dirt_counts)
        dirt["rates"] = self.w.dirt
        dirt["customer_metadata_missing_ids"] = [list(x) for x in self.w.missing_links]
        for name, payload in (("dirt", dirt), ("rows", rows), ("meta", meta)):
            paths[name] = out / f"{name}.json"
            paths[name].write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        return paths

    # ------------------------------------------------------------------ funnel
    def _person_opp_times(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        o, po = self.w.deals.opps, self.m.person_opp
        k = np.maximum(po, 0)
        has = po >= 0
        created = np.where(has, o.created[k], NEVER)
        won = np.where(has, o.stage_at[k, WON_COL], NEVER)
        lost = np.where(has, o.stage_at[k, LOST_COL], NEVER)
        return created, won, lost, has

    def funnel(self) -> pd.DataFrame:
        p, e = self.w.persons, self.end_s
        opp_created, won, lost, _ = self._person_opp_times()
        has_lead = p.lead_created <= e
        stages = {
            "leads": p.created, "mqls": p.mql, "sales_accepted": np.where(has_lead, p.accepted, NEVER),
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

    def persons(self) -> pd.DataFrame:
        w, p, e = self.w, self.w.persons, self.end_s
        c = w.contacts
        # a person's records: the original, then at most one later email variant (higher id)
        p_ids = w.person_contact_id.astype(str).astype(object)
        var = c.kind == 1
        ids = p_ids.copy()
        ids[c.person[var]] = p_ids[c.person[var]] + "|" + c.id[var].astype(str).astype(object)
        lead = w.person_lead
        has_lead = lead >= 0
        acc_of_person = np.full(p.n, -1)
        acc_of_person[w.deals.accounts.person] = np.arange(w.deals.accounts.n)
        acc = acc_of_person
        opp_created, won, lost, has_opp = self._person_opp_times()
        reasons = np.array(list(w.profile["disqualify_reasons"]), dtype=object)
        closed = np.minimum(won, lost)
        return pd.DataFrame({
            "person_id": [f"P{i:08d}" for i in range(p.n)],
            "canonical_email": p.email,
            "hubspot_contact_ids": ids,
            "salesforce_lead_id": lookup(w.leads.id, lead, has_lead, ""),
            "salesforce_contact_id": lookup(w.ids["sf_contact"], acc, acc >= 0, ""),
            "salesforce_account_id": lookup(w.ids["account"], acc, acc >= 0, ""),
            "channel": channel_of(p.source),
            "segment": np.array(["SMB", "Mid-Market", "Enterprise"], dtype=object)[p.segment],
            "lead_created_at": _ts(p.created, e), "mql_at": _ts(p.mql, e),
            "accepted_at": _ts(np.where(has_lead, p.accepted, NEVER), e),
            "picked_up_at": _ts(np.where(has_lead, p.picked_up, NEVER), e),
            "qualified_at": _ts(p.qualified, e), "disqualified_at": _ts(p.disqualified, e),
            "disqualify_reason": lookup(reasons, p.dq_reason, p.disqualified <= e, ""),
            "opportunity_id": lookup(w.ids["opportunity"], self.m.person_opp, has_opp, ""),
            "opportunity_created_at": _ts(opp_created, e), "closed_at": _ts(closed, e),
            "is_won": np.where(closed <= e, np.where(won <= e, "true", "false"), ""),
        })  # fmt: skip

    # ------------------------------------------------------------------ opportunities
    def opportunities(self) -> pd.DataFrame:
        w, o, e = self.w, self.w.deals.opps, self.end_s
        st = _stage_now(o.stage_at, np.full(o.n, e))
        closed = st >= WON_COL
        open_reached = np.where(o.stage_at[:, :5] <= e, np.arange(5)[None, :], -1).max(axis=1)
        created_day = o.created // DAY
        close_day = o.close // DAY
        person = o.person
        has_p = person >= 0
        lead = np.where(has_p, w.person_lead[np.maximum(person, 0)], -1)
        amount = o.amount_cents
        sub = o.subscription
        return pd.DataFrame({
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
            "channel": np.where(has_p, channel_of(w.persons.source[np.maximum(person, 0)]), ""),
            "stripe_subscription_id": lookup(w.ids["subscription"], sub, sub >= 0, ""),
            "term_end_date": _date(o.term_end),
        })  # fmt: skip

    # ------------------------------------------------------------------ recurring revenue
    def _term_mrr(self, sub: np.ndarray, qty: np.ndarray) -> np.ndarray:
        """MRR in USD (unrounded) of a subscription at a seat quantity, per docs/metrics.md#mrr."""
        s, price = self.w.deals.subs, self.w.deals.price_cents
        annual = price[s.edition[sub], s.currency[sub]]
        step = s.interval_months[sub]
        unit = np.where(step == 12, annual, annual // 12)
        amount = unit * qty
        net = amount - (amount * s.discount[sub] + 50) // 100
        return net / 100 * FX[s.currency[sub]] / step

    def term_ends(self) -> pd.DataFrame:
        s, o, e = self.w.deals.subs, self.w.deals.opps, self.end_s
        sub, j = np.nonzero(s.term_start < NEVER)
        term_end = add_months(s.start[sub], 12 * (j + 1))
        ren = np.flatnonzero(o.type == RENEWAL)
        key = {(int(o.subscription[k]), int(o.term_end[k])): k for k in ren}
        opp = np.array(
            [key.get((int(a), int(b)), -1) for a, b in zip(sub, term_end, strict=True)], dtype=np.int64
        )
        has = opp >= 0
        k = np.maximum(opp, 0)
        created = np.where(has, o.created[k], NEVER)
        decided = has & (o.close[k] <= e) & (term_end <= e)
        won = o.stage_at[k, WON_COL] < NEVER
        qty = s.term_qty[sub, j]
        new_qty = np.where(has, o.seats[k], 0)
        before = self._term_mrr(sub, qty)
        after = np.where(won, self._term_mrr(sub, new_qty), 0.0)
        outcome = np.where(
            ~won,
            "churned",
            np.where(new_qty > qty, "upgraded", np.where(new_qty < qty, "downgraded", "renewed_flat")),
        )
        outcome = np.where(decided, outcome, "pending")
        return pd.DataFrame({
            "sub": sub, "term_end": term_end, "opp": opp, "renewal_created": created, "outcome": outcome,
            "mrr_before": before, "mrr_after": np.where(decided, after, np.nan),
        })  # fmt: skip

    def renewals(self) -> pd.DataFrame:
        w, t = self.w, self.term_ends()
        return pd.DataFrame({
            "subscription_id": w.ids["subscription"][t["sub"]],
            "term_end_date": _date(t["term_end"].to_numpy()),
            "renewal_opportunity_id": lookup(w.ids["opportunity"], t["opp"], t["renewal_created"] <= self.end_s, ""),
            "renewal_created_at": _ts(t["renewal_created"].to_numpy(), self.end_s),
            "outcome": t["outcome"],
            "mrr_before": t["mrr_before"].round(2).map("{:.2f}".format),
            "mrr_after": t["mrr_after"].round(2).map(lambda v: "" if np.isnan(v) else f"{v:.2f}"),
        }).sort_values(["term_end_date", "subscription_id"], kind="stable")  # fmt: skip

    def mrr(self) -> pd.DataFrame:
        w, li, s = self.w, self.billing.lines, self.w.deals.subs
        step = s.interval_months[li.sub]
        value = (li.amount - li.discount_amount) / 100 * FX[s.currency[li.sub]] / step
        m_first = month_index(li.period_start)
        n_months = month_index(li.period_end) - m_first
        rep = np.repeat(np.arange(li.sub.size), n_months)
        month = m_first[rep] + (np.arange(rep.size) - np.repeat(np.cumsum(n_months) - n_months, n_months))
        df = pd.DataFrame({"customer": s.customer[li.sub][rep], "month": month, "v": value[rep]})
        df = df[df["month"] <= self.as_of_month]
        per = df.groupby(["customer", "month"], as_index=False)["v"].sum()
        per["cents"] = np.round(per["v"].to_numpy() * 100).astype(np.int64)
        rows = []
        for cust, g in per.groupby("customer", sort=True):
            have = dict(zip(g["month"].to_numpy().tolist(), g["cents"].to_numpy().tolist(), strict=True))
            first, last = min(have), max(have)
            months = list(range(first, last + 1))
            if last + 1 <= self.as_of_month:
                months.append(last + 1)
            prev, ever = 0, False
            for mo in months:
                cur = have.get(mo, 0)
                rows.append((cust, mo, cur, movement(prev, cur, ever)))
                ever |= cur > 0
                prev = cur
        out = pd.DataFrame(rows, columns=["customer", "month", "cents", "movement"])
        out["customer"] = out["customer"].astype(np.int64)
        acc = w.deals.customers.account[out["customer"].to_numpy()]
        return pd.DataFrame({
            "stripe_customer_id": w.ids["customer"][out["customer"].to_numpy()],
            "salesforce_account_id": w.ids["account"][acc],
            "month": _month(out["month"].to_numpy()),
            "mrr_usd": [f"{c / 100:.2f}" for c in out["cents"]],
            "movement": out["movement"],
        })  # fmt: skip

    # ------------------------------------------------------------------ handoffs
    def handoffs(self) -> pd.DataFrame:
        return pd.concat([self._m2s(), self._s2cs(), self._cs2r()], ignore_index=True)

    def _m2s(self) -> pd.DataFrame:
        w, p, e = self.w, self.w.persons, self.end_s
        idx = np.flatnonzero(w.person_lead >= 0)
        picked = p.picked_up[idx]
        done = picked <= e
        return _handoff_frame("marketing_to_sales", w.leads.id[w.person_lead[idx]], p.mql[idx], picked, done,
                              np.where(done, "", "sales_pickup"), e)  # fmt: skip

    def _s2cs(self) -> pd.DataFrame:
        w, o, e = self.w, self.w.deals.opps, self.end_s
        won = np.flatnonzero((o.type != RENEWAL) & (o.stage_at[:, WON_COL] <= e))
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


def movement(prev: int, cur: int, ever_active: bool) -> str:
    """docs/metrics.md#mrr movement of a customer-month."""
    if cur > 0 and prev == 0:
        return "reactivation" if ever_active else "new"
    if cur == 0 and prev > 0:
        return "churn"
    if cur > prev:
        return "expansion"
    if cur < prev:
        return "contraction"
    return "unchanged"


def _handoff_frame(name: str, record: np.ndarray, handed: np.ndarray, picked: np.ndarray, complete: np.ndarray,
                   missing: np.ndarray, end_s: int) -> pd.DataFrame:  # fmt: skip
    return pd.DataFrame({
        "handoff": name, "record_id": record, "handed_at": _ts(handed, end_s), "picked_up_at": _ts(picked, end_s),
        "is_complete": np.where(complete, "true", "false"), "missing_step": missing,
    }).sort_values(["handed_at", "record_id"], kind="stable")  # fmt: skip


__all__ = ["Truth", "PERSON", "movement"]
