"""The README's screenshots of the app on a run: docs/app-chat.png and docs/app-studio.png (headless chromium)."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from plugins import runs
from tests import browser

QUESTION = "What are the common symptoms of iron deficiency anaemia?"


def take(run_dir: Path, out: Path, question: str = QUESTION) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser.chromium(width=1280, height=1150)
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    try:
        with browser.serve(["--run", str(run_dir)], Path("."), env) as url:
            driver.get(url)
            wait = WebDriverWait(driver, 300)
            wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#question textarea")).send_keys(question)
            driver.find_element(By.XPATH, "//label[contains(., 'Compare with the base model')]").click()
            wait.until(lambda d: d.find_element(By.ID, "ask")).click()
            def answers(d) -> tuple:  # the plain answer boxes, or a grounded run's cited answer
                boxes = d.find_elements(By.CSS_SELECTOR, "#answer textarea, #base-answer textarea")
                return tuple([e.get_attribute("value") for e in boxes if e.is_displayed()]
                             + [e.text for e in d.find_elements(By.ID, "cited-answer") if e.is_displayed()])

            wait.until(lambda d: all(answers(d)))
            last, still_since = answers(driver), time.time()
            while time.time() - still_since < 5:  # done when nothing changed for 5 s
                time.sleep(0.5)
                if answers(driver) != last:
                    last, still_since = answers(driver), time.time()
            driver.save_screenshot(str(out / "app-chat.png"))
            tabs = driver.find_elements(By.CSS_SELECTOR, "button[role=tab]")
            next(b for b in tabs if "Spec Studio" in b.text).click()
            wait.until(lambda d: "Valid spec" in d.find_element(By.ID, "spec-problems").text)
            driver.save_screenshot(str(out / "app-studio.png"))
    finally:
        driver.quit()
    print(f"wrote {out / 'app-chat.png'} and {out / 'app-studio.png'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", help="run directory (default: the newest run)")
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--question", default=QUESTION, help=f"what the chat screenshot asks (default: {QUESTION})")
    args = parser.parse_args(argv)
    take(runs.resolve(args.run), args.out, args.question)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
