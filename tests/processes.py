"""Waiting for a site process to answer (the browser tests' live site, the benchmarks' servers)."""

import subprocess
import time
import urllib.request
from pathlib import Path


def wait_until_answering(
    base_url: str, server: subprocess.Popen, log_path: Path, *, timeout: float = 60
) -> None:
    """Return once ``/api/v1/health/`` answers; raise with the log's tail if the server exits
    or stays silent for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base_url}/api/v1/health/", timeout=2)
            return
        except OSError as error:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"The server at {base_url} did not start:\n{log_path.read_text()[-3000:]}"
                ) from error
            time.sleep(0.3)
