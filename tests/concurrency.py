"""The same action sent several times at once, as double clicks and retried requests send it:
each in its own thread and database connection, released together at a barrier."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def at_once(action: Callable[[], Any], *, times: int = 2, timeout: float = 120) -> list[Any]:
    """Run ``action`` ``times`` times at once; return what each call returned or raised (in the
    order they finished). Needs committed data (``committed_db``): each thread has its own
    connection, closed when it is done."""
    barrier, outcomes, lock = threading.Barrier(times), [], threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            outcome = action()
        except Exception as error:  # the caller asserts on what was raised
            outcome = error
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
