"""The edge's console route and the console's own door: the browser reaches the console through the edge alone."""

from __future__ import annotations

import re
import ssl
import urllib.error
import urllib.request

import pytest

from services.console.adapters import slo
from services.runtime.config import Settings
from services.runtime.tls import certs_dir
from tools.edge.config import CONSOLE_COOKIE, CONSOLE_PROVIDER, build
from tools.observability.rules import rule_groups


def test_the_console_route_is_http_1_1_over_mtls_with_the_consoles_identity_and_no_transcoder(settings: Settings):
    config = build(settings)
    cluster = next(c for c in config["static_resources"]["clusters"] if c["name"] == "console")
    context = cluster["transport_socket"]["typed_config"]["common_tls_context"]
    assert "alpn_protocols" not in context and "typed_extension_protocol_options" not in cluster
    assert context["tls_certificates"][0]["certificate_chain"]["filename"].endswith("/edge-gateway.pem")
    assert context["validation_context"]["match_typed_subject_alt_names"][0]["matcher"]["exact"] == settings.spiffe_id(
        "console"
    )
    manager = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    routes = {r["name"]: r for r in manager["route_config"]["virtual_hosts"][0]["routes"]}
    for name in ("console", "console-events"):
        for off in ("grpc_json_transcoder", "local_ratelimit"):
            assert routes[name]["typed_per_filter_config"][f"envoy.filters.http.{off}"]["disabled"] is True
    assert routes["console-events"]["route"]["timeout"] == "0s"
    jwt = next(f for f in manager["http_filters"] if f["name"] == "envoy.filters.http.jwt_authn")["typed_config"]
    assert jwt["providers"][CONSOLE_PROVIDER]["from_cookies"] == [CONSOLE_COOKIE]
    # The API's rule stays last and strict: a console cookie opens nothing else.
    assert jwt["rules"][-1] == {"match": {"prefix": "/"}, "requires": {"provider_name": "fintech-issuer"}}


def test_the_slo_panel_reads_recording_rules_that_exist(settings: Settings):
    recorded = {
        rule["record"] for group in rule_groups(settings.mesh.namespace) for rule in group["rules"] if "record" in rule
    }
    for query in (slo.AVAILABILITY, slo.ERROR_RATIO, slo.P95):
        names = re.findall(r"fintech:[a-z0-9_:]+", query)
        assert names and set(names) <= recorded, query


def _console(settings: Settings, context: ssl.SSLContext) -> int:
    url = f"https://{settings.console.host}:{settings.console.http_port}{settings.console.path}/static/console.css"
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.mesh("console")
def test_the_console_answers_the_edges_certificate_only(settings: Settings):
    certs = certs_dir(settings)

    def context(workload: str | None) -> ssl.SSLContext:
        made = ssl.create_default_context(cafile=certs / "ca.pem")
        made.check_hostname = False
        if workload:
            made.load_cert_chain(certs / f"{workload}.pem", certs / f"{workload}-key.pem")
        return made

    assert _console(settings, context("edge-gateway")) == 200
    assert _console(settings, context("cli")) == 403  # a workload of the mesh, but not the edge
    with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
        _console(settings, context(None))  # no client certificate: no TLS session at all
