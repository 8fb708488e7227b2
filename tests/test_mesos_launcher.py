"""The Mesos launcher end to end: a real `chronos-sync serve --master` against the Mesos master simulator.

Each test starts its own simulator (short heartbeat, allocation and update-retry intervals) and server on
loopback; every wait is bounded. What is asserted is what happened (tasks launched, runs recorded, calls
made), never how long it took.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import urllib.request

import pytest

from ha_cluster import Instance, ZooKeeper, leader_of, wait_for
from test_engine import Server
from test_mesos_sim import Sim

WAIT = 40  # bound on any one wait, in seconds


@pytest.fixture
def sim_factory(tmp_path):
    sims = []

    def start(*args: str) -> Sim:
        work = tmp_path / f"sim{len(sims)}"
        work.mkdir()
        sim = Sim(work, *args)
        sims.append(sim)
        return sim

    yield start
    for sim in sims:
        sim.stop()


@pytest.fixture
def zk(tmp_path):
    server = ZooKeeper(tmp_path / "zk")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mesos_server(chronos_bin, tmp_path):
    servers = []

    def start(sim: Sim, *extra: str, masters: str | None = None) -> Server:
        server = Server(chronos_bin, tmp_path)
        server.start_args = ["--master", masters or f"http://127.0.0.1:{sim.port}", "--mesos-framework-name", "chronos-sync-test",
                             "--reconciliation-interval", "2s", *extra]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop(signal.SIGKILL)


def tasks_of(sim: Sim, job: str) -> list[dict]:
    status, _, body = sim.get("/sim/tasks")
    assert status == 200
    return [t for t in json.loads(body)["tasks"] if t["task_info"]["task_id"]["value"].endswith(f":{job}")]


def sim_task(sim: Sim, task_id: str) -> dict | None:
    return next((t for t in sim.state()["tasks"] if t["task_id"] == task_id), None)


def finished(runs, state=None):
    return [r for r in runs if r["state"] not in ("queued", "running", "skipped") and (state is None or r["state"] == state)]


def api_port(server: Server) -> int:
    return server.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", server.log.read_text())) and int(m.group(1)),
                           timeout=WAIT, what="the API port")


def api_get(server: Server, path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port(server)}{path}", timeout=10) as answer:
        return json.loads(answer.read())


def one_run_succeeded(server: Server, sim: Sim, job: str) -> dict:
    """The job ran exactly once on Mesos, and succeeded: one task launched, one run recorded."""
    runs = server.wait_for(lambda: finished(server.history(job)) or None, timeout=WAIT, what=f"{job} to finish")
    assert [r["state"] for r in server.history(job)] == ["succeeded"], server.history(job)
    assert len(tasks_of(sim, job)) == 1, tasks_of(sim, job)
    return runs[0]


def test_a_dependency_chain_runs_on_mesos_with_its_output_read_from_the_agent(sim_factory, mesos_server):
    sim = sim_factory("--agents", "2")
    server = mesos_server(sim)
    server.write("chain.yaml", """
        name: first
        command: echo "first on $HOST"
        schedule: ""
        ---
        name: second
        command: echo second
        parents: [first]
        ---
        name: third
        command: echo third >&2
        parents: [second]
        """)
    server.start()
    for job in ("first", "second", "third"):
        one_run_succeeded(server, sim, job)
    first, second, third = (server.history(j)[0] for j in ("first", "second", "third"))
    assert first["endedAt"] <= second["startedAt"] and second["endedAt"] <= third["startedAt"]
    assert first["sandbox"].startswith("mesos-agent:")
    # Output comes from the agent's sandbox, through its /files/read.
    logs = server.cli("logs", "first")
    assert logs.returncode == 0 and logs.stdout.startswith("first on "), logs
    assert server.cli("logs", "third", "--stderr").stdout == "third\n"
    state = sim.state()
    framework = state["frameworks"][0]
    assert framework["info"]["failover_timeout"] == 604800 and framework["info"]["name"] == "chronos-sync-test"
    # Every call but SUBSCRIBE carried the stream id and was accepted; updates were acknowledged once each.
    calls = [c for c in state["calls"] if c["path"].endswith("/api/v1/scheduler")]
    assert all(c["status"] == 202 and c["stream_id"] for c in calls if c["type"] != "SUBSCRIBE"), calls
    assert all(not c["stream_id"] and c["expect"] in (None, "") for c in calls if c["type"] == "SUBSCRIBE")
    acks = state["acknowledgements"]
    assert acks and all(a["result"] == "accepted" for a in acks), acks
    # Implicit reconciliation runs every --reconciliation-interval (2 s here).
    server.wait_for(lambda: any(c.get("type") == "RECONCILE" and c["body"]["reconcile"]["tasks"] == [] for c in sim.state()["calls"]),
                    timeout=WAIT, what="an implicit reconciliation")
    # Nothing waits any more: offers are suppressed.
    server.wait_for(lambda: sim.state()["frameworks"][0]["suppressed"], timeout=WAIT, what="SUPPRESS")
    # The framework's metrics: the three tasks launched, the offers they came in, the calls by type.
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port(server)}/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert "chronos_mesos_tasks_launched_total 3" in metrics, metrics
    assert re.search(r"chronos_mesos_offers_received_total [1-9]", metrics)
    assert re.search(r'chronos_mesos_calls_total\{type="ACCEPT"\} [1-9]', metrics)
    assert re.search(r'chronos_mesos_calls_total\{type="SUPPRESS"\} [1-9]', metrics)


def long_job(server: Server, name: str = "long", seconds: float = 3):
    server.write(f"{name}.yaml", f"""
        name: {name}
        command: sleep {seconds}; echo done
        schedule: ""
        retries: 2
        """)


def running_task(server: Server, sim: Sim, job: str) -> dict:
    def find():
        for t in sim.state()["tasks"]:
            if t["task_id"].endswith(f":{job}") and t["state"] == "TASK_RUNNING":
                return t
    return server.wait_for(find, timeout=WAIT, what=f"{job} to run on Mesos")


@pytest.mark.parametrize("failure", ["drop_stream", "heartbeats", "resend_updates", "lose_agent"])
def test_an_injected_failure_loses_and_duplicates_no_run(sim_factory, mesos_server, failure):
    sim = sim_factory("--agents", "1")
    server = mesos_server(sim)
    long_job(server)
    server.start()
    task = running_task(server, sim, "long")
    subscriptions = sim.state()["frameworks"][0]["subscriptions"]
    if failure == "drop_stream":
        sim.inject(action="drop_stream")
        server.wait_for(lambda: sim.state()["frameworks"][0]["subscriptions"] > subscriptions, timeout=WAIT, what="a resubscription")
    elif failure == "heartbeats":
        sim.inject(action="stall_stream", enabled=True)
        # Five silent heartbeat intervals later the watchdog closes the stream and subscribes again.
        server.wait_for(lambda: sim.state()["frameworks"][0]["subscriptions"] > subscriptions, timeout=WAIT, what="the watchdog")
        sim.inject(action="stall_stream", enabled=False)
    elif failure == "resend_updates":
        sim.inject(action="resend_updates")
    elif failure == "lose_agent":
        sim.inject(action="lose_agent", agent_id=task["agent_id"], unreachable_after=0.2)
        server.wait_for(lambda: any(s["state"] == "TASK_UNREACHABLE" for s in sim_task(sim, task["task_id"])["statuses"]),
                        timeout=WAIT, what="TASK_UNREACHABLE")
        assert [r["state"] for r in server.history("long")] == ["running"], "UNREACHABLE is not final"
        sim.inject(action="restore_agent", agent_id=task["agent_id"])
    one_run_succeeded(server, sim, "long")
    if failure in ("drop_stream", "heartbeats"):
        # The resubscription kept the framework id and reconciled the running task explicitly.
        frameworks = sim.state()["frameworks"]
        assert len(frameworks) == 1
        reconciles = [c for c in sim.state()["calls"] if c.get("type") == "RECONCILE" and c["body"]["reconcile"]["tasks"]]
        assert any(t["task_id"]["value"] == task["task_id"] for c in reconciles for t in c["body"]["reconcile"]["tasks"])


def test_a_master_failover_is_followed_through_307_redirects(sim_factory, mesos_server):
    sim = sim_factory("--agents", "1", "--masters", "2")
    standby = sim.masters[1]
    # Given only the standby master, the framework finds the leader through its 307 (a scheme-relative Location).
    server = mesos_server(sim, masters=f"http://127.0.0.1:{standby}")
    long_job(server)
    server.start()
    task = running_task(server, sim, "long")
    redirected = [c for c in sim.state()["calls"] if c["path"].endswith("/api/v1/scheduler") and c["status"] == 307 and c["master"] == 1]
    assert redirected, "the first SUBSCRIBE went to the standby"
    sim.inject(action="failover", to=1, delay=0.3, agent_reregister_delay=0.5)
    one_run_succeeded(server, sim, "long")
    subscribed = [c for c in sim.state()["calls"] if c.get("type") == "SUBSCRIBE" and c["status"] == 200]
    assert len({c["master"] for c in subscribed}) == 2, subscribed
    assert len(tasks_of(sim, "long")) == 1 and task


def test_constraints_place_runs_as_chronos_does(sim_factory, mesos_server):
    sim = sim_factory("--agent", "id=S1,hostname=h1,attr.rack=r1", "--agent", "id=S2,hostname=h2,attr.rack=r2",
                      "--agent", "id=S3,hostname=h3")
    server = mesos_server(sim)
    server.write("placed.yaml", """
        name: equals
        command: "true"
        schedule: ""
        constraints: [[rack, EQUALS, r2]]
        ---
        name: like
        command: "true"
        schedule: ""
        constraints: [[hostname, LIKE, "h[13]"]]
        ---
        name: unlike
        command: "true"
        schedule: ""
        constraints: [[rack, UNLIKE, r1]]
        """)
    server.start()
    for job in ("equals", "like", "unlike"):
        one_run_succeeded(server, sim, job)
    agent = {job: tasks_of(sim, job)[0]["task_info"]["agent_id"]["value"] for job in ("equals", "like", "unlike")}
    assert agent["equals"] == "S2"
    assert agent["like"] in ("S1", "S3")
    # UNLIKE r1: only S2; S3 has no rack, and a missing attribute fails UNLIKE in Chronos.
    assert agent["unlike"] == "S2"


def test_task_infos_of_a_docker_job_and_a_command_job_with_fetch(sim_factory, mesos_server, tmp_path):
    sim = sim_factory("--agents", "1")
    server = mesos_server(sim, "--user", "nobody")
    tool = tmp_path / "tool.sh"
    tool.write_text("#!/bin/sh\necho tool\n")
    server.write("infos.yaml", f"""
        name: boxed
        command: echo boxed
        schedule: ""
        cpus: 0.5
        mem: 64
        disk: 32
        container:
          type: DOCKER
          image: alpine:3.19
          network: HOST
          forcePullImage: true
          parameters: [{{key: env, value: A=B}}]
          volumes: [{{containerPath: /data, hostPath: /srv/data, mode: RO}}]
        ---
        name: fetched
        command: ./tool.sh
        shell: false
        arguments: [--flag]
        schedule: ""
        runAsUser: {__import__("getpass").getuser()}
        environmentVariables: [{{name: COLOUR, value: blue}}]
        fetch: [{{uri: "file://{tool}", executable: true, extract: false, cache: false, output_file: tool.sh}}]
        """)
    server.start()
    for job in ("boxed", "fetched"):
        server.wait_for(lambda: tasks_of(sim, job), timeout=WAIT, what=f"{job}'s TaskInfo")
    boxed = tasks_of(sim, "boxed")[0]
    info = boxed["task_info"]
    assert info["name"] == "ChronosTask:boxed" and info["agent_id"]["value"] in sim.agents
    assert re.fullmatch(r"ct:\d+:0:boxed", info["task_id"]["value"])
    resources = {r["name"]: r for r in info["resources"]}
    assert {n: r["scalar"]["value"] for n, r in resources.items()} == {"cpus": 0.5, "mem": 64, "disk": 32}
    assert all(r["type"] == "SCALAR" and r["role"] == "*" for r in resources.values())
    assert info["container"] == {
        "type": "DOCKER",
        "docker": {"image": "alpine:3.19", "network": "HOST", "force_pull_image": True, "parameters": [{"key": "env", "value": "A=B"}]},
        "volumes": [{"container_path": "/data", "host_path": "/srv/data", "mode": "RO"}],
    }
    assert info["command"]["shell"] is True and info["command"]["value"] == "echo boxed"
    assert info["command"]["user"] == "nobody", "--user is the default runAsUser"
    env = {v["name"]: v["value"] for v in info["command"]["environment"]["variables"]}
    assert env["CHRONOS_JOB_NAME"] == "boxed" and env["MESOS_TASK_ID"] == info["task_id"]["value"]
    assert env["CHRONOS_RESOURCE_CPU"] == "0.5" and env["CHRONOS_RESOURCE_MEM"] == "64"
    assert boxed.get("accepted") is True, boxed

    fetched = tasks_of(sim, "fetched")[0]["task_info"]["command"]
    assert fetched["shell"] is False and fetched["value"] == "./tool.sh" and fetched["arguments"] == ["./tool.sh", "--flag"]
    assert fetched["uris"] == [{"value": f"file://{tool}", "executable": True, "extract": False, "cache": False, "output_file": "tool.sh"}]
    env = {v["name"]: v["value"] for v in fetched["environment"]["variables"]}
    assert env["COLOUR"] == "blue"
    one_run_succeeded(server, sim, "fetched")
    assert server.cli("logs", "fetched").stdout == "tool\n", "the fetched file ran in the sandbox"


def test_a_job_that_never_fits_an_offer_stays_queued_and_says_why(sim_factory, mesos_server):
    sim = sim_factory("--agents", "1")
    server = mesos_server(sim)
    server.write("big.yaml", """
        name: big
        command: "true"
        schedule: ""
        cpus: 64
        ---
        name: small
        command: "true"
        schedule: ""
        """)
    server.start()
    one_run_succeeded(server, sim, "small")
    run = server.wait_for(lambda: next((r for r in server.history("big") if "offer" in r.get("reason", "")), None),
                          timeout=WAIT, what="big's reason")
    assert run["state"] == "running" and "cpus 64" in run["reason"], run
    summary = {j["name"]: j for j in api_get(server, "/v1/scheduler/jobs/summary")["jobs"]}
    assert summary["big"]["state"] == "queued", summary["big"]
    assert tasks_of(sim, "big") == []
    # Offers keep coming (declined with a refusal), and are never suppressed while a run waits.
    declines = sim.state()["declines"]
    assert any(d["call"] == "DECLINE" and d["refuse_seconds"] == 5 for d in declines), declines
    assert not sim.state()["frameworks"][0]["suppressed"]


def test_a_restart_reconciles_the_tasks_that_ran_meanwhile(sim_factory, mesos_server):
    sim = sim_factory("--agents", "1")
    server = mesos_server(sim)
    long_job(server, seconds=2)
    server.start()
    task = running_task(server, sim, "long")
    framework = sim.state()["frameworks"][0]["id"]
    server.stop(signal.SIGKILL)
    # The task ends while nobody listens.
    server.wait_for(lambda: sim_task(sim, task["task_id"])["agent_state"] == "TASK_FINISHED", timeout=WAIT, what="the task to end")
    server.start()
    run = one_run_succeeded(server, sim, "long")
    assert run["taskID"] == task["task_id"]
    assert [f["id"] for f in sim.state()["frameworks"]] == [framework], "the same framework, resubscribed"


def register_master(zk, path: str, port: int) -> None:
    """Writes a master's MasterInfo where Mesos registers it (`<path>/json.info_NNNNNNNNNN`), with zkCli."""
    info = json.dumps({"address": {"hostname": "127.0.0.1", "ip": "127.0.0.1", "port": port}, "hostname": "127.0.0.1", "port": port,
                       "id": "sim", "pid": f"master@127.0.0.1:{port}"})
    for command in (["create", path, ""], ["create", "-s", f"{path}/json.info_", info]):
        subprocess.run(["/usr/share/zookeeper/bin/zkCli.sh", "-server", zk.hosts, *command], capture_output=True, timeout=60, check=True)


