"""What the simulated cluster is made of: masters, subscription streams, frameworks, agents, offers, tasks."""

from __future__ import annotations

import queue
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import protocol
from .resources import Resources

if TYPE_CHECKING:
    from .executor import Runner

VERSION = "1.11.0"
TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE"}
# LOST frees resources like a terminal state although a partitioned agent may bring the task back.
RESOURCE_FREEING = TERMINAL | {"TASK_LOST", "TASK_GONE_BY_OPERATOR"}
MAX_REFUSE_SECONDS = 365 * 24 * 3600.0
DEFAULT_REFUSE_SECONDS = 5.0
LOG_LIMIT = 20000


def is_terminal(state: str | None) -> bool:
    return state in TERMINAL


@dataclass
class Config:
    hostname: str = "127.0.0.1"
    heartbeat_interval: float = 15.0
    allocation_interval: float = 1.0
    update_retry_interval: float = 10.0  # the agent's first resend of an unacknowledged update
    update_retry_max: float = 600.0  # ...doubling up to this
    offer_timeout: float | None = None
    staging_delay: float = 0.0
    frameworks_home: str | None = None
    work_dir: str = ""


class Stream:
    """One SUBSCRIBE response: a queue of RecordIO records that the owning HTTP handler writes out."""

    CLOSE_CLEAN = object()
    CLOSE_ABORT = object()

    def __init__(self, cluster, master_index: int):
        self.cluster = cluster
        self.id = str(uuid.uuid4())
        self.master_index = master_index
        self.framework_id: str | None = None
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.closed = False
        self.stalled = False
        self.next_heartbeat = 0.0
        self.opened_at = time.time()

    def send(self, event: dict) -> bool:
        delivered = not self.closed and not self.stalled
        self.cluster.log_event(self, event, delivered)
        if delivered:
            self.queue.put(protocol.recordio(event))
        return delivered

    def close(self, clean: bool = True):
        if not self.closed:
            self.closed = True
            self.queue.put(Stream.CLOSE_CLEAN if clean else Stream.CLOSE_ABORT)


@dataclass
class Master:
    index: int
    port: int
    hostname: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.time)
    elected_time: float | None = None

    def info(self) -> dict:
        return {
            "id": self.id, "ip": 16777343, "port": self.port, "pid": f"master@127.0.0.1:{self.port}",
            "hostname": self.hostname, "version": VERSION,
            "address": {"hostname": self.hostname, "ip": "127.0.0.1", "port": self.port},
            "capabilities": [{"type": "AGENT_UPDATE"}, {"type": "AGENT_DRAINING"}, {"type": "QUOTA_V2"}],
        }


@dataclass
class Filter:
    agent_id: str
    resources: Resources
    expires: float  # monotonic
    refuse_seconds: float


@dataclass
class Offer:
    id: str
    framework_id: str
    agent_id: str
    resources: Resources
    role: str
    created: float  # monotonic
    wire: dict


class Framework:
    def __init__(self, framework_id: str, info: dict):
        self.id = framework_id
        self.info = info
        self.stream: Stream | None = None
        self.known = True  # in the leading master's registered frameworks
        self.active = False
        self.recovered = False  # known from an agent after a master failover, not subscribed since
        self.suppressed: set[str] = set()
        self.filters: list[Filter] = []
        self.offers: dict[str, Offer] = {}
        self.registered_time = time.time()
        self.reregistered_time: float | None = None
        self.unregistered_time: float | None = None
        self.failover_deadline: float | None = None
        self.heartbeats = True
        self.subscriptions = 0
        self.unreachable_tasks: dict[str, "Task"] = {}
        self.completed_tasks: list["Task"] = []
        self.removed_reason: str | None = None

    @property
    def connected(self) -> bool:
        return self.stream is not None

    @property
    def capabilities(self) -> set[str]:
        return protocol.capabilities(self.info)

    @property
    def partition_aware(self) -> bool:
        return "PARTITION_AWARE" in self.capabilities

    @property
    def roles(self) -> list[str]:
        return protocol.framework_roles(self.info)

    @property
    def failover_timeout(self) -> float:
        return self.info.get("failover_timeout", 0.0)


