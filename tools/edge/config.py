"""Envoy's configuration for the REST edge, generated from the contracts and the mesh settings.

`python -m tools.edge.config [--out PATH]` prints (or writes) the YAML; the mesh launcher writes it to
`<state_dir>/envoy/envoy.yaml` before Envoy starts, so ports, certificates and the API surface never
drift from mesh.toml and gen/descriptors/fintech.binpb.

One listener on 127.0.0.1:<envoy.rest_port>, its HTTP filters in this order:
1. header_mutation (in match_delegate, skipped for gRPC requests): gRPC's headers leave REST responses.
   First, so that it sees every request before any filter answers it.
2. rbac: raw gRPC (content-type application/grpc*) is refused; only REST/JSON enters here.
3. header_mutation: drops client-sent copies of the headers the edge vouches for (x-jwt-payload, x-jwt-sub).
   lua: refuses (400) a header whose name is valid HTTP but not valid gRPC metadata (`+`, `a$b`): the
   transcoder forwards request headers as metadata, and the service's gRPC server would fail the call (500).
4. jwt_authn: RS256 bearer token from the dev issuer (issuer, audience, JWKS in <state_dir>/edge/jwks.json);
   the verified claims go upstream as x-jwt-payload (base64url JSON), `sub` as x-jwt-sub.
5. local_ratelimit: one token bucket per client (x-jwt-sub), with x-ratelimit-* headers; the first line, in
   each Envoy process (tools/edge/rate_limits.py: the budget both limits apply, from mesh.toml [edge]).
6. buffer: the whole request body, at most the services' gRPC max receive message size; a larger one is
   413 before any service sees it (else the service refuses it as RESOURCE_EXHAUSTED, which is 429 and retried).
7. lua (envoy/unknown_fields.lua): a JSON body field its message does not define is 400 naming it (the
   transcoder would drop it silently), as is a body that is not strict JSON.
8. grpc_json_transcoder: the `google.api.http` rules of every service with public RPCs, over the contracts'
   descriptor set plus google.rpc.Status and its details (so gRPC errors become JSON; see edge_descriptor_set).
9. ratelimit: the budget every edge replica shares, asked of the ratelimit service (gRPC, mTLS as edge-gateway)
   with the client as descriptor; fails open. After the transcoder: Envoy's global limit needs the request's
   route and cluster, and only the transcoder's gRPC path selects one (the REST path matches no route).
10. router: one exact route per public RPC (internal RPCs have none) to one cluster per service, mTLS as
   edge-gateway, TLS 1.3 only, the upstream's SPIFFE id checked.
The operations console (when mesh.toml has [services.console]): routes under [console] path (/console) go to the
console's web server (HTTP/1.1 over mTLS as edge-gateway, the console's SPIFFE id checked), the transcoder off for
them; jwt_authn reads a person's token there from the console's HttpOnly cookie (a second provider): sign-in and the
static files need none, the rest accept a missing one (the console then sends the browser to sign in) but never an
invalid one. The event stream's route has no timeout (server-sent events stay open).
Tracing (when [tracing] export is on): the connection manager starts each request's trace (Envoy's OpenTelemetry
tracer, sampled at [tracing] sample_ratio, spans sent over OTLP/gRPC to the `jaeger` cluster) and the router sends
its traceparent upstream, so the services' spans are its children.
Every reply the edge makes itself is JSON shaped like a transcoded gRPC error: {"code", "message", "details"},
with a google.rpc.ErrorInfo (domain edge-gateway.<namespace>.svc) where the reason is one of the contracts'.
An invalid token is 401 UNAUTHENTICATED whatever is wrong with it, a token for another audience too (RFC 6750;
jwt_authn itself answers that one 403).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from services.runtime.config import ROOT, Settings, get_settings
from services.runtime.server import SERVER_OPTIONS
from tools.edge.rate_limits import CLIENT_KEY
from tools.edge.tokens import jwks_path

DESCRIPTOR_SET = ROOT / "gen" / "descriptors" / "fintech.binpb"
UNKNOWN_FIELDS_LUA = ROOT / "envoy" / "unknown_fields.lua"
# The largest request body the edge accepts (413 beyond): what every service accepts as one gRPC message.
# A message's JSON is (short of contrived maps) larger than its protobuf encoding, so a body within the
# limit is not refused upstream for its size, and the limit is on what the edge buffers and parses.
MAX_REQUEST_BYTES = dict(SERVER_OPTIONS)["grpc.max_receive_message_length"]
EDGE_WORKLOAD = "edge-gateway"
PROVIDER = "fintech-issuer"
# The console's sign-in keeps the person's token in this cookie (services/console/adapters/signin.py); a second
# jwt_authn provider reads it there, on the console's routes only.
CONSOLE = "console"
CONSOLE_PROVIDER = "fintech-issuer-console-cookie"
CONSOLE_COOKIE = "fintech_console"
PAYLOAD_HEADER = "x-jwt-payload"
SUBJECT_HEADER = "x-jwt-sub"
# The ratelimit service's cluster (and workload: its certificate names it).
RATE_LIMIT_CLUSTER = "ratelimit"
# The cluster Envoy's spans go to (Jaeger's OTLP/gRPC receiver) and the service name they carry.
TRACING_CLUSTER = "jaeger"
TRACING_SERVICE = "envoy"
DEFAULT_TIMEOUT_SECONDS = 15
# RPCs that may legitimately take longer than a lookup (reports, batch reads, model inference).
SLOW_METHOD_TIMEOUT_SECONDS = 60
SLOW_METHODS = frozenset({"GenerateRegulatoryReport", "RetrieveHistoricalFeatures", "InitiateSettlementBatch"})
# Headers of the gRPC protocol that must never reach a REST client.
GRPC_RESPONSE_HEADERS = (
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
    "grpc-encoding",
    "grpc-accept-encoding",
)
# HTTP status of a reply Envoy makes itself -> the gRPC code its JSON body carries (google.rpc.Code).
LOCAL_REPLY_CODES = {
    400: 3,  # INVALID_ARGUMENT: malformed JSON, bad query parameters
    401: 16,  # UNAUTHENTICATED: missing, expired or badly signed token
    403: 7,  # PERMISSION_DENIED: raw gRPC, wrong audience
    404: 5,  # NOT_FOUND: no such route
    405: 12,  # UNIMPLEMENTED: method not allowed
    408: 4,  # DEADLINE_EXCEEDED: request not received in time
    413: 3,  # INVALID_ARGUMENT: body larger than MAX_REQUEST_BYTES (not RESOURCE_EXHAUSTED: no retry helps)
    429: 8,  # RESOURCE_EXHAUSTED: rate limit
    431: 3,  # INVALID_ARGUMENT: headers too large
    500: 13,  # INTERNAL
    502: 14,  # UNAVAILABLE: upstream reset
    503: 14,  # UNAVAILABLE: no healthy upstream, upstream connect failure
    504: 4,  # DEADLINE_EXCEEDED: route timeout
}
UNKNOWN = 2
# HTTP status of a local reply -> the fintech.common.v1.ErrorReason its ErrorInfo detail carries.
LOCAL_REPLY_REASONS = {401: "UNAUTHENTICATED", 429: "RATE_LIMITED"}
# application/grpc, application/grpc+proto, application/grpc-web...: what the listener refuses.
_GRPC_CONTENT_TYPE = {"prefix": "application/grpc", "ignore_case": True}


@dataclass(frozen=True)
class PublicRpc:
    """One RPC with a google.api.http rule: the edge routes it to `workload`'s cluster."""

    service: str  # fully qualified gRPC service name
    method: str
    workload: str  # the deployable serving it (customer, payments, ...)

    @property
    def path(self) -> str:
        return f"/{self.service}/{self.method}"


