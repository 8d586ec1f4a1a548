"""The local mesh: real PostgreSQL, Kafka, Triton, the services and Envoy under supervisord.

`python -m tools.mesh up|down|status|logs` (also `make up/down/status`), or from Python:

    from tools.mesh import Mesh
    Mesh().up("postgres", "kafka")
"""

from tools.mesh.component import MeshError
from tools.mesh.launcher import Mesh

__all__ = ["Mesh", "MeshError"]
