"""The settlement parts of the payments service, for its `__main__` to serve and start:

    servicers, workers = settlement.wiring.parts(database, settings, keys)

the SettlementService servicer and the closer of OPEN batches whose window ended.
"""

from __future__ import annotations

from fintech.payments.v1 import settlement_service_pb2_grpc as ssvc_grpc

from services.payments.config import PaymentsKeys
from services.payments.settlement.servicer import Settlement, WindowCloser
from services.runtime.config import Settings
from services.runtime.db import Database


def parts(database: Database, settings: Settings, keys: PaymentsKeys) -> tuple[list, list]:
    servicer = Settlement(database, settings, keys)
    return [(ssvc_grpc.add_SettlementServiceServicer_to_server, servicer)], [WindowCloser(database)]
