"""New payment channels opened gradually: a channel with a rollout flag (flags/flags.flagd.json) takes payments
only from the customers the flag admits. flagd's fractional targeting hashes the flag key with the customer id, so
a customer stays in (or out) while the share holds, and a larger share only adds customers. The flag's safe
default is closed: while the flags cannot be read, the new channel takes no payment (the others are unaffected).
"""

from __future__ import annotations

from fintech.payments.v1 import payment_pb2 as p

from services.runtime import flags

ROLLOUTS = {p.PAYMENT_CHANNEL_WEARABLE: "wearable-channel-rollout"}


class FlagRollout:
    """app.core.ChannelRollout over the service's flags."""

    def __init__(self, client: flags.Flags) -> None:
        self.flags = client

    def admits(self, channel: p.PaymentChannel, customer_id: str, segment: str) -> bool:
        flag = ROLLOUTS.get(channel)
        if flag is None:
            return True  # not a channel under rollout
        ctx = flags.context(customer_id, customer_id=customer_id, customer_segment=segment)
        return self.flags.boolean(flag, False, ctx).value
