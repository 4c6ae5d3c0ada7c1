"""The company profile (``revenue_warehouse/company_profile.yaml``): every rate and distribution."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

PROFILE_PATH = Path(__file__).resolve().parent.parent / "company_profile.yaml"

# HubSpot analytics source -> reporting channel (also written to seeds/channel_mapping.csv).
CHANNEL_OF_SOURCE: dict[str, str] = {
    "PAID_SEARCH": "paid_search",
    "PAID_SOCIAL": "paid_social",
    "ORGANIC_SEARCH": "organic_search",
    "EMAIL_MARKETING": "email",
    "REFERRALS": "referral",
    "DIRECT_TRAFFIC": "direct",
    "OFFLINE": "events",
    "SOCIAL_MEDIA": "social",
}
FX_TO_USD: dict[str, float] = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}
CURRENCY_OF_COUNTRY: dict[str, str] = {
    "United States": "USD",
    "Germany": "EUR",
    "France": "EUR",
    "Netherlands": "EUR",
    "United Kingdom": "GBP",
}
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
OPEN_STAGES = ("Prospecting", "Discovery", "Demo", "Proposal", "Negotiation")
STAGES = (*OPEN_STAGES, "Closed Won", "Closed Lost")


def load_profile(path: Path | None = None) -> dict[str, Any]:
    with open(path or PROFILE_PATH, encoding="utf-8") as fh:
        profile = yaml.safe_load(fh)
    unknown = set(profile["channels"]) - set(CHANNEL_OF_SOURCE)
    if unknown:
        raise ValueError(f"{path or PROFILE_PATH}: unknown channels {sorted(unknown)}")
    return profile


def resolve_dirt(profile: dict[str, Any], dirt: dict[str, float] | str | None) -> dict[str, float]:
    """The dirt rates to use: the profile's defaults, overridden by ``dirt``; ``"off"`` sets all to 0."""
    rates = copy.deepcopy(profile["dirt"])
    if dirt is None:
        return rates
    if isinstance(dirt, str):
        if dirt != "off":
            raise ValueError(f"dirt must be a dict of rates, None or 'off', not {dirt!r}")
        return {k: 0.0 for k in rates}
    unknown = set(dirt) - set(rates)
    if unknown:
        raise ValueError(f"unknown dirt kinds {sorted(unknown)}; known: {sorted(rates)}")
    rates.update({k: float(v) for k, v in dirt.items()})
    return rates
