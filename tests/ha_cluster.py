"""A real ZooKeeper (Debian's `zookeeper`) and `serve --zk` instances on loopback ports, for the HA tests."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

ZOOKEEPER_JAR = "/usr/share/java/zookeeper.jar"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class ZooKeeper:
    """A standalone ZooKeeper with a short tick (200 ms), so sessions of 2 s are allowed."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def hosts(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        assert os.path.exists(ZOOKEEPER_JAR), "Debian's zookeeper package is missing (scripts/install-deps installs it)"
        log = open(self.root / "zookeeper.log", "a")
        self.process = subprocess.Popen(
            ["java", "-Xmx256m", "-cp", f"/etc/zookeeper/conf:{ZOOKEEPER_JAR}", "-Dzookeeper.admin.enableServer=false",
             "-Dzookeeper.4lw.commands.whitelist=srvr", "org.apache.zookeeper.server.ZooKeeperServerMain",
             str(self.port), str(self.data), "200"],
            stdout=log, stderr=log,
        )
        wait_for(self.serving, 30, "ZooKeeper to serve")

    def serving(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.settimeout(1)
                s.sendall(b"srvr")
                return b"Mode: standalone" in s.recv(4096)
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


class Instance:
    """One `serve --zk` process with its own data folder; the spec folder is shared."""

    def __init__(self, binary: Path, root: Path, name: str, zk: str, jobs: Path, credentials: str | None = None, extra=()):
        self.binary = binary
        self.name = name
        self.data = root / name
        self.zk = zk
        self.jobs = jobs
        self.credentials = credentials
        self.extra = list(extra)
        self.log = root / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        log = open(self.log, "a")
        args = [str(self.binary), "serve", "--jobs", str(self.jobs), "--data", str(self.data), "--http-port", "0",
                "--zk", self.zk, "--zk-timeout", "2s", "--sync-interval", "0.5", "--task-epsilon", "20s", *self.extra]
        if self.credentials:
            args += ["--http-credentials", self.credentials]
        mark = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(args, stdout=log, stderr=log)

        def port():
            text = self.log.read_text(errors="replace")[mark:]
            found = re.search(r"chronos-sync: REST API on http://127\.0\.0\.1:(\d+)/", text)
            assert self.process.poll() is None, f"{self.name} exited:\n{text}"
            return int(found.group(1)) if found else 0

        self.port = wait_for(port, 30, f"{self.name} to listen")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                self.process.wait(timeout=20)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body=None, content_type="application/json", credentials=True, timeout=10):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if credentials and self.credentials:
            request.add_header("Authorization", "Basic " + base64.b64encode(self.credentials.encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                return response.status, _decode(raw, response.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, _decode(raw, error.headers.get("Content-Type", ""))

    def cluster(self) -> dict | None:
        try:
            status, body = self.request("GET", "/v1/cluster", timeout=2)
        except OSError:
            return None
        return body if status == 200 else None


def _decode(raw: bytes, content_type: str):
    if "json" in content_type:
        return json.loads(raw) if raw else None
    return raw.decode(errors="replace")


def write_job(jobs: Path, name: str, text: str) -> None:
    (jobs / f"{name}.yaml").write_text(textwrap.dedent(text))


def leader_of(instances: list[Instance]) -> Instance | None:
    """The instance every running member agrees leads, once it runs the scheduler."""
    views = [i.cluster() for i in instances if i.process and i.process.poll() is None]
    views = [v for v in views if v]
    if not views:
        return None
    leaders = {v["leader"]["id"] for v in views if v.get("leader")}
    if len(leaders) != 1:
        return None
    (leader_id,) = leaders
    for instance in instances:
        if instance.process and instance.process.poll() is None and leader_id.endswith(f":{instance.port}"):
            view = instance.cluster()
            if view and view.get("isLeader"):
                status, _ = instance.request("GET", "/v1/scheduler/jobs", timeout=2)
                if status == 200:
                    return instance
    return None