def public_rpcs(descriptor_set: Path = DESCRIPTOR_SET) -> list[PublicRpc]:
    """Every RPC of the contracts that carries a google.api.http rule, in descriptor order."""
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file
    return [
        PublicRpc(f"{file.package}.{service.name}", method.name, file.package.split(".")[1])
        for file in files
        if file.package.startswith("fintech.")
        for service in file.service
        for method in service.method
        if method.options.HasExtension(annotations_pb2.http)
    ]


@dataclass(frozen=True)
class BodyRule:
    """One HTTP binding of a public RPC that takes a JSON body: what the unknown-field check reads it as."""

    rpc: str  # the method's name, for messages
    http_method: str  # POST, PATCH...
    template: str  # the google.api.http path template (/v1/customers/{customer_id}:erase)
    message_type: str  # the body's message, fully qualified without the leading dot
    prefix: str  # the body's field path in the request message: "" for body "*", else the field's name


# A body of this type is the raw bytes of the request, not JSON of a message's fields.
_RAW_BODY = "google.api.HttpBody"


def body_rules(descriptor_set: Path = DESCRIPTOR_SET) -> list[BodyRule]:
    """Every binding of a public RPC with a JSON message body (body "*" or a message field, not HttpBody)."""
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file
    messages = _message_types(files)
    rules = []
    for file in files:
        if not file.package.startswith("fintech."):
            continue
        for service in file.service:
            for method in service.method:
                if not method.options.HasExtension(annotations_pb2.http):
                    continue
                rule = method.options.Extensions[annotations_pb2.http]
                for binding in (rule, *rule.additional_bindings):
                    kind = binding.WhichOneof("pattern")
                    if not binding.body or kind is None:
                        continue
                    if kind == "custom":
                        http_method, template = binding.custom.kind.upper(), binding.custom.path
                    else:
                        http_method, template = kind.upper(), getattr(binding, kind)
                    request = method.input_type.lstrip(".")
                    if binding.body == "*":
                        body_type, prefix = request, ""
                    else:
                        field = next(f for f in messages[request].field if f.name == binding.body)
                        if field.type != descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE:
                            continue
                        body_type, prefix = field.type_name.lstrip("."), binding.body
                    if body_type != _RAW_BODY:
                        rules.append(BodyRule(method.name, http_method, template, body_type, prefix))
    return rules


def _message_types(files: Iterable[descriptor_pb2.FileDescriptorProto]) -> dict[str, descriptor_pb2.DescriptorProto]:
    """Every message of the descriptor set (nested ones too) by its full name."""
    found: dict[str, descriptor_pb2.DescriptorProto] = {}

    def add(prefix: str, message: descriptor_pb2.DescriptorProto) -> None:
        name = f"{prefix}.{message.name}" if prefix else message.name
        found[name] = message
        for nested in message.nested_type:
            add(name, nested)

    for file in files:
        for message in file.message_type:
            add(file.package, message)
    return found


