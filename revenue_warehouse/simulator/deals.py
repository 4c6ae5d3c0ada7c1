"""Sales and customer success: accounts, opportunities with stage times, subscriptions with annual
terms, renewals (flat / upgrade / downgrade / churn) and reactivations.

New-business opportunities converted from leads are simulated vectorised; the subscription life
cycle (low volume: one per won deal) runs as a small loop that also creates renewal and
reactivation opportunities."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._util import DAY, HOUR, NEVER, add_months_scalar, lognormal, pick, stream
from .people import Persons
from .profile import OPEN_STAGES, SEGMENTS, STAGES
from .team import Team

NB, RENEWAL, REACTIVATION = 0, 1, 2
EDITIONS = ("Starter", "Professional", "Enterprise")
CURRENCIES = ("USD", "EUR", "GBP")
WON_COL, LOST_COL = STAGES.index("Closed Won"), STAGES.index("Closed Lost")


@dataclass
class Accounts:
    n: int
    person: np.ndarray  # the converted person the account came from
    created: np.ndarray
    owner: np.ndarray  # global user index (AE)
    csm: np.ndarray  # global user index (CSM)
    utilisation: np.ndarray  # seats in use / purchased


@dataclass
class Opportunities:
    n: int
    type: np.ndarray  # NB / RENEWAL / REACTIVATION (reactivations are "New Business" in Salesforce)
    person: np.ndarray  # source person for lead-converted deals, else -1
    account: np.ndarray
    owner: np.ndarray
    created: np.ndarray
    stage_at: np.ndarray  # (n, len(STAGES)) entry time per stage, NEVER if not entered
    close: np.ndarray  # time of the closing stage change (planned close for deals still open)
    won: np.ndarray  # bool: the deal closes won (at `close`)
    loss_reason: np.ndarray  # index into profile loss_reasons, -1
    currency: np.ndarray  # index into CURRENCIES
    edition: np.ndarray
    seats: np.ndarray
    discount: np.ndarray  # percent
    subscription: np.ndarray  # renewals: subscription index, else -1
    term_end: np.ndarray  # renewals: the term end being renewed, else NEVER

    @property
    def amount_cents(self) -> np.ndarray:
        return self.list_price_cents * self.seats * (100 - self.discount) // 100

    list_price_cents: np.ndarray = None  # type: ignore[assignment]  # annual list per seat


@dataclass
class Subscriptions:
    n: int
    customer: np.ndarray  # index into customers
    account: np.ndarray
    opportunity: np.ndarray
    start: np.ndarray
    interval_months: np.ndarray  # 1 or 12
    edition: np.ndarray
    currency: np.ndarray
    discount: np.ndarray
    canceled_at: np.ndarray
    ended_at: np.ndarray
    term_qty: np.ndarray  # (n, max_terms) seats per started term, 0 if not started
    term_start: np.ndarray  # (n, max_terms) NEVER if not started


@dataclass
class Customers:
    n: int
    account: np.ndarray
    created: np.ndarray


@dataclass
class Deals:
    accounts: Accounts
    opps: Opportunities
    subs: Subscriptions
    customers: Customers
    price_cents: np.ndarray  # (edition, currency) annual list per seat in cents


def _discounts(rng: np.random.Generator, profile: dict[str, Any], n: int) -> np.ndarray:
    d = profile["discounts"]
    tiers = np.asarray(d["standard_tiers"])[pick(rng, d["standard_weights"], n)]
    custom = np.asarray(d["off_policy_values"])[rng.integers(0, len(d["off_policy_values"]), n)]
    return np.where(rng.random(n) < d["off_policy_share"], custom, tiers).astype(np.int64)


def _seats(rng: np.random.Generator, profile: dict[str, Any], segment: np.ndarray) -> np.ndarray:
    cfg = [profile["segments"][s]["seats"] for s in SEGMENTS]
    med = np.array([c["median"] for c in cfg])[segment]
    sig = np.array([c["sigma"] for c in cfg])[segment]
    lo = np.array([c["min"] for c in cfg])[segment]
    return np.maximum(lo, np.round(med * np.exp(rng.normal(0, 1, segment.size) * sig))).astype(np.int64)


def _lead_opportunities(profile: dict, rng: np.random.Generator, p: Persons, team: Team, end_s: int) -> dict:
    idx = np.flatnonzero(p.converted <= end_s)
    n = idx.size
    seg = p.segment[idx]
    seg_cfg = [profile["segments"][s] for s in SEGMENTS]
    created = p.converted[idx]
    cycle = np.array([0.0] * n)
    for k, s in enumerate(seg_cfg):
        m = seg == k
        cycle[m] = lognormal(rng, s["cycle_days"], int(m.sum()))
    cycle = np.maximum(cycle, 3.0) * DAY
    w = np.asarray(profile["timing"]["stage_weights"], dtype=float)
    edges = np.concatenate([[0.0], np.cumsum(w / w.sum())])  # entry fraction of each open stage + close
    entry = created[:, None] + (cycle[:, None] * edges[None, :]).astype(np.int64)  # (n, 6)
    won = rng.random(n) < np.array([s["win"] for s in seg_cfg])[seg]
    lost_at = 1 + pick(rng, profile["lost_at_stage"], n)  # 1..4 = Discovery..Negotiation
    stage_at = np.full((n, len(STAGES)), NEVER, dtype=np.int64)
    cols = np.arange(len(OPEN_STAGES))
    reached = won[:, None] | (cols[None, :] <= lost_at[:, None])
    stage_at[:, : len(OPEN_STAGES)] = np.where(reached, entry[:, :5], NEVER)
    close = np.where(won, entry[:, 5], entry[np.arange(n), lost_at + 1])
    stage_at[:, WON_COL] = np.where(won, close, NEVER)
    stage_at[:, LOST_COL] = np.where(won, NEVER, close)
    owner = np.where(
        p.owner_kind[idx] == 1, team.ae0 + p.owner[idx], team.ae0 + rng.integers(0, team.n_ae, n)
    )
    cur = np.array([CURRENCIES.index(c) for c in p.currency[idx]], dtype=np.int64)
    return {
        "type": np.full(n, NB),
        "person": idx,
        "account": np.arange(n),
        "owner": owner,
        "created": created,
        "stage_at": stage_at,
        "close": close,
        "won": won,
        "loss_reason": np.where(won, -1, pick(rng, profile["loss_reasons"], n)),
        "currency": cur,
        "edition": seg.astype(np.int64),
        "seats": _seats(rng, profile, seg),
        "discount": _discounts(rng, profile, n),
        "subscription": np.full(n, -1),
        "term_end": np.full(n, NEVER),
    }


class _Draws:
    """Buffered random draws for the per-subscription loop (numpy's per-call overhead dominates)."""

    def __init__(self, rng: np.random.Generator, size: int = 1 << 16) -> None:
        self.rng, self.size = rng, size
        self._u, self._z = rng.random(size), rng.standard_normal(size)
        self.iu = self.iz = 0
        self._cum: dict[int, tuple[np.ndarray, list]] = {}

    def random(self) -> float:
        if self.iu == self.size:
            self._u, self.iu = self.rng.random(self.size), 0
        self.iu += 1
        return float(self._u[self.iu - 1])

    def normal(self) -> float:
        if self.iz == self.size:
            self._z, self.iz = self.rng.standard_normal(self.size), 0
        self.iz += 1
        return float(self._z[self.iz - 1])

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.random()

    def lognormal(self, spec: dict) -> float:
        return float(spec["median"] * np.exp(spec["sigma"] * self.normal()))

    def choice(self, weights: dict | list) -> int:
        """Index of a weighted choice."""
        key = id(weights)
        if key not in self._cum:
            w = np.asarray(list(weights.values()) if isinstance(weights, dict) else weights, dtype=float)
            self._cum[key] = (np.cumsum(w) / w.sum(), weights)
        cum = self._cum[key][0]
        return min(int(np.searchsorted(cum, self.random(), side="right")), cum.size - 1)


class _Lifecycle:
    """Runs every subscription through its annual terms; collects renewal and reactivation deals."""

    def __init__(self, profile: dict, rng: np.random.Generator, team: Team, end_s: int, price: np.ndarray):
        self.profile, self.team, self.end_s, self.price = profile, team, end_s, price
        self.rng = _Draws(rng)
        self.subs: list[dict] = []
        self.extra_opps: list[dict] = []  # renewal and reactivation opportunities
        self.customer_of_account: dict[int, int] = {}
        self.customers: list[tuple[int, int]] = []  # (account, created)

    def _u(self, lo: float, hi: float) -> float:
        return self.rng.uniform(lo, hi)

    def _seats(self, segment: int) -> int:
        c = self.profile["segments"][SEGMENTS[segment]]["seats"]
        return max(c["min"], round(c["median"] * float(np.exp(self.rng.normal() * c["sigma"]))))

    def _discount(self) -> int:
        d = self.profile["discounts"]
        if self.rng.random() < d["off_policy_share"]:
            return int(d["off_policy_values"][int(self._u(0, len(d["off_policy_values"])))])
        return int(d["standard_tiers"][self.rng.choice(d["standard_weights"])])

    def start_subscription(self, opp: dict, opp_index: int, segment: int) -> None:
        t = self.profile["timing"]
        start = int(opp["close"] + self._u(*t["billing_days"]) * DAY + self._u(0.5, 6) * HOUR)
        if start > self.end_s:
            return
        account = int(opp["account"])
        if account not in self.customer_of_account:
            self.customer_of_account[account] = len(self.customers)
            self.customers.append((account, start - int(self._u(60, 900))))
        annual = self.rng.random() < self.profile["segments"][SEGMENTS[segment]]["annual_plan_share"]
        sub = {
            "customer": self.customer_of_account[account], "account": account, "opportunity": opp_index,
            "start": start, "interval_months": 12 if annual else 1, "edition": int(opp["edition"]),
            "currency": int(opp["currency"]), "discount": int(opp["discount"]),
            "canceled_at": NEVER, "ended_at": NEVER, "terms": [], "segment": segment,
        }  # fmt: skip
        self.subs.append(sub)
        self._run_terms(len(self.subs) - 1, int(opp["seats"]))

    def _run_terms(self, s: int, qty: int) -> None:
        sub, prof = self.subs[s], self.profile
        seg = SEGMENTS[sub["segment"]]
        outcomes = prof["renewal"][seg]
        n = 1
        while True:
            term_start = add_months_scalar(sub["start"], 12 * (n - 1))
            term_end = add_months_scalar(sub["start"], 12 * n)
            sub["terms"].append((term_start, qty))
            lead_days = self.rng.lognormal(prof["timing"]["renewal_lead_days"])
            lead_days = min(max(lead_days, 35.0), float(prof["timing"]["renewal_lead_days"]["max"]))
            created = term_end - int(lead_days * DAY)
            if created > self.end_s:
                return
            close = term_end - int(self._u(*prof["timing"]["renewal_close_days_before_end"]) * DAY)
            close = max(close, created + 2 * DAY)
            outcome = list(outcomes)[self.rng.choice(outcomes)]
            new_qty = qty
            if outcome == "upgrade":
                new_qty = max(qty + 1, round(qty * self._u(*prof["renewal"]["upgrade_factor"])))
            elif outcome == "downgrade":
                new_qty = min(qty - 1, round(qty * self._u(*prof["renewal"]["downgrade_factor"])))
                if new_qty < 1:
                    outcome, new_qty = "flat", qty
            won = outcome != "churn"
            self._renewal_opp(s, created, close, term_end, new_qty if won else qty, won)
            if not won:
                sub["canceled_at"], sub["ended_at"] = close, term_end
                self._maybe_reactivate(sub, term_end)
                return
            if term_end > self.end_s:
                return
            qty, n = new_qty, n + 1

    def _renewal_opp(self, s: int, created: int, close: int, term_end: int, qty: int, won: bool) -> None:
        sub = self.subs[s]
        stage_at = np.full(len(STAGES), NEVER, dtype=np.int64)
        stage_at[0] = created
        stage_at[OPEN_STAGES.index("Negotiation")] = created + (close - created) // 2
        stage_at[WON_COL if won else LOST_COL] = close
        self.extra_opps.append({
            "type": RENEWAL, "person": -1, "account": sub["account"], "owner": -1, "created": created,
            "stage_at": stage_at, "close": close, "won": won,
            "loss_reason": -1 if won else self.rng.choice(self.profile["loss_reasons"]),
            "currency": sub["currency"], "edition": sub["edition"], "seats": qty,
            "discount": sub["discount"], "subscription": s, "term_end": term_end,
        })  # fmt: skip

    def _maybe_reactivate(self, sub: dict, term_end: int) -> None:
        prof = self.profile
        if self.rng.random() >= prof["renewal"]["reactivation"]:
            return
        months = int(self._u(*prof["timing"]["reactivation_months"]))
        created = add_months_scalar(term_end, months) + int(self._u(-10, 10) * DAY)
        if created > self.end_s:
            return
        close = created + int(self._u(15, 45) * DAY)
        stage_at = np.full(len(STAGES), NEVER, dtype=np.int64)
        stage_at[0] = created
        stage_at[OPEN_STAGES.index("Proposal")] = created + (close - created) // 2
        stage_at[WON_COL] = close
        seats = self._seats(sub["segment"])
        self.extra_opps.append({
            "type": REACTIVATION, "person": -1, "account": sub["account"],
            "owner": self.team.ae0 + int(self._u(0, self.team.n_ae)), "created": created,
            "stage_at": stage_at, "close": close, "won": True, "loss_reason": -1,
            "currency": sub["currency"], "edition": sub["edition"], "seats": seats,
            "discount": self._discount(), "subscription": -1, "term_end": NEVER,
            "segment": sub["segment"],
        })  # fmt: skip


def simulate_deals(profile: dict, seed: int, p: Persons, team: Team, end_s: int) -> Deals:
    rng = stream(seed, "deals")
    price = np.array([[profile["pricing"][e][c] * 100 for c in CURRENCIES] for e in EDITIONS], dtype=np.int64)
    lead = _lead_opportunities(profile, rng, p, team, end_s)
    n_acc = lead["person"].size
    accounts = Accounts(
        n_acc,
        person=lead["person"],
        created=lead["created"] - rng.integers(60, 1800, n_acc),
        owner=lead["owner"],
        csm=team.csm0 + rng.integers(0, team.n_csm, n_acc),
        utilisation=rng.uniform(*profile["renewal"]["seat_utilisation"], n_acc),
    )
    life = _Lifecycle(profile, rng, team, end_s, price)
    # Won new-business deals in close order; reactivation deals join the queue as they appear.
    queue = deque(
        (lead["close"][k], k, int(p.segment[lead["person"][k]]))
        for k in np.argsort(lead["close"], kind="stable")
        if lead["won"][k] and lead["close"][k] <= end_s
    )
    opp_rows = {key: list(v) for key, v in lead.items()}
    while queue:
        _, k, seg = queue.popleft()
        opp = {key: opp_rows[key][k] for key in opp_rows}
        before = len(life.extra_opps)
        life.start_subscription(opp, k, seg)
        for extra in life.extra_opps[before:]:
            segment = extra.pop("segment", None)
            k_new = len(opp_rows["type"])
            if extra["type"] == RENEWAL:
                extra["owner"] = int(accounts.csm[extra["account"]])
            for key in opp_rows:
                opp_rows[key].append(extra[key])
            if extra["type"] == REACTIVATION and extra["close"] <= end_s:
                queue.append((extra["close"], k_new, segment))
    n = len(opp_rows["type"])
    arr = {
        key: np.asarray(v, dtype=bool if key == "won" else np.int64)
        for key, v in opp_rows.items()
        if key != "stage_at"
    }
    arr["stage_at"] = np.stack(opp_rows["stage_at"]) if n else np.zeros((0, len(STAGES)), np.int64)
    for key in ("created", "close", "term_end"):
        arr[key] = arr[key].astype(np.int64)
    opps = Opportunities(n=n, **{k: arr[k] for k in arr})
    opps.list_price_cents = price[opps.edition, opps.currency]
    return Deals(accounts, opps, _subscriptions(life.subs), _customers(life.customers), price)


def _subscriptions(subs: list[dict]) -> Subscriptions:
    n = len(subs)
    max_terms = max([len(s["terms"]) for s in subs], default=1)
    term_start = np.full((n, max_terms), NEVER, dtype=np.int64)
    term_qty = np.zeros((n, max_terms), dtype=np.int64)
    for i, s in enumerate(subs):
        for j, (ts, q) in enumerate(s["terms"]):
            term_start[i, j], term_qty[i, j] = ts, q

    def col(key: str) -> np.ndarray:
        return np.array([s[key] for s in subs], dtype=np.int64)

    return Subscriptions(
        n, col("customer"), col("account"), col("opportunity"), col("start"), col("interval_months"),
        col("edition"), col("currency"), col("discount"), col("canceled_at"), col("ended_at"),
        term_qty, term_start,
    )  # fmt: skip


def _customers(rows: list[tuple[int, int]]) -> Customers:
    arr = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return Customers(len(rows), arr[:, 0], arr[:, 1])
