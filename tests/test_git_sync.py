"""The reconciler end to end: real git repositories, a bare remote served by `git daemon` on loopback,
commits pushed while `chronos-sync serve` runs."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import subprocess
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from test_engine import Server


def git(cwd, *args):
    result = subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=Tester", *args],
                            cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def commit(repo: Path, files: dict[str, str | None], message: str) -> str:
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GitServer(Server):
    def start_git(self, *args):
        self.start_args = list(args)
        # Server.start passes --jobs; a git server must not get it.
        log = open(self.log, "a")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--data", str(self.data), "--http-port", "0", *self.start_args],
            stdout=log, stderr=log, cwd=self.root,
        )
        self.port = self.wait_for(lambda: (m := re.search(r"REST API on http://127\.0\.0\.1:(\d+)/", self.log.read_text())) and int(m.group(1)),
                                  what="the API")

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            return json.loads(r.read())

    def post(self, path, body: bytes, headers=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, method="POST", headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def live_jobs(self):
        return {j["name"]: j for j in self.get("/v1/scheduler/jobs")}

    def status(self):
        return self.get("/v1/sync/status")


def synced_after(server, count):
    """Waits until `count` more syncs have been recorded than now: what a sync does is then visible."""
    seen = server.get("/v1/sync/history")["syncs"][0]["at"]
    server.wait_for(lambda: len([e for e in server.get("/v1/sync/history")["syncs"] if e["at"] > seen]) >= count,
                    what=f"{count} more syncs")


A = "name: a\ncommand: echo a\nschedule: R/2030-01-01T00:00:00Z/P1D\n"
B = "name: b\ncommand: echo b\nparents: [a]\n"


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "work"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    commit(path, {"jobs/a.yaml": A}, "first")
    return path


@pytest.fixture
def server(chronos_bin, tmp_path):
    (tmp_path / "srv").mkdir()
    s = GitServer(chronos_bin, tmp_path / "srv")
    yield s
    s.stop()


def test_serve_in_a_clone_syncs_its_own_jobs_folder(server, repo, chronos_bin):
    server.root = repo  # serve with no --repo, run inside the clone
    server.log = repo.parent / "serve-local.log"
    server.start_git("--sync-interval", "0.5")
    server.wait_for(lambda: "a" in server.live_jobs(), what="job a from HEAD")
    head = commit(repo, {"jobs/b.yaml": B, "jobs/a.yaml": A.replace("echo a", "echo A")}, "second")
    server.wait_for(lambda: server.status()["appliedRevision"] == head and "b" in server.live_jobs(), what="the second commit")
    assert server.live_jobs()["a"]["command"] == "echo A"
    assert server.status()["state"] == "Synced"


def git_daemon(tmp_path, repo):
    """A bare clone of `repo` served by `git daemon` on loopback; returns (process, url)."""
    remote_root = tmp_path / "remotes"
    remote_root.mkdir()
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote_root / "jobs.git"))
    port = free_port()
    daemon = subprocess.Popen(["git", "daemon", f"--base-path={remote_root}", "--export-all", "--reuseaddr",
                               "--listen=127.0.0.1", f"--port={port}", "--enable=receive-pack", str(remote_root)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"git://127.0.0.1:{port}/jobs.git"
    deadline = time.time() + 10
    while subprocess.run(["git", "ls-remote", url], capture_output=True).returncode != 0:
        assert time.time() < deadline, "git daemon did not start"
        time.sleep(0.1)
    git(repo, "remote", "add", "origin", url)
    return daemon, url


def test_push_to_a_remote_applies_within_one_sync_and_a_bad_commit_applies_nothing(server, repo, tmp_path):
    daemon, url = git_daemon(tmp_path, repo)
    try:
        server.start_git("--repo", url, "--ref", "main", "--sync-interval", "1")
        server.wait_for(lambda: "a" in server.live_jobs(), what="the first sync")
        # A push is applied by a later sync of the interval.
        head = commit(repo, {"jobs/b.yaml": B}, "add b")
        git(repo, "push", "-q", "origin", "main")
        server.wait_for(lambda: server.status()["appliedRevision"] == head, timeout=10, what="the pushed commit")
        assert "b" in server.live_jobs()
        # A bad commit applies nothing; the status names the file and the error; b keeps running.
        bad = commit(repo, {"jobs/b.yaml": B.replace("parents: [a]", "parents: [a\n  broken")}, "break b")
        git(repo, "push", "-q", "origin", "main")
        status = server.wait_for(lambda: (s := server.status())["revision"] == bad and s, timeout=10, what="the bad commit to be tried")
        assert status["state"] == "OutOfSync" and status["appliedRevision"] == head
        assert status["errors"] and status["errors"][0].startswith("jobs/b.yaml:")
        assert "b" in server.live_jobs()
        # The failed sync is logged, with the revision and where the commit is broken.
        log = server.wait_for(lambda: (text := server.log.read_text()) and f"revision {bad[:12]} does not load" in text and text,
                              what="the failed sync in the log")
        assert re.search(r"warning.*sync failed: revision " + bad[:12], log) and "\njobs/b.yaml:" in log
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_the_webhook_syncs_at_once(server, repo, tmp_path):
    daemon, url = git_daemon(tmp_path, repo)
    try:
        # An interval far longer than the test: after the first sync, only the webhook can explain a sync.
        server.start_git("--repo", url, "--ref", "main", "--sync-interval", "600", "--webhook-secret", "hook-secret")
        server.wait_for(lambda: "a" in server.live_jobs(), what="the first sync")
        syncs = lambda: server.get("/v1/sync/history")["syncs"]
        assert len(syncs()) == 1
        fixed = commit(repo, {"jobs/b.yaml": B}, "add b")
        git(repo, "push", "-q", "origin", "main")
        payload = b'{"ref":"refs/heads/main"}'
        assert server.post("/v1/sync/webhook", payload, {"X-Hub-Signature-256": "sha256=" + "0" * 64}) == 401
        assert server.post("/v1/sync/webhook", payload, {"X-Gitlab-Token": "wrong"}) == 401
        signature = "sha256=" + hmac.new(b"hook-secret", payload, hashlib.sha256).hexdigest()
        assert server.post("/v1/sync/webhook", payload, {"X-Hub-Signature-256": signature}) == 202
        history = server.wait_for(lambda: len(h := syncs()) >= 2 and h, what="the webhook's sync")
        assert [e["revision"] for e in history] == [fixed, history[1]["revision"]], "one sync for the signed webhook, none for the refused ones"
        assert history[0]["state"] == "Synced" and server.status()["appliedRevision"] == fixed and "b" in server.live_jobs()
        # Each sender's signature is accepted and starts a sync.
        assert server.post("/v1/sync/webhook", payload, {"X-Gitlab-Token": "hook-secret"}) == 202
        server.wait_for(lambda: len(syncs()) == 3, what="the GitLab webhook's sync")
        assert server.post("/v1/sync/webhook", payload, {"X-Chronos-Signature": signature}) == 202
        server.wait_for(lambda: len(syncs()) == 4, what="the generic webhook's sync")
        assert server.post("/v1/sync/trigger", b"") == 202
        server.wait_for(lambda: len(syncs()) == 5, what="the triggered sync")
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_drift_is_reported_and_self_heal_reverts_it(server, repo, chronos_bin):
    server.start_git("--repo", str(repo), "--sync-interval", "0.5")
    server.wait_for(lambda: "a" in server.live_jobs(), what="the first sync")
    body = json.dumps({"name": "a", "command": "echo changed-outside", "schedule": "R/2030-01-01T00:00:00Z/P1D"}).encode()
    assert server.post("/v1/scheduler/iso8601", body, {"Content-Type": "application/json"}) == 204
    drift = server.wait_for(lambda: server.get("/v1/sync/drift")["drift"], what="drift")
    assert drift[0]["name"] == "a" and drift[0]["kind"] == "modified"
    assert {"field": "command", "old": '"echo a"', "new": '"echo changed-outside"'} in drift[0]["fields"]
    synced_after(server, 2)
    assert server.live_jobs()["a"]["command"] == "echo changed-outside", "without self-heal drift is left in place"
    assert server.status()["state"] == "OutOfSync"
    # plan shows what a sync does, from the server and from its data folder alike: nothing, as drift stays.
    for where in (["--server", f"http://127.0.0.1:{server.port}"], ["--data", str(server.data)]):
        plan = subprocess.run([str(chronos_bin), "plan", "--repo", str(repo), "--detailed-exitcode", *where],
                              capture_output=True, text=True, timeout=60)
        assert plan.returncode == 0, plan
    commit(repo, {"jobs/_defaults.yaml": "sync:\n  selfHeal: true\n"}, "self-heal on")
    server.wait_for(lambda: server.live_jobs()["a"]["command"] == "echo a", what="self-heal to revert the drift")
    server.wait_for(lambda: server.status()["state"] == "Synced", what="Synced")


def test_prune_and_the_empty_commit_guard(server, repo):
    commit(repo, {"jobs/b.yaml": B.replace("parents: [a]", "schedule: R/2030-01-01T00:00:00Z/P1D")}, "b")
    server.start_git("--repo", str(repo), "--sync-interval", "0.5")
    server.wait_for(lambda: {"a", "b"} <= set(server.live_jobs()), what="a and b")
    commit(repo, {"jobs/b.yaml": None}, "remove b")
    server.wait_for(lambda: "left git" in server.status()["message"], what="prune off to be reported")
    assert "b" in server.live_jobs(), "prune is off: b stays"
    commit(repo, {"jobs/_defaults.yaml": "sync:\n  prune: true\n"}, "prune on")
    server.wait_for(lambda: "b" not in server.live_jobs(), what="b to be pruned")
    commit(repo, {"jobs/a.yaml": None}, "remove everything")
    server.wait_for(lambda: "not applied" in server.status()["message"], what="the empty-commit guard")
    assert "a" in server.live_jobs()


def test_plan_command_exit_codes(repo, chronos_bin, tmp_path):
    plan = lambda *args: subprocess.run([str(chronos_bin), "plan", "--repo", str(repo), "--data", str(tmp_path / "none"), *args],
                                        capture_output=True, text=True)
    first = plan("--detailed-exitcode")
    assert first.returncode == 2 and "+ a" in first.stdout and "1 to create" in first.stdout
    as_json = json.loads(plan("--json").stdout)
    assert as_json["changes"][0]["action"] == "create" and as_json["changes"][0]["name"] == "a"
    commit(repo, {"jobs/a.yaml": "name: a\ncomand: x\n"}, "broken")
    broken = plan("--detailed-exitcode")
    assert broken.returncode == 1 and "jobs/a.yaml:2:1" in broken.stderr


def test_a_saved_plan_applies_exactly_and_a_stale_one_is_refused(server, repo, chronos_bin, tmp_path):
    server.start_git("--repo", str(repo), "--sync-interval", "600")
    server.wait_for(lambda: "a" in server.live_jobs(), what="the first sync")
    cli = lambda *args: subprocess.run([str(chronos_bin), *args], capture_output=True, text=True, timeout=60)
    url = f"http://127.0.0.1:{server.port}"
    head = commit(repo, {"jobs/b.yaml": B}, "add b")
    plan_file = tmp_path / "plan.json"
    planned = cli("plan", "--repo", str(repo), "--server", url, "--out", str(plan_file), "--detailed-exitcode")
    assert planned.returncode == 2 and "+ b" in planned.stdout
    applied = cli("apply", str(plan_file), "--server", url)
    assert applied.returncode == 0, applied.stderr
    assert "b" in server.live_jobs() and server.status()["appliedRevision"] == head
    assert cli("plan", "--repo", str(repo), "--server", url, "--detailed-exitcode").returncode == 0
    # The same through the data folder, with no URL: planned from the stored jobs, applied by its server.
    head = commit(repo, {"jobs/d.yaml": "name: d\ncommand: echo d\nparents: [b]\n"}, "add d")
    data_plan = cli("plan", "--repo", str(repo), "--data", str(server.data), "--out", str(plan_file))
    assert data_plan.returncode == 0 and "+ d" in data_plan.stdout
    through_data = cli("apply", str(plan_file), "--data", str(server.data))
    assert through_data.returncode == 0, through_data.stderr
    assert "d" in server.live_jobs() and server.status()["appliedRevision"] == head
    # A plan made before the live jobs changed is refused.
    commit(repo, {"jobs/c.yaml": "name: c\ncommand: echo c\nschedule: \"\"\n"}, "add c")
    assert cli("plan", "--repo", str(repo), "--server", url, "--out", str(plan_file)).returncode == 0
    body = json.dumps({"name": "made-by-api", "command": "true", "schedule": "R/2030-01-01T00:00:00Z/P1D"}).encode()
    assert server.post("/v1/scheduler/iso8601", body, {"Content-Type": "application/json"}) == 204
    stale = cli("apply", str(plan_file), "--server", url)
    assert stale.returncode == 1 and "changed since the plan" in stale.stderr
    assert "c" not in server.live_jobs()



def test_api_jobs_and_git_jobs_of_the_same_name(server, repo):
    server.start_git("--repo", str(repo), "--sync-interval", "0.5")
    server.wait_for(lambda: "a" in server.live_jobs(), what="the first sync")
    # Made through the API first; git then adds a job of the same name: a conflict, left alone.
    body = json.dumps({"name": "x", "command": "echo api", "schedule": "R/2030-01-01T00:00:00Z/P1D"}).encode()
    assert server.post("/v1/scheduler/iso8601", body, {"Content-Type": "application/json"}) == 204
    commit(repo, {"jobs/x.yaml": "name: x\ncommand: echo git\nschedule: R/2030-01-01T00:00:00Z/P1D\n"}, "git claims x")
    drift = server.wait_for(lambda: [d for d in server.get("/v1/sync/drift")["drift"] if d["name"] == "x"], what="the conflict")
    assert drift[0]["kind"] == "modified"
    synced_after(server, 2)
    assert server.live_jobs()["x"]["command"] == "echo api", "not overwritten without self-heal"
    assert "x" not in [c["name"] for c in server.get("/v1/sync/plan")["plan"]["changes"]], "the plan shows what a sync does"
    # A job re-posted exactly as git has it is git's again: no drift.
    body = json.dumps({"name": "x", "command": "echo git", "schedule": "R/2030-01-01T00:00:00Z/P1D"}).encode()
    assert server.post("/v1/scheduler/iso8601", body, {"Content-Type": "application/json"}) == 204
    server.wait_for(lambda: not server.get("/v1/sync/drift")["drift"], what="the drift to clear")
    server.wait_for(lambda: server.status()["state"] == "Synced", what="Synced")


def test_a_fresh_mirror_syncs_a_branch_that_is_not_the_default(server, repo, tmp_path):
    git(repo, "checkout", "-q", "-b", "feature")
    head = commit(repo, {"jobs/b.yaml": B}, "feature work")
    git(repo, "checkout", "-q", "main")
    server.start_git("--repo", f"file://{repo}", "--ref", "feature", "--sync-interval", "60")
    server.wait_for(lambda: server.status().get("appliedRevision") == head, timeout=10, what="the feature branch on the first sync")
    assert {"a", "b"} <= set(server.live_jobs())


def test_https_with_a_token_that_never_shows(server, repo, tmp_path, chronos_bin):
    import os
    from https_git_server import serve

    root = tmp_path / "https"
    root.mkdir()
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(root / "jobs.git"))
    token = "tok-" + "s3cr3t" * 4
    httpd, port, cert = serve(str(root), token, str(tmp_path))
    try:
        url = f"https://localhost:{port}/jobs.git"
        saved = dict(os.environ)
        os.environ.update(CHRONOS_SYNC_GIT_TOKEN=token, GIT_SSL_CAINFO=cert)
        try:
            server.start_git("--repo", url, "--ref", "main", "--sync-interval", "1")
        finally:
            os.environ.clear()
            os.environ.update(saved)
        server.wait_for(lambda: "a" in server.live_jobs(), what="the https sync")
        assert server.status()["state"] == "Synced"
        head = commit(repo, {"jobs/b.yaml": B}, "add b")
        git(repo, "push", "-q", str(root / "jobs.git"), "main")
        server.wait_for(lambda: server.status()["appliedRevision"] == head, what="a fetch over https")
        assert token not in server.log.read_text()
        assert token not in json.dumps(server.status())
        mirrors = list((server.data / "git").glob("*.git/config"))
        assert mirrors and all(token not in m.read_text() for m in mirrors)
        # Without the token the server refuses, and nothing names a secret.
        plan = subprocess.run([str(chronos_bin), "plan", "--repo", url, "--data", str(tmp_path / "plan-data")],
                              capture_output=True, text=True, env=dict(os.environ, GIT_SSL_CAINFO=cert), timeout=60)
        assert plan.returncode != 0 and "git_clone" in plan.stderr and token not in plan.stderr
    finally:
        httpd.shutdown()


def test_ssh_with_the_agents_key(server, repo, tmp_path):
    import os
    import shutil

    if os.geteuid() != 0 or not shutil.which("sshd", path="/usr/sbin:/usr/bin"):
        pytest.skip("an sshd on loopback needs root and openssh-server (scripts/install-deps installs it)")
    ssh = tmp_path / "ssh"
    ssh.mkdir(mode=0o700)
    for name in ("host", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh / name)], check=True)
    (ssh / "authorized_keys").write_text((ssh / "user.pub").read_text())
    port = free_port()
    (ssh / "sshd_config").write_text(textwrap.dedent(f"""
        Port {port}
        ListenAddress 127.0.0.1
        HostKey {ssh / 'host'}
        AuthorizedKeysFile {ssh / 'authorized_keys'}
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        PermitRootLogin prohibit-password
        StrictModes no
        PidFile {ssh / 'sshd.pid'}
        """))
    os.makedirs("/run/sshd", exist_ok=True)
    sshd = subprocess.Popen([shutil.which("sshd", path="/usr/sbin:/usr/bin"), "-D", "-f", str(ssh / "sshd_config"), "-E", str(ssh / "sshd.log")])
    agent = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True).stdout
    sock = re.search(r"SSH_AUTH_SOCK=([^;]+);", agent).group(1)
    agent_pid = int(re.search(r"SSH_AGENT_PID=(\d+);", agent).group(1))
    try:
        subprocess.run(["ssh-add", "-q", str(ssh / "user")], env=dict(os.environ, SSH_AUTH_SOCK=sock), check=True)
        bare = tmp_path / "ssh-remote" / "jobs.git"
        bare.parent.mkdir()
        git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
        time.sleep(0.5)
        fingerprint = subprocess.run(["ssh-keygen", "-lf", str(ssh / "host.pub")], capture_output=True, text=True, check=True).stdout.split()[1]
        url = f"ssh://root@127.0.0.1:{port}{bare}"
        # An unknown host key is refused, and the error says what to set.
        refused = subprocess.run([str(server.binary), "plan", "--repo", url, "--data", str(tmp_path / "p")], capture_output=True, text=True,
                                 env=dict(os.environ, SSH_AUTH_SOCK=sock, CHRONOS_SYNC_SSH_HOST_KEY="SHA256:" + "A" * 43), timeout=60)
        assert refused.returncode != 0 and "CHRONOS_SYNC_SSH_HOST_KEY" in refused.stderr
        saved = dict(os.environ)
        os.environ.update(SSH_AUTH_SOCK=sock, CHRONOS_SYNC_SSH_HOST_KEY=fingerprint)
        try:
            server.start_git("--repo", url, "--ref", "main", "--sync-interval", "1")
        finally:
            os.environ.clear()
            os.environ.update(saved)
        server.wait_for(lambda: "a" in server.live_jobs(), timeout=20, what="the ssh sync")
        assert server.status()["state"] == "Synced"
    finally:
        sshd.terminate()
        sshd.wait(timeout=10)
        os.kill(agent_pid, 15)
