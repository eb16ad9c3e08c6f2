"""In a real browser (Playwright for Python driving Debian's Chromium): sign in, resolve a
conflict, merge a match review, retry a dead letter; then check in the store and the outbox
that each decision took effect. A screenshot of every page goes to test-artifacts/console/.

Chromium comes from `scripts/services` (Debian's `chromium` and `fonts-noto-cjk`, as root);
without it this test fails and says so: it is never skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from console_seed import HASHER, OPERATOR, PASSWORD, Seeded
from playwright.sync_api import Browser, Page, sync_playwright

from connectors.emulator.serve import running
from console import ConsoleSettings, create_app
from core.store import Conflict, DeadLetter, Entity, OutboxItem, ReviewItem, Store

CHROMIUM = os.environ.get("CRMHUB_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `scripts/services` as root (it installs"
            " Debian's chromium and fonts-noto-cjk) or set CRMHUB_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, store: Store, seeded: Seeded) -> Iterator[tuple[Page, str]]:
    app = create_app(ConsoleSettings(store, hasher=HASHER))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    with running(app) as url:
        yield context.new_page(), url
        context.close()


class Shots:
    def __init__(self, page: Page, backend: str) -> None:
        self.page, self.folder, self.count = page, ARTIFACTS / backend, 0
        self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)


def test_an_operator_decides_in_the_browser(
    page: tuple[Page, str], store: Store, seeded: Seeded
) -> None:
    tab, url = page
    shots = Shots(tab, store.dialect)
    tab.goto(f"{url}/conflicts/{seeded.conflict_id}")
    assert tab.url.startswith(f"{url}/login?next=")  # no session: the login page first
    shots.take("login")
    tab.fill("input[name=name]", OPERATOR)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button:has-text('Sign in')")
    assert tab.url == f"{url}/conflicts/{seeded.conflict_id}"  # back where it was going
    assert tab.inner_text("h1").startswith("比亚迪股份有限公司")
    shots.take("conflict")

    # a typed value the canonical model refuses: its reason is shown beside the field
    tab.check("input[name=choice][value=value]")
    tab.fill("input[name=value]", '["0755 8988"]')
    tab.click("button:has-text('Resolve')")
    assert "not an E.164 phone number" in tab.inner_text(".field.invalid .error")
    shots.take("conflict-invalid-value")
    tab.check("input[name=choice][value='take:fxiaoke']")
    tab.fill("textarea[name=reason]", "客户确认的新号码")
    tab.click("button:has-text('Resolve')")
    assert "Resolved." in tab.inner_text(".notice")
    shots.take("conflict-resolved")

    tab.goto(f"{url}/matches")
    shots.take("matches")
    tab.click(f"a[href='/matches/{seeded.match_review}'] >> nth=0")
    assert "same_brand" in tab.inner_text("body")
    shots.take("match")
    tab.fill("textarea[name=reason]", "同一家公司")
    tab.click("button:has-text('Merge into candidate 1')")
    assert "Merged." in tab.inner_text(".notice")
    shots.take("match-merged")
    tab.goto(f"{url}/matches/merges")
    shots.take("merges")

    tab.goto(f"{url}/dead-letters")
    shots.take("dead-letters")
    tab.click(f"a[href='/dead-letters/{seeded.dead_letter}']")
    assert "电话号码格式不正确" in tab.inner_text("body")
    shots.take("dead-letter")
    tab.click("button:has-text('Retry')")
    assert "Queued again" in tab.inner_text(".notice")
    shots.take("dead-letter-retried")

    tab.goto(f"{url}/disputes")
    shots.take("disputes")
    tab.goto(f"{url}/disputes/{seeded.dispute_review}")
    shots.take("dispute")
    tab.goto(f"{url}/")
    assert tab.inner_text("#open-conflict .figure") == "0"
    shots.take("dashboard")
    tab.goto(f"{url}/audit?actor={OPERATOR}")
    assert "golden.set" in tab.inner_text("#audit")
    shots.take("audit")

    with store.sessions() as session:
        # the conflict: golden value taken from Fxiaoke, conflict and its review closed
        golden = session.get(Entity, seeded.conflict_entity)
        conflict = session.get(Conflict, seeded.conflict_id)
        assert golden is not None
        assert conflict is not None
        assert golden.data["phones"] == ["+8675589888802"]
        assert (conflict.status, conflict.resolved_by) == ("resolved", OPERATOR)
        # the match: the record's entity merged into the candidate
        merged = session.get(Entity, seeded.match_entity)
        assert merged is not None
        assert (merged.status, merged.merged_into) == ("merged", seeded.match_candidate)
        # the dead letter: retried, and its write back in the queue as a pending outbox item
        letter = session.get(DeadLetter, seeded.dead_letter)
        assert letter is not None
        assert (letter.status, letter.decided_by) == ("retried", OPERATOR)
        queued = session.scalars(sa.select(OutboxItem).where(OutboxItem.status == "pending"))
        assert [(i.entity_id, i.payload) for i in queued] == [
            (seeded.dead_letter_entity, letter.payload)
        ]
        still_open = session.scalars(
            sa.select(ReviewItem.kind).where(ReviewItem.status == "open")
        ).all()
        assert still_open == ["dispute"]
    assert len(list(shots.folder.glob("*.png"))) >= shots.count == 15
