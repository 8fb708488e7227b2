"""Baselines for scripts/bench, measured in the same run as chronos-sync's own figures.

  bench_baselines.py croniter CRON_FILE STEPS   next-run computations per second with croniter
  bench_baselines.py pyyaml FOLDER              seconds to parse every *.yaml file with PyYAML
  bench_baselines.py apscheduler-dispatch N     APScheduler 3 (20 threads): dispatch delay of N jobs due at one instant
  bench_baselines.py apscheduler-load N         APScheduler 3: memory and time to add N cron jobs
"""
import glob
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo


def croniter_rate(path, steps):
    from croniter import croniter

    lines = [l.rstrip("\n").split("\t", 1) for l in open(path) if l.strip()]
    start = datetime(2026, 1, 1, 0, 0)
    items = [(croniter(expr, start.replace(tzinfo=ZoneInfo(zone))), zone) for zone, expr in lines]
    began = time.perf_counter()
    count = 0
    for it, _ in items:
        for _ in range(steps):
            it.get_next(datetime)
            count += 1
    elapsed = time.perf_counter() - began
    print(f"croniter {count / elapsed:.0f} per second ({len(items)} cron schedules x {steps})")


def pyyaml_seconds(folder):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = sorted(glob.glob(f"{folder}/**/*.yaml", recursive=True))
    began = time.perf_counter()
    for path in files:
        with open(path, "rb") as f:
            list(yaml.load_all(f, Loader=loader))
    elapsed = time.perf_counter() - began
    print(f"pyyaml {elapsed:.3f} s for {len(files)} files ({loader.__name__})")


def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def apscheduler_dispatch(count):
    """N jobs with a date trigger at the same instant, on a thread pool of 20: each records how late it ran."""
    import threading
    from datetime import timedelta, timezone
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(executors={"default": ThreadPoolExecutor(20)}, timezone=timezone.utc,
                                    job_defaults={"misfire_grace_time": None, "coalesce": False, "max_instances": 1})
    due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=4 + count // 5000)
    due_s = due.timestamp()
    delays = []
    lock = threading.Lock()
    done = threading.Event()

    def work():
        late = time.time() - due_s
        with lock:
            delays.append(late)
            if len(delays) == count:
                done.set()

    for i in range(count):
        scheduler.add_job(work, "date", run_date=due, id=f"run-{i}")
    scheduler.start()
    done.wait(timeout=120)
    scheduler.shutdown(wait=False)
    delays.sort()
    if len(delays) < count:
        print(f"apscheduler-dispatch: only {len(delays)} of {count} jobs ran")
        return
    p = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))] * 1000
    print(f"apscheduler-dispatch runs {count} p50 {p(0.5):.1f} ms p99 {p(0.99):.1f} ms max {delays[-1] * 1000:.1f} ms")


def apscheduler_load(count):
    """N cron jobs added to a paused scheduler (queued, then stored with their next run times when it
    starts): resident memory and time to add them."""
    from datetime import timezone
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    before = rss_mb()
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    began = time.perf_counter()
    for i in range(count):
        scheduler.add_job(print, CronTrigger(minute=i % 60, hour=(i // 60) % 24, timezone=timezone.utc), id=f"job-{i}")
    scheduler.start(paused=True)
    elapsed = time.perf_counter() - began
    rss = rss_mb()
    scheduler.shutdown(wait=False)
    print(f"apscheduler-load jobs {count} add {elapsed:.1f} s rss {rss:.0f} MB (before {before:.0f} MB, {(rss - before) * 1024 / count:.2f} KB per job)")


if __name__ == "__main__":
    if sys.argv[1] == "croniter":
        croniter_rate(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "pyyaml":
        pyyaml_seconds(sys.argv[2])
    elif sys.argv[1] == "apscheduler-dispatch":
        apscheduler_dispatch(int(sys.argv[2]))
    elif sys.argv[1] == "apscheduler-load":
        apscheduler_load(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
