"""The command line: masters and agents on loopback around one cluster, until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import uuid

from . import protocol
from .cluster import Cluster
from .control import InjectError
from .model import Agent, Config
from .resources import Resources, attribute_from_text, attribute_proto
from .server import SimServer


def parse_agent_spec(text: str) -> dict:
    """'id=S1,hostname=h1,port=0,cpus=4,mem=4096,disk=10240,ports=31000-32000,attr.rack=r1,attr.gen=3'."""
    config: dict = {"resources": {}, "attribute_texts": {}}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"--agent {text!r}: expecting key=value, got {part!r}")
        if key in ("id", "hostname"):
            config[key] = value
        elif key == "port":
            config["port"] = int(value)
        elif key.startswith("attr."):
            config["attribute_texts"][key[5:]] = value
        else:
            config["resources"][key] = value if not value or "-" in value or "[" in value else float(value)
    return config


DEFAULT_RESOURCES = {"cpus": 4, "mem": 4096, "disk": 10240, "ports": [[31000, 32000]]}


class Simulator:
    """Servers around one Cluster: a listener per master and per agent, all on 127.0.0.1."""

    def __init__(self, config: Config, verbose: bool = False):
        self.cluster = Cluster(config)
        self.verbose = verbose
        self.servers: list[SimServer] = []
        self.cluster_id = str(uuid.uuid4())
        self._agent_index = 0

    def _serve(self, server: SimServer):
        self.servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def add_master(self, port: int):
        server = SimServer(port, self.cluster, ("master", len(self.cluster.masters)), self.verbose, self.add_agent)
        master = self.cluster.add_master(server.server_address[1])
        self._serve(server)
        return master

    def add_agent(self, config: dict) -> Agent:
        """Called with the cluster lock held or before start."""
        index = self._agent_index
        self._agent_index += 1
        agent_id = config.get("id") or f"{self.cluster_id}-S{index}"
        if agent_id in self.cluster.agents:
            raise InjectError(f"agent {agent_id} exists already")
        error = protocol.validate_id(agent_id)
        if error:
            raise InjectError(f"agent id {agent_id!r}: {error}")
        # Like an agent without --resources for them, unnamed resources get their default amounts.
        resources = Resources.from_config({**DEFAULT_RESOURCES, **(config.get("resources") or {})})
        attributes = [attribute_proto(k, v) for k, v in (config.get("attributes") or {}).items()]
        attributes += [attribute_from_text(k, v) for k, v in (config.get("attribute_texts") or {}).items()]
        server = SimServer(int(config.get("port", 0)), self.cluster, ("agent", agent_id), self.verbose)
        agent = self.cluster.add_agent(agent_id, config.get("hostname") or self.cluster.config.hostname,
                                       server.server_address[1], resources, attributes)
        self._serve(server)
        return agent

    def stop(self):
        self.cluster.stop()
        stoppers = [threading.Thread(target=server.shutdown) for server in self.servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self.servers:
            server.server_close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m tests.mesos_sim",
                                     description="A Mesos master (v1 scheduler HTTP API) with simulated agents.")
    parser.add_argument("--port", type=int, default=None, help="the first master's port (0: any free port)")
    parser.add_argument("--masters", type=int, default=None, help="number of masters; the first one leads")
    parser.add_argument("--agent", action="append", default=[], metavar="SPEC",
                        help="an agent: id=S1,hostname=h,port=0,cpus=4,mem=4096,disk=10240,ports=31000-32000,"
                             "attr.rack=r1 (repeatable)")
    parser.add_argument("--agents", type=int, default=None, help="number of default agents when no --agent")
    parser.add_argument("--config", help="a JSON file with any of these settings (see the module docstring)")
    parser.add_argument("--work-dir", help="root of the agents' sandboxes (default: a temporary directory, "
                                           "removed at exit)")
    parser.add_argument("--hostname", default=None, help="the masters' and default agents' hostname")
    parser.add_argument("--heartbeat-interval", type=float, default=None)
    parser.add_argument("--allocation-interval", type=float, default=None)
    parser.add_argument("--update-retry-interval", type=float, default=None)
    parser.add_argument("--update-retry-max", type=float, default=None)
    parser.add_argument("--offer-timeout", type=float, default=None)
    parser.add_argument("--staging-delay", type=float, default=None)
    parser.add_argument("--frameworks-home", default=None)
    parser.add_argument("--verbose", action="store_true")
    return parser


def load_settings(argv: list[str] | None):
    args = build_parser().parse_args(argv)
    settings: dict = {}
    if args.config:
        with open(args.config, encoding="utf-8") as handle:
            settings = json.load(handle)
        if not isinstance(settings, dict):
            raise SystemExit(f"{args.config}: expecting a JSON object")
    for name in ("port", "masters", "agents", "hostname", "heartbeat_interval", "allocation_interval",
                 "update_retry_interval", "update_retry_max", "offer_timeout", "staging_delay", "frameworks_home",
                 "work_dir"):
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    if args.agent:
        settings["agents"] = [parse_agent_spec(spec) for spec in args.agent]
    settings["verbose"] = args.verbose or settings.get("verbose", False)
    return settings


def main(argv: list[str] | None = None) -> int:
    try:
        settings = load_settings(argv)
    except (ValueError, OSError) as error:
        print(f"mesos_sim: {error}", file=sys.stderr)
        return 2
    own_work_dir = "work_dir" not in settings
    work_dir = settings.get("work_dir") or tempfile.mkdtemp(prefix="mesos-sim-")
    os.makedirs(work_dir, exist_ok=True)
    config = Config(
        hostname=settings.get("hostname", "127.0.0.1"),
        heartbeat_interval=float(settings.get("heartbeat_interval", 15.0)),
        allocation_interval=float(settings.get("allocation_interval", 1.0)),
        update_retry_interval=float(settings.get("update_retry_interval", 10.0)),
        update_retry_max=float(settings.get("update_retry_max", 600.0)),
        offer_timeout=settings.get("offer_timeout"),
        staging_delay=float(settings.get("staging_delay", 0.0)),
        frameworks_home=settings.get("frameworks_home"),
        work_dir=os.path.realpath(work_dir),
    )
    sim = Simulator(config, verbose=settings["verbose"])
    agents = settings.get("agents", 2)
    if isinstance(agents, int):
        agents = [{} for _ in range(agents)]
    ports = list(settings.get("master_ports") or [])
    if not ports:
        ports = [int(settings.get("port", 0))] + [0] * (int(settings.get("masters", 1)) - 1)
    try:
        for port in ports:
            sim.add_master(int(port))
        for agent in agents:
            sim.add_agent(agent)
    except (OSError, ValueError, InjectError) as error:
        print(f"mesos_sim: {error}", file=sys.stderr)
        sim.stop()
        return 2

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sim.cluster.start()
    leader = sim.cluster.masters[0]
    lines = [f"listening on 127.0.0.1:{leader.port}"]
    for master in sim.cluster.masters:
        lines.append(f"master {master.index} 127.0.0.1:{master.port}{' leader' if master.index == 0 else ''}")
    for agent in sim.cluster.agents.values():
        lines.append(f"agent {agent.id} 127.0.0.1:{agent.port} {agent.work_dir}")
    lines.append("ready")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    while not stop.wait(0.1):
        pass
    sim.stop()
    if own_work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 0
