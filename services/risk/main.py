"""The risk service assembled: settings, database, the features and ml clients, the use cases over their
adapters, the four servicers and the background parts (erasure, data retention, report generation)."""

from __future__ import annotations

from fintech.risk.v1.credit_risk_assessment_service_pb2_grpc import add_CreditRiskAssessmentServiceServicer_to_server
from fintech.risk.v1.fraud_detection_service_pb2_grpc import add_FraudDetectionServiceServicer_to_server
from fintech.risk.v1.regulatory_compliance_service_pb2_grpc import add_RegulatoryComplianceServiceServicer_to_server
from fintech.risk.v1.transaction_screening_service_pb2_grpc import add_TransactionScreeningServiceServicer_to_server

from libs.featurespec.online import OnlineReader
from services.risk.adapters.audit import AuditLog, AuditRecords
from services.risk.adapters.clients import FeatureStore, Models
from services.risk.adapters.db.aml import AmlAssessmentStore
from services.risk.adapters.db.credit import CreditAssessmentStore
from services.risk.adapters.db.fraud import FraudAssessmentStore
from services.risk.adapters.db.reports import ReportStore
from services.risk.adapters.db.screening import TransactionScreeningStore
from services.risk.adapters.db.screenings import ScreeningStore
from services.risk.adapters.erasure import DataRetention, RiskDataErasure
from services.risk.adapters.experiment import FlagExperiment
from services.risk.adapters.keys import DataKeys, load_keys, page_token_key
from services.risk.adapters.reports import ReportGeneration
from services.risk.api.compliance import RegulatoryCompliance
from services.risk.api.credit import CreditRiskAssessment
from services.risk.api.fraud import FraudDetection
from services.risk.api.screening import TransactionScreeningApi
from services.risk.app.compliance import AmlMonitoring, AuditQueries, RegulatoryReports, SanctionsScreening
from services.risk.app.credit import CreditEvaluation
from services.risk.app.fraud import FraudEvaluation
from services.risk.app.screening import TransactionScreening
from services.runtime import redis_client
from services.runtime.app import domain_service
from services.runtime.clients import ServiceClient
from services.runtime.config import Settings, get_settings
from services.runtime.db import Database
from services.runtime.flags import Flags
from services.runtime.server import Service


def fraud_detection(
    database: Database,
    settings: Settings,
    features: ServiceClient,
    ml: ServiceClient,
    online: OnlineReader | None = None,
    flags: Flags | None = None,
) -> FraudDetection:
    source = settings.spiffe_id("risk")
    assessments = FraudAssessmentStore(database, AuditLog(source), source, page_token_key(settings))
    models = Models(ml, settings.risk.fraud_model_timeout)
    store = FeatureStore(features, online)
    experiment = FlagExperiment(flags) if flags else None
    return FraudDetection(FraudEvaluation(assessments, store, models, settings.risk, experiment), settings)


def transaction_screening(
    database: Database,
    settings: Settings,
    features: ServiceClient,
    ml: ServiceClient,
    online: OnlineReader | None = None,
    flags: Flags | None = None,
) -> TransactionScreeningApi:
    """Fraud and AML of a payment in one call: the same evaluations over one store of both."""
    source = settings.spiffe_id("risk")
    audit = AuditLog(source)
    fraud = FraudEvaluation(
        FraudAssessmentStore(database, audit, source, page_token_key(settings)), FeatureStore(features, online),
        Models(ml, settings.risk.fraud_model_timeout), settings.risk, FlagExperiment(flags) if flags else None,
    )  # fmt: skip
    aml = AmlMonitoring(AmlAssessmentStore(database, audit, source), settings.risk)
    screening = TransactionScreening(TransactionScreeningStore(database, audit, source), fraud, aml)
    return TransactionScreeningApi(screening, settings)


def credit_risk_assessment(database: Database, settings: Settings, ml: ServiceClient) -> CreditRiskAssessment:
    source = settings.spiffe_id("risk")
    assessments = CreditAssessmentStore(database, AuditLog(source), source)
    models = Models(ml, settings.risk.fraud_model_timeout)
    return CreditRiskAssessment(CreditEvaluation(assessments, models), settings)


def regulatory_compliance(
    database: Database, settings: Settings, reports: ReportGeneration | None = None
) -> RegulatoryCompliance:
    source = settings.spiffe_id("risk")
    audit = AuditLog(source)
    page_key = page_token_key(settings)
    data_keys = DataKeys(load_keys(settings))  # seal a screened party under the customer's key
    return RegulatoryCompliance(
        SanctionsScreening(ScreeningStore(database, data_keys, audit, source), settings.risk),
        AmlMonitoring(AmlAssessmentStore(database, audit, source), settings.risk),
        RegulatoryReports(ReportStore(database, audit, source, page_key), reports),
        AuditQueries(AuditRecords(database, page_key)),
        settings,
    )


def build() -> Service:
    settings = get_settings()
    database = Database.for_service("risk", settings)
    features = ServiceClient("risk", "features", settings=settings)
    ml = ServiceClient("risk", "ml", settings=settings)
    online = OnlineReader(redis_client.connect(settings, "risk"), settings.redis.timeout_seconds)
    reports = ReportGeneration(database, settings, settings.risk.report_poll_interval_seconds)
    flags = Flags(settings.flags, "risk")  # the challenger fraud model's share (adapters/experiment.py)
    return domain_service(
        "risk",
        [
            (
                add_FraudDetectionServiceServicer_to_server,
                fraud_detection(database, settings, features, ml, online, flags),
            ),
            (add_CreditRiskAssessmentServiceServicer_to_server, credit_risk_assessment(database, settings, ml)),
            (add_RegulatoryComplianceServiceServicer_to_server, regulatory_compliance(database, settings, reports)),
            (
                add_TransactionScreeningServiceServicer_to_server,
                transaction_screening(database, settings, features, ml, online, flags),
            ),
        ],
        settings,
        database=database,
        background=[
            flags,
            features,
            ml,
            online,
            RiskDataErasure(database, settings),
            DataRetention(database, DataKeys(load_keys(settings)), settings.risk.data_retention_interval_seconds),
            reports,
        ],
    )
