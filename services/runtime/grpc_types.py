"""grpc's generic types with the arguments the runtime uses (any request, any response), spelled once.

grpc's stubs (types-grpcio) make the servicer context and method handlers generic; at run time
`grpc.RpcMethodHandler` takes no arguments, so the alias only has them for the type checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
import grpc.aio

Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]
if TYPE_CHECKING:
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
else:
    Handler = grpc.RpcMethodHandler