def _path_pattern(template: str) -> str:
    """A google.api.http path template as an anchored Lua pattern: {var} is one segment, {var=a/*/**} its own."""

    def literal(text: str) -> str:
        return re.sub(r"([^\w/])", r"%\1", text)

    def segments(pattern: str) -> str:
        parts = {"*": "[^/]+", "**": ".*"}
        return "/".join(parts.get(part, literal(part)) for part in pattern.split("/"))

    out, position = [], 0
    for variable in re.finditer(r"\{([^}=]+)(?:=([^}]*))?\}", template):
        out.append(literal(template[position : variable.start()]))
        out.append(segments(variable.group(2) or "*"))
        position = variable.end()
    out.append(literal(template[position:]))
    return "^" + "".join(out) + "$"


# Types whose JSON is not an object of their fields (Timestamp, Duration, FieldMask, wrappers) or takes any
# keys (Struct, Value, Any's payload): the unknown-field check does not look inside them.
_UNCHECKED_PACKAGE = "google.protobuf."


def unknown_fields_schema(
    descriptor_set: Path = DESCRIPTOR_SET,
) -> tuple[dict[str, list[dict[str, str]]], dict[str, dict[str, Any]]]:
    """What envoy/unknown_fields.lua checks bodies against: its ROUTES and MESSAGES tables (as data).

    ROUTES: HTTP method -> [{pattern, type, prefix, rpc}], the most literal templates first (as the
    transcoder prefers them). MESSAGES: message -> {JSON name and proto name of each field -> False (a
    scalar, enum, map of scalars or well-known type: not looked into) or [proto name, {type, map}]}.
    """
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file
    messages = _message_types(files)
    rules = sorted(body_rules(descriptor_set), key=lambda r: len(re.sub(r"\{[^}]*\}", "", r.template)), reverse=True)
    routes: dict[str, list[dict[str, str]]] = {}
    for rule in rules:
        routes.setdefault(rule.http_method, []).append(
            {"pattern": _path_pattern(rule.template), "type": rule.message_type, "prefix": rule.prefix, "rpc": rule.rpc}
        )
    schema: dict[str, dict[str, Any]] = {}
    pending = [rule.message_type for rule in rules]
    while pending:
        name = pending.pop()
        if name in schema or name.startswith(_UNCHECKED_PACKAGE):
            continue
        fields: dict[str, Any] = {}
        for field in messages[name].field:
            spec: Any = False
            if field.type == descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE:
                child = field.type_name.lstrip(".")
                entry = messages[child]
                is_map = entry.options.map_entry
                if is_map:
                    value = next(f for f in entry.field if f.number == 2)
                    child = value.type_name.lstrip(".") if value.type == value.TYPE_MESSAGE else ""
                if child and not child.startswith(_UNCHECKED_PACKAGE):
                    spec = [field.name, {"type": child, "map": True} if is_map else {"type": child}]
                    pending.append(child)
            fields[field.name] = spec
            fields[field.json_name or _camel(field.name)] = spec
        schema[name] = fields
    return routes, schema


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _lua(value: Any) -> str:
    """A Lua literal of JSON-like data (strings of printable ASCII only)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if not value.isascii() or not value.isprintable():
            raise ValueError(f"not a plain string for Lua: {value!r}")
        return json.dumps(value)
    if isinstance(value, list):
        return "{" + ", ".join(_lua(item) for item in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(key)}] = {_lua(item)}" for key, item in sorted(value.items())) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


def _lua_spec(spec: Any) -> str:
    """A MESSAGES field entry: false, or {proto name, type = ..., map = true}."""
    if spec is False:
        return "false"
    name, target = spec
    return "{" + ", ".join([_lua(name), *(f"{key} = {_lua(value)}" for key, value in sorted(target.items()))]) + "}"


def unknown_fields_lua(settings: Settings, descriptor_set: Path = DESCRIPTOR_SET) -> str:
    """envoy/unknown_fields.lua with the tables it checks against, generated from the contracts."""
    routes, schema = unknown_fields_schema(descriptor_set)
    route_lines = [
        f"  [{_lua(method)}] = {{\n"
        + "".join(
            f"    {{pattern = {_lua(r['pattern'])}, type = {_lua(r['type'])}, prefix = {_lua(r['prefix'])},"
            f" rpc = {_lua(r['rpc'])}}},\n"
            for r in entries
        )
        + "  },\n"
        for method, entries in sorted(routes.items())
    ]
    message_lines = [
        f"  [{_lua(name)}] = {{"
        + ", ".join(f"[{_lua(key)}] = {_lua_spec(spec)}" for key, spec in sorted(fields.items()))
        + "},\n"
        for name, fields in sorted(schema.items())
    ]
    tables = (
        "-- Generated by tools/edge/config.py from the contracts.\n"
        f"local DOMAIN = {_lua(_edge_domain(settings))}\n"
        "local ROUTES = {\n" + "".join(route_lines) + "}\n"
        "local MESSAGES = {\n" + "".join(message_lines) + "}\n\n"
    )
    return tables + UNKNOWN_FIELDS_LUA.read_text()


def _edge_domain(settings: Settings) -> str:
    """The ErrorInfo domain of the edge's own errors, as the services name theirs (<workload>.fintech.svc)."""
    return f"{EDGE_WORKLOAD}.{settings.mesh.namespace}.svc"


