"""The layers of the code, read from the source with `ast` (nothing is imported):

- a service (services/<name>/) imports no other service: what two services share is a library (libs/) or the
  shared runtime (services/runtime); between services there are only contracts (gen/, over gRPC and events);
- the runtime imports no service, and a library imports no service;
- no import cycle among the modules of services/ and libs/, with imports inside functions counted too (a
  function-level import hides a cycle, it does not break it);
- a service's domain/ and app/ never import a generated service module (`fintech.*_service_pb2` requests and
  responses, `*_pb2_grpc` stubs and servicers): those are api/'s and adapters/' business; the inner layers speak
  domain types and resource messages.

`make lint` checks the walls between services and layers with import-linter too ([tool.importlinter]).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("services", "libs")
RUNTIME = "services.runtime"


@dataclass(frozen=True)
class Import:
    importer: str  # module name
    imported: str  # the module it reads (a submodule when `from package import submodule`)
    path: Path
    line: int

    def __str__(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}: {self.importer} imports {self.imported}"


def modules(root: Path) -> dict[str, Path]:
    """Module name -> file, for every .py file of PACKAGES under `root` (a package is its __init__)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(root: Path) -> list[Import]:
    """Every import of a module of PACKAGES by a module of PACKAGES, at any depth of the file."""
    known = modules(root)
    found = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the importer's package, one level up per extra dot
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                # `from package import submodule` reads the submodule; `from module import name` the module.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            else:
                continue
            for target in dict.fromkeys(targets):
                while target and target not in known:  # `import a.b.c` of a name inside a module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append(Import(name, target, path, node.lineno))
    return found


def owner(module: str) -> str:
    """The layer a module belongs to: services.<name> (the runtime is one too) or libs.<name>."""
    return ".".join(module.split(".")[:2])


def layer_violations(found: list[Import]) -> list[Import]:
    wrong = []
    for imp in found:
        mine, theirs = owner(imp.importer), owner(imp.imported)
        if mine == theirs or not theirs.startswith("services."):
            continue  # within one service or library; anything may import a library
        if mine.startswith("libs.") or mine == RUNTIME or theirs != RUNTIME:
            wrong.append(imp)
    return wrong


