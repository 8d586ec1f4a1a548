"""The ratelimit service's limits, generated from mesh.toml [edge] (tools/edge/rate_limits.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services.runtime.config import Settings
from tools.edge.rate_limits import service_config, window_unit, write_service_config


def _with_window(settings: Settings, seconds: int) -> Settings:
    return settings.model_copy(update={"edge": settings.edge.model_copy(update={"rate_limit_window_seconds": seconds})})


@pytest.mark.parametrize(("seconds", "unit"), [(1, "second"), (60, "minute"), (3600, "hour"), (86400, "day")])
def test_a_window_of_one_unit_is_that_unit(settings: Settings, seconds: int, unit: str):
    assert window_unit(_with_window(settings, seconds)) == unit


@pytest.mark.parametrize("seconds", [0, 30, 59, 61, 120, 7200])
def test_any_other_window_is_refused_naming_the_allowed_ones(settings: Settings, seconds: int):
    with pytest.raises(ValueError, match="rate_limit_window_seconds") as refused:
        window_unit(_with_window(settings, seconds))
    assert "60 (minute)" in str(refused.value)


def test_one_counter_per_client_of_the_edges_budget(settings: Settings):
    assert service_config(settings) == {
        "domain": settings.ratelimit.domain,
        "descriptors": [
            {
                "key": "client",
                "rate_limit": {
                    "unit": window_unit(settings),
                    "requests_per_unit": settings.edge.rate_limit_requests,
                },
            }
        ],
    }


def test_the_file_is_rewritten_only_when_it_changes(settings: Settings, tmp_path: Path):
    path = tmp_path / "config" / "limits.yaml"
    assert write_service_config(path, settings) is True
    assert yaml.safe_load(path.read_text()) == service_config(settings)
    assert write_service_config(path, settings) is False
    assert write_service_config(path, _with_window(settings, 3600)) is True
    assert yaml.safe_load(path.read_text())["descriptors"][0]["rate_limit"]["unit"] == "hour"
    assert [p.name for p in path.parent.iterdir()] == ["limits.yaml"]  # no temporary file left behind
