"""One server per data folder, and the commands that act on a running server over its HTTP API:
found from the data folder (the server writes its address beside its lock) or given with --server,
with and without --http-credentials."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from test_engine import Server
from test_git_sync import B, commit, repo, server  # noqa: F401 (fixtures)

HELD = re.compile(r"data folder (?P<folder>\S+) is held by chronos-sync pid (?P<pid>\d+) \(API on (?P<api>http://127\.0\.0\.1:\d+)\)")


class FolderServer(Server):
    """A server on a plain folder, with the port it printed."""

    def start_and_wait(self, *args: str) -> int:
        self.start_args = list(args)
        self.log.write_text("")
        self.start()
        self.port = self.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", self.log.read_text())) and int(m.group(1)),
                                  what="the API")
        return self.port

    def run(self, *args: str, data: bool = True) -> subprocess.CompletedProcess:
        extra = ["--data", str(self.data)] if data else []
        return subprocess.run([str(self.binary), *args, *extra], capture_output=True, text=True, timeout=30)


@pytest.fixture
def folder_server(chronos_bin, tmp_path):
    s = FolderServer(chronos_bin, tmp_path)
    yield s
    s.stop(signal.SIGKILL)


TICK = """
    name: tick
    command: echo "$MESOS_TASK_ID" >> {out}
    schedule: R//PT1S
    epsilon: PT30S
