"""Headless Debian chromium driving the app: its browser test and the README screenshots use this.

Selenium cannot download a browser here, so it drives Debian's `chromium` with Debian's matching
`chromium-driver` (`make test` installs both when missing). `serve` starts the app
(`python app.py`, the top-level entry point) on a free port of 127.0.0.1 and stops it again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from plugins import local_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL = "apt-get install -y chromium chromium-driver"
REPO = Path(__file__).resolve().parents[1]


class BrowserMissing(RuntimeError):
    """Chromium or its driver is not installed; the message says how to install them."""


def chromium(width: int = 1280, height: int = 1000):
    """A headless chromium WebDriver (Debian's browser and driver, never a download)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        raise BrowserMissing(f"not installed: {', '.join(missing)}; install with: {INSTALL}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@contextlib.contextmanager
def serve(app_args: list[str], cwd: Path, env: dict | None = None, timeout: float = 300) -> Iterator[str]:
    """Run the repository's `python app.py ARGS` on a free port of 127.0.0.1 in `cwd` and yield its URL once it
    answers; stop it after."""
    env = dict(env or os.environ)
    env["PYTHONPATH"] = str(REPO)
    with local_server.serve([sys.executable, str(REPO / "app.py"), *app_args], name="the app", cwd=cwd, env=env,
                            timeout=timeout, stop_timeout=20) as url:
        yield url + "/"
