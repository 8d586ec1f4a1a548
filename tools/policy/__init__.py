"""The mesh's authorization policies (istio/) checked against the contracts and the workload list.

`python -m tools.policy check` fails when a policy names a principal that is no workload, a gRPC path
that no contract has, a path of another service, or when the policies leave a public RPC closed to the
REST edge or open an INTERNAL one to it; `python -m tools.policy graph` prints who may call what.
"""
