"""The launcher's effective settings as a TOML file that the services read through FINTECH_CONFIG.

Settings may come from mesh.toml, environment overrides or code (tests move every port); writing them
out and starting supervisord without FINTECH_* variables means every process sees one configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.runtime.config import Settings


def settings_file(settings: Settings) -> Path:
    return settings.state_dir / "mesh.toml"


def write_settings_file(settings: Settings) -> Path:
    data = settings.model_dump(mode="json")
    data["mesh"]["state_dir"] = str(settings.state_dir)  # absolute: services may run from any cwd
    path = settings_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Written by tools/mesh: the settings every process of this mesh runs with.\n" + _toml(data)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


def _toml(data: dict[str, Any], prefix: str = "") -> str:
    scalars = [f"{key} = {_value(value)}\n" for key, value in data.items() if not isinstance(value, dict)]
    text = (f"\n[{prefix}]\n" if prefix and scalars else "") + "".join(scalars)
    for key, value in data.items():
        if isinstance(value, dict):
            text += _toml(value, f"{prefix}.{key}" if prefix else key)
    return text


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")
