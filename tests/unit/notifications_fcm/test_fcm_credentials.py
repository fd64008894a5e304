"""Choosing the push sender and checking FCM service-account credentials at start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chibo.settings import Settings, SettingsError
from notifications.senders.fcm import FcmSender

BASE_ENV = {"CHIBO_DATABASE_URL": "postgresql://chibo@db/chibo", "CHIBO_SECRET_KEY": "s" * 40}


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def write_key(tmp_path: Path, pem: str, **overrides: object) -> str:
    info: dict[str, object] = {
        "type": "service_account",
        "project_id": "chibo-prod",
        "private_key_id": "abc123",
        "private_key": pem,
        "client_email": "push@chibo-prod.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    info.update(overrides)
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps({k: v for k, v in info.items() if v is not None}))
    return str(path)


def settings_error(**env: str) -> str:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**BASE_ENV, **env})
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_console_is_the_default_and_checks_nothing() -> None:
    settings = Settings.from_env(
        {**BASE_ENV, "CHIBO_PUSH_SENDER": "console", "GOOGLE_APPLICATION_CREDENTIALS": "/nope"}
    )
    assert (settings.push_sender, settings.fcm_credentials) == ("console", "")
    assert Settings.from_env(BASE_ENV).push_sender == "console"


def test_a_valid_key_selects_fcm(tmp_path: Path, private_key_pem: str) -> None:
    path = write_key(tmp_path, private_key_pem)
    settings = Settings.from_env({**BASE_ENV, "CHIBO_FCM_CREDENTIALS": path})
    assert (settings.push_sender, settings.fcm_credentials) == ("fcm", path)
    google = Settings.from_env(
        {**BASE_ENV, "CHIBO_PUSH_SENDER": "fcm", "GOOGLE_APPLICATION_CREDENTIALS": path}
    )
    assert google.fcm_credentials == path


def test_unknown_sender_is_refused() -> None:
    assert settings_error(CHIBO_PUSH_SENDER="apns").startswith("CHIBO_PUSH_SENDER: expected")


def test_fcm_without_credentials_is_refused() -> None:
    assert settings_error(CHIBO_PUSH_SENDER="fcm").startswith("CHIBO_FCM_CREDENTIALS: required")


@pytest.mark.parametrize(
    ("overrides", "contents", "expected"),
    [
        ({}, None, "cannot read service-account file"),
        ({}, "not json at all", "is not a service-account key"),
        ({"type": "authorized_user"}, "", "is not a service-account key"),
        (
            {"private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
            "",
            "is not a service-account key",
        ),
        ({"client_email": None}, "", "is not a service-account key"),
        ({"project_id": None}, "", "names no project_id"),
    ],
)
def test_bad_credentials_stop_the_start_with_one_line(
    tmp_path: Path,
    private_key_pem: str,
    overrides: dict[str, object],
    contents: str | None,
    expected: str,
) -> None:
    path = write_key(tmp_path, private_key_pem, **overrides)
    if contents is None:
        Path(path).unlink()
    elif contents:
        Path(path).write_text(contents)

    message = settings_error(CHIBO_PUSH_SENDER="fcm", CHIBO_FCM_CREDENTIALS=path)

    assert message.startswith("CHIBO_FCM_CREDENTIALS: ")
    assert expected in message


def test_the_error_names_the_google_variable_when_that_was_used(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.json")
    message = settings_error(CHIBO_PUSH_SENDER="fcm", GOOGLE_APPLICATION_CREDENTIALS=missing)
    assert message.startswith("GOOGLE_APPLICATION_CREDENTIALS: cannot read")


async def test_the_sender_starts_and_stops_from_a_key_file(
    tmp_path: Path, private_key_pem: str
) -> None:
    # No request leaves the machine: credentials are only used at the first send.
    fcm = FcmSender.from_service_account(write_key(tmp_path, private_key_pem))
    try:
        assert fcm.project_id == "chibo-prod"
    finally:
        await fcm.close()
