"""The bank's gRPC services, one package per domain, on one shared runtime (services.runtime).

Importing it has no side effect: what a service process sets before grpc is imported (the TLS 1.3-only
cipher list) its entry point sets, services/runtime/grpc_env.py."""
