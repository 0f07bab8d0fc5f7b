"""End to end in headless Chromium: the built-in example ingested over HTTP, a story, a quote's article, the
highlighted span; and articles carrying script and HTML payloads that must neither run nor inject markup."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import uvicorn

from recoupe.config import Config
from recoupe.server.app import create_app
from recoupe.store import Store
from web_samples import SAMPLES, SHUTTLES, STORY_ID, Sample, article_id, entity_id, fill, sample_facts

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
TOKEN = "browser-test-token"


def _browser_or_fail() -> None:
    """In CI a missing browser is a failure, elsewhere a skip."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        message = f"headless browser missing: {', '.join(missing)} (run scripts/install-browser)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """uvicorn serving the app on a free loopback port, in a thread."""

    def __init__(self, db: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(Config(db=db), db, token=TOKEN)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    _browser_or_fail()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="recoupe-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=412,915",  # a phone-sized screen
    ):
        options.add_argument(flag)
    # A French reader: the pages follow the browser's Accept-Language, and these tests read French labels.
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def click_and_load(driver: object, element: object) -> None:
    """Click a link or a submit button and wait until the next page has replaced this one.

    A click returns as soon as the browser has taken it, before the new page is read: checking the
    address or the elements right after it races the navigation (CI once read the old page's address).
    """
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    assert isinstance(driver, WebDriver) and isinstance(element, WebElement)
    page = driver.find_element("tag name", "html")
    element.click()
    WebDriverWait(driver, 20).until(expected_conditions.staleness_of(page))
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="recoupe-screens-"))
    print(f"\nscreenshots in {folder}")
    return folder


