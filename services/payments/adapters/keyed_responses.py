"""How a keyed call's outcome is stored for its idempotency key: the contract's response message around the
resource (services.runtime.idempotency keeps its bytes, and a retry is answered with them). The use cases deal
in resources; these are the response types they are stored as, unchanged from the first call to its retries.
"""

from __future__ import annotations

from fintech.payments.v1 import account_pb2 as a
from fintech.payments.v1 import payment_initiation_service_pb2 as isvc
from fintech.payments.v1 import payment_pb2 as p
from fintech.payments.v1 import position_keeping_service_pb2 as pk
from fintech.payments.v1 import settlement_batch_pb2 as sb
from fintech.payments.v1 import settlement_service_pb2 as ssvc
from google.protobuf.message import Message


def initiated_payment(payment: p.Payment) -> Message:
    return isvc.InitiatePaymentResponse(payment=payment)


def stored_payment(stored: bytes) -> p.Payment:
    return isvc.InitiatePaymentResponse.FromString(stored).payment


def opened_account(account: a.Account) -> Message:
    return pk.OpenAccountResponse(account=account)


def stored_account(stored: bytes) -> a.Account:
    return pk.OpenAccountResponse.FromString(stored).account


def initiated_batch(batch: sb.SettlementBatch) -> Message:
    return ssvc.InitiateSettlementBatchResponse(settlement_batch=batch)


def stored_batch(stored: bytes) -> sb.SettlementBatch:
    return ssvc.InitiateSettlementBatchResponse.FromString(stored).settlement_batch
