from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_CUSTOMER: _ClassVar[Role]
    ROLE_TELLER: _ClassVar[Role]
    ROLE_RISK_OFFICER: _ClassVar[Role]
    ROLE_COMPLIANCE_OFFICER: _ClassVar[Role]
    ROLE_MODEL_RISK: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
ROLE_UNSPECIFIED: Role
ROLE_CUSTOMER: Role
ROLE_TELLER: Role
ROLE_RISK_OFFICER: Role
ROLE_COMPLIANCE_OFFICER: Role
ROLE_MODEL_RISK: Role
ROLE_ADMIN: Role
ACCESS_FIELD_NUMBER: _ClassVar[int]
access: _descriptor.FieldDescriptor

class AccessRule(_message.Message):
    __slots__ = ("roles", "owner_scoped", "operator_read")
    ROLES_FIELD_NUMBER: _ClassVar[int]
    OWNER_SCOPED_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_READ_FIELD_NUMBER: _ClassVar[int]
    roles: _containers.RepeatedScalarFieldContainer[Role]
    owner_scoped: _containers.RepeatedScalarFieldContainer[Role]
    operator_read: bool
    def __init__(self, roles: _Optional[_Iterable[_Union[Role, str]]] = ..., owner_scoped: _Optional[_Iterable[_Union[Role, str]]] = ..., operator_read: _Optional[bool] = ...) -> None: ...