def edge_descriptor_path(settings: Settings) -> Path:
    return settings.state_dir / "envoy" / "fintech-edge.binpb"


def edge_descriptor_set(descriptor_set: Path = DESCRIPTOR_SET) -> bytes:
    """The contracts' descriptor set plus google.rpc.Status and its detail types.

    The transcoder's convert_grpc_status renders an error's google.rpc.Status (with its ErrorInfo and
    BadRequest details) as JSON only if those types are in the descriptor set; without them a gRPC error
    leaks out as HTTP 200 with content-type application/grpc and no body. gen/'s set holds only what the
    contracts import, so the edge adds the three files from googleapis-common-protos.
    """
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
    present = {file.name for file in files.file}
    for module in (code_pb2, status_pb2, error_details_pb2):
        if module.DESCRIPTOR.name not in present:
            file = descriptor_pb2.FileDescriptorProto()
            module.DESCRIPTOR.CopyToProto(file)
            missing = [dependency for dependency in file.dependency if dependency not in present]
            if missing:
                raise ValueError(f"{file.name} needs {', '.join(missing)}, which the descriptor set lacks")
            files.file.append(file)
            present.add(file.name)
    return files.SerializeToString(deterministic=True)


def render(settings: Settings | None = None, descriptor_set: Path = DESCRIPTOR_SET) -> str:
    settings = settings or get_settings()
    header = "# Generated by `python -m tools.edge.config` from the contracts and mesh.toml: do not edit.\n"
    return header + yaml.dump(build(settings, descriptor_set), Dumper=_Dumper, sort_keys=False, width=120)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the Lua script) as literal blocks, so the file stays readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def build(settings: Settings, descriptor_set: Path = DESCRIPTOR_SET) -> dict[str, Any]:
    """The configuration as data. It names the edge descriptor set, which write() puts beside it."""
    rpcs = public_rpcs(descriptor_set)
    workloads = sorted({rpc.workload for rpc in rpcs})
    missing = [name for name in workloads if name not in settings.services]
    if missing:
        raise ValueError(f"public RPCs of {', '.join(missing)} but no such service in the settings")
    return {
        "admin": {"address": _address(settings.mesh.host, settings.envoy.admin_port)},
        "static_resources": {
            "listeners": [_listener(settings, rpcs, descriptor_set)],
            "clusters": [
                *(_cluster(settings, name) for name in workloads),
                *([_console_cluster(settings)] if console_configured(settings) else []),
                _rate_limit_cluster(settings),
                *_tracing_clusters(settings),
            ],
        },
    }


def _listener(settings: Settings, rpcs: list[PublicRpc], descriptor_set: Path) -> dict[str, Any]:
    """`descriptor_set` is the contracts' (the script's tables come from it); Envoy reads the edge's set."""
    return {
        "name": "rest",
        "address": _address(settings.mesh.host, settings.envoy.rest_port),
        "filter_chains": [
            {
                "filters": [
                    {
                        "name": "envoy.filters.network.http_connection_manager",
                        "typed_config": _typed("filters.network.http_connection_manager.v3.HttpConnectionManager")
                        | _connection_manager(settings, rpcs, descriptor_set),
                    }
                ]
            }
        ],
    }


def _connection_manager(settings: Settings, rpcs: list[PublicRpc], descriptor_set: Path) -> dict[str, Any]:
    edge_descriptor_set = edge_descriptor_path(settings)
    return {
        "stat_prefix": "rest",
        "codec_type": "AUTO",
        "use_remote_address": True,
        "normalize_path": True,
        "merge_slashes": True,
        "path_with_escaped_slashes_action": "REJECT_REQUEST",
        "common_http_protocol_options": {"headers_with_underscores_action": "REJECT_REQUEST"},
        "forward_client_cert_details": "SANITIZE",
        "access_log": [_access_log()],
        # The request id Envoy makes (a client's own is replaced: use_remote_address) goes back to the client, so
        # a support request names the one id the access log and every service's log lines carry.
        "always_set_request_id_in_response": True,
        "local_reply_config": _local_replies(settings),
        "route_config": _routes(rpcs, _console_routes(settings) if console_configured(settings) else []),
        **_tracing(settings),
        "http_filters": [
            _strip_grpc_headers(),
            _refuse_raw_grpc(),
            _strip_vouched_headers(),
            _refuse_header_names_grpc_cannot_carry(),
            _jwt_authn(settings),
            _rate_limit(settings),
            _buffer(),
            _unknown_fields(settings, descriptor_set),
            _transcoder(rpcs, edge_descriptor_set),
            _global_rate_limit(settings),
            {"name": "envoy.filters.http.router", "typed_config": _typed("filters.http.router.v3.Router")},
        ],
    }


def _strip_vouched_headers() -> dict[str, Any]:
    # Before jwt_authn: a client's own x-jwt-payload or x-jwt-sub never reaches a service or the rate limit.
    mutations = {"request_mutations": [{"remove": PAYLOAD_HEADER}, {"remove": SUBJECT_HEADER}]}
    return {
        "name": "envoy.filters.http.header_mutation",
        "typed_config": _typed("filters.http.header_mutation.v3.HeaderMutation") | {"mutations": mutations},
    }


