"""`python -m services.risk`: run the risk service (fraud detection, credit risk, regulatory compliance)."""

# ruff: noqa: E402 (the cipher list is set before the imports below import grpc)
from services.runtime import grpc_env

grpc_env.configure()

from fintech.risk.v1.credit_risk_assessment_service_pb2_grpc import add_CreditRiskAssessmentServiceServicer_to_server
from fintech.risk.v1.fraud_detection_service_pb2_grpc import add_FraudDetectionServiceServicer_to_server
from fintech.risk.v1.regulatory_compliance_service_pb2_grpc import add_RegulatoryComplianceServiceServicer_to_server

from services.risk.compliance import RegulatoryCompliance, ReportGeneration
from services.risk.credit import CreditRiskAssessment
from services.risk.erasure import DataRetention, RiskDataErasure
from services.risk.fraud import FraudDetection
from services.risk.keys import DataKeys, load_keys
from services.runtime.app import domain_service
from services.runtime.clients import ServiceClient
from services.runtime.config import get_settings
from services.runtime.db import Database
from services.runtime.server import run

settings = get_settings()
database = Database.for_service("risk", settings)
features = ServiceClient("risk", "features", settings=settings)
ml = ServiceClient("risk", "ml", settings=settings)
reports = ReportGeneration(database, settings, settings.risk.report_poll_interval_seconds)
run(
    domain_service(
        "risk",
        [
            (add_FraudDetectionServiceServicer_to_server, FraudDetection(database, settings, features, ml)),
            (add_CreditRiskAssessmentServiceServicer_to_server, CreditRiskAssessment(database, settings, ml)),
            (add_RegulatoryComplianceServiceServicer_to_server, RegulatoryCompliance(database, settings, reports)),
        ],
        settings,
        database=database,
        background=[
            features,
            ml,
            RiskDataErasure(database, settings),
            DataRetention(database, DataKeys(load_keys(settings)), settings.risk.data_retention_interval_seconds),
            reports,
        ],
    )
)
