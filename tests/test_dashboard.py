"""The dashboard in a real browser: Streamlit on 127.0.0.1 over a copy of the served warehouse, driven by
Playwright with Debian's chromium. Every page renders its charts without an error, the Funnel page's figures
equal the marts, and a publish (an atomic replace of the serving file) shows on the next load.

Screenshots go to $DASHBOARD_SCREENSHOTS when set (docs/images/ holds the ones in the README)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.paths import PROJECT_DIR

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# page path -> charts it draws on the shared small build
PAGES = {
    "funnel": 2,
    "marketing": 2,
    "sales": 4,
    "customer-success": 4,
    "handoffs": 2,
    "data-quality": 1,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(served_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(URL, serving file) of a running dashboard over its own copy of the served warehouse."""
    serving = tmp_path_factory.mktemp("dashboard") / "serving.duckdb"
    shutil.copy(served_db, serving)
    port = free_port()
    env = {**os.environ, "WAREHOUSE_SERVING_DB": str(serving)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "revenue_warehouse/dashboard/app.py")]
        + ["--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"]
        + ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start:\n{proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.5)
        yield url, serving
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# The default page (Funnel) is served at the root: Streamlit answers its own url_path with "Page not found".
DEFAULT_PAGE = "funnel"


def open_page(browser: object, url: str, path: str, charts: int) -> object:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/" if path == DEFAULT_PAGE else f"{url}/{path}")
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length >= {charts}", timeout=90_000)
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=90_000,
    )
    return page


def metric(page: object, label: str) -> int:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return int(box.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_its_charts_without_error(
    dashboard: tuple[str, Path], browser: object, path: str
) -> None:
    url, _ = dashboard
    page = open_page(browser, url, path, PAGES[path])
    try:
        errors = page.locator('[data-testid="stException"]')
        assert errors.count() == 0, errors.first.inner_text()
        assert page.get_by_text("Page not found").count() == 0, f"/{path} is not a page of the app"
        assert page.locator(".js-plotly-plot").count() >= PAGES[path]
        if os.environ.get("DASHBOARD_SCREENSHOTS"):
            out = Path(os.environ["DASHBOARD_SCREENSHOTS"])
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / f"dashboard-{path}.png"), full_page=True)
    finally:
        page.close()


def mart_counts(serving: Path) -> tuple[int, int]:
    """Leads and won new-business deals as the marts count them (docs/metrics.md#funnel)."""
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(
            "select (select count(*) from marketing.fct_leads where is_lead and not is_deleted), "
            "(select count(*) from sales.fct_opportunities "
            " where is_won and deal_category = 'new_business' and not is_deleted)"
        ).fetchone()


def test_funnel_figures_equal_the_marts_and_a_publish_shows_on_reload(
    dashboard: tuple[str, Path], browser: object, tmp_path: Path
) -> None:
    url, serving = dashboard
    leads, won = mart_counts(serving)
    assert leads > 100 and won > 0
    page = open_page(browser, url, "funnel", PAGES["funnel"])
    try:
        assert (metric(page, "Leads"), metric(page, "Won")) == (leads, won)
    finally:
        page.close()
    # A publish: a new file (here with 10 leads fewer) atomically replaces the served one while the
    # dashboard runs; the dashboard holds no connection, so the next load shows the new count.
    new = tmp_path / "serving.duckdb"
    shutil.copy(serving, new)
    with duckdb.connect(str(new)) as con:
        con.execute(
            "delete from marketing.fct_leads where person_id in (select person_id from marketing.fct_leads "
            "where is_lead and not is_deleted order by person_id limit 10)"
        )
    os.replace(new, serving)
    page = open_page(browser, url, "funnel", PAGES["funnel"])
    try:
        assert metric(page, "Leads") == leads - 10
    finally:
        page.close()
