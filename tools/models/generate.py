"""Synthetic, seeded data with the structure of a retail bank's: card transactions with fraud, credit applicants.

Transactions: each customer has spending habits (how often, at which hours, in which merchant
categories, how much, at which usual merchants, from which devices). Fraud arrives as scenarios
on top of the legitimate stream:
- card testing then cash-out: a burst of tiny payments at new merchants, then large ones, from an
  unknown device;
- account takeover: a new device paying a new counterparty a large amount;
- unusual amount: one payment many times the customer's usual, in an unusual category and hour.
Legitimate behaviour also has the signals' look-alikes (a new merchant, a new phone, a big purchase),
so the task is not trivial.

Applicants: income by age, employment, credit history, debts, late payments and defaults; whether
they default within 12 months follows a logistic model of those plus unobserved noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from libs.featurespec.model_inputs import DAY, HOUR, Applicant

START = 1_767_225_600  # 2026-01-01T00:00:00Z
CATEGORIES = ("grocery", "restaurant", "fuel", "transport", "online_retail", "electronics", "travel", "utilities")
# Typical amount (EUR) per category.
CATEGORY_AMOUNT = np.array([35.0, 28.0, 55.0, 12.0, 45.0, 180.0, 320.0, 80.0])
MERCHANTS_PER_CATEGORY = 60
AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 200))


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}_and_over" if high == 200 else f"{low}_to_{high}"
    raise ValueError(age)


@dataclass(frozen=True)
class Txn:
    """A card payment of a customer's account to a merchant (an account at this bank)."""

    time: float  # UTC epoch seconds
    amount_minor: int  # EUR
    counterparty: str  # the merchant
    category: str
    device: str


@dataclass
class LabelledTxn:
    customer: int
    age: int
    txn: Txn
    fraud: int
    scenario: str


def _merchant(category: int, index: int) -> str:
    return f"m{category}_{index}"


def transactions(seed: int, customers: int = 1200, days: int = 120) -> list[LabelledTxn]:
    """Every customer's transactions over `days` days, fraud included, ordered by customer then time."""
    rng = np.random.default_rng(seed)
    out: list[LabelledTxn] = []
    for c in range(customers):
        age = int(np.clip(rng.normal(44, 15), 18, 90))
        rate = rng.gamma(2.0, 0.6)  # transactions per day
        peak = rng.normal(14, 3)
        spread = rng.uniform(1.5, 4.0)
        prefs = rng.dirichlet(np.full(len(CATEGORIES), 0.6))
        scale = rng.lognormal(0.0, 0.4)
        usual = [
            [_merchant(k, int(m)) for m in rng.choice(MERCHANTS_PER_CATEGORY, size=3, replace=False)]
            for k in range(len(CATEGORIES))
        ]
        devices = [f"d{c}_{i}" for i in range(int(rng.integers(1, 3)))]
        events: list[LabelledTxn] = []
        n = rng.poisson(rate * days)
        times = np.sort(rng.uniform(0, days, size=n)).astype(int) * DAY + START
        for day_start in times:
            hour = int(np.clip(rng.normal(peak, spread), 0, 23.99))
            t = float(day_start + hour * HOUR + rng.integers(0, HOUR))
            k = int(rng.choice(len(CATEGORIES), p=prefs))
            amount = CATEGORY_AMOUNT[k] * scale * rng.lognormal(0.0, 0.5)
            if rng.random() < 0.04:  # the occasional big legitimate purchase
                amount *= rng.uniform(3, 15)
            merchant = rng.choice(usual[k]) if rng.random() < 0.75 else _merchant(k, int(rng.integers(0, 60)))
            device = rng.choice(devices) if rng.random() < 0.92 else f"d{c}_new{int(rng.integers(0, 1000))}"
            txn = Txn(t, max(int(amount * 100), 50), str(merchant), CATEGORIES[k], str(device))
            events.append(LabelledTxn(c, age, txn, 0, "legit"))
        if rng.random() < 0.06:
            events += _fraud(rng, c, age, days, scale)
        events.sort(key=lambda e: e.txn.time)
        out += events
    return out