class Agent:
    def __init__(self, agent_id: str, hostname: str, port: int, total: Resources, attributes: list[dict],
                 work_dir: str):
        self.id = agent_id
        self.hostname = hostname
        self.port = port
        self.total = total
        self.attributes = attributes
        self.work_dir = work_dir
        self.registered = True
        self.connected = True
        self.recovered = False  # waiting to re-register with a newly elected master
        self.unreachable_time: float | None = None  # epoch seconds, while marked unreachable
        self.gone = False
        self.partitioned = False  # cut off by an injection until restored: it re-registers with no master
        self.registered_time = time.time()
        self.tasks: dict[tuple[str, str], "Task"] = {}  # (framework, task) the agent still holds
        self.completed_tasks: list["Task"] = []
        self.pending_kills: dict[tuple[str, str], float | None] = {}

    @property
    def pid(self) -> str:
        return f"slave(1)@127.0.0.1:{self.port}"

    @property
    def active(self) -> bool:
        return self.registered and self.connected and not self.recovered

    @property
    def status(self) -> str:
        if self.gone:
            return "gone"
        if self.unreachable_time is not None:
            return "unreachable"
        if self.recovered:
            return "recovering"
        if not self.connected:
            return "disconnected"
        return "registered"


class Task:
    def __init__(self, framework_id: str, info: dict, raw: dict, agent: Agent, kind: str,
                 executor: dict | None, container_id: str, executor_id: str):
        self.framework_id = framework_id
        self.task_id = info["task_id"]["value"]
        self.agent_id = agent.id
        self.info = info
        self.raw = raw
        self.kind = kind  # "command", "group" (LAUNCH_GROUP) or "custom" (TaskInfo.executor)
        self.executor = executor
        self.executor_id = executor_id
        self.container_id = container_id
        self.resources = Resources.from_proto(info.get("resources", []))
        if executor is not None and kind == "custom":
            self.resources = self.resources + Resources.from_proto(executor.get("resources", []))
        run = (Path(agent.work_dir) / "slaves" / agent.id / "frameworks" / framework_id / "executors" / executor_id
               / "runs" / container_id)
        self.executor_directory = str(run)
        self.sandbox = str(run / "tasks" / self.task_id) if kind == "group" else str(run)
        self.state = "TASK_STAGING"  # the master's latest state
        self.agent_state = "TASK_STAGING"
        self.su_state: str | None = None  # state of the update the agent forwarded last (not yet acknowledged)
        self.su_uuid: str | None = None
        self.pending: deque[dict] = deque()  # the agent's status update stream
        self.acked: set[str] = set()
        self.statuses: list[dict] = []
        self.next_resend: float | None = None
        self.backoff = 0.0
        self.master_known = True
        self.holds_resources = True
        self.completed = False
        self.abandoned = False  # framework removed: the process is killed without updates
        self.group: list[Task] = []
        self.runner: Runner | None = None
        self.pid: int | None = None
        self.exit_code: int | None = None
        self.wait_status: int | None = None
        self.launched_at = time.time()

    @property
    def container_type(self) -> str | None:
        container = self.info.get("container") or (self.executor or {}).get("container")
        return container.get("type") if container else None

    def command_info(self) -> dict:
        if self.kind == "custom":
            return self.executor.get("command", {})
        return self.info.get("command", {})

    def max_completion_seconds(self) -> float | None:
        if "max_completion_time" in self.info:
            return max(0.0, self.info["max_completion_time"]["nanoseconds"] / 1e9)
        return None

    def kill_grace(self) -> float | None:
        policy = self.info.get("kill_policy", {})
        if "grace_period" in policy:
            return max(0.0, policy["grace_period"]["nanoseconds"] / 1e9)
        return None
