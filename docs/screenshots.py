"""Retake the docs' screenshots from the running kit with headless Chromium: `.venv/bin/python docs/screenshots.py`.

Run on demand (not in `make test`) after a change that shows: each picture is taken from a real mock, a real
contract run or a real proxy run on loopback, never drawn by hand. Needs Debian's `chromium` (`make browser`).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
# Beside the tests' headless flags (tests.helpers.HEADLESS_CHROMIUM): a picture at a fixed size, taken once the
# page's scripts have run.
PICTURE_FLAGS = ["--hide-scrollbars", "--force-device-scale-factor=1", "--virtual-time-budget=10000"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        sys.exit("screenshots: chromium is not installed (`make browser` installs Debian's, as root)")
    return found


def screenshot(url: str, target: Path, size: tuple[int, int]) -> None:
    from tests.helpers import HEADLESS_CHROMIUM  # the checkout's tests/, on sys.path once main() has run

    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                chromium(),
                *HEADLESS_CHROMIUM,
                *PICTURE_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                f"--screenshot={target}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    if done.returncode != 0 or not target.exists():
        sys.exit(f"screenshots: chromium could not take {target.name}:\n{done.stderr[-2000:]}")
    print(f"wrote {target.relative_to(ROOT)}")


def swagger_docs() -> None:
    """`/docs` as a frontend developer first sees it."""
    from mock_server.app import create_app
    from mock_server.serving.background import BackgroundServer

    with BackgroundServer(create_app(), log_level="critical") as mock:
        screenshot(f"{mock.url}/docs", IMAGES / "swagger-docs.png", (1280, 1000))


def contract_report() -> None:
    """The HTML report of a run against a server that answers 200 for users that do not exist."""
    from contract_tests.runner import run_suite
    from contract_tests.settings import read_settings
    from mock_server.serving.background import BackgroundServer
    from tests import toy_servers as toys

    with tempfile.TemporaryDirectory() as scratch, BackgroundServer(toys.UnknownUserGets200().app()) as server:
        report = Path(scratch) / "contract.html"
        options = {
            "base_url": server.url,
            "api_key": toys.ADMIN_KEY,
            "user_id": toys.KNOWN_USER,
            "max_examples": "5",
            "seed": "7",
            "report": str(report),
        }
        outcome = run_suite(read_settings(options, environ={}), out=io.StringIO())
        if outcome.exit_code != 1:
            sys.exit(
                f"screenshots: the broken toy was expected to fail the contract run, it exited {outcome.exit_code}"
            )
        screenshot(report.as_uri(), IMAGES / "contract-report.png", (1040, 900))


def proxy_journal() -> None:
    """The journal of `sivi-mock --proxy` in front of a server whose error envelopes say 200: one answer conforms,
    the other violates the contract."""
    import httpx

    from mock_server.app import create_app
    from mock_server.serving.background import BackgroundServer
    from mock_server.settings import Settings
    from tests import toy_servers as toys

    with BackgroundServer(toys.WrongEnvelopeStatus().app()) as upstream:
        proxy_app = create_app(Settings(proxy_url=upstream.url))
        with BackgroundServer(proxy_app) as proxy:
            for user in (toys.KNOWN_USER, "no-such-user"):
                httpx.post(
                    f"{proxy.url}/enterprise/account-analysis",
                    headers={"sivi-api-key": toys.ADMIN_KEY},
                    json={"abstractUserId": user},
                )
            journal = httpx.get(f"{proxy.url}/__mock/journal").json()
    # Chromium shows JSON on one line; the same journal, indented, reads like what a developer's tools show.
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "journal.html"
        shown = html.escape(json.dumps(journal, indent=2))
        page.write_text(f"<title>GET /__mock/journal</title><pre style='font-size:13px'>{shown}</pre>")
        screenshot(page.as_uri(), IMAGES / "proxy-journal.png", (900, 1040))


SHOTS: dict[str, Callable[[], None]] = {"docs": swagger_docs, "report": contract_report, "journal": proxy_journal}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python docs/screenshots.py", description=__doc__.splitlines()[0])
    parser.add_argument("shots", nargs="*", metavar="SHOT", help=f"which to retake: {', '.join(SHOTS)} (default: all)")
    names = parser.parse_args().shots or list(SHOTS)
    unknown = sorted(set(names) - set(SHOTS))
    if unknown:
        parser.error(f"no screenshot named {', '.join(unknown)} (known: {', '.join(SHOTS)})")
    sys.path.insert(0, str(ROOT))
    IMAGES.mkdir(exist_ok=True)
    for name in names:
        SHOTS[name]()


if __name__ == "__main__":
    main()
