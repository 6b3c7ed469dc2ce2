import os
import socket

from celery import shared_task


@shared_task(ignore_result=False)
def ping_task() -> dict:
    """Answer with the worker's host, process id and database session (PostgreSQL's backend
    process): proof that a real worker ran it, and which connection it used."""
    from django.db import connection

    session = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (session,) = cursor.fetchone()
    return {"hostname": socket.gethostname(), "pid": os.getpid(), "database_session": session}


@shared_task
def outbox_drain_task() -> dict:
    """Send the tasks recorded while the broker was down (see ``marketplace.ops.services``)."""
    from marketplace.ops.services import outbox_drain

    return outbox_drain()
