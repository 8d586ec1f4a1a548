"""Where spans go: Jaeger's generated configuration, the edge's tracer and Triton's, all from the settings."""

from __future__ import annotations

from services.runtime.config import Settings
from tools.edge.config import TRACING_CLUSTER, build
from tools.mesh.jaeger import collector_config
from tools.mesh.triton import trace_options


def _settings(**tracing: object) -> Settings:
    return Settings(jaeger={"host": "127.0.0.1", "otlp_grpc_port": 1001, "otlp_http_port": 1002,
                            "query_port": 1003, "query_grpc_port": 1004, "metrics_port": 1005, "max_traces": 77},
                    tracing=tracing)  # fmt: skip


def test_jaeger_listens_only_on_the_settings_ports_and_keeps_max_traces_in_memory():
    config = collector_config(_settings())
    protocols = config["receivers"]["otlp"]["protocols"]
    query = config["extensions"]["jaeger_query"]
    assert (protocols["grpc"]["endpoint"], protocols["http"]["endpoint"]) == ("127.0.0.1:1001", "127.0.0.1:1002")
    assert (query["http"]["endpoint"], query["grpc"]["endpoint"]) == ("127.0.0.1:1003", "127.0.0.1:1004")
    reader = config["service"]["telemetry"]["metrics"]["readers"][0]["pull"]["exporter"]["prometheus"]
    assert (reader["host"], reader["port"]) == ("127.0.0.1", 1005)
    assert config["extensions"]["jaeger_storage"]["backends"]["memstore"] == {"memory": {"max_traces": 77}}


def test_the_endpoint_is_jaegers_otlp_grpc_port_and_none_without_export():
    assert _settings().tracing.endpoint(_settings().jaeger) == "http://127.0.0.1:1001"
    assert _settings(export=False).tracing.endpoint(_settings().jaeger) is None


def _manager(config: dict) -> dict:
    return config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]


def test_the_edge_starts_traces_at_the_sample_ratio_and_sends_its_spans_to_jaeger():
    config = build(_settings(sample_ratio=0.25))
    tracing = _manager(config)["tracing"]
    assert tracing["random_sampling"] == {"value": 25.0}
    assert tracing["client_sampling"] == {"value": 0}  # a client cannot force a trace
    assert tracing["provider"]["typed_config"]["grpc_service"]["envoy_grpc"]["cluster_name"] == TRACING_CLUSTER
    (cluster,) = [c for c in config["static_resources"]["clusters"] if c["name"] == TRACING_CLUSTER]
    endpoint = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"]
    assert (endpoint["address"], endpoint["port_value"]) == ("127.0.0.1", 1001)


def test_without_export_the_edge_has_no_tracer_and_no_jaeger_cluster_and_triton_traces_nothing():
    config = build(_settings(export=False))
    assert "tracing" not in _manager(config)
    assert TRACING_CLUSTER not in {c["name"] for c in config["static_resources"]["clusters"]}
    assert trace_options(_settings(export=False)) == []
    assert trace_options(_settings(sample_ratio=0.0)) == []


def test_triton_exports_over_otlp_http_one_request_in_the_ratios_inverse():
    options = trace_options(_settings(sample_ratio=0.1))
    assert "--trace-config=mode=opentelemetry" in options
    assert "--trace-config=rate=10" in options
    assert "--trace-config=opentelemetry,url=127.0.0.1:1002/v1/traces" in options
