"""A fault-injecting HTTP proxy in front of the REAL test OpenSearch.

It is not a fake: every request it lets through is forwarded to the real
engine and answered with the engine's real answer. It only adds the faults a
production cluster shows, so the search job's retries can be tested:

    proxy = FaultProxy(upstream_url); proxy.start(); ... proxy.url ...
    proxy.item_reject_share = 0.3     # 30% of bulk ITEMS answered 429
    proxy.reject_bulk_statuses = [429, 503]   # first bulk requests refused
    proxy.drop_bulks = 1              # forward, then cut the connection
    proxy.slow_bulks = 2; proxy.slow_seconds = 1.5   # answer late
    proxy.always_bulk_status = 429    # every bulk request refused
    proxy.item_permanent_errors = 1   # one item answered 400 for good

Bulk items answered 429 are NOT forwarded: only the other lines go to the
engine, and the answers are merged back in order. So a job that does not
retry them ends with missing documents, which the tests detect. A dropped
connection is the opposite case: the bulk IS applied, only the answer is
lost, so a job that retried with new ids would end with duplicates.

Counters (bulk_requests, items_rejected, ...) and a request log let tests
check that the faults really happened and what the job sent.
"""

import http.client
import json
import random
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "expect", "host"}


def _bulk_items(body):
    """Splits an NDJSON bulk body into (action_line, source_line) pairs.
    The job only sends index actions, which always have a source line."""
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [(lines[i], lines[i + 1]) for i in range(0, len(lines), 2)]


class FaultProxy:
    def __init__(self, upstream, seed=1, tls=None):
        """tls: (certfile, keyfile) to serve https (the engine stays http)."""
        self.tls = tls
        u = urlsplit(upstream)
        self.upstream_host = u.hostname
        self.upstream_port = u.port or 80
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        # fault settings
        self.item_reject_share = 0.0
        self.item_reject_status = 429
        self.reject_bulk_statuses = []
        self.drop_bulks = 0
        self.slow_bulks = 0
        self.slow_seconds = 0.0
        self.always_bulk_status = None
        self.item_permanent_errors = 0
        self.after_bulk_forward = None   # callable(path), before the answer goes back
        # observations
        self.bulk_requests = 0
        self.items_rejected = 0
        self.requests_rejected = 0
        self.dropped = 0
        self.slowed = 0
        self.max_bulk_bytes = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.log = []  # (method, path, body bytes, auth header)
        self._server = None
        self._thread = None

    # ------------------------------------------------------------------
    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def start(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                proxy._handle(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*self.tls)
            self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def requests(self, method=None, contains=None):
        with self.lock:
            return [r for r in self.log
                    if (method is None or r[0] == method) and (contains is None or contains in r[1])]

    # ------------------------------------------------------------------
    def _forward(self, method, path, body, headers):
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=120)
        try:
            fwd = {k: v for k, v in headers.items() if k.lower() not in _HOP_HEADERS}
            conn.request(method, path, body=body if body else None, headers=fwd)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.getheader("Content-Type", "application/json"), data
        finally:
            conn.close()

    @staticmethod
    def _reply(handler, status, body, ctype="application/json"):
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)

    @staticmethod
    def _drop(handler):
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        is_bulk = "/_bulk" in h.path and h.command == "POST"
        with self.lock:
            self.log.append((h.command, h.path, body, h.headers.get("Authorization")))
        if not is_bulk:
            status, ctype, data = self._forward(h.command, h.path, body, h.headers)
            self._reply(h, status, data, ctype)
            return
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._handle_bulk(h, body)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _take(self, name):
        """Decrements counter attribute NAME if positive; True if it was."""
        with self.lock:
            n = getattr(self, name)
            if n > 0:
                setattr(self, name, n - 1)
                return True
            return False

    def _handle_bulk(self, h, body):
        with self.lock:
            self.bulk_requests += 1
            self.max_bulk_bytes = max(self.max_bulk_bytes, len(body))
            status = self.always_bulk_status
            if status is None and self.reject_bulk_statuses:
                status = self.reject_bulk_statuses.pop(0)
            if status is not None:
                self.requests_rejected += 1
        if status is not None:
            err = {"error": {"type": "es_rejected_execution_exception",
                             "reason": f"fault proxy: request refused with {status}"}, "status": status}
            self._reply(h, status, json.dumps(err).encode())
            return
        if self._take("slow_bulks"):
            # The engine applies the request at once; only its answer is
            # late (a busy cluster), so a client that times out and retries
            # sends the same documents twice.
            status, ctype, data = self._forward("POST", h.path, body, h.headers)
            with self.lock:
                self.slowed += 1
            time.sleep(self.slow_seconds)
            try:
                self._reply(h, status, data, ctype)
            except OSError:   # the client gave up waiting
                self._drop(h)
            return
        if self._take("drop_bulks"):
            self._forward("POST", h.path, body, h.headers)   # applied, answer lost
            with self.lock:
                self.dropped += 1
            self._drop(h)
            return
        self._bulk_with_item_faults(h, body)

    def _pick_faults(self, items):
        """Per item: None (forward), or (status, error) to answer instead."""
        faults = []
        with self.lock:
            for _ in items:
                if self.item_permanent_errors > 0:
                    self.item_permanent_errors -= 1
                    faults.append((400, {"type": "mapper_parsing_exception",
                                         "reason": "fault proxy: failed to parse field [surname]"}))
                elif self.rng.random() < self.item_reject_share:
                    self.items_rejected += 1
                    faults.append((self.item_reject_status, {
                        "type": "es_rejected_execution_exception",
                        "reason": "fault proxy: rejected execution (queue capacity 200)"}))
                else:
                    faults.append(None)
        return faults

    def _bulk_with_item_faults(self, h, body):
        items = _bulk_items(body)
        faults = self._pick_faults(items)
        forward = [it for it, f in zip(items, faults) if f is None]
        answers = []
        if forward:
            fwd_body = b"".join(a + b"\n" + s + b"\n" for a, s in forward)
            status, ctype, data = self._forward("POST", h.path, fwd_body, h.headers)
            if self.after_bulk_forward:
                self.after_bulk_forward(h.path)
            if status != 200 or not any(faults):
                self._reply(h, status, data, ctype)
                return
            answers = json.loads(data)["items"]
        merged, it = [], iter(answers)
        for f in faults:
            if f is None:
                merged.append(next(it))
            else:
                merged.append({"index": {"status": f[0], "error": f[1]}})
        out = {"errors": True, "items": merged}
        self._reply(h, 200, json.dumps(out).encode())
