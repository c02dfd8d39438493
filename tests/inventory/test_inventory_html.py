"""The organisation's inventory page in a real headless Chromium (Debian's, driven by Playwright):
the charts render, search and the chart filters narrow the table, sorting works, nothing is
fetched from anywhere, and names written to break the page stay text. Screenshots go to
test-artifacts/ (AIOSPO_TEST_ARTIFACTS to put them elsewhere)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aiospo_ci.report.inventory_html import CATEGORY_COLOURS, SEVERITY_COLOURS
from tests.support.organisation import HOSTILE_MODEL, HOSTILE_OWNER, HOSTILE_REPOSITORY, org_config, write_boms
from tests.support.png import count_colour

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
INSTALL = "apt-get install -y chromium"
# The flags this machine's closed network needs (see the environment notes): no background
# connections, no component updates, a fresh profile (Playwright makes one per launch).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
REPOSITORIES = 40


def artifacts() -> Path:
    folder = Path(os.environ.get("AIOSPO_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("org-page")
    boms = write_boms(work / "boms", REPOSITORIES, hostile=True)
    config = work / "org.aiospo.yaml"
    config.write_text(yaml.safe_dump(org_config("2026-11-26")))
    out = work / "inventory.html"
    run = subprocess.run(
        [sys.executable, "-m", "aiospo_ci", "inventory", "merge", *map(str, boms), "--format", "html", "--config", str(config),
         "--today", "2026-11-26", "--name", "Acme <Corp>", "-o", str(out)],
        capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(work)},
    )
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium is needed to test the inventory page in a browser; install it with `{INSTALL}` (as .ci/run does).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is needed to drive Chromium; install the test extras: `pip install -e '.[test]'`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, page_file: Path):
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    yield page
    context.close()


def _visible_rows(page) -> list[str]:
    return page.eval_on_selector_all("#models tbody tr:not([hidden]) .model", "els => els.map(e => e.textContent)")


def test_the_page_is_self_contained_and_escapes_what_the_boms_say(page_file: Path):
    text = page_file.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text), "no external asset"
    assert not re.search(r"@import|url\(", text)
    assert text.count("<script") == 1 and "http-equiv=\"Content-Security-Policy\"" in text
    for hostile in (HOSTILE_MODEL, HOSTILE_REPOSITORY, HOSTILE_OWNER, "<script>x</script>", "Acme <Corp>"):
        assert hostile not in text
    assert "evil-org/&lt;img src=x onerror=&quot;document.title=&#x27;pwned&#x27;&quot;&gt;" in text
    assert "AI inventory: Acme &lt;Corp&gt;" in text


def test_the_charts_render_and_nothing_is_fetched_or_run(page, page_file: Path):
    assert page.title() == "AI inventory: Acme <Corp>"  # the hostile names ran no script
    assert page.requests == [page_file.as_uri()], "the page loads nothing but itself"
    assert page.errors == [], "no script error and no Content-Security-Policy violation"
    segments = page.locator("#categories circle.segment")
    assert segments.count() >= 5
    for i in range(segments.count()):
        box = segments.nth(i).bounding_box()
        assert box and box["width"] > 10 and box["height"] > 10
    assert page.locator("#categories .donut-total").text_content() == str(
        sum(int(n) for n in page.locator("#categories .legend b").all_text_contents())
    )
    bars = page.locator("#severities rect")
    assert bars.count() >= 3 and all((bars.nth(i).bounding_box() or {}).get("width", 0) > 1 for i in range(bars.count()))
    assert page.locator("#top .bar").count() == 10
    sunsets = page.locator("#sunsets tbody tr")
    assert sunsets.count() >= 2 and "retired" in sunsets.nth(0).inner_text()
    # Pixels, not just elements: the charts are painted in their colours.
    donut = page.locator("#categories").screenshot(path=str(artifacts() / "org-inventory-categories.png"))
    assert count_colour(donut, CATEGORY_COLOURS["permissive"]) > 1_000
    assert count_colour(donut, CATEGORY_COLOURS["non-commercial"]) > 50
    bars = page.locator("#severities").screenshot()
    assert count_colour(bars, SEVERITY_COLOURS["deny"]) > 200 and count_colour(bars, SEVERITY_COLOURS["allow"]) > 200
    page.screenshot(path=str(artifacts() / "org-inventory.png"), full_page=False)


def test_search_filters_the_table(page):
    total = page.locator("#models tbody tr").count()
    assert page.locator("#count").text_content() == f"Showing {total} of {total} models"
    page.fill("#q", "whisper")
    assert _visible_rows(page) == ["openai/whisper-small"]
    assert page.locator("#count").text_content() == f"Showing 1 of {total} models"
    page.fill("#q", "service-001")  # a repository name finds the models it uses
    found = _visible_rows(page)
    assert 0 < len(found) < total
    for row in page.locator("#models tbody tr:not([hidden])").all():
        assert "acme/service-001" in row.get_attribute("data-search")
    page.fill("#q", "@acme/ml-research apache")  # every word must match
    assert all("apache" in r.get_attribute("data-search") and "@acme/ml-research" in r.get_attribute("data-search")
               for r in page.locator("#models tbody tr:not([hidden])").all())
    page.fill("#q", "no such model anywhere")
    assert _visible_rows(page) == [] and page.locator("#count").text_content() == f"Showing 0 of {total} models"
    page.fill("#q", "")
    assert len(_visible_rows(page)) == total
    page.fill("#q", "whisper")
    page.screenshot(path=str(artifacts() / "org-inventory-search.png"))


def test_chart_clicks_and_selects_filter_and_headings_sort(page):
    page.click("#categories button.legend[data-value='non-commercial']")
    rows = page.locator("#models tbody tr:not([hidden])")
    assert rows.count() >= 1 and all(r.get_attribute("data-category") == "non-commercial" for r in rows.all())
    assert page.locator("#category").input_value() == "non-commercial"
    page.click("#categories button.legend[data-value='non-commercial']")  # a second click clears it
    page.select_option("#severity", "deny")
    assert all(r.get_attribute("data-severity") == "deny" for r in page.locator("#models tbody tr:not([hidden])").all())
    page.select_option("#severity", "")
    page.click("#top .bar >> nth=0")  # a bar of the most used models searches for that model
    assert _visible_rows(page) == ["google-bert/bert-base-uncased"]
    page.fill("#q", "")
    page.click("#models th:has-text('Uses')")
    uses = [int(n) for n in page.locator("#models tbody td.num").all_text_contents()]
    assert uses == sorted(uses, reverse=True) and uses[0] > uses[-1]
    page.click("#models th:has-text('Uses')")
    assert [int(n) for n in page.locator("#models tbody td.num").all_text_contents()] == sorted(uses)


def test_a_link_can_carry_the_search(browser, page_file: Path):
    page = browser.new_page()
    page.goto(page_file.as_uri() + "#q=llama")
    assert _visible_rows(page) and all("llama" in m.lower() for m in _visible_rows(page))
    page.close()


def test_the_hostile_row_shows_its_names_as_text(page):
    page.fill("#q", "evil-org")
    assert _visible_rows(page) == [HOSTILE_MODEL]
    page.click("#models tbody tr:not([hidden]) details summary >> nth=0")
    assert HOSTILE_REPOSITORY in page.locator("#models tbody tr:not([hidden]) details li").first.inner_text()
    assert page.title() == "AI inventory: Acme <Corp>" and page.errors == []


def test_the_screenshot_in_the_docs_is_this_page():
    """docs/img/org-inventory.png is written by `python -m tests.inventory.test_inventory_html` from
    this module's organisation; it must exist and be a PNG of the page's width."""
    image = ROOT / "docs" / "img" / "org-inventory.png"
    data = image.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 1360


def _write_docs_screenshot() -> None:  # pragma: no cover - run by hand when the page changes
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        boms = write_boms(work / "boms", REPOSITORIES)
        (work / "org.yaml").write_text(yaml.safe_dump(org_config("2026-11-26")))
        out = work / "inventory.html"
        subprocess.run(
            [sys.executable, "-m", "aiospo_ci", "inventory", "merge", *map(str, boms), "--format", "html", "--config", str(work / "org.yaml"),
             "--today", "2026-11-26", "--name", "Acme", "-o", str(out)], check=True,
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1360, "height": 1240})
            page.goto(out.as_uri())
            target = ROOT / "docs" / "img" / "org-inventory.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
            browser.close()


if __name__ == "__main__":  # pragma: no cover
    _write_docs_screenshot()
