"""The running ml service (mesh: PostgreSQL, Kafka, Triton): Predict over mTLS as `risk`, the registry's rules."""

from __future__ import annotations

import base64
import uuid

import grpc
import numpy as np
import pytest
from fintech.common.v1 import money_pb2
from fintech.ml.v1 import feature_value_pb2 as fv
from fintech.ml.v1 import model_registry_service_pb2 as reg
from fintech.ml.v1 import model_registry_service_pb2_grpc as reg_grpc
from fintech.ml.v1 import model_serving_service_pb2 as srv
from fintech.ml.v1 import model_serving_service_pb2_grpc as srv_grpc
from fintech.ml.v1 import model_version_pb2 as mv
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from libs.featurespec.model_inputs import FEATURES
from services.runtime.config import Settings
from services.runtime.tls import channel_credentials
from tests.ml.support import local_scores, sample_rows
from tests.people import person_credentials

pytestmark = pytest.mark.mesh("postgres", "kafka", "triton", "ml")


def _channel(settings: Settings, workload: str, role: str | None = None) -> grpc.Channel:
    """A channel as `workload`; with `role`, its calls carry a person's token of that role (`cli` + bearer)."""
    credentials = channel_credentials(workload, settings) if role is None else person_credentials(settings, role)
    return grpc.secure_channel(settings.service("ml").address, credentials)


def _value(value_type: str, number: float) -> tuple[fv.FeatureValue, float]:
    """A typed feature value and the number the model receives for it."""
    if value_type == "MONEY":
        v = int(number)
        return fv.FeatureValue(money_value=money_pb2.Money(amount_minor=v, currency_code="EUR")), float(v)
    if value_type == "INT64":
        return fv.FeatureValue(int64_value=int(number)), float(int(number))
    if value_type == "BOOL":
        return fv.FeatureValue(bool_value=number >= 0.5), float(number >= 0.5)
    if value_type == "DURATION":
        return fv.FeatureValue(duration_value=duration_pb2.Duration(seconds=int(number))), float(int(number))
    return fv.FeatureValue(double_value=float(number)), float(np.float32(number))


def _instances(model: str, count: int) -> tuple[list[srv.PredictionInstance], np.ndarray]:
    rows = sample_rows(model, count, seed=3)
    instances, numbers = [], np.zeros_like(rows)
    for i, row in enumerate(rows):
        instance = srv.PredictionInstance(entity_id=str(uuid.uuid4()))
        for j, feature in enumerate(FEATURES[model]):
            value, numbers[i, j] = _value(feature.value_type, float(row[j]))
            instance.features[feature.name].CopyFrom(value)
        instances.append(instance)
    return instances, numbers


def _reason(error: grpc.RpcError) -> tuple[str, list[str]]:
    info, fields = error_details_pb2.ErrorInfo(), []
    for detail in rpc_status.from_call(error).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [v.field for v in bad.field_violations]
    return info.reason, fields


@pytest.mark.parametrize("model", ["fraud", "credit"])
def test_predict_as_risk_serves_production_with_the_local_scores(settings: Settings, model: str):
    instances, numbers = _instances(model, 25)
    with _channel(settings, "risk") as channel:
        response = srv_grpc.ModelServingServiceStub(channel).Predict(
            srv.PredictRequest(model_name=model, instances=instances, request_id=str(uuid.uuid4())), timeout=10
        )
    assert response.model_version == "1" and response.stage == mv.MODEL_STAGE_PRODUCTION
    scores = np.array([p.score for p in response.predictions])
    np.testing.assert_allclose(scores, local_scores(model, numbers), atol=1e-6)
    assert all(p.predicted_label in ("legitimate", "fraud", "repaid", "default") for p in response.predictions)
    assert len({p.prediction_id for p in response.predictions}) == 25


@pytest.mark.parametrize("model", ["fraud", "credit"])
def test_contributions_explain_each_served_score_and_add_up_to_its_log_odds(settings: Settings, model: str):
    instances, numbers = _instances(model, 60)  # 60 x (2k + 2) path rows: more than one Triton batch
    request = srv.PredictRequest(
        model_name=model, instances=instances, request_id=str(uuid.uuid4()), include_contributions=True
    )
    with _channel(settings, "risk") as channel:
        response = srv_grpc.ModelServingServiceStub(channel).Predict(request, timeout=20)
    scores = np.array([p.score for p in response.predictions])
    np.testing.assert_allclose(scores, local_scores(model, numbers), atol=1e-6)
    names = {f.name for f in FEATURES[model]}
    for prediction in response.predictions:
        contributions = [c.contribution for c in prediction.contributions]
        assert {c.feature_name for c in prediction.contributions} == names
        assert [abs(c) for c in contributions] == sorted((abs(c) for c in contributions), reverse=True)
        p = min(max(prediction.score, 1e-7), 1 - 1e-7)
        assert prediction.contribution_base_value + sum(contributions) == pytest.approx(np.log(p / (1 - p)), abs=1e-4)
    assert any(abs(c.contribution) > 0.01 for p in response.predictions for c in p.contributions)


