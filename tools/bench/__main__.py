"""`python -m tools.bench [triton|mesh|payments|edge-rate|analytics|console|flags] [options]`: one benchmark per module
(default triton)."""

import sys

from tools.bench import analytics, console, edge_rate, flags, mesh, payments, triton

BENCHES = {
    "triton": triton.main,
    "mesh": mesh.main,
    "payments": payments.main,
    "edge-rate": edge_rate.main,
    "analytics": analytics.main,
    "console": console.main,
    "flags": flags.main,
}

arguments = sys.argv[1:]
name = arguments.pop(0) if arguments and arguments[0] in BENCHES else "triton"
BENCHES[name](arguments)
