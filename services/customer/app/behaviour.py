"""The behaviour models' insights into a customer's executed payments."""

from __future__ import annotations

from fintech.customer.v1 import customer_behavior_models_service_pb2 as b

from services.customer.adapters.db import personal_data, queries
from services.customer.app.context import CustomerContext, now
from services.customer.domain import insights
from services.customer.domain.access import Action
from services.runtime.access import Principal


async def insights_of(
    ctx: CustomerContext, principal: Principal, customer_id: str, window: int, max_counterparties: int
) -> b.BehaviorInsights:
    """Insights over the customer's payments executed within `window`, in the customer's time zone."""
    at = now()
    async with ctx.database.session() as session:
        row, ring = await ctx.open_record(session, principal, customer_id, Action.READ)
        profile = personal_data.open_profile(row, ring)
        customer = personal_data.open_customer(row, ring)
        facts = await queries.payment_facts(session, row.customer_id, at - insights.WINDOWS[window])
    time_zone = profile.preferences.time_zone or insights.DEFAULT_TIME_ZONES.get(
        customer.residential_address.country_code, "UTC"
    )
    payments = [
        insights.PaymentFact(f.amount_minor, f.currency_code, f.category, f.counterparty_key,
                             f.counterparty_account_id, f.masked_account_identifier, f.execute_time)
        for f in facts
        if f.execute_time is not None  # the query selects executed payments only
    ]  # fmt: skip
    return insights.build(
        customer_id, payments, window=window, now=at, time_zone=time_zone, max_counterparties=max_counterparties
    )
