#!/usr/bin/env python3
"""A small HTTP server for vmctl's image tests, on 127.0.0.1 only.

Serves the files under --root with GET and HEAD, honouring `Range: bytes=N-`
(206 with Content-Range; 416 past the end). With --cut PATH:N, the first GET of
PATH announces the whole length but sends only N bytes and closes the
connection, like a network that drops mid-transfer. With --ignore-range PATH,
PATH is always sent whole (200), as by a server without range support. With
--stall PATH:N, every GET of PATH sends N bytes and then nothing, holding the
connection open (a server that hangs).
Every request is logged to --log as one line: `GET /path range=bytes=N-
status=206`. The chosen port (a free one) is written to --port-file once the
server listens.

Usage: test-http-server.py --root DIR --port-file FILE --log FILE [--cut /path:N]... [--ignore-range /path]... [--stall /path:N]...
"""
import argparse
import http.server
import os
import re
import socketserver
import sys
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--cut", action="append", default=[], help="PATH:N")
    parser.add_argument("--ignore-range", action="append", default=[], help="PATH")
    parser.add_argument("--stall", action="append", default=[], help="PATH:N")
    args = parser.parse_args()

    root = os.path.realpath(args.root)
    cuts = {}
    for item in args.cut:
        path, _, count = item.rpartition(":")
        cuts[path] = int(count)
    stalls = {}
    for item in args.stall:
        path, _, count = item.rpartition(":")
        stalls[path] = int(count)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def record(self, status):
            with lock, open(args.log, "a") as log:
                log.write(f"{self.command} {self.path} range={self.headers.get('Range', '-')} status={status}\n")

        def do_HEAD(self):
            self.serve(body=False)

        def do_GET(self):
            self.serve(body=True)

        def serve(self, body):
            path = os.path.realpath(os.path.join(root, self.path.split("?")[0].lstrip("/")))
            if not path.startswith(root + os.sep) or not os.path.isfile(path):
                self.record(404)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            size = os.path.getsize(path)
            start = 0
            status = 200
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
            if match and self.path not in args.ignore_range:
                start = int(match.group(1))
                if start >= size:
                    self.record(416)
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 206
            self.record(status)
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size - start))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if not body:
                return
            with lock:
                cut = cuts.pop(self.path, None) if self.command == "GET" else None
            if cut is None and self.path in stalls:
                cut = stalls[self.path]
            with open(path, "rb") as source:
                source.seek(start)
                remaining = size - start if cut is None else min(cut, size - start)
                while remaining > 0:
                    chunk = source.read(min(65536, remaining))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    remaining -= len(chunk)
            if self.path in stalls:
                self.wfile.flush()
                time.sleep(600)
            if cut is not None:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as port_file:
        port_file.write(str(server.server_address[1]))
    os.rename(temporary, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