def _fraud(rng: np.random.Generator, c: int, age: int, days: int, scale: float) -> list[LabelledTxn]:
    t0 = float(START + rng.uniform(7, days) * DAY)
    kind = rng.choice(["card_testing", "account_takeover", "unusual_amount"], p=[0.4, 0.35, 0.25])
    device = f"fraud_{int(rng.integers(0, 10**6))}"
    out = []

    def add(t: float, amount_eur: float, k: int) -> None:
        merchant = _merchant(k, int(rng.integers(0, MERCHANTS_PER_CATEGORY)))
        txn = Txn(t, max(int(amount_eur * 100), 50), merchant, CATEGORIES[k], device)
        out.append(LabelledTxn(c, age, txn, 1, str(kind)))

    if kind == "card_testing":
        t = t0
        for _ in range(int(rng.integers(3, 9))):
            t += rng.uniform(20, 300)
            add(t, rng.uniform(0.5, 3.0), 4)
        for _ in range(int(rng.integers(1, 4))):
            t += rng.uniform(60, 1800)
            add(t, rng.uniform(50, 1500), int(rng.choice([5, 6, 4])))
    elif kind == "account_takeover":
        if rng.random() < 0.3:
            device = f"d{c}_0"  # remote access to the customer's own device
        t = t0
        for _ in range(int(rng.integers(1, 4))):
            t += rng.uniform(60, 3600)
            add(t, CATEGORY_AMOUNT[4] * scale * rng.uniform(2, 20), int(rng.integers(0, len(CATEGORIES))))
    else:
        if rng.random() < 0.5:
            device = f"d{c}_0"  # from the customer's own phone: only the amount and the habit break
        t = float(int(t0 // DAY) * DAY + rng.integers(0, 6) * HOUR + rng.integers(0, HOUR))
        add(t, CATEGORY_AMOUNT[5] * scale * rng.uniform(3, 25), 5)
    return out


@dataclass
class LabelledApplicant:
    time: float
    age: int
    applicant: Applicant
    default: int


def applicants(seed: int, count: int = 12000, days: int = 365) -> list[LabelledApplicant]:
    """Credit applications over `days` days, in time order, with whether each applicant defaulted."""
    rng = np.random.default_rng(seed + 1)
    times = np.sort(rng.uniform(0, days * DAY, size=count)) + START
    out = []
    for t in times:
        age = int(np.clip(rng.normal(42, 14), 18, 85))
        income = rng.lognormal(np.log(30_000) + 0.2 * min(age - 18, 27) / 27, 0.45)
        employment = int(min(rng.exponential(12 * min(age - 17, 15) / 3), (age - 17) * 12))
        history = int(min((age - 18) * 12 + 24, 240) * rng.uniform(0.3, 1.0))
        lines = int(rng.poisson(1 + history / 60))
        debt = income * rng.gamma(1.2, 0.35) * (lines > 0)
        requested = income * rng.gamma(2.0, 0.12)
        late = int(rng.poisson(0.4 + 0.8 * (debt / income > 0.6)))
        defaults = int(rng.poisson(0.15))
        latent = rng.normal(0, 1.0)
        logit = (
            -3.0
            + 2.2 * debt / income
            + 3.0 * requested / income
            + 0.6 * late
            + 1.1 * defaults
            - 0.15 * np.log1p(history / 12)
            - 0.1 * np.log1p(employment / 12)
            - 0.55 * (np.log(income) - np.log(35_000))
            + 0.3 * latent
        )
        default = int(rng.random() < 1 / (1 + np.exp(-logit)))
        applicant = Applicant(
            annual_income_minor=int(income * 100),
            total_debt_minor=int(debt * 100),
            requested_amount_minor=int(requested * 100),
            credit_history_months=history,
            employment_months=employment,
            open_credit_lines=lines,
            recent_delinquencies=late,
            past_defaults=defaults,
        )
        out.append(LabelledApplicant(float(t), age, applicant, default))
    return out
