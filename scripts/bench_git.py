"""Git benchmarks for scripts/bench, each beside its baseline measured in the same run.

  bench_git.py plan BIN BENCH_BIN WORK       cold `plan` of a 10,000-job repository (every job in one of 20
                                             zones, with environment variables and resources), against
                                             `git cat-file --batch` + PyYAML's CSafeLoader on the same blobs
  bench_git.py push BIN BENCH_BIN WORK       push-to-applied latency of a one-file change, with the webhook
"""
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request


def git(cwd, *args, input=None):
    return subprocess.run(["git", "-c", "user.email=b@example.com", "-c", "user.name=Bench", *args], cwd=cwd,
                          check=True, capture_output=True, input=input).stdout


def make_repo(bench_bin, work, zones=None):
    """A repository of 10,000 generated jobs; with `zones`, every job in one of that many time zones."""
    repo = os.path.join(work, "repo" if zones is None else f"repo-{zones}-zones")
    if os.path.exists(os.path.join(repo, ".git")):
        return repo
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    subprocess.run([bench_bin, "gen-jobs", os.path.join(repo, "jobs"), "10000"] + ([str(zones)] if zones else []), check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "10,000 jobs")
    return repo


def best_of(runs, f):
    return min(f() for _ in range(runs))


def plan(bin, bench_bin, work):
    repo = make_repo(bench_bin, work, zones=20)

    def ours():
        start = time.perf_counter()
        subprocess.run([bin, "plan", "--repo", repo, "--data", os.path.join(work, "no-data"), "--json"],
                       check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    def baseline():
        import yaml
        start = time.perf_counter()
        listing = git(repo, "ls-tree", "-r", "HEAD", "jobs/").decode().splitlines()
        ids = [line.split()[2] for line in listing if line.endswith((".yaml", ".yml"))]
        out = git(repo, "cat-file", "--batch", input="\n".join(ids).encode() + b"\n")
        position = 0
        while position < len(out):
            header_end = out.index(b"\n", position)
            size = int(out[position:header_end].split()[2])
            blob = out[header_end + 1:header_end + 1 + size]
            list(yaml.load_all(blob, Loader=yaml.CSafeLoader))
            position = header_end + 1 + size + 1
        return time.perf_counter() - start

    o = best_of(3, ours)
    b = best_of(3, baseline)
    print(f"plan (cold, 10,000 jobs): {o:.3f} s; baseline git cat-file --batch + CSafeLoader {b:.3f} s; ratio {o / b:.2f}x (target <= 0.5x)")


def push(bin, bench_bin, work):
    repo = make_repo(bench_bin, work)
    remotes = os.path.join(work, "remotes")
    shutil.rmtree(remotes, ignore_errors=True)
    os.makedirs(remotes)
    git(work, "clone", "-q", "--bare", repo, os.path.join(remotes, "jobs.git"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    daemon = subprocess.Popen(["git", "daemon", f"--base-path={remotes}", "--export-all", "--reuseaddr", "--listen=127.0.0.1",
                               f"--port={port}", "--enable=receive-pack", remotes], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = os.path.join(work, "push-data")
    shutil.rmtree(data, ignore_errors=True)
    log = open(os.path.join(work, "push-serve.log"), "w")
    time.sleep(0.5)
    server = subprocess.Popen([bin, "serve", "--repo", f"git://127.0.0.1:{port}/jobs.git", "--ref", "main", "--data", data,
                               "--http-port", "0", "--sync-interval", "600", "--webhook-secret", "s", "--log-level", os.environ.get("BENCH_LOG", "warning")],
                              stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        api = int(re.search(r":(\d+)/", server.stdout.readline()).group(1))

        def status():
            with urllib.request.urlopen(f"http://127.0.0.1:{api}/v1/sync/status") as r:
                return json.loads(r.read())

        deadline = time.time() + 120
        while status().get("state") != "Synced" and time.time() < deadline:
            time.sleep(0.2)
        if subprocess.run(["git", "remote"], cwd=repo, capture_output=True, text=True).stdout.strip() == "":
            git(repo, "remote", "add", "origin", f"git://127.0.0.1:{port}/jobs.git")
        git(repo, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/jobs.git")
        latencies = []
        for i in range(5):
            path = os.path.join(repo, "jobs", "job-1.yaml")
            text = open(path).read()
            open(path, "w").write(re.sub(r"command: .*", f"command: echo change {i} {time.time()}", text))
            git(repo, "commit", "-qam", f"change {i}")
            head = git(repo, "rev-parse", "HEAD").decode().strip()
            start = time.perf_counter()
            git(repo, "push", "-q", "origin", "main")
            payload = b'{"ref":"refs/heads/main"}'
            signature = "sha256=" + hmac.new(b"s", payload, hashlib.sha256).hexdigest()
            pushed = time.perf_counter()
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{api}/v1/sync/webhook", data=payload, method="POST",
                                                          headers={"X-Hub-Signature-256": signature}))
            hooked = time.perf_counter()
            while status().get("appliedRevision") != head:
                time.sleep(0.005)
            latencies.append(time.perf_counter() - start)
            if os.environ.get("BENCH_STEPS"):
                print(f"  push {1000 * (pushed - start):.0f} ms, webhook {1000 * (hooked - pushed):.0f} ms, then applied {1000 * (time.perf_counter() - hooked):.0f} ms")
        push_only = []
        for i in range(3):
            git(repo, "commit", "-q", "--allow-empty", "-m", f"empty {i}")
            start = time.perf_counter()
            git(repo, "push", "-q", "origin", "main")
            push_only.append(time.perf_counter() - start)
        latencies.sort()
        print(f"push-to-applied with the webhook (10,000-job repository, one file changed): median {latencies[2] * 1000:.0f} ms, "
              f"max {latencies[-1] * 1000:.0f} ms; baseline git push alone median {sorted(push_only)[1] * 1000:.0f} ms (target <= 300 ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)
        daemon.terminate()
        daemon.wait(timeout=10)


if __name__ == "__main__":
    {"plan": plan, "push": push}[sys.argv[1]](*sys.argv[2:5])
