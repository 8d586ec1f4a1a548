"""A typed REST client for the edge, driven by the contracts' google.api.http rules.

`RestClient.call(Stub method's descriptor, request)` sends the request the way the rule says (path
variables from the request's fields, the body as `*`, one field or none, the rest as query
parameters) and parses the JSON reply into the method's response type. So a caller writes protobuf
messages, the wire is REST/JSON through Envoy, and no path is typed twice.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf import json_format, symbol_database
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

_VARIABLE = re.compile(r"\{([a-z0-9_.]+)(?:=[^}]*)?\}")


class RestError(Exception):
    """A non-2xx answer: the HTTP status and the body in the edge's error shape (code, message, details)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {body.get('message', body)}")
        self.status = status
        self.body = body

    @property
    def reason(self) -> str | None:
        """The ErrorInfo reason (a fintech.common.v1.ErrorReason name), when the error carries one."""
        return self._error_info().get("reason")

    @property
    def metadata(self) -> dict[str, str]:
        metadata: dict[str, str] = self._error_info().get("metadata", {})
        return metadata

    def _error_info(self) -> dict[str, Any]:
        for detail in self.body.get("details", []):
            if detail.get("@type", "").endswith("google.rpc.ErrorInfo"):
                info: dict[str, Any] = detail
                return info
        return {}


@dataclass
class RestClient:
    base_url: str
    token: str | None = None
    timeout: float = 30.0

    def call(self, method: MethodDescriptor, request: Message, *, token: str | None = None) -> Any:
        """The method's response message: its type follows from the descriptor at run time, hence Any."""
        verb, path, body = http_request(method, request)
        url = self.base_url.rstrip("/") + path
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, method=verb, data=data)
        req.add_header("content-type", "application/json")
        if token or self.token:
            req.add_header("authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as reply:
                payload = json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                problem = json.loads(raw)
            except ValueError:
                problem = {"message": raw.decode(errors="replace")}
            raise RestError(error.code, problem) from None
        response = symbol_database.Default().GetSymbol(method.output_type.full_name)()
        return json_format.ParseDict(payload, response, ignore_unknown_fields=True)


def http_request(method: MethodDescriptor, request: Message) -> tuple[str, str, Any]:
    """(HTTP verb, path with query string, JSON body or None) for `request` under the method's http rule."""
    rule = method.GetOptions().Extensions[annotations_pb2.http]
    verb, template = _pattern(rule)
    # Proto field names: the path variables use them, and the transcoder's JSON parser accepts them too.
    fields = json_format.MessageToDict(request, preserving_proto_field_name=True)
    used: set[str] = set()

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        used.add(name)
        value = _lookup(fields, name)
        if value in (None, ""):
            raise ValueError(f"{method.full_name}: path variable {name} is empty")
        return urllib.parse.quote(str(value), safe="")

    path = _VARIABLE.sub(substitute, template)
    rest = {key: value for key, value in fields.items() if key not in used}
    if rule.body == "*":
        return verb, path, rest
    body = rest.pop(rule.body, {}) if rule.body else None
    query = urllib.parse.urlencode(list(_query(rest)), doseq=True)
    return verb, path + (f"?{query}" if query else ""), body


def _pattern(rule: http_pb2.HttpRule) -> tuple[str, str]:
    kind = rule.WhichOneof("pattern")
    if kind is None or kind == "custom":
        raise ValueError("the method has no REST mapping")
    return kind.upper(), getattr(rule, kind)


def _lookup(fields: dict[str, Any], dotted: str) -> Any:
    value: Any = fields
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _query(fields: dict[str, Any], prefix: str = "") -> Any:
    for key, value in fields.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _query(value, f"{name}.")
        else:
            yield name, value