def test_example_story_to_a_quote_in_its_article(driver: object, shots: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    from recoupe import example

    assert isinstance(driver, WebDriver)
    db = tmp_path / "example.db"
    with Server(db) as server:
        files = [("uploads", (p.name, p.read_bytes())) for p in sorted(example.paths())]
        report = httpx.post(
            f"{server.url}/api/ingest/files",
            files=files,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=300,
        ).json()
        assert report["stored"] and not report["failed"], report

        driver.get(server.url + "/")
        driver.save_screenshot(str(shots / "1-stories.png"))
        links = driver.find_elements(By.CSS_SELECTOR, "a.story-link")
        assert links, "no story listed"
        # Open the story with the most quotes, so there is a quote to follow.
        counts = httpx.get(f"{server.url}/api/stories").json()["stories"]
        best = max(counts, key=lambda s: len(httpx.get(f"{server.url}/api/stories/{s['id']}").json()["outlets"]))
        click_and_load(driver, driver.find_element(By.CSS_SELECTOR, f'a.story-link[href="/stories/{best["id"]}"]'))
        assert driver.find_element(By.CSS_SELECTOR, "h1.story-title").text == best["title"]
        driver.save_screenshot(str(shots / "2-story.png"))

        quote_links = driver.find_elements(By.CSS_SELECTOR, "a.quote-link")
        assert quote_links, "the story shows no quote"
        target = quote_links[0].get_attribute("href") or ""
        quote_id = target.rsplit("#q-", 1)[1]
        click_and_load(driver, quote_links[0])
        mark = driver.find_element(By.ID, f"q-{quote_id}")
        driver.save_screenshot(str(shots / "3-article.png"))
        quote = httpx.get(f"{server.url}/api/quotes/{quote_id}").json()
        assert driver.execute_script("return arguments[0].textContent", mark) == quote["text"]
        assert mark.tag_name == "mark"

        if quote["speaker"]:
            click_and_load(
                driver, driver.find_element(By.CSS_SELECTOR, f'aside a.speaker[href="/speakers/{quote["speaker"]}"]')
            )
            statements = driver.find_elements(By.CSS_SELECTOR, "a.quote-link")
            assert any((s.get_attribute("href") or "").endswith(f"#q-{quote_id}") for s in statements)
            driver.save_screenshot(str(shots / "4-speaker.png"))
            # From the speaker to the search filtered by them: the quote's article is among the results.
            click_and_load(driver, driver.find_element(By.PARTIAL_LINK_TEXT, "Articles où"))
            results = [a.get_attribute("href") or "" for a in driver.find_elements(By.CSS_SELECTOR, "a.result-link")]
            assert server.url + f"/articles/{quote['article']}" in results
            driver.save_screenshot(str(shots / "5-search.png"))


PAYLOADS = (
    "<script>window.__pwned = 1; document.title = 'pwned'</script>",
    "<img src=x onerror=\"window.__pwned = 2; document.title = 'pwned'\">",
    '"><svg onload="window.__pwned=3">',
    '\'><a href="javascript:window.__pwned=4" id="evil">clic</a>',
    '</textarea></title></mark><iframe srcdoc="<script>parent.__pwned=5</script>"></iframe>',
    "<style>body{display:none}</style>",
)


def _hostile(store: Store) -> None:
    """The samples with a payload in every title, body, quote, outlet and name."""
    payload = " ".join(PAYLOADS)
    hostile: list[Sample] = []
    for sample in SAMPLES:
        words, speaker = sample.quotes[0]
        quoted = f"{words} {payload}"
        text = sample.text.replace(words, quoted) + "\n\n" + payload + " javascript:alert(1)"
        hostile.append(
            replace(
                sample,
                title=f"{sample.title} {payload}",
                outlet=f"{sample.outlet} {PAYLOADS[1]}",
                text=text,
                quotes=((quoted, speaker), *sample.quotes[1:]),
            )
        )
    fill(store, tuple(hostile))


def test_payloads_neither_run_nor_inject(driver: object, shots: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(driver, WebDriver)
    db = tmp_path / "hostile.db"
    with Store(db) as store:
        _hostile(store)
    pages = [
        "/",
        f"/stories/{STORY_ID}",
        f"/articles/{article_id('a1')}",
        f"/articles/{article_id('a2')}",
        f"/speakers/{entity_id('Maëlle Garnier')}",
        "/search?q=" + httpx.QueryParams({"q": "pwned"})["q"],
        "/search?" + str(httpx.QueryParams({"q": PAYLOADS[0], "outlet": PAYLOADS[1]})),
        "/articles/" + PAYLOADS[1].replace(" ", "%20").replace('"', "%22"),
    ]
    with Server(db) as server:
        for number, path in enumerate(pages):
            driver.get(server.url + path)
            driver.save_screenshot(str(shots / f"hostile-{number}.png"))
            assert driver.execute_script("return window.__pwned === undefined"), path
            assert driver.title != "pwned", path
            assert driver.execute_script("return document.body.offsetHeight") > 0, path  # no injected style
            # Usable on a phone: long untrusted words wrap instead of widening the page.
            assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), path
            # The server's own charts are the only SVG, and hold no script or foreign markup.
            for selector in (
                "img",
                "svg:not(.chart)",
                "svg script",
                "foreignObject",
                "iframe",
                "style",
                "textarea",
                "#evil",
                "[onerror]",
                "[onload]",
            ):
                assert not driver.find_elements(By.CSS_SELECTOR, selector), (path, selector)
            scripts = driver.find_elements(By.CSS_SELECTOR, "script")
            assert [s.get_attribute("src") for s in scripts] == [server.url + "/static/app.js"], path
            hrefs = [a.get_attribute("href") or "" for a in driver.find_elements(By.CSS_SELECTOR, "a")]
            assert not [h for h in hrefs if h.lower().startswith("javascript:")], path
        # The payload text is shown, as text.
        driver.get(server.url + f"/articles/{article_id('a1')}")
        body = driver.find_element(By.ID, "article-body").text
        assert "<script>window.__pwned = 1;" in body
        marked = driver.find_elements(By.CSS_SELECTOR, "#article-body mark.quote")
        assert PAYLOADS[4] in (marked[0].get_attribute("textContent") or "")


def test_story_charts(driver: object, shots: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(driver, WebDriver)
    db = tmp_path / "charts.db"
    with Store(db) as store:
        fill(store)
        events = store.timelines([STORY_ID])[STORY_ID]
    with Server(db) as server:
        driver.set_window_size(1280, 1600)
        try:
            driver.get(server.url + f"/stories/{STORY_ID}")
            charts = driver.find_element(By.ID, "charts")
            driver.execute_script("arguments[0].scrollIntoView()", charts)
            charts.screenshot(str(shots / "story-charts.png"))
            marks = driver.find_elements(By.CSS_SELECTOR, "#chart-timeline circle.event-mark")
            assert len(marks) == len(events)
            radii = sorted(float(m.get_attribute("r") or 0) for m in marks)
            assert radii[0] < radii[-1]  # sized by articles: the samples' events have 2 and 1
            assert driver.find_elements(By.CSS_SELECTOR, "#chart-coverage rect.covered")
            assert driver.find_elements(By.CSS_SELECTOR, "#chart-coverage rect.gap")  # an outlet missed an event
            bars = driver.find_elements(By.CSS_SELECTOR, "#chart-speakers rect.bar")
            assert len(bars) == 2  # Maëlle Garnier and Octave Lemaire
            for figure in driver.find_elements(By.CSS_SELECTOR, "#charts svg"):
                assert figure.size["width"] > 300 and figure.size["height"] > 20
        finally:
            driver.set_window_size(412, 915)


def test_filters_cross_check_and_language_switch(driver: object, shots: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import Select

    assert isinstance(driver, WebDriver)
    db = tmp_path / "facts.db"
    with Store(db) as store:
        fill(store)
        store.replace_facts(STORY_ID, sample_facts())
    with Server(db) as server:
        # The story list's filters: an outlet that published nothing in the story leaves the list empty.
        driver.get(server.url + "/")
        Select(driver.find_element(By.NAME, "outlet")).select_by_visible_text("Quotidien des Collines")
        Select(driver.find_element(By.NAME, "sort")).select_by_value("largest")
        click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "#story-filters button"))
        assert "outlet=Quotidien" in driver.current_url and "sort=largest" in driver.current_url
        assert len(driver.find_elements(By.CSS_SELECTOR, "a.story-link")) == 1
        # After every article: nothing left. Set as the field's value, which is ISO whatever the browser's locale.
        driver.execute_script("arguments[0].value = '2031-04-01'", driver.find_element(By.NAME, "from"))
        click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "#story-filters button"))
        assert not driver.find_elements(By.CSS_SELECTOR, "a.story-link"), driver.current_url
        driver.save_screenshot(str(shots / "filters.png"))
        # The story's cross-check, in French, then in English through the switch.
        driver.get(server.url + f"/stories/{STORY_ID}")
        facts = driver.find_elements(By.CSS_SELECTOR, "li.fact")
        assert [f.get_attribute("class") for f in facts] == [
            "fact fact-confirmed",
            "fact fact-contested",
            "fact fact-single_source",
        ]
        assert facts[0].find_element(By.CSS_SELECTOR, ".badge").text == "confirmé"
        driver.execute_script("arguments[0].scrollIntoView()", facts[0])
        driver.save_screenshot(str(shots / "cross-check-fr.png"))
        click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "#language-switch a.lang-en"))
        badge = driver.find_element(By.CSS_SELECTOR, "li.fact .badge")
        assert badge.text == "confirmed" and driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        # A claim's link opens its article with the claim's words marked and in view.
        link = driver.find_element(By.CSS_SELECTOR, "li.fact-contested a.claim-link")
        click_and_load(driver, link)
        mark = driver.find_element(By.ID, "span")
        assert mark.text == SHUTTLES and mark.tag_name == "mark"
        assert driver.execute_script(
            "var r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight", mark
        )
        driver.save_screenshot(str(shots / "claim-en.png"))
