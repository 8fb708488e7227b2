"""1,000 runs due at once on 10 simulated Mesos agents, and the same 1,000 on the local launcher in the same
run: time until all are launched and until all have finished, and (on Mesos) the offer rounds used.

Each run records its own start and end (`date +%s.%N`), so "launched" means the command started. An offer
round is one OFFERS event from the simulator (each allocation cycle offers what every agent has free).

usage: bench_mesos.py CHRONOS_SYNC WORKDIR [RUNS]
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


def lines(path: Path) -> list[float]:
    return [float(line.split()[0]) for line in path.read_text().splitlines()] if path.exists() else []


def start_simulator(work: Path) -> tuple[subprocess.Popen, int]:
    agents = []
    for index in range(10):
        agents += ["--agent", f"id=agent-{index},hostname=127.0.0.1,cpus=12,mem=16384,disk=100000"]
    process = subprocess.Popen([sys.executable, "-m", "tests.mesos_sim", "--port", "0", "--work-dir", str(work / "sim"),
                                "--heartbeat-interval", "5", "--allocation-interval", "1", *agents],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=open(work / "sim.log", "w"))
    output = b""
    deadline = time.time() + 60
    while not output.endswith(b"ready\n") and time.time() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            output += os.read(process.stdout.fileno(), 4096)
    port = int(output.decode().splitlines()[0].rsplit(":", 1)[1])
    return process, port


def one_round(binary: Path, work: Path, name: str, runs: int, extra: list[str]) -> dict:
    jobs = work / f"{name}-jobs"
    jobs.mkdir()
    starts, ends = work / f"{name}-starts", work / f"{name}-ends"
    docs = [f"name: job-{i}\ncommand: 'echo \"$(date +%s.%N)\" >> {starts}; sleep 1; echo \"$(date +%s.%N)\" >> {ends}'\n"
            f"schedule: \"\"\ncpus: 0.1\nmem: 64\ndisk: 10\n" for i in range(runs)]
    (jobs / "jobs.yaml").write_text("---\n".join(docs))
    log = work / f"{name}.log"
    began = time.time()
    server = subprocess.Popen([str(binary), "serve", "--jobs", str(jobs), "--data", str(work / f"{name}-data"), "--http-port", "0",
                               "--sync-interval", "1h", *extra], stdout=open(log, "w"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: f"applied {runs} jobs" in log.read_text(errors="replace"), 120, f"{name}: the jobs to be applied")
        applied = time.time()
        wait_for(lambda: len(lines(starts)) >= runs, 600, f"{name}: every run to start", interval=0.2)
        wait_for(lambda: len(lines(ends)) >= runs, 600, f"{name}: every run to end", interval=0.2)
        return {"applied": applied - began, "launched": max(lines(starts)) - applied, "finished": max(lines(ends)) - applied,
                "started": len(lines(starts))}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    binary, work = Path(sys.argv[1]), Path(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    simulator, port = start_simulator(work)
    try:
        mesos = one_round(binary, work, "mesos", runs, ["--master", f"http://127.0.0.1:{port}", "--reconciliation-interval", "10m"])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sim/events", timeout=30) as response:
            events = json.loads(response.read())["events"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sim/tasks", timeout=30) as response:
            tasks = json.loads(response.read())["tasks"]
    finally:
        simulator.send_signal(signal.SIGTERM)
        simulator.wait(timeout=60)
    last_launch = max(t["time"] for t in tasks)
    offer_ids = {o for t in tasks for o in t["offer_ids"]}
    rounds_seen = [e for e in events if e["type"] == "OFFERS" and e["time"] <= last_launch]
    used = [e for e in rounds_seen if any(o["id"]["value"] in offer_ids for o in e["event"]["offers"]["offers"])]
    local = one_round(binary, work, "local", runs, [])
    print(f"mesos: {runs} runs on 10 agents: all launched {mesos['launched']:.2f} s and all finished {mesos['finished']:.2f} s "
          f"after the jobs were applied; {len(tasks)} tasks; offer rounds until the last launch: {len(rounds_seen)}, "
          f"of which used: {len(used)} (target: all launched within 2 rounds)")
    print(f"local: {runs} runs: all launched {local['launched']:.2f} s and all finished {local['finished']:.2f} s after the jobs were applied")
    print(f"ratio: Mesos takes {mesos['launched'] / max(local['launched'], 1e-3):.1f}x the local launcher's time to launch all "
          f"(the simulator offers once a second)")


if __name__ == "__main__":
    main()