# gRPC metadata keys are 0-9 a-z _ - . (HTTP/1 names arrive lower-cased; `:` starts a pseudo-header).
_HEADER_NAME_CHECK = """
function envoy_on_request(request_handle)
  for name, _ in pairs(request_handle:headers()) do
    if string.sub(name, 1, 1) ~= ":" and string.find(name, "^[0-9a-z_.-]+$") == nil then
      request_handle:respond({[":status"] = "400"}, "header name not allowed: " .. name)
      return
    end
  end
end
"""


def _refuse_header_names_grpc_cannot_carry() -> dict[str, Any]:
    return {
        "name": "envoy.filters.http.lua",
        "typed_config": _typed("filters.http.lua.v3.Lua")
        | {"default_source_code": {"inline_string": _HEADER_NAME_CHECK.strip() + "\n"}},
    }


def _strip_grpc_headers() -> dict[str, Any]:
    """gRPC's headers leave REST responses (the transcoder leaves grpc-status: 0 and friends on a success).

    As an early filter it acts on responses after the transcoder has read them (a route's
    response_headers_to_remove acts in the router, before the transcoder, and would hide the gRPC status
    from it). It is skipped for gRPC requests, whose refusal (rbac) must keep its grpc-status.
    """
    mutations = {"response_mutations": [{"remove": name} for name in GRPC_RESPONSE_HEADERS]}
    skip_for_grpc = {
        "matcher_list": {
            "matchers": [
                {
                    "predicate": {
                        "single_predicate": {
                            "input": {
                                "name": "request-content-type",
                                "typed_config": {
                                    "@type": "type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput",
                                    "header_name": "content-type",
                                },
                            },
                            "value_match": _GRPC_CONTENT_TYPE,
                        }
                    },
                    "on_match": {
                        "action": {
                            "name": "skip",
                            "typed_config": _typed("filters.common.matcher.action.v3.SkipFilter"),
                        }
                    },
                }
            ]
        }
    }
    return {
        "name": "envoy.filters.http.match_delegate",
        "typed_config": _typed("common.matching.v3.ExtensionWithMatcher")
        | {
            "extension_config": {
                "name": "envoy.filters.http.header_mutation",
                "typed_config": _typed("filters.http.header_mutation.v3.HeaderMutation") | {"mutations": mutations},
            },
            "xds_matcher": skip_for_grpc,
        },
    }


def _refuse_raw_grpc() -> dict[str, Any]:
    return {
        "name": "envoy.filters.http.rbac",
        "typed_config": _typed("filters.http.rbac.v3.RBAC")
        | {
            "rules": {
                "action": "DENY",
                "policies": {
                    "raw-grpc": {
                        "permissions": [{"header": {"name": "content-type", "string_match": _GRPC_CONTENT_TYPE}}],
                        "principals": [{"any": True}],
                    }
                },
            }
        },
    }


def _jwt_authn(settings: Settings) -> dict[str, Any]:
    edge = settings.edge
    provider = {
        "issuer": edge.issuer,
        "audiences": [edge.audience],
        "local_jwks": {"filename": str(jwks_path(settings))},
        "forward": False,
        "forward_payload_header": PAYLOAD_HEADER,
        "claim_to_headers": [{"header_name": SUBJECT_HEADER, "claim_name": "sub"}],
        "clock_skew_seconds": 30,
        # Verified tokens are cached (expiry still checked on every use): a client's repeated
        # calls skip the RSA verification.
        "jwt_cache_config": {"jwt_cache_size": 10000},
    }
    providers = {PROVIDER: provider}
    rules: list[dict[str, Any]] = []
    if console_configured(settings):
        providers[CONSOLE_PROVIDER] = provider | {"from_cookies": [CONSOLE_COOKIE]}
        path = settings.console.path
        # Sign-in and the page's static files carry no token yet; the rest: a valid cookie, or none at all.
        rules += [{"match": {"path": f"{path}/{page}"}} for page in ("login", "callback")]
        rules.append({"match": {"prefix": f"{path}/static/"}})
        cookie_or_none = {
            "requires_any": {"requirements": [{"provider_name": CONSOLE_PROVIDER}, {"allow_missing": {}}]}
        }
        rules.append({"match": {"path_separated_prefix": path}, "requires": cookie_or_none})
    rules.append({"match": {"prefix": "/"}, "requires": {"provider_name": PROVIDER}})
    return {
        "name": "envoy.filters.http.jwt_authn",
        "typed_config": _typed("filters.http.jwt_authn.v3.JwtAuthentication")
        | {"providers": providers, "rules": rules},
    }


def _rate_limit(settings: Settings) -> dict[str, Any]:
    edge = settings.edge
    bucket = {
        "max_tokens": edge.rate_limit_requests,
        "tokens_per_fill": edge.rate_limit_requests,
        "fill_interval": f"{edge.rate_limit_window_seconds}s",
    }
    return {
        "name": "envoy.filters.http.local_ratelimit",
        "typed_config": _typed("filters.http.local_ratelimit.v3.LocalRateLimit")
        | {
            "stat_prefix": "edge_rate_limit",
            "enable_x_ratelimit_headers": "DRAFT_VERSION_03",
            # Without a client (never past jwt_authn) the shared bucket applies.
            "token_bucket": bucket,
            "filter_enabled": {"default_value": {"numerator": 100}, "runtime_key": "edge_rate_limit_enabled"},
            "filter_enforced": {"default_value": {"numerator": 100}, "runtime_key": "edge_rate_limit_enforced"},
            "rate_limits": [
                {"actions": [{"request_headers": {"header_name": SUBJECT_HEADER, "descriptor_key": "client"}}]}
            ],
            # An entry without a value: one bucket per distinct client, least recently used evicted.
            "descriptors": [{"entries": [{"key": "client"}], "token_bucket": bucket}],
            "max_dynamic_descriptors": 10000,
            # Else every request also takes a token from the shared bucket, and all clients share one limit.
            "always_consume_default_token_bucket": False,
        },
    }


