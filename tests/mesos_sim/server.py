"""HTTP: the masters' scheduler endpoint and state, the agents' /state and /files, /sim/*."""

from __future__ import annotations

import json
import select
import socket
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import files, protocol, views
from .cluster import Cluster
from .control import InjectError, inject
from .model import Stream

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
PROTOBUF = "application/x-protobuf"


def encode(value) -> bytes:
    """Documents hold live lists of the cluster: encode them while its lock is held."""
    return json.dumps(value, separators=(",", ":")).encode()


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port: int, cluster: Cluster, role: tuple, verbose: bool, add_agent=None):
        self.cluster = cluster
        self.role = role  # ("master", index) or ("agent", agent_id)
        self.verbose = verbose
        self.add_agent = add_agent
        super().__init__(("127.0.0.1", port), Handler)


def accepts(header: str | None, media: str) -> bool:
    """libprocess Request::acceptsMediaType: no Accept header accepts anything; q=0 refuses."""
    if header is None:
        return True
    kind = media.split("/")[0]
    best = None
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        candidate = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        rank = 3 if candidate == media else 2 if candidate == f"{kind}/*" else 1 if candidate == "*/*" else 0
        if rank and (best is None or rank > best[0]):
            best = (rank, q)
    return best is not None and best[1] > 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SimServer

    # -- plumbing -------------------------------------------------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if self.server.verbose:
            sys.stderr.write(f"[{self.server.role[0]} {self.server.role[1]}] {format % args}\n")

    def send_response(self, code, message=None):
        # libprocess sends Date but no Server header.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def handle_expect_100(self):
        # libprocess ignores "Expect: 100-continue": no interim response; a client waits for its own timeout.
        with self.server.cluster.lock:
            self.server.cluster.expect_continue += 1
        return True

    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(body)
                body += self.rfile.read(size)
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def reply(self, status: int, body: bytes | str = b"", content_type: str | None = TEXT,
              headers: dict | None = None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if body and content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, value, status: int = 200):
        self.reply(status, value if isinstance(value, bytes) else encode(value), JSON)

    def split(self):
        parsed = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        return parsed.path, query

    def dispatch(self):
        try:
            if self.server.role[0] == "master":
                self.master_route()
            else:
                self.agent_route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = dispatch

    # -- masters --------------------------------------------------------------------------------------------------

    def redirect(self, path: str):
        """Master::Http::redirect: 307 to //leader:port plus the request's path, 503 without a leader."""
        cluster = self.server.cluster
        with cluster.lock:
            leader = cluster.leader_master
        if leader is None:
            return self.reply(503, "No leader elected")
        base = f"//{leader.hostname}:{leader.port}"
        if path in ("/redirect", "/master/redirect"):
            return self.reply(307, headers={"Location": base})
        if path.startswith("/redirect/") or path.startswith("/master/redirect/"):
            return self.reply(404)
        return self.reply(307, headers={"Location": base + self.path})

    def master_route(self):
        cluster = self.server.cluster
        index = self.server.role[1]
        path, query = self.split()
        if path in ("/api/v1/scheduler", "/master/api/v1/scheduler"):
            return self.scheduler(index, path)
        if path.startswith("/sim/"):
            return self.sim(path, query)
        if path in ("/redirect", "/master/redirect"):
            return self.redirect(path)
        if path in ("/health", "/master/health"):
            return self.reply(200)
        routes = {"state": lambda: views.master_state(cluster, index),
                  "tasks": lambda: views.master_tasks(cluster),
                  "frameworks": lambda: {k: v for k, v in views.master_state(cluster, index).items()
                                         if k in ("frameworks", "completed_frameworks", "unregistered_frameworks")},
                  "slaves": lambda: {"slaves": views.master_state(cluster, index)["slaves"],
                                     "recovered_slaves": views.master_state(cluster, index)["recovered_slaves"]}}
        name = path.removeprefix("/master").removeprefix("/").removesuffix(".json")
        if name in routes:
            with cluster.lock:
                leading = cluster.leader == index
                document = encode(routes[name]()) if leading else None
            if not leading:
                return self.redirect(path)
            return self.reply_json(document)
        return self.reply(404)

    def scheduler(self, index: int, path: str):
        cluster = self.server.cluster
        body = self.read_body()
        entry = {"time": time.time(), "master": index, "method": self.command, "path": path,
                 "content_type": self.headers.get("Content-Type"), "accept": self.headers.get("Accept"),
                 "stream_id": self.headers.get("Mesos-Stream-Id"), "expect": self.headers.get("Expect")}

        def finish(status: int, message: str = "", *, headers=None, call=None):
            entry["status"] = status
            if message:
                entry["error"] = message
            with cluster.lock:
                cluster.log_call(entry)
            if status == 307 or (status == 503 and message == "No leader elected"):
                return self.redirect(path)
            return self.reply(status, message, TEXT, headers)

        with cluster.lock:
            leading = cluster.leader == index
            recovering = cluster.recovering
        if not leading:
            with cluster.lock:
                status = 307 if cluster.leader is not None else 503
            return finish(status, "" if status == 307 else "No leader elected")
        if recovering:
            return finish(503, "Master has not finished recovery")
        if self.command != "POST":
            return finish(405, f"Expecting one of {{ 'POST' }}, but received '{self.command}'",
                          headers={"Allow": "POST"})
        content_type = self.headers.get("Content-Type")
        if content_type is None:
            return finish(400, "Expecting 'Content-Type' to be present")
        if content_type == PROTOBUF:
            return finish(415, f"This simulator reads only {JSON}; {PROTOBUF} bodies are not decoded")
        if content_type != JSON:
            return finish(415, f"Expecting 'Content-Type' of {JSON} or {PROTOBUF}")
        try:
            raw = protocol.loads_json(body)
        except (ValueError, UnicodeDecodeError) as error:
            return finish(400, f"Failed to parse body into JSON: {error}")
        entry["body"] = raw
        try:
            call = protocol.parse_message("Call", raw)
        except protocol.ParseError as error:
            return finish(400, f"Failed to convert JSON into Call protobuf: {error}")
        kind = call.get("type")
        entry["type"] = kind
        entry["framework_id"] = call.get("framework_id", {}).get("value")
        error = protocol.validate_call(call)
        if error:
            return finish(400, f"Failed to validate scheduler::Call: {error}")
        if kind in ("SUBSCRIBE", "RECONCILE_OPERATIONS"):
            accept = self.headers.get("Accept")
            if not accepts(accept, JSON):
                if accepts(accept, PROTOBUF):
                    return finish(406, f"This simulator writes only {JSON}; {PROTOBUF} events are not encoded")
                return finish(406, f"Expecting 'Accept' to allow '{PROTOBUF}' or '{JSON}'")
        if kind == "SUBSCRIBE":
            if "Mesos-Stream-Id" in self.headers:
                return finish(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header")
            with cluster.lock:
                if cluster.leader != index:
                    return finish(307)
                stream = Stream(cluster, index)
                entry["status"] = 200
                entry["response_stream_id"] = stream.id
                cluster.log_call(entry)
                cluster.subscribe(stream, call["subscribe"])
                entry["framework_id"] = entry["framework_id"] or stream.framework_id
            return self.stream(stream)

        with cluster.lock:
            framework = cluster.get_framework(call["framework_id"]["value"])
            if framework is None:
                return finish(400, "Framework cannot be found")
            if not framework.connected:
                return finish(403, "Framework is not subscribed")
            stream_id = self.headers.get("Mesos-Stream-Id")
            if stream_id is None:
                return finish(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header")
            if stream_id != framework.stream.id:
                return finish(400, f"The stream ID '{stream_id}' included in this request didn't match the stream "
                                   f"ID currently associated with framework ID {framework.id}")
            status, message = self.apply(cluster, framework, kind, call, raw, entry)
        return finish(status, message)

    @staticmethod
    def apply(cluster: Cluster, framework, kind: str, call: dict, raw: dict, entry: dict) -> tuple[int, str]:
        """The call's effect; the answer is 202 (queued) except for UPDATE_FRAMEWORK and UNKNOWN."""
        if kind == "TEARDOWN":
            cluster.remove_framework(framework, "TEARDOWN")
        elif kind == "ACCEPT":
            cluster.accept(framework, call["accept"], raw.get("accept") or {})
        elif kind == "DECLINE":
            cluster.decline(framework, call["decline"])
        elif kind in ("REVIVE", "SUPPRESS"):
            cluster.suppress_or_revive(framework, kind, call.get(kind.lower()))
        elif kind == "KILL":
            entry["result"] = cluster.kill(framework, call["kill"])
        elif kind == "SHUTDOWN":
            entry["result"] = cluster.shutdown_executor(framework, call["shutdown"])
        elif kind == "ACKNOWLEDGE":
            cluster.acknowledge(framework, call["acknowledge"])
            entry["result"] = cluster.acknowledgements[-1].get("result")
        elif kind == "RECONCILE":
            cluster.reconcile(framework, call["reconcile"].get("tasks", []))
        elif kind == "RECONCILE_OPERATIONS":
            cluster.reconcile_operations(framework, call["reconcile_operations"].get("operations", []))
        elif kind == "MESSAGE":
            message = call["message"]
            cluster._append(cluster.messages, {"time": time.time(), "framework_id": framework.id,
                                               "agent_id": message["agent_id"]["value"],
                                               "executor_id": message["executor_id"]["value"],
                                               "data": protocol.b64(message["data"])})
        elif kind == "UPDATE_FRAMEWORK":
            return cluster.update_framework(framework, call["update_framework"])
        elif kind == "UNKNOWN":
            return 501, ""
        # REQUEST, ACCEPT_INVERSE_OFFERS, DECLINE_INVERSE_OFFERS, ACKNOWLEDGE_OPERATION_STATUS: accepted, no effect.
        return 202, ""

    def client_gone(self) -> bool:
        sock = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            data = sock.recv(4096, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            if data == b"":
                return True
            sock.recv(len(data))  # a client may write on the stream's connection; it is ignored
            return False
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True

    def stream(self, stream: Stream):
        """The SUBSCRIBE response: chunked, one chunk per RecordIO record, flushed as it is queued."""
        cluster = self.server.cluster
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", JSON)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Mesos-Stream-Id", stream.id)
            self.end_headers()
            self.wfile.flush()
            self.connection.settimeout(30)
            while True:
                try:
                    item = stream.queue.get(timeout=0.05)
                except Exception:  # queue.Empty
                    if self.client_gone() or cluster.stopping and stream.closed:
                        break
                    continue
                if item is Stream.CLOSE_CLEAN:
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    break
                if item is Stream.CLOSE_ABORT:
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(item), item))
                self.wfile.flush()
        except OSError:
            pass
        finally:
            cluster.stream_closed(stream)

    # -- /sim -----------------------------------------------------------------------------------------------------

    def sim(self, path: str, query: dict):
        cluster = self.server.cluster
        since = int(query.get("since", "0") or 0)
        if path == "/sim/state" and self.command == "GET":
            with cluster.lock:
                document = encode(views.sim_state(cluster, since))
            return self.reply_json(document)
        if path == "/sim/tasks" and self.command == "GET":
            with cluster.lock:
                document = encode({"tasks": cluster.launches})
            return self.reply_json(document)
        if path == "/sim/events" and self.command == "GET":
            with cluster.lock:
                document = encode(views.sim_events(cluster, since, query.get("framework_id")))
            return self.reply_json(document)
        if path == "/sim/inject" and self.command == "POST":
            try:
                body = json.loads(self.read_body() or b"{}")
                result = inject(cluster, body, self.server.add_agent)
            except (InjectError, ValueError) as error:
                return self.reply_json({"ok": False, "error": str(error)}, 400)
            return self.reply_json(result)
        return self.reply(404, "Unknown /sim endpoint: GET /sim/state, /sim/tasks, /sim/events; POST /sim/inject")

    # -- agents ---------------------------------------------------------------------------------------------------

    def agent_route(self):
        cluster = self.server.cluster
        path, query = self.split()
        with cluster.lock:
            agent = cluster.agents[self.server.role[1]]
            document = None
            if path in ("/state", "/state.json", "/slave(1)/state", "/slave(1)/state.json"):
                document = encode(views.agent_state(cluster, agent))
            attached = files.attached(cluster, agent)
        if document is not None:
            return self.reply_json(document)
        if path in ("/health", "/slave(1)/health"):
            return self.reply(200)
        handlers = {"/files/read": files.read, "/files/browse": files.browse, "/files/download": files.download}
        handler = handlers.get(path.removesuffix(".json"))
        if handler is None:
            return self.reply(404)
        answer = handler(attached, query)
        return self.reply(answer.status, answer.body, answer.content_type, answer.headers)
