"""The import contracts of make lint ([tool.importlinter] in pyproject.toml) catch what they are for.

A copy of the Python packages (services/, libs/, tools/, jobs/: only their .py files) and pyproject.toml goes to a
temporary directory; each case plants one violation there, runs lint-imports on the copy and expects exactly
its contract broken; the clean copy keeps every contract. lint-imports puts its working directory first on
sys.path, so it reads the copy, not this checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = {
    c["id"]: c["name"]
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
}

# contract id -> (planted file, its text). Package __init__ files on the way are created where missing, so a
# layer that a service does not have yet (app/, api/) is planted into existence.
VIOLATIONS = {
    "domain-pure grpc": ("domain-pure", "services/customer/domain/planted.py", "import grpc\n"),
    "domain-pure sqlalchemy": ("domain-pure", "services/customer/domain/planted.py", "from sqlalchemy import select\n"),
    "domain-pure aiokafka": ("domain-pure", "services/customer/domain/planted.py", "import aiokafka\n"),
    "domain-pure runtime adapter": (
        "domain-pure",
        "services/customer/domain/planted.py",
        "from services.runtime import outbox\n",
    ),
    "app-no-grpc": ("app-no-grpc", "services/customer/app/planted.py", "import grpc.aio\n"),
    "api-no-sqlalchemy": ("api-no-sqlalchemy", "services/customer/api/planted.py", "import sqlalchemy\n"),
    "services-independent": ("services-independent", "services/risk/planted.py", "import services.payments\n"),
    "shared-code runtime": (
        "shared-code-imports-no-service",
        "services/runtime/planted.py",
        "def later():\n    from services.customer import config\n",
    ),
    "shared-code libs": ("shared-code-imports-no-service", "libs/featurespec/planted.py", "import services.ml\n"),
    "tools-import-no-service": ("tools-import-no-service", "tools/planted.py", "import services.features\n"),
    "jobs-layers": ("jobs-layers", "jobs/domain/planted.py", "from jobs.adapters import spark_session\n"),
    "jobs-import-no-service": ("jobs-import-no-service", "jobs/planted.py", "import services.payments\n"),
}


def _python_only(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or (not n.endswith(".py") and not Path(directory, n).is_dir())]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    for package in ("services", "libs", "tools", "jobs"):
        shutil.copytree(ROOT / package, root / package, ignore=_python_only)
    shutil.copy(ROOT / "pyproject.toml", root)
    return root


def lint_imports(tree: Path) -> tuple[int, str]:
    run = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120, check=False
    )
    return run.returncode, " ".join((run.stdout + run.stderr).split())  # unwrapped: names break across lines


@pytest.fixture
def planted(tree: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """The tree with one violation planted; removed (with the packages made for it) afterwards."""
    _, relative, text = VIOLATIONS[request.param]
    target = tree / relative
    made = []
    for package in reversed(target.relative_to(tree).parents[:-1]):
        init = tree / package / "__init__.py"
        if not init.exists():
            init.parent.mkdir(exist_ok=True)
            init.write_text("")
            made.append(init.parent)
    target.write_text(text)
    yield tree
    target.unlink()
    for directory in reversed(made):
        shutil.rmtree(directory)


def test_the_tree_keeps_every_contract(tree: Path):
    code, output = lint_imports(tree)
    assert code == 0, output
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in output


@pytest.mark.parametrize("planted", list(VIOLATIONS), indirect=True)
def test_a_planted_violation_breaks_its_contract(planted: Path, request: pytest.FixtureRequest):
    contract = VIOLATIONS[request.node.callspec.params["planted"]][0]
    code, output = lint_imports(planted)
    assert code == 1, output
    assert f"{CONTRACTS[contract]} BROKEN" in output
    assert f"Contracts: {len(CONTRACTS) - 1} kept, 1 broken." in output
