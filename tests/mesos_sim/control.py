"""POST /sim/inject: failures and other things a test makes happen on purpose. Every action answers JSON."""

from __future__ import annotations

import base64
import binascii
import time

from .cluster import Cluster


class InjectError(Exception):
    pass


def _frameworks(cluster: Cluster, body: dict, connected_only: bool = True):
    framework_id = body.get("framework_id")
    frameworks = [f for f in cluster.frameworks.values() if f.known and (f.connected or not connected_only)]
    if framework_id is not None:
        frameworks = [f for f in frameworks if f.id == framework_id]
        if not frameworks:
            raise InjectError(f"no {'connected ' if connected_only else ''}framework {framework_id}")
    return frameworks


def _agent(cluster: Cluster, body: dict):
    agent_id = body.get("agent_id")
    if agent_id not in cluster.agents:
        raise InjectError(f"no agent {agent_id!r}; agents: {sorted(cluster.agents)}")
    return cluster.agents[agent_id]


def _number(body: dict, name: str, default=None):
    value = body.get(name, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise InjectError(f"'{name}' must be a number")
    return value


def inject(cluster: Cluster, body: dict, add_agent=None) -> dict:
    """Runs one action under the cluster lock. `add_agent(config) -> Agent` starts a new agent's server."""
    if not isinstance(body, dict) or not isinstance(body.get("action"), str):
        raise InjectError('expecting a JSON object with an "action"')
    action = body["action"]
    result: dict = {"ok": True, "action": action}
    with cluster.lock:
        cluster._append(cluster.injections, {"time": time.time(), **body})

        if action == "drop_stream":
            # The subscription's connection breaks (abruptly unless "clean": true): the framework is
            # disconnected at once, calls get 403 until it subscribes again, and its failover_timeout starts.
            dropped = []
            for framework in _frameworks(cluster, body):
                stream = framework.stream
                stream.close(clean=bool(body.get("clean", False)))
                cluster._exited(framework)
                dropped.append(framework.id)
            result["frameworks"] = dropped

        elif action == "stall_stream":
            # The connection stays open but nothing more arrives on it (a partition): events are dropped.
            enabled = bool(body.get("enabled", True))
            result["frameworks"] = []
            for framework in _frameworks(cluster, body):
                framework.stream.stalled = enabled
                result["frameworks"].append(framework.id)

        elif action == "heartbeats":
            enabled = bool(body.get("enabled", True))
            result["frameworks"] = []
            for framework in _frameworks(cluster, body, connected_only=False):
                framework.heartbeats = enabled
                result["frameworks"].append(framework.id)

        elif action == "send_heartbeat":
            result["frameworks"] = []
            for framework in _frameworks(cluster, body):
                framework.stream.send({"type": "HEARTBEAT"})
                result["frameworks"].append(framework.id)

        elif action == "failover":
            # The leader dies; another master (default: the next one) is elected, after "delay" seconds.
            target = body.get("to")
            if target is None:
                target = ((cluster.leader if cluster.leader is not None else -1) + 1) % len(cluster.masters)
            if not isinstance(target, int) or not 0 <= target < len(cluster.masters):
                raise InjectError(f"'to' must be a master index below {len(cluster.masters)}")
            delay = _number(body, "delay", 0) or 0
            reregister = _number(body, "agent_reregister_delay", 0) or 0
            cluster.lose_leadership()
            if delay > 0:
                cluster.schedule(delay, "elect", (target, reregister))
            else:
                cluster.elect(target, reregister)
            result["leader"] = target

        elif action in ("no_leader", "lose_leadership"):
            cluster.lose_leadership()
            result["leader"] = None

        elif action == "elect":
            target = body.get("master", 0)
            if not isinstance(target, int) or not 0 <= target < len(cluster.masters):
                raise InjectError(f"'master' must be a master index below {len(cluster.masters)}")
            cluster.elect(target, _number(body, "agent_reregister_delay", 0) or 0)
            result["leader"] = target

        elif action == "recovering":
            cluster.recovering = bool(body.get("enabled", True))

        elif action == "lose_agent":
            # The agent disconnects at once (no offers, kills and acknowledgements wait); after
            # "unreachable_after" seconds (default 0) it is marked unreachable: TASK_UNREACHABLE for
            # PARTITION_AWARE frameworks, TASK_LOST for the others, then FAILURE. Its processes keep running.
            agent = _agent(cluster, body)
            if not agent.registered:
                raise InjectError(f"agent {agent.id} is not registered ({agent.status})")
            cluster.disconnect_agent(agent)
            after = _number(body, "unreachable_after", 0) or 0
            if after > 0:
                cluster.schedule(after, "unreachable", agent.id)
            else:
                cluster.mark_unreachable(agent)

        elif action == "restore_agent":
            agent = _agent(cluster, body)
            if agent.gone:
                raise InjectError(f"agent {agent.id} was marked gone")
            if agent.registered and agent.connected:
                raise InjectError(f"agent {agent.id} is registered and connected")
            cluster.reregister_agent(agent)

        elif action == "mark_agent_gone":
            cluster.mark_gone(_agent(cluster, body))

        elif action == "add_agent":
            if add_agent is None:
                raise InjectError("agents cannot be added here")
            agent = add_agent(body.get("agent") or {})
            result["agent"] = {"id": agent.id, "port": agent.port, "hostname": agent.hostname}

        elif action == "resend_updates":
            result["resent"] = cluster.resume_updates(framework_id=body.get("framework_id"),
                                                      agent_id=body.get("agent_id"), task_id=body.get("task_id"))

        elif action == "limit_offers":
            # Offers carry at most these scalars from now on ({} or null lifts the limit); outstanding offers
            # are rescinded so that the next ones follow the limit.
            limits = {k: v for k, v in body.items() if k not in ("action",)}
            limits = limits.get("limits", limits)
            for name, value in (limits or {}).items():
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise InjectError(f"limit '{name}' must be a number")
            cluster.offer_caps = dict(limits) if limits else None
            result["rescinded"] = cluster.rescind_offers()
            result["limits"] = cluster.offer_caps

        elif action == "rescind_offers":
            result["rescinded"] = cluster.rescind_offers(framework_id=body.get("framework_id"),
                                                         agent_id=body.get("agent_id"))

        elif action == "allocate":
            cluster.allocate()

        elif action == "send_message":
            try:
                data = base64.b64decode(body.get("data", ""), validate=True)
            except (binascii.Error, ValueError):
                raise InjectError("'data' must be base64") from None
            for framework in _frameworks(cluster, body):
                framework.stream.send({"type": "MESSAGE", "message": {
                    "agent_id": {"value": body.get("agent_id", "")},
                    "executor_id": {"value": body.get("executor_id", "")},
                    "data": base64.b64encode(data).decode()}})

        elif action == "send_error":
            message = body.get("message", "Framework has been removed")
            for framework in _frameworks(cluster, body):
                framework.stream.send({"type": "ERROR", "error": {"message": message}})
                framework.stream.close(clean=True)
                cluster._exited(framework)

        elif action == "remove_framework":
            framework_id = body.get("framework_id")
            framework = cluster.frameworks.get(framework_id)
            if framework is None:
                raise InjectError(f"no framework {framework_id}")
            cluster.remove_framework(framework, "removed by operator")

        elif action == "set":
            names = ("heartbeat_interval", "allocation_interval", "update_retry_interval", "update_retry_max",
                     "offer_timeout", "staging_delay")
            for name, value in body.items():
                if name == "action":
                    continue
                if name not in names:
                    raise InjectError(f"unknown setting '{name}'; settings: {', '.join(names)}")
                if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                    raise InjectError(f"'{name}' must be a number")
                if value is None and name != "offer_timeout":
                    raise InjectError(f"'{name}' cannot be null")
                setattr(cluster.config, name, value)

        else:
            raise InjectError(f"unknown action '{action}'")
    return result
