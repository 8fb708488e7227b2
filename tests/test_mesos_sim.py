"""The Mesos master simulator (tests/mesos_sim) driven over HTTP by a small framework client written here.

Every test starts its own simulator on loopback with short intervals; every read has a timeout.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 5.0  # bound on any single wait
PYTHON = os.environ.get("MESOS_SIM_PYTHON", sys.executable)


# -- the simulator process ---------------------------------------------------------------------------------------

class Sim:
    def __init__(self, work_dir: Path, *args: str):
        argv = [PYTHON, "-m", "tests.mesos_sim", "--port", "0", "--work-dir", str(work_dir),
                "--heartbeat-interval", "0.5", "--allocation-interval", "0.1",
                "--update-retry-interval", "0.4", "--update-retry-max", "0.8", *args]
        self.stderr = open(work_dir.parent / f"{work_dir.name}.stderr", "w+")
        self.proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=self.stderr)
        output = b""
        deadline = time.monotonic() + TIMEOUT
        while not output.endswith(b"ready\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, remaining))
            chunk = os.read(self.proc.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                self.stop()
                self.stderr.seek(0)
                pytest.fail(f"simulator did not start: {output!r} {self.stderr.read()}")
            output += chunk
        self.lines = output.decode().splitlines()
        assert self.lines[0].startswith("listening on 127.0.0.1:")
        self.port = int(self.lines[0].rsplit(":", 1)[1])
        self.masters = [int(l.split()[2].rsplit(":", 1)[1]) for l in self.lines if l.startswith("master ")]
        self.agents = {l.split()[1]: int(l.split()[2].rsplit(":", 1)[1]) for l in self.lines if l.startswith("agent ")}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(TIMEOUT)
        self.proc.stdout.close()
        self.stderr.close()

    def get(self, path: str, port: int | None = None):
        return request("GET", port or self.port, path)

    def state(self) -> dict:
        status, _, body = self.get("/sim/state")
        assert status == 200
        return json.loads(body)

    def inject(self, **body) -> dict:
        status, _, answer = request("POST", self.port, "/sim/inject", json.dumps(body).encode(),
                                    {"Content-Type": "application/json"})
        assert status == 200, answer
        return json.loads(answer)


@pytest.fixture
def start(tmp_path):
    sims = []

    def start_sim(*args: str) -> Sim:
        sim = Sim(tmp_path / f"work{len(sims)}", *args)
        sims.append(sim)
        return sim

    yield start_sim
    for sim in sims:
        sim.stop()


def request(method: str, port: int, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# -- a tiny framework ----------------------------------------------------------------------------------------------

def info(**extra) -> dict:
    framework = {"user": "nobody", "name": "sim-test", "failover_timeout": 60.0,
                 "capabilities": [{"type": "PARTITION_AWARE"}, {"type": "TASK_KILLING_STATE"}]}
    framework.update(extra)
    return framework


class Scheduler:
    """Subscribes, reads the RecordIO stream on a thread of its own, sends calls on other connections."""

    def __init__(self, port: int, framework_info: dict | None = None, framework_id: str | None = None):
        self.port = port
        self.info = framework_info or info()
        if framework_id:
            self.info = dict(self.info, id={"value": framework_id})
        self.events: queue.Queue = queue.Queue()
        self.seen: list[dict] = []
        self.closed = threading.Event()
        body = {"type": "SUBSCRIBE", "subscribe": {"framework_info": self.info}}
        if framework_id:
            body["framework_id"] = {"value": framework_id}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.conn.request("POST", "/api/v1/scheduler", body=json.dumps(body),
                          headers={"Content-Type": "application/json", "Accept": "application/json"})
        self.response = self.conn.getresponse()
        assert self.response.status == 200, self.response.read()
        self.headers = {k.lower(): v for k, v in self.response.getheaders()}
        self.stream_id = self.headers["mesos-stream-id"]
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        first = self.next()
        self.first = first
        self.framework_id = first["subscribed"]["framework_id"]["value"] if first["type"] == "SUBSCRIBED" else None

    def _read(self):
        buffer = b""
        try:
            while True:
                data = self.response.read1(65536)
                if not data:
                    break
                buffer += data
                while b"\n" in buffer:
                    head, _, rest = buffer.partition(b"\n")
                    size = int(head)
                    if len(rest) < size:
                        break
                    record, buffer = rest[:size], rest[size:]
                    self.events.put(json.loads(record))
        except (OSError, http.client.HTTPException, ValueError, AttributeError):
            pass
        finally:
            self.closed.set()

    def next(self, kind: str | None = None, timeout: float = TIMEOUT, skip=("HEARTBEAT", "OFFERS")) -> dict:
        """The next event of type `kind` (or the next one not in `skip`)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind or 'event'} within {timeout}s; seen {[e['type'] for e in self.seen]}")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if kind is not None and event["type"] == kind:
                return event
            if kind is None and event["type"] not in skip:
                return event

    def update(self, timeout: float = TIMEOUT) -> dict:
        return self.next("UPDATE", timeout)["update"]["status"]

    def none_of(self, kind: str, seconds: float):
        """Asserts that no `kind` event arrives for `seconds`."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                return
            self.seen.append(event)
            assert event["type"] != kind, event

    def offers(self, count: int = 1, timeout: float = TIMEOUT) -> list[dict]:
        got: list[dict] = []
        while len(got) < count:
            got += self.next("OFFERS", timeout)["offers"]["offers"]
        return got

    def call(self, body: dict, *, stream_id: str | None = "current", content_type: str | None = "application/json",
             raw: bytes | None = None, method: str = "POST"):
        headers = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if stream_id == "current":
            stream_id = self.stream_id
        if stream_id is not None:
            headers["Mesos-Stream-Id"] = stream_id
        payload = raw if raw is not None else json.dumps(body).encode()
        status, _, answer = request(method, self.port, "/api/v1/scheduler", payload, headers)
        return status, answer.decode()

    def send(self, kind: str, **fields):
        body = {"type": kind, "framework_id": {"value": self.framework_id}, **fields}
        status, answer = self.call(body)
        assert status == 202, (status, answer)

    def ack(self, status: dict):
        self.send("ACKNOWLEDGE", acknowledge={"agent_id": status["agent_id"], "task_id": status["task_id"],
                                              "uuid": status["uuid"]})

    def launch(self, offer: dict, task_id: str, command: dict | None = None, cpus: float = 0.1, mem: float = 32,
               refuse: float | None = None, **task_fields) -> dict:
        task = {"name": task_id, "task_id": {"value": task_id}, "agent_id": offer["agent_id"],
                "resources": [{"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}, "role": "*"},
                              {"name": "mem", "type": "SCALAR", "scalar": {"value": mem}, "role": "*"}],
                **task_fields}
        if command is not None:
            task["command"] = command
        accept = {"offer_ids": [offer["id"]], "operations": [{"type": "LAUNCH", "launch": {"task_infos": [task]}}]}
        if refuse is not None:
            accept["filters"] = {"refuse_seconds": refuse}
        self.send("ACCEPT", accept=accept)
        return task

    def wait_state(self, task_id: str, state: str, ack: bool = True, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            status = self.update(max(0.01, deadline - time.monotonic()))
            if ack and "uuid" in status:
                self.ack(status)
            if status["task_id"]["value"] == task_id and status["state"] == state:
                return status

    def close(self):
        self.conn.close()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(predicate, timeout: float = TIMEOUT, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{message} not met within {timeout}s")


def uuid_bytes(status: dict) -> bytes:
    raw = base64.b64decode(status["uuid"], validate=True)
    assert len(raw) == 16
    return raw


# -- the stream ------------------------------------------------------------------------------------------------------

def test_subscribe_opens_a_chunked_recordio_stream_with_heartbeats(start):
    sim = start("--agent", "id=S1,hostname=agent1.example,attr.rack=r1,attr.gen=3")
    sock = socket.create_connection(("127.0.0.1", sim.port), timeout=TIMEOUT)
    body = json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": info()}}).encode()
    sock.sendall(b"POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Accept: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
    assert headers["transfer-encoding"] == "chunked"
    assert headers["content-type"] == "application/json"
    assert 0 < len(headers["mesos-stream-id"]) <= 128
    assert "content-length" not in headers

    records, started = [], time.monotonic()
    while len(records) < 4:  # SUBSCRIBED, HEARTBEAT, OFFERS, HEARTBEAT
        while b"\r\n" not in rest:
            rest += sock.recv(4096)
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        while len(rest) < size + 2:
            rest += sock.recv(4096)
        chunk, rest = rest[:size], rest[size + 2:]
        length, _, payload = chunk.partition(b"\n")
        assert int(length) == len(payload)  # one whole RecordIO record per chunk, flushed on its own
        records.append(json.loads(payload))
    sock.close()
    assert time.monotonic() - started < 2.0
    kinds = [r["type"] for r in records]
    assert kinds[:2] == ["SUBSCRIBED", "HEARTBEAT"]
    assert "OFFERS" in kinds and kinds.count("HEARTBEAT") >= 1
    subscribed = records[0]["subscribed"]
    assert subscribed["heartbeat_interval_seconds"] == 0.5
    assert subscribed["framework_id"]["value"]
    master = subscribed["master_info"]
    assert master["port"] == sim.port and master["address"] == {"hostname": "127.0.0.1", "ip": "127.0.0.1",
                                                                 "port": sim.port}
    assert master["ip"] == 16777343 and master["pid"] == f"master@127.0.0.1:{sim.port}"
    heartbeat = json.dumps({"type": "HEARTBEAT"}, separators=(",", ":"))
    assert len(heartbeat) == 20


def test_offers_have_the_reference_shape_per_agent(start):
    sim = start("--agent", "id=S1,hostname=agent1.example,cpus=2,mem=1024,disk=100,ports=31000-31009,"
                           "attr.rack=r1,attr.gen=3",
                "--agent", "id=S2,hostname=agent2.example,cpus=1,mem=512")
    scheduler = Scheduler(sim.port)
    offers = {o["agent_id"]["value"]: o for o in scheduler.offers(2)}
    first = offers["S1"]
    assert first["hostname"] == "agent1.example"
    assert first["framework_id"]["value"] == scheduler.framework_id
    assert first["url"]["address"]["port"] == sim.agents["S1"]
    assert "allocation_info" not in first  # stripped without MULTI_ROLE
    assert first["resources"] == [
        {"name": "cpus", "type": "SCALAR", "scalar": {"value": 2.0}, "role": "*"},
        {"name": "mem", "type": "SCALAR", "scalar": {"value": 1024.0}, "role": "*"},
        {"name": "disk", "type": "SCALAR", "scalar": {"value": 100.0}, "role": "*"},
        {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": 31009}]}, "role": "*"}]
    assert first["attributes"] == [{"name": "rack", "type": "TEXT", "text": {"value": "r1"}},
                                   {"name": "gen", "type": "SCALAR", "scalar": {"value": 3.0}}]
    assert [r["name"] for r in offers["S2"]["resources"]] == ["cpus", "mem", "disk", "ports"]  # defaults

    multi = Scheduler(sim.port, info(roles=["*"], capabilities=[{"type": "MULTI_ROLE"}]))
    scheduler.send("DECLINE", decline={"offer_ids": [o["id"] for o in offers.values()],
                                       "filters": {"refuse_seconds": 60}})
    offer = multi.offers(1)[0]
    assert offer["allocation_info"] == {"role": "*"}
    assert all(r["allocation_info"] == {"role": "*"} for r in offer["resources"])


# -- launching, updates, acknowledgements, sandboxes -------------------------------------------------------------

def test_shell_task_runs_with_env_and_uris_and_updates_carry_uuids(start, tmp_path):
    sim = start("--agent", "id=S1")
    payload = tmp_path / "payload.txt"
    payload.write_text("fetched content\n")
    scheduler = Scheduler(sim.port)
    offer = scheduler.offers(1)[0]
    scheduler.launch(offer, "t1", {
        "value": "echo hello $GREETING; cat payload.txt; cat renamed.txt; echo oops >&2",
        "environment": {"variables": [{"name": "GREETING", "value": "world"}]},
        "uris": [{"value": str(payload), "extract": False},
                 {"value": payload.as_uri(), "output_file": "renamed.txt"}]})
    states = []
    while not states or states[-1]["state"] != "TASK_FINISHED":
        status = scheduler.update()
        states.append(status)
        uuid_bytes(status)
        assert status["source"] == "SOURCE_EXECUTOR"
        assert status["agent_id"] == {"value": "S1"}
        assert status["executor_id"] == {"value": "t1"}
        scheduler.ack(status)
    assert [s["state"] for s in states] == ["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"]
    assert states[-1]["message"] == "Command exited with status 0"
    assert len({s["uuid"] for s in states}) == 3

    state = wait_until(lambda: (s := sim.state()) and s["tasks"][0]["completed"] and s, message="task completed")
    acks = [a for a in state["acknowledgements"] if a["task_id"] == "t1"]
    assert [a["result"] for a in acks] == ["accepted"] * 3
    task = state["tasks"][0]
    assert task["pending_updates"] == [] and task["state"] == "TASK_FINISHED" and not task["holds_resources"]

    # The agent's /state gives the sandbox; /files/read serves it by its real or its virtual path.
    agent_port = sim.agents["S1"]
    status, _, body = sim.get("/state", agent_port)
    agent_state = json.loads(body)
    executor = agent_state["completed_frameworks"][0]["completed_executors"][0]
    assert executor["id"] == "t1" and executor["directory"] == task["sandbox"]
    virtual = f"/frameworks/{scheduler.framework_id}/executors/t1/runs/latest"
    for base in (virtual, executor["directory"]):
        status, _, body = sim.get("/files/read?" + urllib.parse.urlencode({"path": base + "/stdout", "offset": 0}),
                                  agent_port)
        assert status == 200
        assert json.loads(body) == {"data": "hello world\nfetched content\nfetched content\n", "offset": 0}
    status, _, body = sim.get("/files/read?" + urllib.parse.urlencode({"path": virtual + "/stderr", "offset": 0}),
                              agent_port)
    assert json.loads(body)["data"].endswith("oops\n")
    status, _, body = sim.get("/files/read?" + urllib.parse.urlencode({"path": virtual + "/stdout"}), agent_port)
    assert json.loads(body) == {"data": "", "offset": len("hello world\nfetched content\nfetched content\n")}
    status, _, body = sim.get("/files/read?" + urllib.parse.urlencode({"path": virtual + "/stdout", "offset": 6,
                                                                       "length": 5}), agent_port)
    assert json.loads(body) == {"data": "world", "offset": 6}
    status, _, body = sim.get("/files/browse?" + urllib.parse.urlencode({"path": virtual}), agent_port)
    names = {entry["path"].rsplit("/", 1)[1] for entry in json.loads(body)}
    assert {"stdout", "stderr", "payload.txt", "renamed.txt"} <= names
    assert sim.get("/files/read?path=/nope/stdout", agent_port)[0] == 404
    assert sim.get("/files/read?path=" + virtual, agent_port)[0] == 400
    assert sim.get("/files/read?offset=0", agent_port)[0] == 400

    # The master's /state names the agent and the framework's completed task.
    status, _, body = sim.get("/master/state")
    master_state = json.loads(body)
    assert master_state["leader"] == f"master@127.0.0.1:{sim.port}"
    assert master_state["slaves"][0]["pid"] == f"slave(1)@127.0.0.1:{agent_port}"
    assert master_state["frameworks"][0]["completed_tasks"][0]["state"] == "TASK_FINISHED"


def test_agents_from_a_json_config_and_an_argv_task(start, tmp_path):
    config = tmp_path / "sim.json"
    config.write_text(json.dumps({"agents": [{"id": "C1", "hostname": "c1.example", "resources": {"cpus": 1},
                                              "attributes": {"zones": ["a", "b"], "rack": "r2"}}]}))
    sim = start("--config", str(config))
    scheduler = Scheduler(sim.port)
    offer = scheduler.offers(1)[0]
    assert offer["hostname"] == "c1.example"
    assert offer["attributes"] == [{"name": "zones", "type": "SET", "set": {"item": ["a", "b"]}},
                                   {"name": "rack", "type": "TEXT", "text": {"value": "r2"}}]
    scheduler.launch(offer, "argv", {"shell": False, "value": "/bin/echo", "arguments": ["echo", "a  b", "$HOME"]})
    scheduler.wait_state("argv", "TASK_FINISHED")
    virtual = f"/frameworks/{scheduler.framework_id}/executors/argv/runs/latest/stdout"
    _, _, body = sim.get("/files/read?" + urllib.parse.urlencode({"path": virtual, "offset": 0}), sim.agents["C1"])
    assert json.loads(body)["data"] == "a  b $HOME\n"  # no shell: arguments are the argv, unexpanded


def test_unacknowledged_updates_are_resent_and_later_ones_wait(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    scheduler.launch(scheduler.offers(1)[0], "t1", {"value": "true"})
    starting = scheduler.update()
    assert starting["state"] == "TASK_STARTING"
    again = scheduler.update()  # no ACK: the same update again after the retry interval
    assert again["state"] == "TASK_STARTING" and again["uuid"] == starting["uuid"]
    state = wait_until(lambda: (s := sim.state())["tasks"][0]["agent_state"] == "TASK_FINISHED" and s,
                       message="process finished")
    task = state["tasks"][0]
    assert [u["state"] for u in task["pending_updates"]] == ["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"]
    assert task["status_update_state"] == "TASK_STARTING"
    assert sim.inject(action="resend_updates", task_id="t1")["resent"] == 1
    assert scheduler.update()["uuid"] == starting["uuid"]
    scheduler.ack(starting)
    running = scheduler.update()
    assert running["state"] == "TASK_RUNNING"
    scheduler.ack(starting)  # a duplicate acknowledgement is ignored
    scheduler.ack(running)
    finished = scheduler.update()
    assert finished["state"] == "TASK_FINISHED"
    scheduler.ack(finished)
    results = [a["result"] for a in sim.state()["acknowledgements"]]
    assert results == ["accepted", "duplicate", "accepted", "accepted"]


def test_kill_terminates_the_process_group(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    scheduler.launch(scheduler.offers(1)[0], "t1", {"value": "sleep 30 & sleep 30; wait"},
                     kill_policy={"grace_period": {"nanoseconds": 200_000_000}})
    running = scheduler.wait_state("t1", "TASK_RUNNING")
    pid = running["container_status"]["executor_pid"]
    assert alive(pid)
    scheduler.send("KILL", kill={"task_id": {"value": "t1"}, "agent_id": {"value": "S1"}})
    assert scheduler.update()["state"] == "TASK_KILLING"  # the framework has TASK_KILLING_STATE
    killed = scheduler.wait_state("t1", "TASK_KILLED")
    assert killed["message"] == "Command terminated with signal Terminated"
    wait_until(lambda: not alive(pid), message="process gone")
    assert not any(alive(int(p)) for p in os.listdir("/proc") if p.isdigit()
                   and _pgid(int(p)) == pid), "no process of the task's group is left"


def _pgid(pid: int):
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def test_docker_task_runs_as_a_process_and_its_container_info_is_recorded(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    container = {"type": "DOCKER", "docker": {"image": "alpine:3.19", "network": "BRIDGE", "force_pull_image": True,
                                              "parameters": [{"key": "env", "value": "A=B"}]},
                 "volumes": [{"container_path": "/data", "host_path": "/srv/data", "mode": "RW"}]}
    scheduler.launch(scheduler.offers(1)[0], "d1", {"value": "echo in-container"}, container=container)
    scheduler.wait_state("d1", "TASK_FINISHED")
    _, _, body = sim.get("/sim/tasks")
    recorded = json.loads(body)["tasks"]
    assert recorded[0]["task_info"]["container"] == container
    assert recorded[0]["accepted"] is True and recorded[0]["operation"] == "LAUNCH"


def test_invalid_launches_get_master_updates_without_uuid(start):
    sim = start("--agent", "id=S1,cpus=1,mem=256")
    scheduler = Scheduler(sim.port)
    offer = scheduler.offers(1)[0]
    scheduler.launch(offer, "big", {"value": "true"}, cpus=8, refuse=0)
    error = scheduler.update()
    assert error["state"] == "TASK_ERROR" and error["reason"] == "REASON_TASK_INVALID"
    assert error["source"] == "SOURCE_MASTER" and "uuid" not in error
    assert "more than available" in error["message"]
    scheduler.launch(offer, "stale", {"value": "true"})  # the offer was used up by the first ACCEPT
    dropped = scheduler.update()
    assert dropped["state"] == "TASK_DROPPED" and dropped["reason"] == "REASON_INVALID_OFFERS"
    offer = scheduler.offers(1)[0]
    scheduler.launch(offer, "neither", None)
    assert "at least one (but not both)" in scheduler.update()["message"]
    recorded = json.loads(sim.get("/sim/tasks")[2])["tasks"]
    assert [r.get("error") is not None for r in recorded] == [True, True, True]


# -- HTTP strictness ---------------------------------------------------------------------------------------------

def test_calls_are_checked_as_the_master_checks_them(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    revive = {"type": "REVIVE", "framework_id": {"value": scheduler.framework_id}}

    assert scheduler.call(revive)[0] == 202
    status, text = scheduler.call(revive, stream_id="0c0b1b54-0000-4000-8000-000000000000")
    assert status == 400 and "didn't match the stream ID" in text
    status, text = scheduler.call(revive, stream_id=None)
    assert status == 400 and "Mesos-Stream-Id" in text
    status, text = scheduler.call(revive, content_type="application/json; charset=utf-8")
    assert status == 415
    status, text = scheduler.call(revive, content_type=None)
    assert status == 400 and text == "Expecting 'Content-Type' to be present"
    assert scheduler.call(revive, method="GET")[0] == 405
    assert scheduler.call(revive, raw=b"{not json")[0] == 400
    status, text = scheduler.call({"type": "REVIVE"})
    assert status == 400 and "Expecting 'framework_id' to be present" in text
    status, text = scheduler.call({"type": "ACKNOWLEDGE", "framework_id": {"value": scheduler.framework_id},
                                   "acknowledge": {"agent_id": {"value": "S1"}, "task_id": {"value": "t"}}})
    assert status == 400 and text.endswith("Missing required fields: acknowledge.uuid")
    status, text = scheduler.call({"type": "ACKNOWLEDGE", "framework_id": {"value": scheduler.framework_id},
                                   "acknowledge": {"agent_id": {"value": "S1"}, "task_id": {"value": "t"},
                                                   "uuid": base64.b64encode(b"short").decode()}})
    assert status == 400 and "Not a valid UUID" in text
    status, text = scheduler.call({"type": "DECLINE", "framework_id": {"value": scheduler.framework_id},
                                   "decline": {"offer_ids": {"value": 5}}})
    assert status == 400 and "Not expecting a JSON number for field 'value'" in text
    assert scheduler.call({"type": "UNKNOWN", "framework_id": {"value": scheduler.framework_id}})[0] == 501
    status, text = scheduler.call(dict(revive, framework_id={"value": "no-such-framework"}))
    assert status == 400 and text == "Framework cannot be found"

    subscribe = {"type": "SUBSCRIBE", "subscribe": {"framework_info": info()}}
    status, text = scheduler.call(subscribe)  # a stream id on SUBSCRIBE
    assert status == 400 and "should not include the 'Mesos-Stream-Id'" in text
    status, text = scheduler.call({"type": "SUBSCRIBE", "subscribe": {"framework_info": {"name": "x"}}},
                                  stream_id=None)
    assert status == 400 and "Missing required fields: subscribe.framework_info.user" in text
    status, _, _ = request("POST", sim.port, "/api/v1/scheduler", json.dumps(subscribe).encode(),
                           {"Content-Type": "application/json", "Accept": "application/xml"})
    assert status == 406
    status, text = scheduler.call(dict(subscribe, framework_id={"value": "x"}), stream_id=None)
    assert status == 400 and "'framework_id' differs from 'subscribe.framework_info.id'" in text

    calls = sim.state()["calls"]
    assert {"status": 202, "type": "REVIVE"}.items() <= calls[1].items()


def test_calls_get_403_once_the_stream_is_gone_until_the_next_subscribe(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port, info(failover_timeout=60.0))
    revive = {"type": "REVIVE", "framework_id": {"value": scheduler.framework_id}}
    sim.inject(action="drop_stream", framework_id=scheduler.framework_id)
    assert scheduler.closed.wait(TIMEOUT)
    status, text = scheduler.call(revive)
    assert status == 403 and text == "Framework is not subscribed"
    again = Scheduler(sim.port, info(failover_timeout=60.0), framework_id=scheduler.framework_id)
    assert again.framework_id == scheduler.framework_id and again.stream_id != scheduler.stream_id
    assert again.call(revive)[0] == 202
    assert again.call(revive, stream_id=scheduler.stream_id)[0] == 400


def test_a_second_subscription_fails_the_first_over(start):
    sim = start("--agent", "id=S1")
    first = Scheduler(sim.port)
    second = Scheduler(sim.port, framework_id=first.framework_id)
    error = first.next("ERROR")
    assert error["error"]["message"] == "Framework failed over"
    assert first.closed.wait(TIMEOUT)
    assert second.framework_id == first.framework_id


# -- offers: decline, suppress, revive, limits -----------------------------------------------------------------------

def test_decline_refuse_seconds_hold_offers_back(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    offer = scheduler.offers(1)[0]
    scheduler.send("DECLINE", decline={"offer_ids": [offer["id"]], "filters": {"refuse_seconds": 1.0}})
    scheduler.none_of("OFFERS", 0.7)
    again = scheduler.offers(1)[0]
    assert again["id"] != offer["id"]
    declined_at = sim.state()["declines"][0]["time"]
    events = json.loads(sim.get(f"/sim/events?framework_id={scheduler.framework_id}")[2])["events"]
    reoffered_at = next(e["time"] for e in events if e["type"] == "OFFERS" and e["time"] > declined_at)
    assert reoffered_at - declined_at >= 1.0
    scheduler.send("DECLINE", decline={"offer_ids": [again["id"]], "filters": {"refuse_seconds": 0}})
    scheduler.offers(1, timeout=1.0)  # no filter: offered again at the next allocation
    declines = sim.state()["declines"]
    assert [(d["refuse_seconds"], d["effective_refuse_seconds"]) for d in declines] == [(1.0, 1.0), (0, 0)]


def test_suppress_stops_offers_and_revive_resumes_them(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    offer = scheduler.offers(1)[0]
    scheduler.send("SUPPRESS", suppress={})
    scheduler.send("DECLINE", decline={"offer_ids": [offer["id"]], "filters": {"refuse_seconds": 0}})
    scheduler.none_of("OFFERS", 0.6)
    framework = sim.state()["frameworks"][0]
    assert framework["suppressed"] and framework["suppressed_roles"] == ["*"]
    scheduler.send("REVIVE", revive={"roles": ["*"]})
    scheduler.offers(1, timeout=1.0)
    assert [e["call"] for e in sim.state()["suppress_revive"]] == ["SUPPRESS", "REVIVE"]


def test_offers_can_be_made_too_small(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    scheduler.offers(1)
    assert sim.inject(action="limit_offers", cpus=0.05, mem=16)["rescinded"] == 1
    assert scheduler.next("RESCIND")["rescind"]["offer_id"]["value"]
    small = scheduler.offers(1)[0]
    scalars = {r["name"]: r["scalar"]["value"] for r in small["resources"] if r["type"] == "SCALAR"}
    assert scalars["cpus"] == 0.05 and scalars["mem"] == 16.0
    scheduler.launch(small, "t1", {"value": "true"}, cpus=0.1, mem=32)
    assert scheduler.update()["state"] == "TASK_ERROR"


# -- reconciliation ---------------------------------------------------------------------------------------------------

def test_reconciliation_explicit_and_implicit(start):
    sim = start("--agent", "id=S1", "--agent", "id=S2")
    scheduler = Scheduler(sim.port)
    offers = scheduler.offers(2)
    scheduler.launch(offers[0], "t1", {"value": "sleep 30"})
    scheduler.wait_state("t1", "TASK_RUNNING")
    scheduler.send("RECONCILE", reconcile={"tasks": [
        {"task_id": {"value": "t1"}, "agent_id": {"value": offers[0]["agent_id"]["value"]}},
        {"task_id": {"value": "ghost"}, "agent_id": {"value": "S2"}},
        {"task_id": {"value": "nowhere"}, "agent_id": {"value": "S9"}},
        {"task_id": {"value": "anywhere"}}]})
    answers = [scheduler.update() for _ in range(4)]
    for answer in answers:
        assert answer["source"] == "SOURCE_MASTER" and answer["reason"] == "REASON_RECONCILIATION"
        assert "uuid" not in answer
    assert [(a["task_id"]["value"], a["state"]) for a in answers] == [
        ("t1", "TASK_RUNNING"), ("ghost", "TASK_GONE"), ("nowhere", "TASK_UNKNOWN"), ("anywhere", "TASK_UNKNOWN")]
    assert answers[0]["message"] == "Reconciliation: Latest task state"

    scheduler.send("RECONCILE", reconcile={"tasks": []})
    implicit = scheduler.update()
    assert (implicit["task_id"]["value"], implicit["state"]) == ("t1", "TASK_RUNNING") and "uuid" not in implicit
    scheduler.none_of("UPDATE", 0.3)

    legacy = Scheduler(sim.port, info(capabilities=[]))  # not PARTITION_AWARE: TASK_LOST instead
    legacy.send("RECONCILE", reconcile={"tasks": [{"task_id": {"value": "ghost"}, "agent_id": {"value": "S2"}}]})
    assert legacy.update()["state"] == "TASK_LOST"
    legacy.send("KILL", kill={"task_id": {"value": "ghost"}})  # KILL of an unknown task reconciles it
    assert legacy.update()["state"] == "TASK_LOST"


# -- failures -----------------------------------------------------------------------------------------------------

def test_standby_master_redirects_and_failover_keeps_framework_and_tasks(start):
    sim = start("--masters", "2", "--agent", "id=S1")
    leader, standby = sim.masters
    subscribe = json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": info()}}).encode()
    status, headers, _ = request("POST", standby, "/api/v1/scheduler", subscribe,
                                 {"Content-Type": "application/json"})
    assert status == 307 and headers["location"] == f"//127.0.0.1:{leader}/api/v1/scheduler"
    status, headers, _ = request("GET", standby, "/master/redirect")
    assert status == 307 and headers["location"] == f"//127.0.0.1:{leader}"
    status, headers, _ = request("GET", standby, "/master/state")
    assert status == 307 and headers["location"] == f"//127.0.0.1:{leader}/master/state"

    scheduler = Scheduler(leader)
    scheduler.launch(scheduler.offers(1)[0], "t1", {"value": "sleep 30"})
    running = scheduler.wait_state("t1", "TASK_RUNNING")
    assert sim.inject(action="failover", to=1)["leader"] == 1
    assert scheduler.closed.wait(TIMEOUT)
    status, headers, _ = request("POST", leader, "/api/v1/scheduler", subscribe, {"Content-Type": "application/json"})
    assert status == 307 and headers["location"] == f"//127.0.0.1:{standby}/api/v1/scheduler"

    again = Scheduler(standby, framework_id=scheduler.framework_id)
    assert again.framework_id == scheduler.framework_id
    assert again.first["subscribed"]["master_info"]["port"] == standby
    again.send("RECONCILE", reconcile={"tasks": [{"task_id": {"value": "t1"}, "agent_id": {"value": "S1"}}]})
    assert again.update()["state"] == "TASK_RUNNING"
    assert alive(running["container_status"]["executor_pid"])

    sim.inject(action="no_leader")
    status, _, body = request("POST", standby, "/api/v1/scheduler", subscribe, {"Content-Type": "application/json"})
    assert status == 503 and body == b"No leader elected"


def test_agent_loss_makes_tasks_unreachable_or_lost_and_the_agent_can_return(start):
    sim = start("--agent", "id=S1,cpus=2")
    aware = Scheduler(sim.port)
    legacy = Scheduler(sim.port, info(capabilities=[]))
    offer = aware.offers(1)[0]
    aware.launch(offer, "a1", {"value": "sleep 30"}, cpus=1, refuse=0)
    running = aware.wait_state("a1", "TASK_RUNNING")
    legacy_offer = legacy.offers(1)[0]
    legacy.launch(legacy_offer, "l1", {"value": "sleep 30"}, cpus=0.5)
    legacy.wait_state("l1", "TASK_RUNNING")

    sim.inject(action="lose_agent", agent_id="S1", unreachable_after=0.3)
    unreachable = aware.update()
    assert unreachable["state"] == "TASK_UNREACHABLE" and unreachable["reason"] == "REASON_AGENT_REMOVED"
    assert unreachable["source"] == "SOURCE_MASTER" and "uuid" not in unreachable
    assert unreachable["unreachable_time"]["nanoseconds"] > 0
    assert aware.next("FAILURE")["failure"] == {"agent_id": {"value": "S1"}}
    lost = legacy.update()
    assert lost["state"] == "TASK_LOST" and "uuid" not in lost
    assert legacy.next("FAILURE")["failure"]["agent_id"]["value"] == "S1"
    assert sim.state()["agents"][0]["status"] == "unreachable"
    assert alive(running["container_status"]["executor_pid"])  # a partition does not stop the process

    aware.send("RECONCILE", reconcile={"tasks": [{"task_id": {"value": "a1"}, "agent_id": {"value": "S1"}}]})
    assert aware.update()["state"] == "TASK_UNREACHABLE"

    sim.inject(action="restore_agent", agent_id="S1")
    aware.send("RECONCILE", reconcile={"tasks": [{"task_id": {"value": "a1"}, "agent_id": {"value": "S1"}}]})
    assert aware.update()["state"] == "TASK_RUNNING"


def test_failover_timeout_removes_the_framework_and_kills_its_tasks(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port, info(failover_timeout=0.5))
    scheduler.launch(scheduler.offers(1)[0], "t1", {"value": "sleep 30"})
    pid = scheduler.wait_state("t1", "TASK_RUNNING")["container_status"]["executor_pid"]
    scheduler.close()  # the scheduler goes away without TEARDOWN
    wait_until(lambda: not alive(pid), message="task killed after the failover timeout")
    framework = sim.state()["frameworks"][0]
    assert framework["removed"] and framework["removed_reason"] == "failover timeout"
    late = Scheduler(sim.port, info(failover_timeout=0.5), framework_id=scheduler.framework_id)
    assert late.first == {"type": "ERROR", "error": {"message": "Framework has been removed"}}
    assert late.closed.wait(TIMEOUT)


def test_resubscription_within_the_failover_timeout_keeps_tasks_and_resends_updates(start):
    sim = start("--agent", "id=S1")
    sim.inject(action="set", update_retry_interval=30, update_retry_max=30)  # no resend by timer here
    scheduler = Scheduler(sim.port, info(failover_timeout=30.0))
    scheduler.launch(scheduler.offers(1)[0], "t1", {"value": "sleep 30"})
    scheduler.ack(scheduler.update())  # TASK_STARTING
    running = scheduler.update()  # TASK_RUNNING, left unacknowledged
    assert running["state"] == "TASK_RUNNING"
    sim.inject(action="drop_stream")
    assert scheduler.closed.wait(TIMEOUT)
    again = Scheduler(sim.port, info(failover_timeout=30.0), framework_id=scheduler.framework_id)
    pending = again.update(timeout=1.0)  # resent at once to the new subscription
    assert pending["uuid"] == running["uuid"]
    assert alive(running["container_status"]["executor_pid"])


def test_launch_group_runs_each_task_in_its_own_sandbox(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    offer = scheduler.offers(1)[0]
    cpus = {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}, "role": "*"}
    mem = {"name": "mem", "type": "SCALAR", "scalar": {"value": 32}, "role": "*"}
    executor = {"type": "DEFAULT", "executor_id": {"value": "e1"}, "resources": [cpus, mem]}
    tasks = [{"name": name, "task_id": {"value": name}, "agent_id": offer["agent_id"], "resources": [cpus, mem],
              "command": {"value": f"echo {name}"}} for name in ("g1", "g2")]
    scheduler.send("ACCEPT", accept={"offer_ids": [offer["id"]], "operations": [
        {"type": "LAUNCH_GROUP", "launch_group": {"executor": executor, "task_group": {"tasks": tasks}}}]})
    finished = set()
    while finished != {"g1", "g2"}:
        status = scheduler.update()
        scheduler.ack(status)
        assert status["executor_id"] == {"value": "e1"}
        if status["state"] == "TASK_FINISHED":
            finished.add(status["task_id"]["value"])
    failure = scheduler.next("FAILURE")["failure"]
    assert failure["executor_id"] == {"value": "e1"} and failure["status"] == 0
    virtual = f"/frameworks/{scheduler.framework_id}/executors/e1/runs/latest/tasks/g2/stdout"
    status, _, body = sim.get("/files/read?" + urllib.parse.urlencode({"path": virtual, "offset": 0}),
                              sim.agents["S1"])
    assert json.loads(body)["data"] == "g2\n"
    recorded = json.loads(sim.get("/sim/tasks")[2])["tasks"]
    assert [r["operation"] for r in recorded] == ["LAUNCH_GROUP", "LAUNCH_GROUP"]
    assert recorded[0]["executor_info"] == executor


def test_max_completion_time_fails_the_task(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    scheduler.launch(scheduler.offers(1)[0], "t1", {"value": "sleep 30"},
                     max_completion_time={"nanoseconds": 300_000_000})
    failed = scheduler.wait_state("t1", "TASK_FAILED")
    assert failed["reason"] == "REASON_MAX_COMPLETION_TIME_REACHED"


def test_expect_100_continue_gets_no_interim_response(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    body = json.dumps({"type": "REVIVE", "framework_id": {"value": scheduler.framework_id}}).encode()
    sock = socket.create_connection(("127.0.0.1", sim.port), timeout=TIMEOUT)
    sock.sendall(b"POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Mesos-Stream-Id: %s\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n"
                 % (scheduler.stream_id.encode(), len(body)))
    assert select.select([sock], [], [], 0.3)[0] == []  # like libprocess: no "100 Continue"
    sock.sendall(body)
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 202 Accepted\r\n")
    assert sim.state()["expect_100_continue"] == 1


def test_heartbeats_can_be_stopped(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    scheduler.next("HEARTBEAT")
    sim.inject(action="heartbeats", enabled=False)
    scheduler.send("SUPPRESS", suppress={})
    time.sleep(0.1)
    while not scheduler.events.empty():
        scheduler.events.get()
    scheduler.none_of("HEARTBEAT", 1.2)
    sim.inject(action="heartbeats", enabled=True)
    scheduler.next("HEARTBEAT", timeout=1.5)


def test_sigterm_stops_the_simulator_and_its_tasks(start):
    sim = start("--agent", "id=S1")
    scheduler = Scheduler(sim.port)
    scheduler.launch(scheduler.offers(1)[0], "t1", {"value": "sleep 30"})
    pid = scheduler.wait_state("t1", "TASK_RUNNING")["container_status"]["executor_pid"]
    sim.proc.send_signal(signal.SIGTERM)
    assert sim.proc.wait(TIMEOUT) == 0
    wait_until(lambda: not alive(pid), message="task process killed on SIGTERM")
