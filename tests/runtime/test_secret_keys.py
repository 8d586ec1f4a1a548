"""A service's secret key: the environment's (a cluster's Secret) or one generated once into the state dir."""

from __future__ import annotations

import base64
import os

import pytest

from services.runtime import secret_keys

VARIABLE = "FINTECH_TEST__PAGE_TOKEN_KEY"


class Where:
    def __init__(self, state_dir):
        self.state_dir = state_dir


def test_a_local_key_is_generated_once_private_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)
    generated = secret_keys.secret_key(Where(tmp_path), VARIABLE, "test.key")
    assert len(generated) == 32 and secret_keys.secret_key(Where(tmp_path), VARIABLE, "test.key") == generated
    assert (tmp_path / "keys" / "test.key").stat().st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path / "keys") == ["test.key"]  # no temporary file left behind


def test_the_environment_wins_in_either_base64_alphabet_with_or_without_padding(tmp_path, monkeypatch):
    key = bytes(range(224, 256))  # URL-safe and standard base64 differ for these bytes
    for encoded in (base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode().rstrip("=")):
        monkeypatch.setenv(VARIABLE, f" {encoded} ")
        assert secret_keys.secret_key(Where(tmp_path), VARIABLE, "test.key") == key
    assert not (tmp_path / "keys").exists()
    monkeypatch.setenv(VARIABLE, "   ")
    assert secret_keys.configured(VARIABLE) is None


@pytest.mark.parametrize("value", [base64.b64encode(b"short").decode(), "not base64 at all!", "QQ"])
def test_a_configured_value_that_is_no_32_byte_key_is_refused(monkeypatch, value):
    monkeypatch.setenv(VARIABLE, value)
    with pytest.raises(ValueError, match=VARIABLE):
        secret_keys.configured(VARIABLE)


def test_a_damaged_local_key_is_refused(tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "test.key").write_bytes(b"too short")
    with pytest.raises(ValueError, match="does not hold a 32-byte key"):
        secret_keys.local(tmp_path / "keys" / "test.key")
