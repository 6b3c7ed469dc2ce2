import os
import socket

from celery import shared_task


@shared_task(ignore_result=False)
def ping_task() -> dict:
    """Answer with the worker's host and process id: proof that a real worker ran it."""
    return {"hostname": socket.gethostname(), "pid": os.getpid()}


@shared_task
def outbox_drain_task() -> dict:
    """Send the tasks recorded while the broker was down (see ``marketplace.ops.services``)."""
    from marketplace.ops.services import outbox_drain

    return outbox_drain()
