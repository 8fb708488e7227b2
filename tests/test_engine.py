"""The scheduler end to end: the built binary serving a folder of specs with real processes.

Each test starts `chronos-sync serve` on its own data folder, watches the run history through
`chronos-sync history --json`, and stops the server (gracefully, or with kill -9).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest


class Server:
    def __init__(self, binary: Path, root: Path):
        self.binary = binary
        self.root = root
        self.jobs = root / "jobs"
        self.data = root / "data"
        self.jobs.mkdir(exist_ok=True)
        self.process: subprocess.Popen | None = None
        self.start_args: list[str] = []
        self.log = root / "serve.log"

    def write(self, name: str, text: str) -> None:
        (self.jobs / name).write_text(textwrap.dedent(text))

    def start(self) -> None:
        log = open(self.log, "a")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--jobs", str(self.jobs), "--data", str(self.data), "--sync-interval", "0.3", "--http-port", "0", *self.start_args],
            stdout=log, stderr=log, cwd=self.root,
        )

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=15)
        self.process = None

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        # Commands reach the running server over its API, with the credentials it was started with.
        credentials = []
        if "--http-credentials" in self.start_args:
            credentials = ["--http-credentials", self.start_args[self.start_args.index("--http-credentials") + 1]]
        return subprocess.run([str(self.binary), *args, "--data", str(self.data), *credentials], capture_output=True, text=True, timeout=30)

    def history(self, job: str) -> list[dict]:
        result = self.cli("history", job, "--json", "--limit", "100")
        if result.returncode != 0:
            return []
        return sorted(json.loads(result.stdout), key=lambda r: (r["taskID"].split(":")[1], int(r["taskID"].split(":")[2])))

    def wait_for(self, predicate, timeout: float = 20, what: str = "condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}\n--- serve.log\n{self.log.read_text()[-4000:]}")


@pytest.fixture
def server(chronos_bin, tmp_path):
    s = Server(chronos_bin, tmp_path)
    yield s
    s.stop(signal.SIGKILL)


def due(run) -> int:
    return int(run["taskID"].split(":")[1])


def finished(runs, state=None):
    return [r for r in runs if r["state"] not in ("queued", "running") and (state is None or r["state"] == state)]


def test_a_two_parent_join_waits_for_both_parents(server):
    release = server.root / "release-slow-parent"
    server.write("chain.yaml", f"""
        name: fast-parent
        command: echo fast
        schedule: ""
        ---
        name: slow-parent
        command: while [ ! -e {release} ]; do sleep 0.1; done; echo slow
        schedule: ""
        ---
        name: join
        command: echo joined
        parents: [fast-parent, slow-parent]
        ---
        name: after-join
        command: echo last
        parents: [join]
        """)
    server.start()
    fast = server.wait_for(lambda: finished(server.history("fast-parent"), "succeeded"), what="the fast parent to succeed")[0]
    server.wait_for(lambda: [r for r in server.history("slow-parent") if r["state"] == "running"], what="the slow parent to run")
    # The success of a parent and the runs it triggers are stored together: none after one parent.
    assert server.history("join") == [], "the join waits while the slow parent still runs"
    release.touch()
    last = server.wait_for(lambda: finished(server.history("after-join"), "succeeded"), what="after-join to succeed")
    slow = finished(server.history("slow-parent"), "succeeded")[0]
    joins = server.history("join")
    assert len(joins) == 1, joins
    assert fast["endedAt"] <= slow["endedAt"]
    assert joins[0]["startedAt"] >= slow["endedAt"], "the join started only after BOTH parents succeeded"
    assert joins[0]["trigger"] == "dependency"
    assert last[0]["startedAt"] >= joins[0]["endedAt"]


def test_a_failing_job_is_retried_after_its_interval(server, tmp_path):
    marker = tmp_path / "first-attempt-done"
    server.write("flaky.yaml", f"""
        name: flaky
        command: if [ -f {marker} ]; then echo recovered; else touch {marker}; echo failing >&2; exit 3; fi
        schedule: ""
        retries: 2
        retryInterval: PT2S
        """)
    server.start()
    runs = server.wait_for(lambda: finished(server.history("flaky"), "succeeded") and server.history("flaky"), what="the retry to succeed")
    first, second = runs[0], runs[1]
    assert first["state"] == "failed" and first["exitStatus"] == 3
    assert second["trigger"] == "retry" and second["taskID"].endswith(":1:flaky")
    # When exactly it starts is tested on a manual clock (SchedulerTimerTests); here, that it waited.
    assert second["startedAt"] - first["endedAt"] >= 2000, "the retry waited for retryInterval"
    logs = server.cli("logs", "flaky", "--task", first["taskID"], "--stderr")
    assert logs.stdout == "failing\n"


def test_a_run_past_its_timeout_is_killed(server):
    server.write("slow.yaml", """
        name: too-slow
        command: sleep 30
        schedule: ""
        timeout: PT1S
        retries: 0
        """)
    server.start()
    failed = server.wait_for(lambda: finished(server.history("too-slow"), "failed"), what="the timeout kill")
    run = failed[0]
    # Only a kill fails a `sleep 30` (it would exit 0); when exactly is tested on a manual clock.
    assert run["reason"] == "timed out after 1 s", "a timeout is a failure (retried by policy), not a kill"
    assert run["endedAt"] - run["startedAt"] >= 1000, "not killed before its timeout"


def test_kill_9_and_restart_lose_nothing(server):
    server.write("jobs.yaml", """
        name: quick
        command: echo quick
        schedule: ""
        ---
        name: long
        command: echo started; sleep 30
        schedule: ""
        retries: 1
        retryInterval: PT1S
        ---
        name: ticker
        command: echo tick
        schedule: R//PT2S
        """)
    server.start()
    server.wait_for(lambda: finished(server.history("quick"), "succeeded"), what="quick to run")
    running = server.wait_for(lambda: [r for r in server.history("long") if r["state"] == "running" and r.get("pid")], what="long to be running")
    pid = running[0]["pid"]
    server.wait_for(lambda: len(finished(server.history("ticker"))) >= 1, what="a tick")
    server.stop(signal.SIGKILL)
    assert os.path.exists(f"/proc/{pid}"), "the run outlives the server (its own session)"
    # The last slot the server knew of (run, or prepared as queued); stay down until two more have passed.
    last_due = max(due(r) for r in server.history("ticker"))
    server.wait_for(lambda: time.time() * 1000 > last_due + 4500, what="two ticker slots to pass while down")
    server.start()
    # The in-flight run is lost, its process killed, and it is retried by policy.
    runs = server.wait_for(lambda: [r for r in server.history("long") if r["taskID"].endswith(":1:long") and r["state"] == "running"], what="the retry of the lost run")
    history = server.history("long")
    assert history[0]["state"] == "lost" and "stopped" in history[0]["reason"]
    server.wait_for(lambda: not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z",
                    what="the orphaned process to be killed")
    # Nothing earlier is lost.
    assert finished(server.history("quick"), "succeeded")
    # The ticker's missed slots coalesce into one run, queued at restart for the latest of them; then
    # the cadence resumes, one run per slot.
    after = server.wait_for(lambda: (lambda runs: runs if len(finished(runs, "succeeded")) >= 3 else None)(
        [r for r in server.history("ticker") if due(r) > last_due and r["state"] != "skipped"]), what="the ticker to resume")
    # The slots folded into the coalesced run are recorded as skipped, under the first of them.
    folded = [r for r in server.history("ticker") if due(r) > last_due and r["state"] == "skipped"]
    assert len(folded) == 1 and due(folded[0]) == last_due + 2000 and "coalesced" in folded[0]["reason"], folded
    assert folded[0]["skippedCount"] == (due(after[0]) - due(folded[0])) // 2000, folded
    coalesced = after[0]
    assert due(coalesced) - last_due >= 4000, f"no run for each missed slot: {after}"
    assert coalesced["queuedAt"] >= coalesced["readyAt"], "queued after its slot passed, for the slots missed"
    assert [due(r) - due(coalesced) for r in after] == [2000 * i for i in range(len(after))], after
    server.stop()


def test_run_and_kill_commands_reach_the_server(server):
    server.write("manual.yaml", """
        name: manual
        command: echo "args:$*"; sleep 20
        parents: [nothing-runs-this]
        ---
        name: nothing-runs-this
        command: "true"
        schedule: R1/2099-01-01T00:00:00Z/PT1H
        """)
    server.start()
    server.wait_for(lambda: server.history("manual") == [] and server.cli("run", "nothing-runs-this").returncode == 0, what="the server")
    result = server.cli("run", "manual")
    assert result.returncode == 0, result.stderr
    task = result.stdout.strip()
    assert task.startswith("ct:") and task.endswith(":0:manual")
    server.wait_for(lambda: [r for r in server.history("manual") if r["state"] == "running"], what="the manual run")
    assert server.cli("kill", "manual").returncode == 0
    killed = server.wait_for(lambda: finished(server.history("manual"), "killed"), what="the kill")
    assert killed[0]["reason"] == "killed by request"
    unknown = server.cli("run", "no-such-job")
    assert unknown.returncode != 0 and 'no job named "no-such-job"' in unknown.stderr


def test_uris_over_http_archives_and_run_as_user(server, tmp_path):
    import http.server
    import threading
    import zipfile

    site = tmp_path / "site"
    site.mkdir()
    (site / "hello.sh").write_text("#!/bin/sh\necho \"hello from $(id -un)\"\ncat data/readme.txt\n")
    with zipfile.ZipFile(site / "bundle.zip", "w") as z:
        z.writestr("data/readme.txt", "zipped payload\n")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    user = "nobody" if os.geteuid() == 0 else os.environ.get("USER", "")
    try:
        server.write("fetch.yaml", f"""
            name: fetcher
            command: sh ./hello.sh
            schedule: ""
            retries: 0
            runAsUser: {user}
            fetch:
              - uri: http://127.0.0.1:{port}/hello.sh
                executable: true
              - uri: http://127.0.0.1:{port}/bundle.zip
            ---
            name: missing
            command: "true"
            schedule: ""
            retries: 0
            uris: [http://127.0.0.1:{port}/nope.sh]
            """)
        server.start()
        runs = server.wait_for(lambda: finished(server.history("fetcher")), what="the fetcher run")
        assert runs[0]["state"] == "succeeded", server.cli("logs", "fetcher", "--stderr").stdout
        out = server.cli("logs", "fetcher").stdout
        assert out == f"hello from {user}\nzipped payload\n"
        failed = server.wait_for(lambda: finished(server.history("missing")), what="the missing fetch")
        assert failed[0]["state"] == "failed" and "404" in failed[0]["reason"], failed
    finally:
        httpd.shutdown()


def test_disable_enable_and_mark_success(server):
    server.write("deps.yaml", """
        name: upstream
        command: "true"
        schedule: R1/2099-01-01T00:00:00Z/PT1H
        ---
        name: downstream
        command: echo ran
        parents: [upstream]
        """)
    server.start()
    server.wait_for(lambda: server.cli("disable", "downstream").returncode == 0, what="the server")
    # A command returns once the server has stored its effect, and a triggered run is stored with it.
    assert server.cli("mark-success", "upstream").returncode == 0
    assert server.history("downstream") == [], "a disabled child does not run"
    assert server.cli("enable", "downstream").returncode == 0
    assert server.cli("mark-success", "upstream").returncode == 0
    runs = server.wait_for(lambda: finished(server.history("downstream"), "succeeded"), what="the child after mark-success")
    assert len(server.history("downstream")) == 1, "one run: after the enable, none from before it"
    assert runs[0]["trigger"] == "dependency"
