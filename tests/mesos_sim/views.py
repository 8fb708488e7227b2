"""JSON documents: the master's and the agents' /state (the subset frameworks and UIs read), and /sim/*."""

from __future__ import annotations

import time

from .cluster import Cluster
from .model import VERSION, Agent, Framework, Task, is_terminal
from .resources import Resources, attribute_model


def _task_model(cluster: Cluster, task: Task) -> dict:
    """model(Task) as in the master's and agent's /state."""
    model = {
        "id": task.task_id,
        "name": task.info.get("name", ""),
        "framework_id": task.framework_id,
        "executor_id": task.executor_id if task.kind != "command" else "",
        "slave_id": task.agent_id,
        "agent_id": task.agent_id,
        "state": task.state,
        "resources": task.resources.to_model(),
        "role": "*",
        "statuses": [{k: v for k, v in s.items() if k in ("state", "timestamp", "container_status")}
                     for s in task.statuses if "source" in s or s.get("state") != "TASK_STAGING"],
    }
    if "labels" in task.raw:
        model["labels"] = task.raw["labels"].get("labels", []) if isinstance(task.raw["labels"], dict) else []
    if "container" in task.raw:
        model["container"] = task.raw["container"]
    if "discovery" in task.raw:
        model["discovery"] = task.raw["discovery"]
    return model


def _agent_resources(cluster: Cluster, agent: Agent) -> dict:
    used = cluster.used(agent)
    offered = cluster.offered(agent)
    return {
        "resources": agent.total.to_model(),
        "used_resources": used.to_model(),
        "offered_resources": offered.to_model(),
        "reserved_resources": {},
        "unreserved_resources": agent.total.to_model(),
    }


def _slave_model(cluster: Cluster, agent: Agent) -> dict:
    model = {
        "id": agent.id,
        "pid": agent.pid,
        "hostname": agent.hostname,
        "port": agent.port,
        "registered_time": agent.registered_time,
        "attributes": {a["name"]: attribute_model(a) for a in agent.attributes},
        "active": agent.active,
        "deactivated": False,
        "version": VERSION,
        "capabilities": ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT", "RESOURCE_PROVIDER",
                         "RESIZE_VOLUME", "AGENT_OPERATION_FEEDBACK", "AGENT_DRAINING", "TASK_RESOURCE_LIMITS"],
    }
    model.update(_agent_resources(cluster, agent))
    return model


def _framework_model(cluster: Cluster, framework: Framework, completed: bool = False) -> dict:
    info = framework.info
    tasks = [t for a in cluster.agents.values() for t in a.tasks.values()
             if t.framework_id == framework.id and t.master_known and not t.completed]
    used = Resources()
    for task in tasks:
        if task.holds_resources:
            used = used + task.resources
    offered = Resources()
    for offer in framework.offers.values():
        offered = offered + offer.resources
    return {
        "id": framework.id,
        "name": info.get("name", ""),
        "pid": None,
        "used_resources": used.to_model(),
        "offered_resources": offered.to_model(),
        "capabilities": sorted(framework.capabilities),
        "hostname": info.get("hostname", ""),
        "webui_url": info.get("webui_url", ""),
        "active": framework.active,
        "connected": framework.connected,
        "recovered": framework.recovered,
        "user": info.get("user", ""),
        "failover_timeout": info.get("failover_timeout", 0.0),
        "checkpoint": info.get("checkpoint", False),
        "registered_time": framework.registered_time,
        "unregistered_time": framework.unregistered_time or 0,
        "principal": info.get("principal", ""),
        "role": info.get("role", "*") if "MULTI_ROLE" not in framework.capabilities else None,
        "roles": framework.roles,
        "suppressed_roles": sorted(framework.suppressed),
        "resources": used.to_model(),
        "tasks": [_task_model(cluster, t) for t in sorted(tasks, key=lambda t: t.launched_at)],
        "unreachable_tasks": [_task_model(cluster, t) for t in framework.unreachable_tasks.values()],
        "completed_tasks": [_task_model(cluster, t) for t in framework.completed_tasks],
        "offers": [{"id": o.id, "framework_id": o.framework_id, "slave_id": o.agent_id,
                    "resources": o.resources.to_model()} for o in framework.offers.values()],
        "executors": [],
    }


