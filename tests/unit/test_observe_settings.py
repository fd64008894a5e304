"""The settings of /metrics and of the logs, and the metrics folder `chibo serve` prepares."""

from __future__ import annotations

import os
from ipaddress import ip_network
from pathlib import Path

import pytest

from chibo.metrics_dir import prepare_metrics_dir
from chibo.settings import LOCAL_ADDRESSES, Settings, SettingsError

BASE = {"CHIBO_DATABASE_URL": "postgresql://chibo@db/chibo", "CHIBO_SECRET_KEY": "s" * 40}
TOKEN = "t" * 32


def test_metrics_are_local_only_and_logs_follow_the_terminal_by_default() -> None:
    settings = Settings.from_env(BASE)
    assert settings.metrics_token == ""
    assert settings.metrics_allow == LOCAL_ADDRESSES
    assert settings.log_format in {"json", "console"}


def test_the_metrics_and_log_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "CHIBO_METRICS_TOKEN": TOKEN,
            "CHIBO_METRICS_ALLOW": "10.0.0.5, 10.1.0.0/16,::1",
            "CHIBO_LOG_FORMAT": "console",
        }
    )
    assert settings.metrics_token == TOKEN
    assert settings.metrics_allow == (
        ip_network("10.0.0.5/32"),
        ip_network("10.1.0.0/16"),
        ip_network("::1/128"),
    )
    assert settings.log_format == "console"
    assert Settings.from_env({**BASE, "CHIBO_METRICS_ALLOW": ""}).metrics_allow == ()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHIBO_METRICS_TOKEN", "t" * 31),
        ("CHIBO_METRICS_ALLOW", "10.0.0.300"),
        ("CHIBO_METRICS_ALLOW", "10.0.0.1/8"),  # host bits set: a typo, not a network
        ("CHIBO_LOG_FORMAT", "xml"),
    ],
)
def test_a_bad_value_stops_the_start_naming_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**BASE, name: value})
    assert str(raised.value).startswith(f"{name}:")


def test_the_metrics_folder_is_emptied_for_several_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert prepare_metrics_dir(1) is None
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"an earlier run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    assert prepare_metrics_dir(1) == folder  # the operator's folder, even for one worker
    assert list(folder.iterdir()) == []
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    made = prepare_metrics_dir(2)
    assert made is not None
    assert made.is_dir()
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(made)
    made.rmdir()
