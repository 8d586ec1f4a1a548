"""Behaviour insights from executed payments: spending by category and hour of day, usual amounts
per currency (median, p90), usual counterparties. Pure: the consumer stores payment facts, this
module summarises them."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from fintech.common.v1.money_pb2 import Money
from fintech.customer.v1 import customer_behavior_models_service_pb2 as b

UTC_ZONE = UTC
MODEL_VERSION = "behavior-models@1.0.0"
MINIMUM_HISTORY = 10
WINDOWS: dict[int, timedelta] = {
    b.BEHAVIOR_WINDOW_LAST_7_DAYS: timedelta(days=7),
    b.BEHAVIOR_WINDOW_LAST_30_DAYS: timedelta(days=30),
    b.BEHAVIOR_WINDOW_LAST_90_DAYS: timedelta(days=90),
    b.BEHAVIOR_WINDOW_LAST_365_DAYS: timedelta(days=365),
}
DEFAULT_TIME_ZONES = {
    "DE": "Europe/Berlin", "FR": "Europe/Paris", "GB": "Europe/London", "ES": "Europe/Madrid",
    "IT": "Europe/Rome", "NL": "Europe/Amsterdam", "AT": "Europe/Vienna", "BE": "Europe/Brussels",
    "CH": "Europe/Zurich", "PL": "Europe/Warsaw", "IE": "Europe/Dublin", "US": "America/New_York",
}  # fmt: skip

# Keywords in the remittance information (lower case, word starts), by category; first match wins.
_KEYWORDS: list[tuple[int, str]] = [
    (b.SPENDING_CATEGORY_HOUSING, r"rent|miete|loyer|alquiler|affitto|huur|mortgage|hypothek"),
    (b.SPENDING_CATEGORY_UTILITIES, r"electric|strom|gas |water|wasser|telekom|vodafone|internet|phone bill|edf|enel"),
    (b.SPENDING_CATEGORY_INSURANCE, r"insurance|versicherung|assurance|seguro|assicurazion|allianz|axa"),
    (
        b.SPENDING_CATEGORY_GROCERIES,
        r"rewe|edeka|aldi|lidl|tesco|carrefour|sainsbury|mercadona|albert heijn|supermar|grocer",
    ),
    (b.SPENDING_CATEGORY_DINING, r"restaurant|cafe|café|bar |pizz|lieferando|deliveroo|uber eats|mcdonald|starbucks"),
    (b.SPENDING_CATEGORY_TRANSPORT, r"\bdb |deutsche bahn|sncf|uber|taxi|tfl|fuel|tank|shell|aral|parking|bvg|ticket"),
    (b.SPENDING_CATEGORY_TRAVEL, r"lufthansa|ryanair|easyjet|airline|flight|hotel|booking\.com|airbnb|expedia"),
    (b.SPENDING_CATEGORY_SHOPPING, r"amazon|zalando|ikea|media ?markt|h&m|zara|ebay|otto"),
    (b.SPENDING_CATEGORY_HEALTH, r"apotheke|pharma|doctor|arzt|clinic|klinik|dental|zahnarzt|hospital"),
    (b.SPENDING_CATEGORY_EDUCATION, r"tuition|school|schule|universit|course|kurs|studiengeb"),
    (b.SPENDING_CATEGORY_ENTERTAINMENT, r"netflix|spotify|cinema|kino|disney|steam|playstation|concert|gym|fitness"),
    (b.SPENDING_CATEGORY_GOVERNMENT, r"finanzamt|tax|steuer|impot|hmrc|irs|bußgeld|fine|gebühr"),
    (
        b.SPENDING_CATEGORY_INVESTMENTS,
        r"broker|depot|etf|invest|savings|sparplan|coinbase|binance|kraken|trade republic",
    ),
    (b.SPENDING_CATEGORY_GAMBLING, r"casino|lotto|bet|tipico|bwin|poker"),
    (b.SPENDING_CATEGORY_CHARITY, r"donation|spende|charity|unicef|red cross|rotes kreuz|don "),
    (b.SPENDING_CATEGORY_CASH, r"atm|cash|bargeld|geldautomat"),
]
_COMPILED = [(category, re.compile(rf"(^|\b)({pattern})", re.IGNORECASE)) for category, pattern in _KEYWORDS]


def categorise(remittance: str, *, on_us: bool) -> int:
    """The spending category of a payment from its remittance text and whether it stays in the bank."""
    for category, pattern in _COMPILED:
        if pattern.search(remittance):
            return category
    return b.SPENDING_CATEGORY_PERSON_TO_PERSON if on_us else b.SPENDING_CATEGORY_OTHER


def counterparty_key(key: bytes, *, iban: str = "", account_id: str = "") -> str:
    """A stable pseudonym of the counterparty's account: keyed hash of its normalised identifier.

    Empty when the account is unknown (its sealed details could not be opened): such payments count
    everywhere but among the usual counterparties, where they would pose as one counterparty."""
    if not iban and not account_id:
        return ""
    identifier = f"iban:{iban.replace(' ', '').upper()}" if iban else f"account:{account_id.lower()}"
    return hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()[:32]


def quantile(values: list[int], q: float) -> int:
    """Linear-interpolation quantile (as numpy's default), rounded half up to whole minor units."""
    ordered = sorted(values)
    if not ordered:
        return 0
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return math.floor(value + 0.5)


@dataclass(frozen=True)
class PaymentFact:
    amount_minor: int
    currency_code: str
    category: int
    counterparty_key: str
    counterparty_account_id: str
    masked_account_identifier: str
    execute_time: datetime


def _money(amount: int, currency: str) -> Money:
    return Money(amount_minor=amount, currency_code=currency)


def _totals(facts: list[PaymentFact]) -> list[Money]:
    sums: dict[str, int] = defaultdict(int)
    for fact in facts:
        sums[fact.currency_code] += fact.amount_minor
    return [_money(amount, currency) for currency, amount in sorted(sums.items())]


def build(
    customer_id: str,
    facts: list[PaymentFact],
    *,
    window: int,
    now: datetime,
    time_zone: str,
    max_counterparties: int,
) -> b.BehaviorInsights:
    window = window or b.BEHAVIOR_WINDOW_LAST_90_DAYS
    start = now - WINDOWS[window]
    facts = sorted((f for f in facts if start <= f.execute_time < now), key=lambda f: f.execute_time)
    insights = b.BehaviorInsights(
        customer_id=customer_id,
        window=cast(b.BehaviorWindow, window),
        payment_count=len(facts),
        sufficient_history=len(facts) >= MINIMUM_HISTORY,
        time_zone=time_zone,
        model_version=MODEL_VERSION,
    )
    insights.window_start_time.FromDatetime(start)
    insights.window_end_time.FromDatetime(now)
    insights.update_time.FromDatetime(now)
    if facts:
        insights.last_event_time.FromDatetime(facts[-1].execute_time)
    total = len(facts) or 1

    by_currency: dict[str, list[int]] = defaultdict(list)
    for fact in facts:
        by_currency[fact.currency_code].append(fact.amount_minor)
    for currency, amounts in sorted(by_currency.items(), key=lambda item: (-len(item[1]), item[0])):
        insights.amount_statistics.append(
            b.AmountStatistics(
                currency_code=currency,
                payment_count=len(amounts),
                total_amount=_money(sum(amounts), currency),
                median_amount=_money(quantile(amounts, 0.5), currency),
                p90_amount=_money(quantile(amounts, 0.9), currency),
                max_amount=_money(max(amounts), currency),
            )
        )

    by_category: dict[int, list[PaymentFact]] = defaultdict(list)
    for fact in facts:
        by_category[fact.category].append(fact)
    for category, group in sorted(by_category.items(), key=lambda item: (-len(item[1]), item[0])):
        insights.category_spending.append(
            b.CategorySpending(
                category=cast(b.SpendingCategory, category),
                payment_count=len(group),
                payment_share=len(group) / total,
                total_amounts=_totals(group),
            )
        )

    zone = ZoneInfo(time_zone)
    by_hour: dict[int, list[PaymentFact]] = defaultdict(list)
    for fact in facts:
        by_hour[fact.execute_time.astimezone(zone).hour].append(fact)
    for hour in range(24):
        group = by_hour.get(hour, [])
        insights.hour_of_day_activity.append(
            b.HourOfDayActivity(
                hour=hour, payment_count=len(group), payment_share=len(group) / total, total_amounts=_totals(group)
            )
        )

    by_counterparty: dict[str, list[PaymentFact]] = defaultdict(list)
    for fact in facts:
        if fact.counterparty_key:
            by_counterparty[fact.counterparty_key].append(fact)
    ranked = sorted(by_counterparty.values(), key=lambda group: (-len(group), -group[-1].execute_time.timestamp()))
    for group in ranked[: max_counterparties or 10]:
        currency = Counter(f.currency_code for f in group).most_common(1)[0][0]
        usual = b.UsualCounterparty(
            counterparty_key=group[0].counterparty_key,
            counterparty_account_id=group[0].counterparty_account_id,
            masked_account_identifier=group[0].masked_account_identifier,
            usual_category=cast(b.SpendingCategory, Counter(f.category for f in group).most_common(1)[0][0]),
            payment_count=len(group),
            median_amount=_money(
                quantile([f.amount_minor for f in group if f.currency_code == currency], 0.5), currency
            ),
            total_amounts=_totals(group),
        )
        usual.first_payment_time.FromDatetime(group[0].execute_time)
        usual.last_payment_time.FromDatetime(group[-1].execute_time)
        insights.usual_counterparties.append(usual)
    return insights
