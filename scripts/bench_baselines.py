"""Baselines for scripts/bench, measured in the same run as chronos-sync's own figures.

  bench_baselines.py croniter CRON_FILE STEPS   next-run computations per second with croniter
  bench_baselines.py pyyaml FOLDER              seconds to parse every *.yaml file with PyYAML
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


if __name__ == "__main__":
    if sys.argv[1] == "croniter":
        croniter_rate(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "pyyaml":
        pyyaml_seconds(sys.argv[2])
    else:
        sys.exit(__doc__)