"""


def test_a_second_server_on_the_same_folder_refuses_and_a_kill_9_leaves_no_stale_lock(folder_server, chronos_bin):
    out = folder_server.root / "ticks.txt"
    folder_server.write("tick.yaml", TICK.format(out=out))
    port = folder_server.start_and_wait()
    folder_server.wait_for(lambda: out.exists() and len(out.read_text().splitlines()) >= 2, what="two ticks")

    second = subprocess.run([str(chronos_bin), "serve", "--jobs", str(folder_server.jobs), "--data", str(folder_server.data), "--http-port", "0"],
                            capture_output=True, text=True, timeout=20)
    assert second.returncode == 1, second
    held = HELD.search(second.stderr)
    assert held, second.stderr
    assert held["pid"] == str(folder_server.process.pid)
    assert held["api"] == f"http://127.0.0.1:{port}"
    assert held["folder"] == str(folder_server.data)

    # The first server dies hard; a new one takes the folder at once and carries on.
    folder_server.process.send_signal(signal.SIGKILL)
    folder_server.process.wait(timeout=10)
    before = len(out.read_text().splitlines())
    folder_server.start_and_wait()
    folder_server.wait_for(lambda: len(out.read_text().splitlines()) >= before + 3, what="ticks from the new server")
    folder_server.stop()

    ids = out.read_text().splitlines()
    assert len(ids) == len(set(ids)), f"a run ran twice: {ids}"
    dues = [i.split(":")[1] for i in ids if i.split(":")[2] == "0"]
    assert len(dues) == len(set(dues)), f"a due time ran twice: {ids}"


def test_every_command_reaches_the_server_of_the_data_folder(folder_server):
    out = folder_server.root / "args.txt"
    folder_server.write("job.yaml", f"""
        name: job
        command: echo "args:$*" >> {out}
        schedule: R/2030-01-01T00:00:00Z/P1D
    """)
    folder_server.start_and_wait()
    folder_server.wait_for(lambda: folder_server.run("history", "job").returncode == 0, what="the job")

    ran = folder_server.run("run", "job", "--arg", "one", "--arg", "two words")
    assert ran.returncode == 0, ran
    task = ran.stdout.strip()
    assert re.fullmatch(r"ct:\d+:0:job", task), ran.stdout
    folder_server.wait_for(lambda: out.exists() and out.read_text(), what="the run's output")
    assert out.read_text() == "args: one two words\n", "the arguments are appended to the shell command, as in Chronos"

    history = folder_server.wait_for(lambda: (h := json.loads(folder_server.run("history", "job", "--json").stdout)) and h[0]["state"] == "succeeded" and h,
                                     what="the run to end")
    assert history[0]["taskID"] == task and history[0]["trigger"] == "manual"
    assert folder_server.run("logs", "job").stdout == ""  # its output went to the file, not stdout
    assert folder_server.run("logs", "job", "--task", task).returncode == 0

    assert folder_server.run("disable", "job").stdout == "disabled job\n"
    jobs = json.loads(subprocess.run(["curl", "-sf", f"http://127.0.0.1:{folder_server.port}/v1/scheduler/jobs"], capture_output=True, text=True).stdout)
    assert [j["disabled"] for j in jobs if j["name"] == "job"] == [True]
    assert folder_server.run("enable", "job").stdout == "enabled job\n"
    assert folder_server.run("mark-success", "job").stdout == "marked job as successful\n"
    assert folder_server.run("kill", "job").stdout == "killed the runs of job\n"

    unknown = folder_server.run("disable", "nope")
    assert unknown.returncode == 1 and 'no job named "nope"' in unknown.stderr, unknown

    # A plain folder has no git sync: status says so instead of inventing one.
    status = folder_server.run("status")
    assert status.returncode == 1 and "plain folder" in status.stderr, status


def test_commands_without_a_server_say_how_to_start_one(folder_server):
    for command in (["run", "job"], ["kill", "job"], ["disable", "job"], ["enable", "job"], ["mark-success", "job"], ["apply", "--auto-approve"]):
        result = folder_server.run(*command)
        assert result.returncode == 1, result
        assert f"no chronos-sync server is running on {folder_server.data}" in result.stderr, result
        assert "chronos-sync serve --data" in result.stderr


def test_credentials_and_a_server_on_another_port(folder_server, tmp_path):
    folder_server.write("job.yaml", """
        name: job
        command: "true"
        schedule: R/2030-01-01T00:00:00Z/P1D
    """)
    port = folder_server.start_and_wait("--http-credentials", "ops:s3cret")
    url = f"http://127.0.0.1:{port}"
    elsewhere = str(tmp_path / "no-such-data")
    commands = [["run", "job"], ["history", "job"], ["disable", "job"], ["enable", "job"], ["mark-success", "job"], ["kill", "job"]]
    for command in commands:
        refused = folder_server.run(*command)
        assert refused.returncode == 1, refused
        assert "--http-credentials" in refused.stderr, refused
        wrong = folder_server.run(*command, "--http-credentials", "ops:wrong")
        assert wrong.returncode == 1 and "--http-credentials" in wrong.stderr, wrong
        right = folder_server.run(*command, "--http-credentials", "ops:s3cret")
        assert right.returncode == 0, right
        # The same through --server, from a data folder that holds no server.
        remote = folder_server.run(*command, "--server", url, "--http-credentials", "ops:s3cret", "--data", elsewhere, data=False)
        assert remote.returncode == 0, remote
    env = dict(os.environ, MESOSPHERE_HTTP_CREDENTIALS="ops:s3cret")
    from_env = subprocess.run([str(folder_server.binary), "history", "job", "--server", url], capture_output=True, text=True, env=env, timeout=30)
    assert from_env.returncode == 0, from_env
    assert not Path(elsewhere).exists(), "a command on --server must not create a data folder"


def test_duration_flags_take_units(folder_server, chronos_bin):
    folder_server.write("job.yaml", """
        name: job
        command: "true"
        schedule: R/2030-01-01T00:00:00Z/P1D
    """)
    folder_server.start_and_wait("--sync-interval", "1m", "--task-epsilon", "2m", "--failure-retry", "30s")
    bad = subprocess.run([str(chronos_bin), "serve", "--jobs", "x", "--sync-interval", "soon"], capture_output=True, text=True, timeout=20)
    assert bad.returncode == 64 and "--sync-interval" in bad.stderr, bad


def test_apply_without_a_file_plans_asks_and_applies_that_plan(server, repo, chronos_bin):
    git_server = server
    # A long interval: only `apply` can explain a change.
    git_server.start_git("--repo", str(repo), "--sync-interval", "1h")
    git_server.wait_for(lambda: "a" in git_server.live_jobs(), what="job a")
    head = commit(repo, {"jobs/b.yaml": B}, "add b")

    def apply(*args, stdin=subprocess.DEVNULL):
        return subprocess.run([str(chronos_bin), "apply", "--data", str(git_server.data), *args], capture_output=True, text=True,
                              stdin=stdin, timeout=60)

    # No terminal and no --auto-approve: nothing is applied.
    refused = apply()
    assert refused.returncode == 1, refused
    assert "--auto-approve" in refused.stderr
    assert "+ b" in refused.stdout, "the plan is shown before the question"
    assert "b" not in git_server.live_jobs()

    applied = apply("--auto-approve")
    assert applied.returncode == 0, applied
    assert "+ b" in applied.stdout
    assert "b" in git_server.live_jobs()
    assert git_server.status()["appliedRevision"] == head

    again = apply("--auto-approve")
    assert again.returncode == 0 and "nothing to apply" in again.stdout, again


def test_a_service_that_fails_stops_the_server_with_its_cause(chronos_bin, tmp_path):
    (tmp_path / "jobs").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([str(chronos_bin), "serve", "--jobs", str(tmp_path / "jobs"), "--data", str(tmp_path / "data"), "--http-port", str(port)],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result
    assert re.search(r" error chronos-sync: .*chronos-sync stops: .*Address already in use", result.stderr), result.stderr


def test_out_of_file_descriptors_the_folder_is_not_read_as_empty(folder_server):
    once = folder_server.root / "once.txt"
    folder_server.write("once.yaml", f"""
        name: once
        command: echo "$MESOS_TASK_ID" >> {once}
        schedule: ""
    """)
    folder_server.start_and_wait("--sync-interval", "200ms")
    folder_server.wait_for(lambda: once.exists() and once.read_text(), what="the one-shot run")
    pid = folder_server.process.pid
    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    # No descriptor left: the next scans of the folder cannot open it (or its files). The limit is below every
    # descriptor already open, so none that closes meanwhile frees a slot.
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (3, hard))
    try:
        folder_server.wait_for(lambda: re.search(r"cannot read the (folder|file)", folder_server.log.read_text()), what="a failed folder scan")
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
    assert "applied 0 jobs" not in folder_server.log.read_text()
    # A scan that succeeds again (it picks up a new job) leaves the one-shot job alone.
    folder_server.write("later.yaml", """
        name: later
        command: "true"
        schedule: R/2030-01-01T00:00:00Z/P1D
    """)
    folder_server.wait_for(lambda: folder_server.run("history", "later").returncode == 0, what="the new job")
    assert folder_server.run("history", "once").returncode == 0
    assert len(once.read_text().splitlines()) == 1, "the one-shot job ran again"


def test_sandboxes_of_runs_that_left_the_history_are_deleted(folder_server):
    folder_server.write("tick.yaml", """
        name: tick
        command: echo tick
        schedule: R//PT1S
    """)
    port = folder_server.start_and_wait("--job-history-limit", "2", "--sandbox-sweep-interval", "300ms")
    sandboxes = folder_server.data / "sandboxes" / "tick"

    def deleted():
        metrics = subprocess.run(["curl", "-s", f"http://127.0.0.1:{port}/metrics"], capture_output=True, text=True).stdout
        found = re.search(r"^chronos_sandboxes_deleted_total (\d+)", metrics, re.M)
        return int(found.group(1)) if found else 0

    folder_server.wait_for(lambda: deleted() >= 4, what="sweeps that deleted four sandboxes", timeout=40)
    metrics = subprocess.run(["curl", "-s", f"http://127.0.0.1:{port}/metrics"], capture_output=True, text=True).stdout
    assert re.search(r"^chronos_sandboxes_bytes \d+", metrics, re.M), "disk use is reported"
    folder_server.stop()
    left = {p.name for p in sandboxes.iterdir()}
    # The history holds two runs; at most one more ended after the last sweep, and none is in flight.
    assert 2 <= len(left) <= 3, left
    held = {r["taskID"].replace(":", "_") for r in json.loads(folder_server.run("history", "tick", "--json", "--limit", "50").stdout)}
    assert len(left - held) <= 1, (left, held)


def test_a_restart_kills_only_its_own_orphans(chronos_bin, tmp_path):
    servers = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        s = FolderServer(chronos_bin, tmp_path / name)
        # The same job on both servers: the same task ids, as two teams' copies of one repository would have.
        s.write("long.yaml", """
            name: long
            command: echo $$ > "$MESOS_SANDBOX/pid"; sleep 60
            schedule: R/2030-01-01T00:00:00Z/P1D
            retries: 1
        """)
        s.start_and_wait()
        servers.append(s)
    one, two = servers
    pids = {}
    try:
        for s in servers:
            s.wait_for(lambda: s.run("history", "long").returncode == 0, what="the job")
            task = s.run("run", "long").stdout.strip()
            sandbox = s.data / "sandboxes" / "long" / task.replace(":", "_")
            pids[s] = int(s.wait_for(lambda: (sandbox / "pid").exists() and (sandbox / "pid").read_text().strip(), what="the run's pid"))
        two.process.send_signal(signal.SIGKILL)
        two.process.wait(timeout=10)
        two.start_and_wait()
        # The restarted server ends its own orphan and retries it...
        two.wait_for(lambda: any(r["state"] == "lost" for r in json.loads(two.run("history", "long", "--json").stdout)), what="the lost run")
        two.wait_for(lambda: not os.path.exists(f"/proc/{pids[two]}") or open(f"/proc/{pids[two]}/stat").read().split()[2] == "Z",
                     what="its orphan killed")
        # ...and leaves the other server's run alone.
        os.kill(pids[one], 0)
        assert [r["state"] for r in json.loads(one.run("history", "long", "--json").stdout)] == ["running"]
    finally:
        for s in servers:
            s.stop(signal.SIGKILL)
        for pid in pids.values():
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_sync_commands_with_credentials_and_server(server, repo, chronos_bin):
    git_server = server
    git_server.start_git("--repo", str(repo), "--sync-interval", "1h", "--http-credentials", "ops:s3cret")
    url = f"http://127.0.0.1:{git_server.port}"

    def command(*args, credentials=True, target=("--data", str(git_server.data))):
        extra = ["--http-credentials", "ops:s3cret"] if credentials else []
        return subprocess.run([str(chronos_bin), *args, *target, *extra], capture_output=True, text=True, timeout=60)

    # The commit comes after the server's first sync, so that only plan and apply can bring it in.
    git_server.wait_for(lambda: command("status").returncode == 0, what="the first sync")
    commit(repo, {"jobs/b.yaml": B}, "add b")

    for args in (["status"], ["drift"], ["apply", "--auto-approve"], ["plan", "--repo", str(repo)]):
        refused = command(*args, credentials=False, target=("--server", url))
        assert refused.returncode == 1 and "--http-credentials" in refused.stderr, refused
    plan = command("plan", "--repo", str(repo), "--detailed-exitcode", target=("--server", url))
    assert plan.returncode == 2 and "+ b" in plan.stdout, plan
    applied = command("apply", "--auto-approve")
    assert applied.returncode == 0 and "+ b" in applied.stdout, applied
    status = command("status", "--json", target=("--server", url))
    assert status.returncode == 0, status
    assert json.loads(status.stdout)["state"] == "Synced"
    drift = command("drift")
    assert drift.returncode == 0 and "no drift" in drift.stdout, drift


def test_idle_sockets_beyond_the_open_files_limit_cost_no_job(chronos_bin, tmp_path):
    """1,100 idle clients against a server whose open-files limit is 256: the folder is still read (a
    new job is applied), no job is deleted, and a one-shot job does not run again."""
    s = FolderServer(chronos_bin, tmp_path)
    once = tmp_path / "once.txt"
    s.write("once.yaml", f"""
        name: once
        command: echo "$MESOS_TASK_ID" >> {once}
        schedule: ""
    """)
    log = open(s.log, "a")
    s.process = subprocess.Popen(["bash", "-c", 'ulimit -Sn 256 && ulimit -Hn 256 && exec "$@"', "serve", str(chronos_bin), "serve",
                                  "--jobs", str(s.jobs), "--data", str(s.data), "--sync-interval", "200ms", "--http-port", "0"],
                                 stdout=log, stderr=log, cwd=tmp_path)
    clients = []
    try:
        port = s.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", s.log.read_text())) and int(m.group(1)), what="the API")
        s.wait_for(lambda: once.exists() and once.read_text(), what="the one-shot run")
        for _ in range(1100):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", port))
            clients.append(c)
        time.sleep(1)
        held = len(os.listdir(f"/proc/{s.process.pid}/fd"))
        assert held < 256, f"the server holds {held} descriptors"
        s.write("later.yaml", """
            name: later
            command: "true"
            schedule: R/2030-01-01T00:00:00Z/P1D
        """)
        s.wait_for(lambda: "created job later" in s.log.read_text(), what="the new job applied while the clients wait")
        assert "deleted job once" not in s.log.read_text()
        assert "applied 0 jobs" not in s.log.read_text()
    finally:
        for c in clients:
            c.close()
        s.stop(signal.SIGKILL)
    assert len(once.read_text().splitlines()) == 1
