"""A resident answers a satisfaction survey in a real browser: Debian's headless Chromium, driven
by Playwright, with JavaScript turned off and a small phone's screen, against `chibo serve`."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, sync_playwright

from db.engine import Database
from db.migrate import bind, migrate
from db.tables import SurveyAnswerTable
from tests.factories import add_survey_link, build_world
from tests.processes import served

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = ViewportSize(width=360, height=740)  # a small Android phone
MIN_SCREENSHOT_BYTES = 10_000  # a rendered form, not a blank page


def _chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: apt-get install -y chromium"
    if os.environ.get("CHIBO_TEST_REQUIRE_CHROMIUM") == "1":
        pytest.fail(message)
    pytest.skip(message)


async def _open_survey(url: str) -> str:
    """The schema, and an open survey of a ward's dialogue with a fresh link, written before the
    server starts (migrating here spares a process start)."""
    database = Database(url)
    await database.open()
    try:
        await migrate(database)
        bind(database)
        world = await build_world()
        return await add_survey_link(world.ward1, datetime.now(UTC))
    finally:
        await database.close()


async def _answers(url: str) -> list[dict[str, object]]:
    database = Database(url)
    await database.open()
    try:
        bind(database)
        return await SurveyAnswerTable.select(
            SurveyAnswerTable.score, SurveyAnswerTable.resolved, SurveyAnswerTable.reason
        )
    finally:
        await database.close()


def _screenshot(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    content = path.read_bytes()
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(content) > MIN_SCREENSHOT_BYTES, len(content)


@pytest.mark.e2e
def test_a_resident_answers_the_survey_in_a_real_browser(tmp_path: Path) -> None:
    _chromium()
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    env = {
        **os.environ,
        "CHIBO_DATABASE_URL": url,
        "CHIBO_SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
    }
    token = asyncio.run(_open_survey(url))
    with served(env, tmp_path) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        context = browser.new_context(
            java_script_enabled=False, viewport=PHONE, locale="vi-VN", is_mobile=True
        )
        page = context.new_page()
        link = f"{base_url}/survey/{token}"
        opened = page.goto(link)
        assert opened is not None
        assert opened.status == 200
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.locator("fieldset legend").count() == 2
        _screenshot(page, tmp_path / "survey.png")

        page.get_by_label("Hài lòng", exact=True).check()
        page.get_by_label("Đã được giải quyết").check()
        page.get_by_label("Lý do, góp ý").fill("Cán bộ giải thích rõ ràng")
        with page.expect_navigation() as sent:
            page.get_by_role("button", name="Gửi đánh giá").click()
        answered = sent.value
        assert answered is not None
        assert answered.status == 200
        assert page.get_by_role("heading", name="Cảm ơn ông/bà!").is_visible()
        _screenshot(page, tmp_path / "thanks.png")

        again = page.goto(link)
        assert again is not None
        assert again.status == 409
        assert page.get_by_role("heading", name="Phiếu khảo sát đã được trả lời").is_visible()
        browser.close()
    assert asyncio.run(_answers(url)) == [
        {"score": 4, "resolved": "yes", "reason": "Cán bộ giải thích rõ ràng"}
    ]
