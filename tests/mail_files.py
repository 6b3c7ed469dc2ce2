"""Reading the mail a site process wrote with Django's file backend (marketplace.settings.e2e)."""

import re
import time
from pathlib import Path


def mail_to(folder: Path, address: str, *, subject_contains: str = "", timeout: float = 30) -> str:
    """The newest message in ``folder`` to ``address`` (waits for it): headers and body."""
    deadline = time.monotonic() + timeout
    while True:
        files = (
            sorted(folder.glob("*.log"), key=lambda path: path.stat().st_mtime)
            if folder.exists()
            else []
        )
        for path in reversed(files):
            # The file backend appends each message, separated by a line of dashes.
            for message in reversed(path.read_text().split("-" * 79)):
                if re.search(rf"^To: .*{re.escape(address)}", message, re.MULTILINE) and (
                    subject_contains in message
                ):
                    return message
        if time.monotonic() > deadline:
            raise AssertionError(f"No mail to {address} ({subject_contains!r}) in {timeout} s")
        time.sleep(0.3)
