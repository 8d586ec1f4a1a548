"""The generated Envoy configuration: what it must hold, checked on the data, and Envoy's own validation."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from services.runtime.config import Settings
from services.runtime.server import SERVER_OPTIONS
from tests.contracts.conftest import load_contracts
from tools.certs import ensure_certs
from tools.edge.config import (
    GRPC_RESPONSE_HEADERS,
    MAX_REQUEST_BYTES,
    TRACING_CLUSTER,
    body_rules,
    build,
    edge_descriptor_set,
    public_rpcs,
    unknown_fields_schema,
    write,
)
from tools.edge.tokens import ensure_signing_key
from tools.mesh.envoy import _find_envoy


@pytest.fixture(scope="module")
def config(settings: Settings) -> dict:
    return build(settings)


def _filters(config: dict) -> list[dict]:
    manager = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    return manager["http_filters"]


def _manager(config: dict) -> dict:
    return config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]


def _public_services() -> set[str]:
    from google.api import annotations_pb2

    return {
        service.full_name
        for service in load_contracts().services()
        for method in service.methods
        if descriptor_pb2.MethodOptions.FromString(method.GetOptions().SerializeToString()).HasExtension(
            annotations_pb2.http
        )
    }


def test_every_service_with_a_public_rpc_is_transcoded(config: dict):
    transcoder = next(f for f in _filters(config) if f["name"] == "envoy.filters.http.grpc_json_transcoder")
    typed = transcoder["typed_config"]
    assert set(typed["services"]) == _public_services()
    assert typed["convert_grpc_status"] is True
    assert typed["ignore_unknown_query_parameters"] is True
    assert typed["request_validation_options"]["reject_unknown_method"] is True
    assert typed["print_options"] == {"preserve_proto_field_names": True, "always_print_primitive_fields": True}


def test_only_public_rpcs_have_routes_each_with_a_timeout(config: dict):
    routes = _manager(config)["route_config"]["virtual_hosts"][0]["routes"]
    routed = {
        route["match"]["path"]: route["route"]
        for route in routes
        if "path" in route["match"] and not route["name"].startswith("console")  # the console's: tests/console
    }
    assert set(routed) == {rpc.path for rpc in public_rpcs()}
    assert "/fintech.payments.v1.PaymentExecutionService/ExecutePayment" not in routed
    for path, route in routed.items():
        assert route["cluster"] == path.split(".")[1], path  # /fintech.<workload>.v1.Service/Method
        assert route["timeout"].endswith("s") and int(route["timeout"][:-1]) > 0
    assert routes[-1]["direct_response"]["status"] == 404


def test_every_cluster_is_mtls_1_3_only_and_checks_the_services_spiffe_id(config: dict, settings: Settings):
    clusters = config["static_resources"]["clusters"]
    # The services' clusters and the global rate limit service's; beside them only the trace collector's
    # (tests/trace/test_config.py: its spans hold ids and timings, never a request's data).
    names = {cluster["name"] for cluster in clusters}
    # The console's (HTTP/1.1, the same mTLS) is checked in tests/console/test_edge_routes.py.
    assert names - {TRACING_CLUSTER, "console"} == {rpc.workload for rpc in public_rpcs()} | {"ratelimit"}
    for cluster in (cluster for cluster in clusters if cluster["name"] not in (TRACING_CLUSTER, "console")):
        context = cluster["transport_socket"]["typed_config"]["common_tls_context"]
        assert context["tls_params"] == {
            "tls_minimum_protocol_version": "TLSv1_3",
            "tls_maximum_protocol_version": "TLSv1_3",
        }
        assert context["alpn_protocols"] == ["h2"]
        assert context["tls_certificates"][0]["certificate_chain"]["filename"].endswith("/edge-gateway.pem")
        sans = context["validation_context"]["match_typed_subject_alt_names"]
        assert sans == [{"san_type": "URI", "matcher": {"exact": settings.spiffe_id(cluster["name"])}}]


def test_filters_run_in_the_order_the_edge_needs(config: dict):
    filters = _filters(config)
    names = [f["name"].rsplit(".", 1)[-1] for f in filters]
    assert names == [
        "match_delegate",  # header_mutation of responses, skipped for gRPC requests
        "rbac",
        "header_mutation",
        "lua",  # refuses header names gRPC metadata cannot carry
        "jwt_authn",
        "local_ratelimit",  # the first line: a client over its budget at this Envoy costs no call
        "buffer",  # the whole body, at most a gRPC message: 413 beyond
        "lua",  # unknown JSON fields: 400 (the transcoder would drop them)
        "grpc_json_transcoder",
        "ratelimit",  # the budget all replicas share (needs the gRPC route the transcoder's path selects)
        "router",
    ]
    response = filters[0]["typed_config"]["extension_config"]["typed_config"]["mutations"]["response_mutations"]
    assert {m["remove"] for m in response} == set(GRPC_RESPONSE_HEADERS)
    request = filters[2]["typed_config"]["mutations"]["request_mutations"]
    assert {m["remove"] for m in request} == {"x-jwt-payload", "x-jwt-sub"}


def test_every_local_reply_is_a_json_status(config: dict):
    replies = _manager(config)["local_reply_config"]
    by_status = {
        m["filter"]["status_code_filter"]["comparison"]["value"]["default_value"]: m["body_format_override"]
        for m in replies["mappers"]
        if "status_code_filter" in m["filter"]
    }
    assert {400: 3, 401: 16, 403: 7, 404: 5, 413: 3, 429: 8, 503: 14}.items() <= {
        status: body["json_format"]["code"] for status, body in by_status.items()
    }.items()
    for body in [*by_status.values(), replies["body_format"]]:
        assert set(body["json_format"]) == {"code", "message", "details"}
    reasons = {status: [d["reason"] for d in body["json_format"]["details"]] for status, body in by_status.items()}
    assert reasons[401] == ["UNAUTHENTICATED"] and reasons[429] == ["RATE_LIMITED"]
    # The unknown-field check's own Status passes through as it wrote it; only its replies carry the marker.
    lua = replies["mappers"][0]
    assert lua["filter"]["metadata_filter"]["match_if_key_not_found"] is False
    assert lua["body_format_override"]["text_format_source"]["inline_string"] == "%LOCAL_REPLY_BODY%"


def test_a_token_for_another_audience_is_401_and_only_that_403(config: dict):
    mappers = _manager(config)["local_reply_config"]["mappers"]
    rewritten = [m for m in mappers if "status_code" in m]
    assert len(rewritten) == 1 and rewritten[0]["status_code"] == 401
    conditions = rewritten[0]["filter"]["and_filter"]["filters"]
    assert conditions[0]["status_code_filter"]["comparison"]["value"]["default_value"] == 403
    assert "jwt_authn_access_denied" in conditions[1]["extension_filter"]["typed_config"]["expression"]
    assert rewritten[0]["body_format_override"]["json_format"]["code"] == 16


def test_the_body_limit_is_the_services_grpc_message_limit(config: dict):
    assert dict(SERVER_OPTIONS)["grpc.max_receive_message_length"] == MAX_REQUEST_BYTES
    buffer = next(f for f in _filters(config) if f["name"] == "envoy.filters.http.buffer")
    assert buffer["typed_config"]["max_request_bytes"] == MAX_REQUEST_BYTES


def _lua_pattern_as_regex(pattern: str) -> str:
    # The generated patterns use ^ $ [^/]+ .* and %-escaped literals only.
    return re.sub(r"%(.)", lambda m: re.escape(m.group(1)), pattern)


def test_the_unknown_field_check_finds_each_bodys_rpc_from_its_path(config: dict):
    routes, schema = unknown_fields_schema()
    rules = body_rules()
    assert {rule.rpc for rule in rules} >= {"RegisterCustomer", "InitiatePayment", "UpdateCustomer", "CancelPayment"}
    for rule in rules:
        path = re.sub(r"\{[^}]*\}", "9a7c1e52-4a3c-4d43-9a43-1b1f0a3e7d10", rule.template)
        first = next(r for r in routes[rule.http_method] if re.search(_lua_pattern_as_regex(r["pattern"]), path))
        assert (first["rpc"], first["type"], first["prefix"]) == (rule.rpc, rule.message_type, rule.prefix), path
        assert rule.message_type in schema
    initiate = schema["fintech.payments.v1.InitiatePaymentRequest"]
    assert initiate["debtor_account_id"] is False and initiate["debtorAccountId"] is False
    assert initiate["amount"] == ["amount", {"type": "fintech.common.v1.Money"}]
    assert "isAdmin" not in initiate
    sources = [
        f["typed_config"]["default_source_code"]["inline_string"]
        for f in _filters(config)
        if f["name"] == "envoy.filters.http.lua"
    ]
    assert any(
        '"fintech.payments.v1.InitiatePaymentRequest"' in s and "function envoy_on_request" in s for s in sources
    )


def test_the_edge_descriptor_set_adds_the_error_types():
    names = [f.name for f in descriptor_pb2.FileDescriptorSet.FromString(edge_descriptor_set()).file]
    assert {"google/rpc/status.proto", "google/rpc/error_details.proto"} <= set(names)
    assert len(names) == len(set(names))


def test_envoy_validates_the_rendered_configuration(tmp_path: Path):
    envoy = _find_envoy()
    if envoy is None:
        pytest.skip("envoy is not installed (make setup)")
    settings = Settings(mesh={"state_dir": tmp_path})
    ensure_certs(settings)
    ensure_signing_key(settings)
    path = write(tmp_path / "envoy" / "envoy.yaml", settings)
    result = subprocess.run(
        [envoy, "--mode", "validate", "-c", str(path), "--base-id", "7"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "OK" in result.stdout + result.stderr


def test_the_global_rate_limit_counts_each_client_and_fails_open(config: dict, settings: Settings):
    (limit,) = [f["typed_config"] for f in _filters(config) if f["name"] == "envoy.filters.http.ratelimit"]
    assert limit["domain"] == settings.ratelimit.domain
    assert limit["failure_mode_deny"] is False
    assert limit["rate_limit_service"]["grpc_service"]["envoy_grpc"]["cluster_name"] == "ratelimit"
    # One set of x-ratelimit-* headers (the local limit's), no x-envoy-ratelimited.
    assert "enable_x_ratelimit_headers" not in limit and limit["disable_x_envoy_ratelimited_header"] is True
    (host,) = _manager(config)["route_config"]["virtual_hosts"]
    assert host["rate_limits"] == [
        {"stage": 0, "actions": [{"request_headers": {"header_name": "x-jwt-sub", "descriptor_key": "client"}}]}
    ]
    (cluster,) = [c for c in config["static_resources"]["clusters"] if c["name"] == "ratelimit"]
    address = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"]
    assert address == {"address": settings.ratelimit.host, "port_value": settings.ratelimit.grpc_port}


def test_the_access_log_is_json_with_the_ids_and_nothing_personal(config: dict):
    manager = _manager(config)
    [access_log] = manager["access_log"]
    fields = access_log["typed_config"]["log_format"]["json_format"]
    values = " ".join(fields.values())
    # One line per request carries the ids that find it in every service's logs and in its trace.
    assert fields["request_id"] == "%REQ(X-REQUEST-ID)%" and fields["trace_id"] == "%TRACE_ID%"
    assert {"method", "path", "status", "grpc_status", "duration_ms", "upstream"} <= set(fields)
    # No body, no credentials, no query string (a list's filters can name a person), no client address.
    assert not re.search(r"BODY|AUTHORIZATION|COOKIE|DOWNSTREAM_REMOTE_ADDRESS|X-FORWARDED-FOR", values)
    assert fields["path"].startswith("%REQ_WITHOUT_QUERY(")
    # The id reaches the client, so a support request names it.
    assert manager["always_set_request_id_in_response"] is True