def test_predict_errors_unknown_model_and_bad_instances(settings: Settings):
    instances, _ = _instances("fraud", 2)
    with _channel(settings, "risk") as channel:
        stub = srv_grpc.ModelServingServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.Predict(srv.PredictRequest(model_name="nope", instances=instances, request_id=str(uuid.uuid4())))
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
        assert _reason(caught.value)[0] == "MODEL_NOT_FOUND"
        del instances[1].features["txn_amount"]
        instances[0].features["unknown_feature"].double_value = 1.0
        with pytest.raises(grpc.RpcError) as caught:
            stub.Predict(srv.PredictRequest(model_name="fraud", instances=instances, request_id=str(uuid.uuid4())))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert set(_reason(caught.value)[1]) == {
            "instances[0].features[unknown_feature]",
            "instances[1].features[txn_amount]",
        }


def test_risk_may_not_use_the_registry(settings: Settings):
    with _channel(settings, "risk") as channel, pytest.raises(grpc.RpcError) as caught:
        reg_grpc.ModelRegistryServiceStub(channel).RetrieveModelVersion(
            reg.RetrieveModelVersionRequest(model_name="fraud", model_version="1")
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def _weak_version(version: str) -> mv.ModelVersion:
    window = mv.TimeWindow()
    window.start_time.FromJsonString("2026-01-01T00:00:00Z")
    window.end_time.FromJsonString("2026-02-01T00:00:00Z")
    feature = mv.InputFeature(feature_name="x", value_type=fv.FEATURE_VALUE_TYPE_DOUBLE)
    tensor = mv.TensorSpec(tensor_name="input__0", data_type=mv.TENSOR_DATA_TYPE_FP32, dims=[1])
    return mv.ModelVersion(
        version=version,
        artifact_uri="triton://models/weak/1/",
        artifact_digest="sha256:" + "0" * 64,
        model_format=mv.MODEL_FORMAT_ONNX,
        signature=mv.ModelSignature(
            input_features=[feature], input_tensors=[tensor], output_tensors=[tensor], class_labels=["no", "yes"]
        ),
        decision_threshold=0.5,
        training_data=mv.TrainingData(window=window, row_count=100, dataset_uri="urn:test:weak"),
        validation_metrics=mv.ValidationMetrics(
            roc_auc=0.62, average_precision=0.1, brier_score=0.2, expected_calibration_error=0.09,
            ks_statistic=0.1, row_count=50, window=window,
        ),
        model_card="# weak",
    )  # fmt: skip


def test_promotion_below_the_thresholds_is_refused_with_a_violation_per_metric(settings: Settings):
    name = f"weak_{uuid.uuid4().hex[:8]}"
    with _channel(settings, "cli", "admin") as registrar:  # an ML engineer registers, model risk promotes
        registered = (
            reg_grpc.ModelRegistryServiceStub(registrar)
            .RegisterModelVersion(reg.RegisterModelVersionRequest(model_name=name, model_version=_weak_version("1")))
            .model_version
        )
    assert registered.stage == mv.MODEL_STAGE_REGISTERED and registered.etag
    assert registered.created_by == "user:admin-tests"  # the person, not the operator tool's workload
    with _channel(settings, "cli", "model_risk") as channel:
        stub = reg_grpc.ModelRegistryServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.PromoteModelVersion(
                reg.PromoteModelVersionRequest(
                    model_name=name, model_version="1", target_stage=mv.MODEL_STAGE_PRODUCTION, reason="test"
                )
            )
        assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        reason, fields = _reason(caught.value)
        assert reason == "PROMOTION_BLOCKED"
        assert set(fields) == {
            "validation_metrics.roc_auc",
            "validation_metrics.expected_calibration_error",
            "bias_report",
        }
        with pytest.raises(grpc.RpcError) as caught:
            stub.RegisterModelVersion(
                reg.RegisterModelVersionRequest(model_name=name, model_version=_weak_version("1"))
            )
        assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
        still = stub.RetrieveModelVersion(reg.RetrieveModelVersionRequest(model_name=name, model_version="1"))
        assert still.model_version.stage == mv.MODEL_STAGE_REGISTERED
        # Four eyes: whoever registered a version may not promote it, whatever its metrics.
        stub.RegisterModelVersion(reg.RegisterModelVersionRequest(model_name=name, model_version=_weak_version("2")))
        with pytest.raises(grpc.RpcError) as caught:
            stub.PromoteModelVersion(
                reg.PromoteModelVersionRequest(
                    model_name=name, model_version="2", target_stage=mv.MODEL_STAGE_SHADOW, reason="mine"
                )
            )
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED and "four eyes" in caught.value.details()


def test_governance_reports_of_the_repository_models(settings: Settings):
    instances, _ = _instances("fraud", 200)
    with _channel(settings, "risk") as channel:
        srv_grpc.ModelServingServiceStub(channel).Predict(
            srv.PredictRequest(model_name="fraud", instances=instances, request_id=str(uuid.uuid4())), timeout=10
        )
    with _channel(settings, "cli", "model_risk") as channel:
        stub = reg_grpc.ModelRegistryServiceStub(channel)
        listed = stub.ListModelVersions(reg.ListModelVersionsRequest(model_name="credit"))
        assert [v.stage for v in listed.model_versions] == [mv.MODEL_STAGE_PRODUCTION]
        bias = stub.RetrieveBiasReport(reg.RetrieveBiasReportRequest(model_name="credit", model_version="1"))
        assert bias.bias_report.attributes[0].attribute == "age_band"
        assert bias.bias_report.verdict == 1  # PASS
        drift = stub.RetrieveDriftReport(
            reg.RetrieveDriftReportRequest(model_name="fraud", model_version="1")
        ).drift_report
        assert [f.feature_name for f in drift.features] == [f.name for f in FEATURES["fraud"]]
        assert drift.current_count >= 200 and drift.score_drift.feature_name == "score"
        status = srv_grpc.ModelServingServiceStub(channel).RetrieveModelServingStatus(
            srv.RetrieveModelServingStatusRequest(model_name="fraud")
        )
        assert status.ready and status.versions[0].state == srv.SERVING_STATE_READY


def test_list_pages_cover_every_version_once_newest_first_with_tokens_bound_to_the_request(settings: Settings):
    name = f"paged_{uuid.uuid4().hex[:8]}"
    with _channel(settings, "cli", "admin") as registrar:
        registry = reg_grpc.ModelRegistryServiceStub(registrar)
        for version in "12345":
            registry.RegisterModelVersion(
                reg.RegisterModelVersionRequest(model_name=name, model_version=_weak_version(version))
            )
        admin_first = registry.ListModelVersions(reg.ListModelVersionsRequest(model_name=name, page_size=2))
    with _channel(settings, "cli", "model_risk") as channel:
        stub = reg_grpc.ModelRegistryServiceStub(channel)
        seen, token, pages = [], "", 0
        while True:
            page = stub.ListModelVersions(reg.ListModelVersionsRequest(model_name=name, page_size=2, page_token=token))
            assert len(page.model_versions) <= 2
            seen += [v.version for v in page.model_versions]
            pages, token = pages + 1, page.next_page_token
            if not token:
                break
        assert seen == ["5", "4", "3", "2", "1"] and pages == 3
        first = stub.ListModelVersions(reg.ListModelVersionsRequest(model_name=name, page_size=2))
        assert first.next_page_token
        tampered = first.next_page_token[:-2] + ("AA" if first.next_page_token[-2:] != "AA" else "BB")
        foreign = [
            reg.ListModelVersionsRequest(  # another filter
                model_name=name, stage=mv.MODEL_STAGE_REGISTERED, page_size=2, page_token=first.next_page_token
            ),
            reg.ListModelVersionsRequest(model_name="credit", page_size=2, page_token=first.next_page_token),
            reg.ListModelVersionsRequest(  # another caller's
                model_name=name, page_size=2, page_token=admin_first.next_page_token
            ),
            reg.ListModelVersionsRequest(model_name=name, page_size=2, page_token=tampered),
            reg.ListModelVersionsRequest(  # the former offset scheme, base64 of "stage:offset"
                model_name=name, page_size=2, page_token=base64.urlsafe_b64encode(b"0:2").decode()
            ),
            reg.ListModelVersionsRequest(model_name=name, page_size=2, page_token="not a token"),
        ]
        for request in foreign:
            with pytest.raises(grpc.RpcError) as caught:
                stub.ListModelVersions(request)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, request
            assert _reason(caught.value) == ("INVALID_PAGE_TOKEN", ["page_token"]), request
        # Another page size keeps the filters: the token still holds.
        rest = stub.ListModelVersions(
            reg.ListModelVersionsRequest(model_name=name, page_size=10, page_token=first.next_page_token)
        )
        assert [v.version for v in rest.model_versions] == ["3", "2", "1"] and not rest.next_page_token