def _global_rate_limit(settings: Settings) -> dict[str, Any]:
    """The budget every edge replica shares: the ratelimit service counts each client's requests in Redis.

    After the local limit, which stays the first line: a client over its budget at this Envoy costs no call.
    Fails open: when the service is down, slow or refuses the call, the request goes on and the local limit
    still holds each replica to the budget. A per-client quota is fairness, not a guard of money or data;
    failing closed would turn a ratelimit or Redis outage into an outage of the whole API.
    """
    return {
        "name": "envoy.filters.http.ratelimit",
        "typed_config": _typed("filters.http.ratelimit.v3.RateLimit")
        | {
            "domain": settings.ratelimit.domain,
            "stage": 0,
            "timeout": _duration(settings.ratelimit.timeout_seconds),
            "failure_mode_deny": False,
            # No x-ratelimit-* headers of its own: the local limit's are on every reply (also while this service
            # is down), and a second set would repeat each header with other values.
            # The local limit's 429 says nothing of Envoy's internals either.
            "disable_x_envoy_ratelimited_header": True,
            "stat_prefix": "edge_global_rate_limit",
            "rate_limit_service": {
                "grpc_service": {"envoy_grpc": {"cluster_name": RATE_LIMIT_CLUSTER}},
                "transport_api_version": "V3",
            },
        },
    }


def _duration(seconds: float) -> str:
    return f"{seconds:.3f}s"


def _buffer() -> dict[str, Any]:
    # The whole body before anything reads it: beyond MAX_REQUEST_BYTES Envoy answers 413 itself, before
    # the transcoder has sent anything upstream (the cluster's upstream_rq_total does not move).
    return {
        "name": "envoy.filters.http.buffer",
        "typed_config": _typed("filters.http.buffer.v3.Buffer") | {"max_request_bytes": MAX_REQUEST_BYTES},
    }


def _unknown_fields(settings: Settings, descriptor_set: Path) -> dict[str, Any]:
    # Inline, tables and script: the configuration file is all Envoy reads, so a change restarts it.
    source = unknown_fields_lua(settings, descriptor_set)
    return {
        "name": "envoy.filters.http.lua",
        "typed_config": _typed("filters.http.lua.v3.Lua") | {"default_source_code": {"inline_string": source}},
    }


def _transcoder(rpcs: list[PublicRpc], descriptor_set: Path) -> dict[str, Any]:
    return {
        "name": "envoy.filters.http.grpc_json_transcoder",
        "typed_config": _typed("filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder")
        | {
            "proto_descriptor": str(descriptor_set),
            "services": sorted({rpc.service for rpc in rpcs}),
            "print_options": {"preserve_proto_field_names": True, "always_print_primitive_fields": True},
            "convert_grpc_status": True,
            "ignore_unknown_query_parameters": True,
            "request_validation_options": {"reject_unknown_method": True},
        },
    }


def console_configured(settings: Settings) -> bool:
    """The console is part of the mesh's settings ([services.console] in mesh.toml)."""
    return CONSOLE in settings.services


def _console_routes(settings: Settings) -> list[dict[str, Any]]:
    path = settings.console.path
    # The transcoder would refuse these paths (reject_unknown_method): they are the console's, not a contract's.
    # The local per-client bucket is off too: a browser fetches the page's static files and signs in without a token,
    # and every anonymous request of every browser would share its one default bucket (the API's never reach it:
    # jwt_authn refuses them first). Signed-in staff stay counted per person by the global limit.
    disabled = {"@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": True}
    plain_http = {"envoy.filters.http.grpc_json_transcoder": disabled, "envoy.filters.http.local_ratelimit": disabled}
    events = {"cluster": CONSOLE, "timeout": "0s"}  # server-sent events: open as long as the token lives
    return [
        {"name": "console-events", "match": {"path": f"{path}/events"}, "route": events,
         "typed_per_filter_config": plain_http},
        {"name": "console", "match": {"path_separated_prefix": path},
         "route": {"cluster": CONSOLE, "timeout": f"{DEFAULT_TIMEOUT_SECONDS}s"},
         "typed_per_filter_config": plain_http},
    ]  # fmt: skip


def _console_cluster(settings: Settings) -> dict[str, Any]:
    """HTTP/1.1 over mTLS as edge-gateway to the console's web port, the console's SPIFFE id checked."""
    console = settings.console
    cluster = _grpc_cluster(settings, CONSOLE, console.host, console.http_port)
    del cluster["typed_extension_protocol_options"]  # HTTP/1.1: the console's server (aiohttp) speaks no HTTP/2
    del cluster["transport_socket"]["typed_config"]["common_tls_context"]["alpn_protocols"]
    return cluster