def test_the_leading_master_is_found_through_zookeeper(sim_factory, mesos_server, zk, cli, tmp_path):
    # Nothing registered yet: serve says so, and does not start.
    result = cli("serve", "--jobs", str(tmp_path), "--data", str(tmp_path / "d"), "--master", f"zk://{zk.hosts}/mesos")
    assert result.returncode != 0 and "no Mesos master has registered under /mesos" in result.stderr, result
    sim = sim_factory()
    register_master(zk, "/mesos", sim.port)
    server = mesos_server(sim, masters=f"zk://{zk.hosts}/mesos")
    server.write("once.yaml", """
        name: once
        command: echo found
        schedule: ""
        """)
    server.start()
    one_run_succeeded(server, sim, "once")


def test_with_ha_only_the_leader_runs_the_framework_and_a_new_leader_keeps_its_tasks(sim_factory, zk, chronos_bin, tmp_path):
    sim = sim_factory()
    jobs = tmp_path / "ha-jobs"
    jobs.mkdir()
    (jobs / "long.yaml").write_text('name: long\ncommand: sleep 3\nschedule: ""\n')
    extra = ["--master", f"http://127.0.0.1:{sim.port}", "--mesos-framework-name", "chronos-sync-ha", "--reconciliation-interval", "2s"]
    instances = [Instance(chronos_bin, tmp_path, f"ha{i}", f"zk://{zk.hosts}/mesos-ha", jobs, extra=extra) for i in range(2)]
    for instance in instances:
        instance.start()
    leader = wait_for(lambda: leader_of(instances), WAIT, "a leader")
    def running_task():
        launched = tasks_of(sim, "long")
        task = launched and sim_task(sim, launched[0]["task_info"]["task_id"]["value"])
        return task if task and task["agent_state"] == "TASK_RUNNING" else None

    task = wait_for(running_task, WAIT, "the task to run")
    # One framework, subscribed by the leader alone.
    frameworks = sim.state()["frameworks"]
    assert len(frameworks) == 1 and frameworks[0]["connected"], frameworks
    leader.kill(signal.SIGKILL)
    follower = next(i for i in instances if i is not leader)
    wait_for(lambda: leader_of([follower]), WAIT, "the other instance to lead")
    # The new leader subscribes as the same framework (its id is in ZooKeeper), reconciles the task, and
    # records its end: one task, one successful run.
    def finished_runs():
        status, body = follower.request("GET", "/v1/jobs/long/runs")
        return [r for r in body if r["state"] not in ("queued", "running")] if status == 200 else None
    runs = wait_for(finished_runs, WAIT, "the run to end")
    assert [r["state"] for r in runs] == ["succeeded"], runs
    assert runs[0]["taskID"] == task["task_id"]
    assert len(tasks_of(sim, "long")) == 1
    assert [f["id"] for f in sim.state()["frameworks"]] == [frameworks[0]["id"]]
    follower.kill(signal.SIGTERM)
