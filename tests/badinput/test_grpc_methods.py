"""Generated bad requests straight at every gRPC method of every service, over mTLS as a caller the policy allows.

A service may refuse a request with any clear status (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION,
UNAVAILABLE for a missing dependency), but never INTERNAL or UNKNOWN (a bug: an exception the service did not
map), UNIMPLEMENTED (every contract method is implemented) or DEADLINE_EXCEEDED (a hang), and it must stay up.
The operator's tool calls as a person holding every role, so the requests get past the access rules to the
validation and the handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings

from services.runtime.access import ROLES
from services.runtime.authz import PolicySet
from services.runtime.config import ROOT, SERVICES, Settings, get_settings
from services.runtime.contracts import has_contracts, service_modules
from services.runtime.tls import channel_credentials
from tests.badinput.messages import message_class, messages
from tests.people import person_credentials

EXAMPLES = 25  # per method: 60 methods, so about 1,500 calls in well under a minute
BUGS = (
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.DATA_LOSS,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.DEADLINE_EXCEEDED,
)
EVERY_ROLE = " ".join(sorted(ROLES))
# Callers tried in this order: the operator's identity reaches every public RPC; internal ones need a service's.
CALLERS = ("cli", *SERVICES, "edge-gateway")


@dataclass(frozen=True)
class Target:
    domain: str  # the service that serves the method
    method: MethodDescriptor
    caller: str

    @property
    def path(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    def __str__(self) -> str:
        return f"{self.method.containing_service.name}.{self.method.name}"


def _targets() -> list[Target]:
    policies = PolicySet.load(ROOT / "istio")
    principals = {caller: get_settings().spiffe_id(caller) for caller in CALLERS}
    targets = []
    for domain in SERVICES:
        for module in service_modules(domain):
            for service in module.DESCRIPTOR.services_by_name.values():
                for method in service.methods:
                    path = f"/{service.full_name}/{method.name}"
                    allowed = [c for c in CALLERS if policies.evaluate(domain, principals[c], path).allowed]
                    # A method no policy opens yet (an internal RPC whose caller is still to come) is called
                    # as cli all the same: it must refuse with PERMISSION_DENIED, never fail inside.
                    targets.append(Target(domain, method, allowed[0] if allowed else "cli"))
    return targets


TARGETS = _targets()
# Each method gets the services it may call: payments calls the others, none of them calls payments.
OTHERS = tuple(s for s in SERVICES if s != "payments")


def _param(target: Target):
    marks = [pytest.mark.mesh(*(SERVICES if target.domain == "payments" else OTHERS))]
    return pytest.param(target, id=str(target), marks=marks)


PARAMS = [_param(target) for target in TARGETS]


@cache
def _channel(address: str, caller: str) -> grpc.Channel:
    if caller == "cli":  # a person with every role: past the access rules, to the validation and the handler
        return grpc.secure_channel(address, person_credentials(get_settings(), EVERY_ROLE))
    return grpc.secure_channel(address, channel_credentials(caller))


def _call(settings: Settings, target: Target, request) -> grpc.StatusCode:
    channel = _channel(settings.service(target.domain).address, target.caller)
    response_class = message_class(target.method.output_type)
    call = channel.unary_unary(
        target.path, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response_class.FromString
    )
    try:
        call(request, timeout=20)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def test_every_method_is_covered():
    """Every service of every contract is fuzzed: a new service's methods are found without editing this test."""
    assert len(TARGETS) >= 60
    assert {t.domain for t in TARGETS} == {name for name in SERVICES if has_contracts(name)}


@pytest.mark.parametrize("target", PARAMS)
def test_bad_input_gets_a_clear_status_never_internal(settings: Settings, target: Target):
    seen: dict[grpc.StatusCode, int] = {}

    @settings_for_method
    @given(request=messages(target.method.input_type))
    def call(request) -> None:
        code = _call(settings, target, request)
        seen[code] = seen.get(code, 0) + 1
        assert code not in BUGS, f"{target.path} as {target.caller} answered {code.name} for:\n{request}"

    call()
    # The service is still up and answering after the whole batch.
    channel = _channel(settings.service(target.domain).address, "cli")  # every workload may ask for health
    health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert health.status == health_pb2.HealthCheckResponse.SERVING, seen


settings_for_method = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a shared 2-core machine: no timing in tests
    database=None,  # every run draws afresh; a failure prints its request
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