def master_state(cluster: Cluster, index: int) -> dict:
    master = cluster.masters[index]
    leader = cluster.leader_master
    registered = [a for a in cluster.agents.values() if a.registered]
    state = {
        "version": VERSION,
        "build_time": 0,
        "start_time": master.started,
        "elected_time": master.elected_time,
        "id": master.id,
        "pid": f"master@127.0.0.1:{master.port}",
        "hostname": master.hostname,
        "capabilities": ["AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"],
        "activated_slaves": sum(1 for a in registered if a.active),
        "deactivated_slaves": 0,
        "unreachable_slaves": sum(1 for a in cluster.agents.values() if a.unreachable_time is not None),
        "flags": {"work_dir": cluster.config.work_dir,
                  "allocation_interval": f"{cluster.config.allocation_interval}secs"},
        "slaves": [_slave_model(cluster, a) for a in sorted(registered, key=lambda a: a.id)],
        "recovered_slaves": [{"id": a.id, "hostname": a.hostname, "port": a.port, "pid": a.pid}
                             for a in cluster.agents.values() if a.recovered],
        "frameworks": [_framework_model(cluster, f) for f in cluster.frameworks.values() if f.known],
        "completed_frameworks": [_framework_model(cluster, f, True) for f in cluster.completed_frameworks.values()],
        "unregistered_frameworks": [],
    }
    if leader is not None:
        state["leader"] = f"master@127.0.0.1:{leader.port}"
        state["leader_info"] = leader.info()
    return state


def master_tasks(cluster: Cluster) -> dict:
    tasks = []
    for framework in cluster.frameworks.values():
        if not framework.known:
            continue
        model = _framework_model(cluster, framework)
        tasks += model["tasks"] + model["unreachable_tasks"] + model["completed_tasks"]
    return {"tasks": tasks}


def agent_state(cluster: Cluster, agent: Agent) -> dict:
    """The agent's /state: frameworks -> executors, each with its sandbox `directory`."""
    frameworks: dict[str, dict] = {}
    for task in list(agent.tasks.values()) + agent.completed_tasks:
        framework = cluster.frameworks.get(task.framework_id) or cluster.completed_frameworks.get(task.framework_id)
        entry = frameworks.setdefault(task.framework_id, {
            "id": task.framework_id,
            "name": framework.info.get("name", "") if framework else "",
            "user": framework.info.get("user", "") if framework else "",
            "failover_timeout": framework.info.get("failover_timeout", 0.0) if framework else 0.0,
            "checkpoint": framework.info.get("checkpoint", False) if framework else False,
            "hostname": framework.info.get("hostname", "") if framework else "",
            "role": "*",
            "executors": {},
            "completed_executors": {},
        })
        done = task.completed or is_terminal(task.agent_state)
        bucket = entry["completed_executors" if done else "executors"]
        command = task.command_info().get("value", "")
        executor = bucket.setdefault((task.executor_id, task.container_id), {
            "id": task.executor_id,
            "name": (f"Command Executor (Task: {task.task_id}) (Command: sh -c '{command}')"
                     if task.kind == "command" else (task.executor or {}).get("name", "")),
            "source": task.task_id if task.kind == "command" else (task.executor or {}).get("source", ""),
            "container": task.container_id,
            "directory": task.executor_directory,
            "type": {"command": "COMMAND", "group": "DEFAULT", "custom": "CUSTOM"}[task.kind],
            "resources": Resources().to_model(),
            "framework_id": task.framework_id,
            "tasks": [],
            "queued_tasks": [],
            "completed_tasks": [],
        })
        model = _task_model(cluster, task)
        model["state"] = task.agent_state
        executor["tasks" if not done else "completed_tasks"].append(model)
        executor.setdefault("_total", Resources())
        executor["_total"] = executor["_total"] + task.resources
        executor["resources"] = executor["_total"].to_model()
    running, finished = [], []
    for entry in frameworks.values():
        for bucket in ("executors", "completed_executors"):
            for executor in entry[bucket].values():
                executor.pop("_total", None)
    for entry in frameworks.values():
        entry["executors"] = list(entry["executors"].values())
        entry["completed_executors"] = list(entry["completed_executors"].values())
        (running if entry["executors"] else finished).append(entry)
    leader = cluster.leader_master
    return {
        "version": VERSION,
        "id": agent.id,
        "pid": agent.pid,
        "hostname": agent.hostname,
        "start_time": cluster.started,
        "resources": agent.total.to_model(),
        "attributes": {a["name"]: attribute_model(a) for a in agent.attributes},
        "master_hostname": leader.hostname if leader else None,
        "flags": {"work_dir": agent.work_dir, "port": str(agent.port), "hostname": agent.hostname},
        "frameworks": running,
        "completed_frameworks": finished,
    }


# -- /sim/* --------------------------------------------------------------------------------------------------------

