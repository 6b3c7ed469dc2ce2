"""Site processes of the tests and benchmarks: waiting for one to answer, stopping one with its
children."""

import os
import signal
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


def group_stop(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """Stop a process started with ``start_new_session=True`` and its children (gunicorn's or
    Celery's workers): SIGTERM to the group, SIGKILL after ``timeout`` seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
