"""Settings from the environment (one-line errors naming the variable) and Accept-Language."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from api.http.error_texts import TITLES, title
from api.http.i18n import negotiate
from chibo.settings import Settings, SettingsError
from domain.auth.throttle import LoginPolicy
from domain.org.model import Locale

SECRET = "s" * 40


def make_env(**overrides: str) -> dict[str, str]:
    env = {"CHIBO_DATABASE_URL": "postgresql://chibo@db/chibo", "CHIBO_SECRET_KEY": SECRET}
    env.update(overrides)
    return env


def _error(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_defaults() -> None:
    settings = Settings.from_env(make_env())
    assert settings.database_url == "postgresql://chibo@db/chibo"
    assert not settings.is_sqlite
    assert settings.access_token_minutes == 15
    assert settings.refresh_session_days == 60
    assert settings.login_policy == LoginPolicy()
    assert settings.refresh_grace_seconds == 10
    assert settings.max_body_bytes == 1024 * 1024


def test_values_are_read() -> None:
    settings = Settings.from_env(
        make_env(
            CHIBO_DATABASE_URL="sqlite:///var/x.sqlite3",
            CHIBO_ACCESS_TOKEN_MINUTES="5",
            CHIBO_REFRESH_SESSION_DAYS="30",
            CHIBO_LOGIN_FREE_FAILURES_PER_CLIENT="3",
            CHIBO_LOGIN_MAX_DELAY_SECONDS="60",
            CHIBO_REFRESH_GRACE_SECONDS="0",
        )
    )
    assert settings.is_sqlite
    assert (settings.access_token_minutes, settings.refresh_session_days) == (5, 30)
    policy = settings.login_policy
    assert (policy.free_failures_per_client, policy.max_delay_seconds) == (3, 60)
    assert settings.refresh_grace_seconds == 0


def test_a_login_policy_that_locks_out_or_cannot_wait_is_refused() -> None:
    assert _error(make_env(CHIBO_LOGIN_FREE_FAILURES_PER_ACCOUNT="0")).startswith("CHIBO_LOGIN_")
    assert _error(make_env(CHIBO_LOGIN_FIRST_DELAY_SECONDS="0")).startswith("CHIBO_LOGIN_")


def test_document_margins_and_terms_are_read_and_checked() -> None:
    settings = Settings.from_env(
        make_env(CHIBO_DOCUMENT_MARGIN_LEFT_MM="35", CHIBO_DOCUMENT_TERM_FIRST_MONTH="7")
    )
    assert (settings.document_policy.margin_left_mm, settings.document_policy.term_first_month) == (
        35, 7,
    )  # fmt: skip
    assert _error(make_env(CHIBO_DOCUMENT_TERM_FIRST_MONTH="13")).startswith("CHIBO_DOCUMENT_")
    assert _error(make_env(CHIBO_DOCUMENT_TERM_MONTHS="0")).startswith("CHIBO_DOCUMENT_")


@pytest.mark.parametrize("minutes", ["16", "60", "0", "-1", "fifteen", "1.5", ""])
def test_access_token_minutes_outside_one_to_fifteen_is_refused(minutes: str) -> None:
    message = _error(make_env(CHIBO_ACCESS_TOKEN_MINUTES=minutes))
    assert message.startswith("CHIBO_ACCESS_TOKEN_MINUTES:")
    assert "1 to 15" in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CHIBO_REFRESH_SESSION_DAYS", "0"),
        ("CHIBO_REFRESH_SESSION_DAYS", "366"),
        ("CHIBO_LOGIN_FREE_FAILURES_PER_CLIENT", "many"),
        ("CHIBO_REFRESH_GRACE_SECONDS", "301"),
        ("CHIBO_HOUSEKEEPING_HOUR", "24"),
        ("CHIBO_IDEMPOTENCY_KEY_DAYS", "0"),
        ("CHIBO_SESSION_RETENTION_DAYS", "a month"),
        ("CHIBO_DELIVERY_RETENTION_DAYS", "-1"),
    ],
)
def test_bad_number_names_its_variable(variable: str, value: str) -> None:
    assert _error(make_env(**{variable: value})).startswith(f"{variable}:")


def test_housekeeping_ages_default_and_are_read() -> None:
    default = Settings.from_env(make_env())
    assert default.housekeeping_hour == 3
    assert default.idempotency_key_lifetime == timedelta(days=7)
    assert (default.session_retention_days, default.delivery_retention_days) == (30, 30)
    settings = Settings.from_env(
        make_env(
            CHIBO_HOUSEKEEPING_HOUR="4",
            CHIBO_IDEMPOTENCY_KEY_DAYS="2",
            CHIBO_SESSION_RETENTION_DAYS="90",
            CHIBO_DELIVERY_RETENTION_DAYS="7",
        )
    )
    assert (settings.housekeeping_hour, settings.idempotency_key_days) == (4, 2)
    assert (settings.session_retention_days, settings.delivery_retention_days) == (90, 7)


@pytest.mark.parametrize(
    "url", ["mysql://x@y/z", "sqlite://relative.db", "chibo.sqlite3", "http://example.vn"]
)
def test_bad_database_url_is_named(url: str) -> None:
    assert _error(make_env(CHIBO_DATABASE_URL=url)).startswith("CHIBO_DATABASE_URL:")


def test_short_secret_is_refused() -> None:
    assert _error(make_env(CHIBO_SECRET_KEY="short")).startswith("CHIBO_SECRET_KEY:")


def test_postgres_requires_a_shared_secret() -> None:
    env = make_env()
    del env["CHIBO_SECRET_KEY"]
    message = _error(env)
    assert message.startswith("CHIBO_SECRET_KEY:")
    assert "PostgreSQL" in message


def test_embedded_mode_keeps_a_generated_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"CHIBO_DATABASE_URL": "sqlite:///var/chibo.sqlite3"}
    first = Settings.from_env(env)
    assert len(first.secret_key) >= 32
    assert Settings.from_env(env).secret_key == first.secret_key
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Locale.VI),
        ("", Locale.VI),
        ("vi", Locale.VI),
        ("en", Locale.EN),
        ("EN", Locale.EN),
        ("en-US", Locale.EN),
        ("en-GB,en;q=0.9", Locale.EN),
        ("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", Locale.VI),
        ("vi;q=0.5, en;q=0.9", Locale.EN),
        ("fr-FR, en;q=0.5", Locale.EN),
        ("fr, de", Locale.VI),
        ("*", Locale.VI),
        ("en;q=0", Locale.VI),
        ("en;q=oops", Locale.VI),
        ("ja, en-US ; q=0.3 , vi ; q=0.2", Locale.EN),
    ],
)
def test_negotiate(header: str | None, expected: Locale) -> None:
    assert negotiate(header) is expected


def test_every_title_exists_in_both_languages() -> None:
    for code, (vi, en) in TITLES.items():
        assert vi, code
        assert en, code
    assert title("phone_taken", Locale.EN) == "The phone number is already in use"
    assert title("phone_taken", Locale.VI) == "Số điện thoại đã được dùng"
    assert title("no_such_code", Locale.EN) == title("bad_request", Locale.EN)


def test_the_schedules_run_in_process_only_in_the_embedded_mode() -> None:
    sqlite = {"CHIBO_DATABASE_URL": "sqlite:////tmp/x.sqlite3"}
    assert not Settings.from_env(make_env()).embedded_worker  # PostgreSQL: `chibo worker`
    assert Settings.from_env(make_env(**sqlite)).embedded_worker
    assert not Settings.from_env(make_env(**sqlite, CHIBO_EMBEDDED_WORKER="0")).embedded_worker
    settings = Settings.from_env(
        make_env(CHIBO_DISPATCH_INTERVAL_SECONDS="2", CHIBO_PLANNING_HOUR="4")
    )
    assert (settings.dispatch_interval_seconds, settings.planning_hour) == (2, 4)
    with pytest.raises(SettingsError, match="CHIBO_PLANNING_HOUR"):
        Settings.from_env(make_env(CHIBO_PLANNING_HOUR="24"))
