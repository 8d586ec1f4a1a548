"""Clients generated from the committed OpenAPI document compile: TypeScript (typescript-fetch, strict tsc).

The Python client is played against the real edge in tests/edge/test_generated_client.py.
"""

from __future__ import annotations

from pathlib import Path

from tools.openapi.clients import compile_typescript, generate


def test_the_typescript_fetch_client_compiles_cleanly(tmp_path: Path):
    out = generate("typescript-fetch", tmp_path / "ts")
    date = (out / "models" / "GoogleTypeDate.ts").read_text()
    assert "year?: number" in date  # a Date is an object there too
    result = compile_typescript(out)
    assert result.returncode == 0, result.stdout + result.stderr
    # tsc checked the client, and would have said so about an error in it.
    (out / "models" / "GoogleTypeDate.ts").write_text(date + "\nexport const broken: number = 'not a number';\n")
    broken = compile_typescript(out)
    assert broken.returncode != 0 and "GoogleTypeDate.ts" in broken.stdout
