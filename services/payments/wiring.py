"""The payments core's parts for `python -m services.payments`: servicers and the clients they need.

The risk and customer clients are among the workers: their channels open when the service starts.
"""

from __future__ import annotations

from fintech.payments.v1 import payment_execution_service_pb2_grpc as esvc_grpc
from fintech.payments.v1 import payment_initiation_service_pb2_grpc as isvc_grpc
from fintech.payments.v1 import position_keeping_service_pb2_grpc as pk_grpc

from services.payments.config import PaymentsKeys
from services.payments.customers import CustomerVerification
from services.payments.erasure import KeyEviction, PaymentDataErasure
from services.payments.recovery import StrandedScreenings
from services.payments.scheduler import DueExecutions
from services.payments.screening import RiskScreening
from services.payments.sealing import Sealer
from services.payments.service import Payments
from services.payments.servicers import PaymentExecution, PaymentInitiation, PaymentsContext, PositionKeeping
from services.runtime.clients import ServiceClient
from services.runtime.config import Settings
from services.runtime.db import Database


def parts(database: Database, settings: Settings, keys: PaymentsKeys) -> tuple[list, list]:
    risk = ServiceClient("payments", "risk", settings=settings)
    customer = ServiceClient("payments", "customer", settings=settings)
    payments = Payments(database, Sealer(keys), RiskScreening(risk), CustomerVerification(customer))
    ctx = PaymentsContext(payments, settings, keys)
    servicers = [
        (pk_grpc.add_PositionKeepingServiceServicer_to_server, PositionKeeping(ctx)),
        (isvc_grpc.add_PaymentInitiationServiceServicer_to_server, PaymentInitiation(ctx)),
        (esvc_grpc.add_PaymentExecutionServiceServicer_to_server, PaymentExecution(ctx)),
    ]
    workers = [risk, customer, PaymentDataErasure(database, payments.sealer, settings),
               KeyEviction(payments.sealer, database, settings),  # in every process: drops erased customers' keys
               StrandedScreenings(payments), DueExecutions(payments)]  # fmt: skip
    return servicers, workers
