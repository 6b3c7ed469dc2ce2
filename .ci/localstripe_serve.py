"""Run localstripe on loopback only, in memory.

localstripe's own launcher binds every interface and pickles its whole store to /tmp after each
write (slower with every object created); the tests want neither.
"""

import argparse
import logging
import socket

from aiohttp import web
from localstripe.resources import Store
from localstripe.server import app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()

    Store.dump_to_disk = lambda self: None

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, sock=sock, print=None)


if __name__ == "__main__":
    main()