def cycles(found: list[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        graph.setdefault(imp.importer, set()).add(imp.imported)
        graph.setdefault(imp.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


# The layers that must not see the generated service modules, and what those are called.
INNER_LAYER = re.compile(r"^services\.[a-z_]+\.(domain|app)(\.|$)")
GENERATED_SERVICE = re.compile(r"^fintech\..*(_service_pb2|_pb2_grpc)$")
# (service, generated module) pairs the inner layers may import, each with its reason.
GENERATED_SERVICE_ALLOWED = {
    # The contract defines the insights' resource messages and enums (BehaviorInsights, the windows and spending
    # categories) in the service's own file; allowed until the contract moves them to a resource file.
    ("services.customer", "fintech.customer.v1.customer_behavior_models_service_pb2"),
}


def generated_service_imports(root: Path) -> list[Import]:
    """Imports of a generated service module (`*_service_pb2`, `*_pb2_grpc`) by a module of a domain/ or app/."""
    found = []
    for name, path in modules(root).items():
        if not INNER_LAYER.match(name):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                # `from fintech.x.v1 import y_service_pb2` names the module; `from ..._service_pb2 import Foo` too.
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for target in dict.fromkeys(targets):
                if GENERATED_SERVICE.match(target) and (owner(name), target) not in GENERATED_SERVICE_ALLOWED:
                    found.append(Import(name, target, path, node.lineno))
    return found


@pytest.fixture(scope="module")
def found() -> list[Import]:
    return imports(ROOT)


def test_the_walk_sees_the_services_and_libraries(found: list[Import]):
    importers = {owner(imp.importer) for imp in found}
    assert {"services.features", "services.risk", "services.runtime", "libs.featurespec"} <= importers


def test_no_service_imports_another_service_and_no_library_or_the_runtime_imports_a_service(found: list[Import]):
    wrong = layer_violations(found)
    assert not wrong, "imports across services (share a library in libs/ or go through a contract):\n" + "\n".join(
        map(str, wrong)
    )


def test_no_import_cycle_among_the_modules(found: list[Import]):
    found_cycles = cycles(found)
    assert not found_cycles, f"import cycles (a function-level import does not break one): {found_cycles}"


def test_the_checks_catch_what_they_are_for(tmp_path: Path):
    files = {
        "services/__init__.py": "",
        "services/runtime/__init__.py": "",
        "services/runtime/db.py": "",
        "services/a/__init__.py": "",
        "services/a/one.py": "from services.runtime import db\nfrom libs.spec import values\nfrom . import two\n",
        "services/a/two.py": "def later():\n    from services.a.one import x\n",
        "services/b/__init__.py": "",
        "services/b/three.py": "import services.a.one\n",
        "libs/__init__.py": "",
        "libs/spec/__init__.py": "",
        "libs/spec/values.py": "from services.b import three\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = imports(tmp_path)
    assert {(imp.importer, imp.imported) for imp in layer_violations(found)} == {
        ("services.b.three", "services.a.one"),
        ("libs.spec.values", "services.b.three"),
    }
    assert cycles(found) == [["libs.spec.values", "services.a.one", "services.a.two", "services.b.three"]]


def test_no_domain_or_use_case_imports_a_generated_service_module():
    wrong = generated_service_imports(ROOT)
    assert not wrong, (
        "domain/ and app/ see domain types and resource messages, not requests, responses or stubs:\n"
        + "\n".join(map(str, wrong))
    )


def test_the_generated_service_check_catches_what_it_is_for(tmp_path: Path):
    files = {
        "services/__init__.py": "",
        "services/a/__init__.py": "",
        "services/a/domain/__init__.py": "from fintech.a.v1 import thing_pb2, thing_service_pb2\n",
        "services/a/domain/rules.py": "def later():\n    import fintech.a.v1.thing_service_pb2_grpc\n",
        "services/a/app.py": "from fintech.a.v1.thing_service_pb2 import GetThingRequest\n",
        "services/a/api/__init__.py": "from fintech.a.v1 import thing_service_pb2, thing_service_pb2_grpc\n",
        "services/a/adapters/__init__.py": "from fintech.a.v1 import thing_service_pb2_grpc\n",
        "services/customer/__init__.py": "",
        "services/customer/domain/x.py": "from fintech.customer.v1 import customer_behavior_models_service_pb2\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert {(imp.importer, imp.imported) for imp in generated_service_imports(tmp_path)} == {
        ("services.a.domain", "fintech.a.v1.thing_service_pb2"),
        ("services.a.domain.rules", "fintech.a.v1.thing_service_pb2_grpc"),
        ("services.a.app", "fintech.a.v1.thing_service_pb2"),
    }


LINE_LIMIT = 400
REASON = "# Over 400 lines:"


def long_modules(root: Path) -> list[str]:
    """Modules of services/ and libs/ over LINE_LIMIT lines without a reason on their first line (migrations are
    history, never split)."""
    found = []
    for name, path in modules(root).items():
        if ".migrations." in f".{name}.":
            continue
        lines = path.read_text().splitlines()
        if len(lines) > LINE_LIMIT and not (lines and lines[0].startswith(REASON)):
            found.append(f"{path.relative_to(root)}: {len(lines)} lines")
    return found


def test_no_module_is_over_400_lines_without_a_reason_at_its_top():
    assert long_modules(ROOT) == []


def test_a_long_module_without_its_reason_is_found(tmp_path: Path):
    (tmp_path / "services" / "x").mkdir(parents=True)
    (tmp_path / "libs").mkdir()
    (tmp_path / "services" / "x" / "long.py").write_text("pass\n" * (LINE_LIMIT + 1))
    (tmp_path / "services" / "x" / "why.py").write_text(f"{REASON} a table\n" + "pass\n" * LINE_LIMIT)
    (tmp_path / "services" / "x" / "short.py").write_text("pass\n" * LINE_LIMIT)
    assert long_modules(tmp_path) == ["services/x/long.py: 401 lines"]
