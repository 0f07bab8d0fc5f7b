"""Take the README's screenshots: the story list, a story page and a speaker page, in French and in English.

    .venv/bin/recoupe --db /tmp/demo.db demo
    .venv/bin/python docs/screenshots/take.py /tmp/demo.db docs/screenshots

Serves the store on a loopback port and photographs each page with Debian's headless Chromium (scripts/install-browser),
as tests/test_web_browser.py does. The story shown is the one with the most outlets; its speaker, the one quoted most.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from recoupe.config import Config
from recoupe.server.app import create_app

WIDTH, HEIGHT = 960, 1100  # a laptop window, small enough for light files
TOKEN = "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _browser(profile: str, lang: str) -> webdriver.Chrome:
    """Headless Chromium speaking `lang`: its own widgets (date fields) in that language too."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--lang={lang}",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver), options=options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="the store to show")
    parser.add_argument("out", type=Path, help="the folder the PNG files go to")
    parser.add_argument("--prefix", default="demo", help="the start of each file name (default: demo)")
    parser.add_argument("--story", help="the id of the story to show (default: the one with the most outlets)")
    args = parser.parse_args()
    if not args.db.is_file():
        parser.error(f"no store at {args.db}")
    args.out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(create_app(Config(db=args.db), args.db, token=TOKEN), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    try:
        stories = httpx.get(f"{url}/api/stories", params={"limit": 200}).json()["stories"]
        if not stories:
            raise SystemExit(f"{args.db} holds no story")
        views = {s["id"]: httpx.get(f"{url}/api/stories/{s['id']}", timeout=120).json() for s in stories}
        story = views[args.story] if args.story else max(views.values(), key=lambda v: (len(v["outlets"]), v["id"]))
        quotes = [q for e in story["events"] for a in e["articles"] for q in a["quotes"] if q["speaker"]]
        speakers = sorted({q["speaker"] for q in quotes}, key=lambda s: (-sum(q["speaker"] == s for q in quotes), s))
        pages = {"stories": "/", "story": f"/stories/{story['id']}"}
        if speakers:
            pages["speaker"] = f"/speakers/{speakers[0]}"
        for lang in ("fr", "en"):
            profile = tempfile.mkdtemp(prefix="recoupe-shots-")
            browser = _browser(profile, lang)
            try:
                for name, path in pages.items():
                    browser.get(f"{url}{path}?lang={lang}")
                    if name == "story":  # the cross-check of the first event, under the brief
                        browser.execute_script("document.getElementById('timeline').scrollIntoView()")
                    target = args.out / f"{args.prefix}-{name}-{lang}.png"
                    browser.save_screenshot(str(target))
                    print(f"{target} ({target.stat().st_size // 1024} KiB)")
            finally:
                browser.quit()
                shutil.rmtree(profile, ignore_errors=True)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
