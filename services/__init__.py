"""The bank's gRPC services, one package per domain, on one shared runtime (services.runtime)."""
