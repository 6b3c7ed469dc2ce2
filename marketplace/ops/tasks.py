import os
import socket

from celery import shared_task


@shared_task(ignore_result=False)
def ping_task() -> dict:
    """Answer with the worker's host and process id: proof that a real worker ran it."""
    return {"hostname": socket.gethostname(), "pid": os.getpid()}