def _routes(rpcs: list[PublicRpc], console: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    routes = [
        {
            "name": f"{rpc.service}.{rpc.method}",
            "match": {"path": rpc.path},
            "route": {"cluster": rpc.workload, "timeout": f"{_timeout(rpc)}s"},
        }
        for rpc in rpcs
    ]
    routes += console or []
    not_found = {"status": 404, "body": {"inline_string": "no such route"}}
    routes.append({"name": "not-found", "match": {"prefix": "/"}, "direct_response": not_found})
    # The global rate limit's descriptor, on every route: the client is x-jwt-sub, which jwt_authn set (a
    # client-sent copy was dropped before it). A request without one (none gets past jwt_authn) is not counted.
    client = {"request_headers": {"header_name": SUBJECT_HEADER, "descriptor_key": CLIENT_KEY}}
    return {
        "name": "rest",
        "virtual_hosts": [
            {"name": "api", "domains": ["*"], "routes": routes, "rate_limits": [{"stage": 0, "actions": [client]}]}
        ],
    }


def _timeout(rpc: PublicRpc) -> int:
    return SLOW_METHOD_TIMEOUT_SECONDS if rpc.method in SLOW_METHODS else DEFAULT_TIMEOUT_SECONDS


def _cluster(settings: Settings, workload: str) -> dict[str, Any]:
    service = settings.service(workload)
    return _grpc_cluster(settings, workload, service.host, service.port)


def _rate_limit_cluster(settings: Settings) -> dict[str, Any]:
    ratelimit = settings.ratelimit
    return _grpc_cluster(settings, RATE_LIMIT_CLUSTER, ratelimit.host, ratelimit.grpc_port)


def _grpc_cluster(settings: Settings, workload: str, host: str, port: int) -> dict[str, Any]:
    """HTTP/2 over mTLS as edge-gateway, TLS 1.3 only, the upstream's SPIFFE id checked."""
    certs = settings.state_dir / "certs"
    tls = {
        "common_tls_context": {
            "tls_params": {"tls_minimum_protocol_version": "TLSv1_3", "tls_maximum_protocol_version": "TLSv1_3"},
            "alpn_protocols": ["h2"],
            "tls_certificates": [
                {
                    "certificate_chain": {"filename": str(certs / "edge-gateway.pem")},
                    "private_key": {"filename": str(certs / "edge-gateway-key.pem")},
                }
            ],
            "validation_context": {
                "trusted_ca": {"filename": str(certs / "ca.pem")},
                "match_typed_subject_alt_names": [
                    {"san_type": "URI", "matcher": {"exact": settings.spiffe_id(workload)}}
                ],
            },
        }
    }
    return {
        "name": workload,
        "type": "STATIC" if _is_ip(host) else "STRICT_DNS",
        "connect_timeout": "2s",
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": _typed("upstreams.http.v3.HttpProtocolOptions")
            | {"explicit_http_config": {"http2_protocol_options": {}}}
        },
        "load_assignment": {
            "cluster_name": workload,
            "endpoints": [{"lb_endpoints": [{"endpoint": {"address": _address(host, port)}}]}],
        },
        "transport_socket": {
            "name": "envoy.transport_sockets.tls",
            "typed_config": _typed("transport_sockets.tls.v3.UpstreamTlsContext") | tls,
        },
    }


def _local_replies(settings: Settings) -> dict[str, Any]:
    """The JSON status of every reply Envoy makes itself. The first mapper that matches a reply applies."""
    domain = _edge_domain(settings)

    def body(code: int, reason: str | None = None, message: str = "%LOCAL_REPLY_BODY%") -> dict[str, Any]:
        info: dict[str, Any] = {
            "@type": f"{_TYPE_URL}google.rpc.ErrorInfo",
            "reason": reason,
            "domain": domain,
            "metadata": {},
        }
        details = [info] if reason else []
        return {"json_format": {"code": code, "message": message, "details": details}}

    def status_is(status: int) -> dict[str, Any]:
        return {
            "status_code_filter": {
                "comparison": {"op": "EQ", "value": {"default_value": status, "runtime_key": f"edge_reply_{status}"}}
            }
        }

    # envoy/unknown_fields.lua writes its own google.rpc.Status (with the BadRequest naming the fields).
    lua_reply = {
        "filter": {
            "metadata_filter": {
                "matcher": {
                    "filter": "envoy.filters.http.lua",
                    "path": [{"key": "edge_reply"}],
                    "value": {"string_match": {"exact": "json"}},
                },
                "match_if_key_not_found": False,  # else every reply without the marker would match
            }
        },
        "body_format_override": {
            "text_format_source": {"inline_string": "%LOCAL_REPLY_BODY%"},
            "content_type": "application/json",
        },
    }
    # jwt_authn answers a valid token for another audience 403; RFC 6750 makes it an invalid token: 401
    # (its WWW-Authenticate already says error="invalid_token"). The raw-gRPC refusal stays 403.
    wrong_audience = {
        "filter": {
            "and_filter": {
                "filters": [
                    status_is(403),
                    {
                        "extension_filter": {
                            "name": "envoy.access_loggers.extension_filters.cel",
                            "typed_config": _typed("access_loggers.filters.cel.v3.ExpressionFilter")
                            | {"expression": "response.code_details.startsWith('jwt_authn_access_denied')"},
                        }
                    },
                ]
            }
        },
        "status_code": 401,
        "body_format_override": body(LOCAL_REPLY_CODES[401], LOCAL_REPLY_REASONS[401]),
    }
    # The buffer filter's own words are "Payload Too Large": say what the limit is.
    # The local and the global rate limit refuse alike (Envoy's own words differ: "local_rate_limited" and none).
    messages = {
        413: f"the request body is larger than the limit of {MAX_REQUEST_BYTES} bytes",
        429: "the client's request rate limit at the edge is spent; retry after x-ratelimit-reset seconds",
    }
    mappers = [
        {
            "filter": status_is(status),
            "body_format_override": body(
                code, LOCAL_REPLY_REASONS.get(status), messages.get(status, "%LOCAL_REPLY_BODY%")
            ),
        }
        for status, code in LOCAL_REPLY_CODES.items()
    ]
    return {"mappers": [lua_reply, wrong_audience, *mappers], "body_format": body(UNKNOWN)}


