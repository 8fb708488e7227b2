"""HA benchmarks on a real ZooKeeper (loopback), release build:

  store   the scheduler's batches to the ZooKeeper store and to the SQLite store, in the same run
  failover   three `serve --zk` instances, `kill -9` of the leader ten times: time to a new leader serving,
             and to its first launch
  memory  100,000 jobs: the leader's time to apply them and its memory, a follower's memory, and a failover
          that must load them all

usage: bench_ha.py CHRONOS_SYNC CHRONOS_SYNC_BENCH WORKDIR
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from ha_cluster import Instance, ZooKeeper, leader_of, wait_for  # noqa: E402


def rss_mb(instance: Instance) -> float:
    for line in Path(f"/proc/{instance.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def failover(binary: Path, work: Path, zk: ZooKeeper) -> None:
    jobs = work / "failover-jobs"
    jobs.mkdir()
    launches = work / "launches.log"
    (jobs / "tick.yaml").write_text(
        "name: tick\n"
        f"command: 'echo \"$(date +%s.%N) $PWD\" >> {launches}'\n"
        "schedule: R/2026-01-01T00:00:00Z/PT1S\n"
    )
    instances = [Instance(binary, work, f"f{i}", f"zk://{zk.hosts}/failover", jobs) for i in range(3)]
    for instance in instances:
        instance.start()
    serving, launching = [], []
    for _ in range(10):
        leader = wait_for(lambda: leader_of(instances), 30, "a leader")
        time.sleep(1.5)
        killed = time.time()
        leader.kill(signal.SIGKILL)
        others = [i for i in instances if i is not leader]
        new = wait_for(lambda: leader_of(others), 30, "a new leader")
        serving.append(time.time() - killed)

        def first_launch():
            rows = [line.split(" ", 1) for line in launches.read_text().splitlines()]
            times = [float(t) for t, where in rows if float(t) > killed and str(new.data) in where]
            return min(times) if times else None

        launching.append(wait_for(first_launch, 30, "a launch by the new leader") - killed)
        leader.start()
    for instance in instances:
        instance.kill(signal.SIGTERM)
    print(f"failover, --zk-timeout 2s, 10 kills: to a new leader serving median {statistics.median(serving):.2f} s, "
          f"max {max(serving):.2f} s; to its first launch median {statistics.median(launching):.2f} s, max {max(launching):.2f} s "
          f"(target: <= session timeout + 2 s = 4 s)")


def memory(binary: Path, work: Path, zk: ZooKeeper, count: int) -> None:
    jobs = work / "many-jobs"
    jobs.mkdir()
    per_file = 1000
    for file in range(count // per_file):
        docs = [f"name: job-{file * per_file + i}\ncommand: echo hello\nowner: team@example.com\n"
                f"schedule: R/2030-01-01T00:00:00Z/P1D\nscheduleTimeZone: Europe/Paris\n"
                for i in range(per_file)]
        (jobs / f"jobs-{file:03}.yaml").write_text("---\n".join(docs))
    leader = Instance(binary, work, "m0", f"zk://{zk.hosts}/memory", jobs, extra=["--sync-interval", "1h"])
    started = time.time()
    leader.start()

    def applied():
        return f"applied {count} jobs" in leader.log.read_text(errors="replace")

    wait_for(applied, 600, f"{count} jobs to be applied", interval=0.2)
    apply_seconds = time.time() - started
    follower = Instance(binary, work, "m1", f"zk://{zk.hosts}/memory", jobs, extra=["--sync-interval", "1h"])
    follower.start()
    wait_for(lambda: (lambda v: v and v.get("leader"))(follower.cluster()), 60, "the follower to see the leader")
    time.sleep(2)
    leader_mb, follower_mb = rss_mb(leader), rss_mb(follower)
    killed = time.time()
    leader.kill(signal.SIGKILL)
    wait_for(lambda: leader_of([follower]), 600, "the follower to lead", interval=0.1)
    takeover = time.time() - killed
    taken_mb = rss_mb(follower)
    follower.kill(signal.SIGTERM)
    print(f"{count:,} jobs: leader applied them (and wrote them to ZooKeeper) in {apply_seconds:.1f} s from start; "
          f"leader {leader_mb:.0f} MB, follower {follower_mb:.0f} MB; kill -9 of the leader to the follower leading "
          f"with all jobs loaded: {takeover:.1f} s, then {taken_mb:.0f} MB")


def main() -> None:
    binary, bench, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    zk = ZooKeeper(work / "zk")
    zk.start()
    try:
        print("== HA: the scheduler's batches, SQLite and ZooKeeper stores in the same run")
        subprocess.run([str(bench), "store-writes", zk.hosts, "2000"], check=True)
        print("== HA: failover under a 1-per-second job")
        failover(binary, work, zk)
        print("== HA: 100,000 jobs")
        memory(binary, work, zk, 100_000)
    finally:
        zk.stop()


if __name__ == "__main__":
    main()