def _sim_task(cluster: Cluster, task: Task) -> dict:
    return {
        "framework_id": task.framework_id,
        "task_id": task.task_id,
        "agent_id": task.agent_id,
        "kind": task.kind,
        "executor_id": task.executor_id,
        "container_id": task.container_id,
        "container_type": task.container_type,
        "state": task.state,
        "agent_state": task.agent_state,
        "status_update_state": task.su_state,
        "status_update_uuid": task.su_uuid,
        "known_to_master": task.master_known,
        "completed": task.completed,
        "holds_resources": task.holds_resources,
        "resources": task.resources.to_model(),
        "pending_updates": list(task.pending),
        "acknowledged_uuids": sorted(task.acked),
        "statuses": task.statuses,
        "sandbox": task.sandbox,
        "executor_directory": task.executor_directory,
        "pid": task.pid,
        "exit_code": task.exit_code,
        "launched_at": task.launched_at,
    }


def sim_state(cluster: Cluster, since: int = 0) -> dict:
    now = time.monotonic()
    leader = cluster.leader
    frameworks = []
    for framework in list(cluster.frameworks.values()) + list(cluster.completed_frameworks.values()):
        removed = framework.id in cluster.completed_frameworks
        frameworks.append({
            "id": framework.id,
            "name": framework.info.get("name"),
            "info": _jsonable(framework.info),
            "known_to_master": framework.known and not removed,
            "removed": removed,
            "removed_reason": framework.removed_reason,
            "connected": framework.connected,
            "active": framework.active,
            "recovered": framework.recovered,
            "stream_id": framework.stream.id if framework.stream else None,
            "subscriptions": framework.subscriptions,
            "capabilities": sorted(framework.capabilities),
            "roles": framework.roles,
            "suppressed_roles": sorted(framework.suppressed),
            "suppressed": bool(framework.roles) and set(framework.roles) <= framework.suppressed,
            "heartbeats": framework.heartbeats,
            "stalled": bool(framework.stream and framework.stream.stalled),
            "failover_timeout": framework.failover_timeout,
            "failover_deadline_in": (None if framework.failover_deadline is None
                                     else max(0.0, framework.failover_deadline - now)),
            "offers": sorted(framework.offers),
            "filters": [{"agent_id": f.agent_id, "refuse_seconds": f.refuse_seconds,
                         "expires_in": max(0.0, f.expires - now), "resources": f.resources.to_model()}
                        for f in framework.filters if f.expires > now],
        })
    agents = []
    for agent in sorted(cluster.agents.values(), key=lambda a: a.id):
        agents.append({
            "id": agent.id, "hostname": agent.hostname, "port": agent.port, "pid": agent.pid,
            "status": agent.status, "work_dir": agent.work_dir,
            "attributes": agent.attributes,
            "total": agent.total.to_model(), "used": cluster.used(agent).to_model(),
            "offered": cluster.offered(agent).to_model(), "free": cluster.free(agent).to_model(),
        })
    tasks = [_sim_task(cluster, t) for a in cluster.agents.values()
             for t in list(a.tasks.values()) + a.completed_tasks]
    tasks.sort(key=lambda t: t["launched_at"])
    return {
        "leader": leader,
        "recovering": cluster.recovering,
        "masters": [{"index": m.index, "id": m.id, "port": m.port, "hostname": m.hostname,
                     "leader": m.index == leader} for m in cluster.masters],
        "config": {
            "heartbeat_interval": cluster.config.heartbeat_interval,
            "allocation_interval": cluster.config.allocation_interval,
            "update_retry_interval": cluster.config.update_retry_interval,
            "update_retry_max": cluster.config.update_retry_max,
            "offer_timeout": cluster.config.offer_timeout,
            "staging_delay": cluster.config.staging_delay,
            "work_dir": cluster.config.work_dir,
        },
        "offer_limits": cluster.offer_caps,
        "frameworks": frameworks,
        "agents": agents,
        "offers": [{"id": o.id, "framework_id": o.framework_id, "agent_id": o.agent_id, "role": o.role,
                    "resources": o.resources.to_model()} for o in cluster.offers.values()],
        "tasks": tasks,
        "calls": [c for c in cluster.calls if c["seq"] >= since],
        "acknowledgements": cluster.acknowledgements,
        "declines": cluster.declines,
        "suppress_revive": cluster.suppress_revive,
        "messages": cluster.messages,
        "injections": cluster.injections,
        "expect_100_continue": cluster.expect_continue,
    }


def sim_events(cluster: Cluster, since: int = 0, framework_id: str | None = None) -> dict:
    return {"events": [e for e in cluster.events
                       if e["seq"] >= since and (framework_id is None or e["framework_id"] == framework_id)]}


def _jsonable(value):
    if isinstance(value, bytes):
        import base64
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value
