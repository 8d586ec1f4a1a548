"""`python -m tools.bench [triton|mesh|payments] [options]`: one benchmark per module (triton when none is named)."""

import sys

from tools.bench import mesh, payments, triton

BENCHES = {"triton": triton.main, "mesh": mesh.main, "payments": payments.main}

arguments = sys.argv[1:]
name = arguments.pop(0) if arguments and arguments[0] in BENCHES else "triton"
BENCHES[name](arguments)