_TYPE_URL = "type.googleapis.com/"


def _tracing(settings: Settings) -> dict[str, Any]:
    """The edge starts each request's trace (none without export: the services then start their own)."""
    if settings.tracing.endpoint(settings.jaeger) is None:
        return {}
    percent = {"value": settings.tracing.sample_ratio * 100}
    return {
        "tracing": {
            "random_sampling": percent,
            # A client's x-client-trace-id does not force a trace (it would choose what the bank records).
            "client_sampling": {"value": 0},
            "provider": {
                "name": "envoy.tracers.opentelemetry",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig",
                    "grpc_service": {"envoy_grpc": {"cluster_name": TRACING_CLUSTER}, "timeout": "2s"},
                    "service_name": TRACING_SERVICE,
                },
            },
        }
    }


def _tracing_clusters(settings: Settings) -> list[dict[str, Any]]:
    """Jaeger's OTLP/gRPC receiver: HTTP/2 in plain text (spans hold ids and timings, never bodies)."""
    if settings.tracing.endpoint(settings.jaeger) is None:
        return []
    jaeger = settings.jaeger
    return [
        {
            "name": TRACING_CLUSTER,
            "type": "STATIC" if _is_ip(jaeger.host) else "STRICT_DNS",
            "connect_timeout": "2s",
            "typed_extension_protocol_options": {
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": _typed(
                    "upstreams.http.v3.HttpProtocolOptions"
                )
                | {"explicit_http_config": {"http2_protocol_options": {}}}
            },
            "load_assignment": {
                "cluster_name": TRACING_CLUSTER,
                "endpoints": [
                    {"lb_endpoints": [{"endpoint": {"address": _address(jaeger.host, jaeger.otlp_grpc_port)}}]}
                ],
            },
        }
    ]


def _access_log() -> dict[str, Any]:
    # No bodies and no headers that could carry personal data; the client is its token's subject.
    # One JSON line per request on stdout (var/log/envoy.log), which rsyslog ships to VictoriaLogs; `event`
    # and `request_id` match the services' lines, so one LogsQL query finds a request at every hop.
    fields = {
        "time": "%START_TIME%",
        "event": "access",
        "service": "edge",
        "method": "%REQ(:METHOD)%",
        # Without the query string: a list's filters can name a person.
        "path": "%REQ_WITHOUT_QUERY(X-ENVOY-ORIGINAL-PATH?:PATH)%",
        "status": "%RESPONSE_CODE%",
        "grpc_status": "%GRPC_STATUS%",
        "flags": "%RESPONSE_FLAGS%",
        "details": "%RESPONSE_CODE_DETAILS%",
        "duration_ms": "%DURATION%",
        "upstream": "%UPSTREAM_CLUSTER%",
        "upstream_ms": "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
        "client": "%REQ(X-JWT-SUB)%",
        "request_id": "%REQ(X-REQUEST-ID)%",
        # Empty until the edge has a tracer: then the trace the services continue.
        "trace_id": "%TRACE_ID%",
    }
    without_query = {
        "name": "envoy.formatter.req_without_query",
        "typed_config": _typed("formatter.req_without_query.v3.ReqWithoutQuery"),
    }
    return {
        "name": "envoy.access_loggers.stdout",
        "typed_config": _typed("access_loggers.stream.v3.StdoutAccessLog")
        | {"log_format": {"json_format": fields, "formatters": [without_query]}},
    }


def _typed(name: str) -> dict[str, Any]:
    return {"@type": f"type.googleapis.com/envoy.extensions.{name}"}


def _address(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": port}}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def write(path: Path, settings: Settings | None = None, descriptor_set: Path = DESCRIPTOR_SET) -> Path:
    """Write the configuration and the edge descriptor set it names, each only when it changed."""
    settings = settings or get_settings()
    _write_if_changed(edge_descriptor_path(settings), edge_descriptor_set(descriptor_set))
    _write_if_changed(path, render(settings, descriptor_set).encode())
    return path


def _write_if_changed(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write here instead of printing")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.out:
        print(f"wrote {write(args.out, settings)} and {edge_descriptor_path(settings)}")
    else:
        _write_if_changed(edge_descriptor_path(settings), edge_descriptor_set())
        sys.stdout.write(render(settings))


if __name__ == "__main__":
    main()
