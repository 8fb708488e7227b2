"""Entry point: ``python3 -m tests.mesos_sim`` from the repository root, or ``python3 tests/mesos_sim``."""

import sys

if __package__ in (None, ""):
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.mesos_sim.cli import main
else:
    from .cli import main

sys.exit(main())
