"""Stripe (billing) extract tables: customers, products, plans, coupons, subscriptions and their
items and discounts, invoices with lines per billing period, and monthly seat-usage snapshots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..contract import get_table
from ._util import (
    DAY,
    HOUR,
    NEVER,
    add_months,
    int_array,
    str_array,
    stream,
    token_ids,
    ts_array,
    uniform_hash,
)
from .deals import CURRENCIES, EDITIONS
from .sources import Source, event_source, versioned_source, visible
from .world import ORPHAN_OFFSET, World


def plan_index(edition: np.ndarray, currency: np.ndarray, interval_months: np.ndarray) -> np.ndarray:
    return (np.asarray(edition) * 3 + np.asarray(currency)) * 2 + (np.asarray(interval_months) == 12)


@dataclass
class InvoiceLines:
    """One subscription invoice line (and invoice) per billing period started by the as-of date."""

    sub: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray
    quantity: np.ndarray
    unit_amount: np.ndarray  # plan amount per seat per interval, minor units
    amount: np.ndarray
    discount_amount: np.ndarray
    paid_at: np.ndarray
    first: np.ndarray  # first invoice of the subscription


def invoice_lines(w: World) -> InvoiceLines:
    s = w.deals.subs
    rng = stream(w.seed, "invoices")
    per_term = np.where(s.interval_months == 1, 12, 1)
    sub_t, term_t = np.nonzero(s.term_start < NEVER)
    reps = per_term[sub_t]
    sub = np.repeat(sub_t, reps)
    term = np.repeat(term_t, reps)
    k = np.arange(sub.size) - np.repeat(np.cumsum(reps) - reps, reps)
    step = s.interval_months[sub]
    g = np.where(step == 1, 12 * term + k, 12 * term)
    ps = add_months(s.start[sub], g)
    pe = add_months(s.start[sub], g + step)
    keep = ps <= w.horizon_s
    sub, term, ps, pe, step = sub[keep], term[keep], ps[keep], pe[keep], step[keep]
    qty = s.term_qty[sub, term]
    annual = w.deals.price_cents[s.edition[sub], s.currency[sub]]
    unit = np.where(step == 12, annual, annual // 12)
    amount = unit * qty
    discount = (amount * s.discount[sub] + 50) // 100
    paid = ps + rng.integers(HOUR, 5 * DAY, sub.size)
    first = np.ones(sub.size, bool)
    first[1:] = sub[1:] != sub[:-1]
    order = np.lexsort((sub, ps))
    return InvoiceLines(*(x[order] for x in (sub, ps, pe, qty, unit, amount, discount, paid, first)))


class Billing:
    def __init__(self, w: World) -> None:
        self.w = w
        self.lines = invoice_lines(w)
        n = self.lines.sub.size
        self.invoice_ids = token_ids("in_", np.arange(n), w.seed, "in")
        self.line_ids = token_ids("il_", np.arange(n), w.seed, "il")
        self.plan_ids = token_ids("plan_", np.arange(18), w.seed, "plan")
        self.product_ids = token_ids("prod_", np.arange(3), w.seed, "prod")
        d = w.profile["discounts"]
        self.coupon_values = sorted({v for v in d["standard_tiers"] + d["off_policy_values"] if v > 0})

    def coupon_id(self, pct: np.ndarray) -> np.ndarray:
        return np.char.add(np.asarray(pct).astype(str), "OFF").astype(object)

    # ------------------------------------------------------------------ catalogue
    def product(self) -> Source:
        w = self.w

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            return {
                "id": str_array(self.product_ids[rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "name": str_array(("Northwind " + np.array(EDITIONS, dtype=object)[rec]).astype(object)),
                "active": pa.array(np.ones(rec.size, bool)), "created": ts_array(np.full(rec.size, w.start_s - 300 * DAY)),
                "unit_label": str_array(np.full(rec.size, "seat", dtype=object)),
            }  # fmt: skip

        return Source(
            get_table("stripe", "product"), np.zeros(3, np.int64), np.arange(3), np.full(3, w.start_s), render
        )

    def plan(self) -> Source:
        w = self.w
        idx = np.arange(18)
        edition, currency, annual = idx // 6, (idx // 2) % 3, idx % 2 == 1
        amount = w.deals.price_cents[edition, currency] // np.where(annual, 1, 12)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            iv = np.where(annual[rec], "year", "month").astype(object)
            nick = np.array(
                [
                    f"{EDITIONS[e]} {CURRENCIES[c]} {i}ly"
                    for e, c, i in zip(edition[rec], currency[rec], iv, strict=True)
                ],
                dtype=object,
            )
            return {
                "id": str_array(self.plan_ids[rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "product_id": str_array(self.product_ids[edition[rec]]), "nickname": str_array(nick),
                "amount": int_array(amount[rec]),
                "currency": str_array(np.char.lower(np.array(CURRENCIES)[currency[rec]]).astype(object)),
                "interval": str_array(iv), "interval_count": int_array(np.ones(rec.size)),
                "active": pa.array(np.ones(rec.size, bool)), "created": ts_array(np.full(rec.size, w.start_s - 300 * DAY)),
            }  # fmt: skip

        return Source(
            get_table("stripe", "plan"), np.zeros(18, np.int64), idx, np.full(18, w.start_s), render
        )

    def coupon(self) -> Source:
        w = self.w
        pct = np.array(self.coupon_values)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            return {
                "id": str_array(self.coupon_id(pct[rec])), "name": str_array(np.char.add(pct[rec].astype(str), "% off").astype(object)),
                "percent_off": pa.array(pct[rec].astype(float)), "duration": str_array(np.full(rec.size, "forever", dtype=object)),
                "created": ts_array(np.full(rec.size, w.start_s - 300 * DAY)),
            }  # fmt: skip

        n = pct.size
        return Source(
            get_table("stripe", "coupon"), np.zeros(n, np.int64), np.arange(n), np.full(n, w.start_s), render
        )

    # ------------------------------------------------------------------ customers & subscriptions
    def customer(self) -> Source:
        w, c, p = self.w, self.w.deals.customers, self.w.persons
        person = w.deals.accounts.person[c.account]
        first_sub = np.full(c.n, -1)
        for s in range(w.deals.subs.n - 1, -1, -1):
            first_sub[w.deals.subs.customer[s]] = s
        cur = np.char.lower(np.array(CURRENCIES)[w.deals.subs.currency[first_sub]]).astype(object)
        missing = uniform_hash(np.arange(c.n), w.seed * 31 + 5) < w.dirt["customer_metadata_missing"]
        missing &= c.created <= w.end_s
        w.dirt_counts["customer_metadata_missing"] = int(missing.sum())
        w.missing_links = [
            (cid, w.ids["account"][a])
            for cid, a in zip(w.ids["customer"][missing], c.account[missing], strict=True)
        ]
        meta = np.char.add(
            np.char.add('{"salesforce_account_id": "', w.ids["account"][c.account].astype(str)), '"}'
        ).astype(object)
        meta = np.where(missing, "{}", meta)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            q = person[rec]
            return {
                "id": str_array(w.ids["customer"][rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "created": ts_array(c.created[rec]), "email": str_array(np.char.add("billing@", p.domain[q].astype(str)).astype(object)),
                "name": str_array(p.company[q]), "description": str_array(np.full(rec.size, None, dtype=object)),
                "currency": str_array(cur[rec]), "delinquent": pa.array(np.zeros(rec.size, bool)),
                "livemode": pa.array(np.ones(rec.size, bool)), "metadata": str_array(meta[rec]),
            }  # fmt: skip

        return event_source(get_table("stripe", "customer"), c.created, render, w)

    def _period_at(self, sub: np.ndarray, cut: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = self.w.deals.subs
        step = s.interval_months[sub]
        start = s.start[sub]
        c = np.minimum(cut, s.ended_at[sub] - 1)
        months = (
            c.astype("datetime64[s]").astype("datetime64[M]")
            - start.astype("datetime64[s]").astype("datetime64[M]")
        ).astype(np.int64)
        k = np.maximum(months // step, 0)
        ps = add_months(start, k * step)
        k = np.where(ps > c, np.maximum(k - 1, 0), k)
        return add_months(start, k * step), add_months(start, (k + 1) * step)

    def subscription(self) -> Source:
        w, s = self.w, self.w.deals.subs
        events = [
            s.start,
            *[s.term_start[:, j] for j in range(1, s.term_start.shape[1])],
            s.canceled_at,
            s.ended_at,
        ]
        meta = np.char.add(
            np.char.add('{"salesforce_opportunity_id": "', w.ids["opportunity"][s.opportunity].astype(str)),
            '"}',
        ).astype(object)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            ps, pe = self._period_at(rec, cut)
            ended = visible(s.ended_at[rec], cut)
            return {
                "id": str_array(w.ids["subscription"][rec]), "customer_id": str_array(w.ids["customer"][s.customer[rec]]),
                "status": str_array(np.where(ended, "canceled", "active").astype(object)),
                "created": ts_array(s.start[rec]), "start_date": ts_array(s.start[rec]),
                "current_period_start": ts_array(ps), "current_period_end": ts_array(pe),
                "cancel_at_period_end": pa.array(visible(s.canceled_at[rec], cut) & ~ended),
                "canceled_at": ts_array(s.canceled_at[rec], visible(s.canceled_at[rec], cut)),
                "ended_at": ts_array(s.ended_at[rec], ended), "metadata": str_array(meta[rec]),
            }  # fmt: skip

        late = (w.dirt["late_updates"], stream(w.seed, "late-subscription"))
        return versioned_source(get_table("stripe", "subscription"), events, render, w, late)

    def subscription_item(self) -> Source:
        w, s = self.w, self.w.deals.subs
        events = [s.term_start[:, j] for j in range(s.term_start.shape[1])]
        plans = plan_index(s.edition, s.currency, s.interval_months)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            j = np.maximum((s.term_start[rec] <= cut[:, None]).sum(axis=1) - 1, 0)
            ps, pe = self._period_at(rec, cut)
            return {
                "id": str_array(w.ids["subscription_item"][rec]), "subscription_id": str_array(w.ids["subscription"][rec]),
                "plan_id": str_array(self.plan_ids[plans[rec]]), "quantity": int_array(s.term_qty[rec, j]),
                "created": ts_array(s.start[rec]), "current_period_start": ts_array(ps), "current_period_end": ts_array(pe),
                "metadata": str_array(np.full(rec.size, "{}", dtype=object)),
            }  # fmt: skip

        return versioned_source(get_table("stripe", "subscription_item"), events, render, w)

    def discount(self) -> Source:
        w, s = self.w, self.w.deals.subs
        has = np.flatnonzero(s.discount > 0)
        ids = token_ids("di_", has, w.seed, "di")

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            k = has[rec]
            return {
                "id": str_array(ids[rec]), "coupon_id": str_array(self.coupon_id(s.discount[k])),
                "customer_id": str_array(w.ids["customer"][s.customer[k]]), "subscription_id": str_array(w.ids["subscription"][k]),
                "start": ts_array(s.start[k]), "end": ts_array(np.full(rec.size, NEVER)),
                "type": str_array(np.full(rec.size, "subscription", dtype=object)),
            }  # fmt: skip

        return event_source(get_table("stripe", "discount"), s.start[has], render, w)

    # ------------------------------------------------------------------ invoices & usage
    def invoice(self) -> Source:
        w, s, li = self.w, self.w.deals.subs, self.lines
        total = li.amount - li.discount_amount
        cur = np.char.lower(np.array(CURRENCIES)[s.currency[li.sub]]).astype(object)
        seq = np.arange(li.sub.size)
        number = np.array([f"NW-{i:07d}" for i in seq], dtype=object)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            paid = visible(li.paid_at[rec], cut)
            return {
                "id": str_array(self.invoice_ids[rec]), "is_deleted": pa.array(np.zeros(rec.size, bool)),
                "customer_id": str_array(w.ids["customer"][s.customer[li.sub[rec]]]),
                "subscription_id": str_array(w.ids["subscription"][li.sub[rec]]),
                "created": ts_array(li.period_start[rec]), "currency": str_array(cur[rec]), "number": str_array(number[rec]),
                "status": str_array(np.where(paid, "paid", "open").astype(object)),
                "billing_reason": str_array(np.where(li.first[rec], "subscription_create", "subscription_cycle").astype(object)),
                "subtotal": int_array(li.amount[rec]), "total": int_array(total[rec]),
                "amount_due": int_array(total[rec]), "amount_paid": int_array(np.where(paid, total[rec], 0)),
                "period_start": ts_array(li.period_start[rec]), "period_end": ts_array(li.period_end[rec]),
                "due_date": ts_array(li.period_start[rec] + 30 * DAY),
            }  # fmt: skip

        return versioned_source(get_table("stripe", "invoice"), [li.period_start, li.paid_at], render, w)

    def invoice_line_item(self) -> Source:
        w, s, li = self.w, self.w.deals.subs, self.lines
        rng = stream(w.seed, "orphan-lines")
        n = li.sub.size
        n_orph = int(rng.binomial(n, min(w.dirt["orphan_invoice_lines"], 1.0)))
        o_time = np.sort(rng.integers(w.start_s, w.horizon_s, n_orph))
        o_sub = li.sub[rng.integers(0, max(n, 1), n_orph)] if n else np.zeros(0, np.int64)
        o_invoice = token_ids("in_", ORPHAN_OFFSET + np.arange(n_orph), w.seed, "in")
        o_ids = token_ids("il_", ORPHAN_OFFSET + np.arange(n_orph), w.seed, "il")
        seen = o_time <= w.end_s
        for lid, inv in zip(o_ids[seen], o_invoice[seen], strict=True):
            w.orphans.append(("stripe", "invoice_line_item", lid, "stripe.invoice", inv))
        w.dirt_counts["orphans_invoice_line_item"] = int(seen.sum())
        time = np.concatenate([li.period_start, o_time])
        cur = np.char.lower(np.array(CURRENCIES)[s.currency]).astype(object)
        plans = plan_index(s.edition, s.currency, s.interval_months)

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            reg = rec < n
            r = np.minimum(rec, max(n - 1, 0))
            o = np.maximum(rec - n, 0)
            sub = np.where(reg, li.sub[r] if n else 0, o_sub[o] if n_orph else 0)
            return {
                "id": str_array(np.where(reg, self.line_ids[r] if n else None, o_ids[o] if n_orph else None)),
                "invoice_id": str_array(np.where(reg, self.invoice_ids[r] if n else None, o_invoice[o] if n_orph else None)),
                "amount": int_array(np.where(reg, li.amount[r] if n else 0, 25_000)),
                "discount_amount": int_array(np.where(reg, li.discount_amount[r] if n else 0, 0)),
                "currency": str_array(cur[sub]),
                "description": str_array(np.where(reg, "Seats", "Onboarding services").astype(object)),
                "period_start": ts_array(np.where(reg, li.period_start[r] if n else 0, time[rec])),
                "period_end": ts_array(np.where(reg, li.period_end[r] if n else 0, time[rec])),
                "plan_id": str_array(np.where(reg, self.plan_ids[plans[sub]], None)),
                "proration": pa.array(np.zeros(rec.size, bool)),
                "quantity": int_array(np.where(reg, li.quantity[r] if n else 0, 1)),
                "subscription_id": str_array(np.where(reg, w.ids["subscription"][sub], None)),
                "subscription_item_id": str_array(np.where(reg, w.ids["subscription_item"][sub], None)),
                "type": str_array(np.where(reg, "subscription", "invoiceitem").astype(object)),
            }  # fmt: skip

        return event_source(get_table("stripe", "invoice_line_item"), time, render, w)

    def usage_record(self) -> Source:
        w, s, a = self.w, self.w.deals.subs, self.w.deals.accounts
        rng = stream(w.seed, "usage")
        sub_t, term_t = np.nonzero(s.term_start < NEVER)
        sub = np.repeat(sub_t, 12)
        term = np.repeat(term_t, 12)
        k = np.tile(np.arange(12), sub_t.size)
        t = add_months(s.start[sub], 12 * term + k) + DAY + 6 * HOUR
        keep = (t <= w.horizon_s) & (t < s.ended_at[sub])
        sub, term, t = sub[keep], term[keep], t[keep]
        qty = np.maximum(
            1,
            np.round(
                s.term_qty[sub, term] * a.utilisation[s.account[sub]] * rng.uniform(0.92, 1.08, sub.size)
            ),
        ).astype(np.int64)
        ids = token_ids("mbur_", np.arange(sub.size), w.seed, "mbur")

        def render(rec: np.ndarray, cut: np.ndarray) -> dict[str, pa.Array]:
            return {
                "id": str_array(ids[rec]), "subscription_item_id": str_array(w.ids["subscription_item"][sub[rec]]),
                "timestamp": ts_array(t[rec]), "quantity": int_array(qty[rec]),
            }  # fmt: skip

        return event_source(get_table("stripe", "usage_record"), t, render, w)
