"""ACCEPT: offer and task validation as the master does it, LAUNCH and LAUNCH_GROUP, the agent's run of a task."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from . import protocol
from .executor import Runner
from .model import Agent, Framework, Task
from .resources import Resources, validate_proto


class Launches:
    """Cluster's part for ACCEPT and the tasks it launches."""

    def _validate_offer_ids(self, offer_ids: list[str], framework: Framework) -> str | None:
        """validation::offer::validate."""
        if len(set(offer_ids)) != len(offer_ids):
            dup = next(o for o in offer_ids if offer_ids.count(o) > 1)
            return f"Duplicate offer {dup} in offer list"
        for offer_id in offer_ids:
            if offer_id not in self.offers:
                return f"Offer {offer_id} is no longer valid"
        for offer_id in offer_ids:
            offer = self.offers[offer_id]
            if offer.framework_id != framework.id:
                return (f"Offer {offer_id} has invalid framework {offer.framework_id} while framework "
                        f"{framework.id} is expected")
        roles = {self.offers[o].role for o in offer_ids}
        if len(roles) > 1:
            return "Aggregated offers must be allocated to the same role"
        agents = [self.offers[o].agent_id for o in offer_ids]
        for offer_id, agent_id in zip(offer_ids, agents):
            if agent_id != agents[0]:
                return (f"Aggregated offers must belong to one single agent. Offer {offer_id} uses agent "
                        f"{agent_id} and agent {agents[0]}")
        return None

    def _record_launch(self, framework: Framework, operation: str, raw_task: dict, raw_executor: dict | None,
                       offer_ids: list[str]) -> dict:
        record = {"time": time.time(), "framework_id": framework.id, "operation": operation,
                  "offer_ids": offer_ids, "task_info": raw_task}
        if raw_executor is not None:
            record["executor_info"] = raw_executor
        self._append(self.launches, record)
        return record

    @staticmethod
    def _task_infos(operation: dict, raw_operation: dict):
        if operation.get("type") == "LAUNCH":
            return (operation.get("launch", {}).get("task_infos", []),
                    _as_list((raw_operation.get("launch") or {}).get("task_infos")))
        if operation.get("type") == "LAUNCH_GROUP":
            group = operation.get("launch_group", {})
            raw_group = raw_operation.get("launch_group") or {}
            return (group.get("task_group", {}).get("tasks", []),
                    _as_list((raw_group.get("task_group") or {}).get("tasks")))
        return [], []

    def accept(self, framework: Framework, accept: dict, raw_accept: dict):
        """Master::accept and _accept for LAUNCH and LAUNCH_GROUP; other operations are dropped."""
        offer_ids = [o["value"] for o in accept.get("offer_ids", [])]
        operations = accept.get("operations", [])
        raw_operations = _as_list(raw_accept.get("operations"))
        error = "No offers specified" if not offer_ids else self._validate_offer_ids(offer_ids, framework)
        if error:
            for offer_id in offer_ids:
                offer = self.offers.get(offer_id)
                if offer is not None:
                    self._remove_offer(offer)
            state = "TASK_DROPPED" if framework.partition_aware else "TASK_LOST"
            for operation, raw_operation in zip(operations, raw_operations):
                tasks, raw_tasks = self._task_infos(operation, raw_operation)
                for task, raw_task in zip(tasks, raw_tasks):
                    record = self._record_launch(framework, operation.get("type"), raw_task,
                                                 (raw_operation.get("launch_group") or {}).get("executor"),
                                                 offer_ids)
                    record["error"] = "Task launched with invalid offers: " + error
                    self.master_update(framework, task["task_id"]["value"], state, record["error"],
                                       "REASON_INVALID_OFFERS", agent_id=task["agent_id"]["value"])
            return

        agent = self.agents[self.offers[offer_ids[0]].agent_id]
        role = self.offers[offer_ids[0]].role
        remaining = Resources()
        for offer_id in offer_ids:
            remaining = remaining + self.offers[offer_id].resources
            self._remove_offer(self.offers[offer_id])

        for operation, raw_operation in zip(operations, raw_operations):
            kind = operation.get("type")
            if kind == "LAUNCH":
                tasks, raw_tasks = self._task_infos(operation, raw_operation)
                for task, raw_task in zip(tasks, raw_tasks):
                    record = self._record_launch(framework, kind, raw_task, None, offer_ids)
                    error = ("The `id` field cannot be set on LAUNCH operations" if "id" in operation
                             else self._validate_task(framework, agent, task, role, remaining))
                    if error:
                        record["error"] = error
                        self.master_update(framework, task["task_id"]["value"], "TASK_ERROR", error,
                                           "REASON_TASK_INVALID", agent_id=task["agent_id"]["value"])
                        continue
                    launched = self._add_task(framework, agent, task, raw_task, "command" if "command" in task
                                              else "custom", task.get("executor"))
                    remaining = remaining - launched.resources
                    record["accepted"] = True
                    launched.runner.start()
            elif kind == "LAUNCH_GROUP":
                remaining = self._launch_group(framework, agent, operation, raw_operation, role, remaining,
                                               offer_ids)
            # RESERVE, UNRESERVE, CREATE, ... are not simulated; without an `id` Mesos gives no feedback either.

        if not remaining.empty():
            refuse = self.add_filter(framework, agent.id, remaining, accept.get("filters", {}))
            self._append(self.declines, {"time": time.time(), "framework_id": framework.id,
                                         "offer_ids": offer_ids, "call": "ACCEPT",
                                         "refuse_seconds": accept.get("filters", {}).get("refuse_seconds"),
                                         "effective_refuse_seconds": refuse, "valid_offer_ids": offer_ids})
        self.allocate_soon = True

    def _task_resources_error(self, resources: list[dict], role: str) -> str | None:
        if not resources:
            return "Task uses no resources"
        error = validate_proto(resources)
        if error:
            return "Task uses invalid resources: " + error
        allocation_roles = {r["allocation_info"].get("role") for r in resources if "allocation_info" in r}
        if len(allocation_roles) > 1:
            return "Invalid task resources: The resources have multiple allocation roles"
        return None

    @staticmethod
    def _unreserved(resources: list[dict], role: str) -> bool:
        for resource in resources:
            if resource.get("role", "*") != "*" or resource.get("reservations") or resource.get("reservation"):
                return False
            if "allocation_info" in resource and resource["allocation_info"].get("role") != role:
                return False
        return True

    def _validate_common(self, framework: Framework, agent: Agent, task: dict) -> str | None:
        task_id = task["task_id"]["value"]
        error = protocol.validate_id(task_id)
        if error:
            return error
        existing = self._master_task(framework, task_id)
        if existing is not None:
            return f"Task has duplicate ID: {task_id}"
        if task_id in framework.unreachable_tasks:
            return f"Task reuses the ID of an unreachable task: {task_id}"
        if task["agent_id"]["value"] != agent.id:
            return f"Task uses invalid agent {task['agent_id']['value']} while agent {agent.id} is expected"
        grace = task.get("kill_policy", {}).get("grace_period")
        if grace is not None and grace["nanoseconds"] < 0:
            return "Task's 'kill_policy.grace_period' must be non-negative"
        if task.get("max_completion_time", {}).get("nanoseconds", 0) < 0:
            return "Task's `max_completion_time` must be non-negative"
        return None

    def _validate_task(self, framework: Framework, agent: Agent, task: dict, role: str,
                       available: Resources) -> str | None:
        """validation::task::validate for a LAUNCH."""
        error = self._validate_common(framework, agent, task)
        if error:
            return error
        error = self._task_resources_error(task.get("resources", []), role)
        if error:
            return error
        if "command" in task:
            error = _validate_environment(task["command"])
            if error:
                return "Task's `CommandInfo` is invalid: " + error
        if "container" in task:
            error = _validate_container(task["container"])
            if error:
                return "Task's `ContainerInfo` is invalid: " + error
        if ("executor" in task) == ("command" in task):
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present"
        total = Resources.from_proto(task.get("resources", []))
        resources = list(task.get("resources", []))
        if "executor" in task:
            executor = task["executor"]
            error = protocol.validate_id(executor["executor_id"]["value"])
            if error:
                return error
            fid = executor.get("framework_id", {}).get("value")
            if fid is not None and fid != framework.id:
                return (f"ExecutorInfo has an invalid FrameworkID (Actual: {fid} vs Expected: {framework.id})")
            if "type" in executor and executor["type"] != "CUSTOM":
                return "'ExecutorInfo.type' must be 'CUSTOM'"
            if "command" not in executor:
                return "'ExecutorInfo.command' must be set"
            if "container" in executor:
                error = _validate_container(executor["container"])
                if error:
                    return "Executor's `ContainerInfo` is invalid: " + error
            running = any(t.executor_id == executor["executor_id"]["value"] and t.framework_id == framework.id
                          and not t.completed for t in agent.tasks.values())
            if not running:
                total = total + Resources.from_proto(executor.get("resources", []))
                resources += executor.get("resources", [])
        if not self._unreserved(resources, role) or not available.contains(total):
            return (f"Total resources {total} required by task and its executor is more than available "
                    f"{available}")
        return None

    def _launch_group(self, framework: Framework, agent: Agent, operation: dict, raw_operation: dict, role: str,
                      remaining: Resources, offer_ids: list[str]) -> Resources:
        group = operation.get("launch_group", {})
        raw_group = raw_operation.get("launch_group") or {}
        executor = group["executor"]
        tasks = group["task_group"].get("tasks", [])
        raw_tasks = _as_list((raw_group.get("task_group") or {}).get("tasks"))
        records = [self._record_launch(framework, "LAUNCH_GROUP", raw, raw_group.get("executor"), offer_ids)
                   for raw in raw_tasks]
        error = None
        if "id" in operation:
            error = "The `id` field cannot be set on LAUNCH_GROUP operations"
        elif executor.get("type") != "DEFAULT":
            error = "'ExecutorInfo.type' must be 'DEFAULT'"
        elif "command" in executor:
            error = "'ExecutorInfo.command' must not be set"
        elif not tasks:
            error = "Task group is empty"
        total = Resources.from_proto(executor.get("resources", []))
        resources = list(executor.get("resources", []))
        if error is None:
            seen = set()
            for task in tasks:
                task_error = self._validate_common(framework, agent, task)
                task_error = task_error or self._task_resources_error(task.get("resources", []), role)
                if task_error is None and task["task_id"]["value"] in seen:
                    task_error = f"Task has duplicate ID: {task['task_id']['value']}"
                if task_error is None and "executor" in task:
                    task_error = "'TaskInfo.executor' must not be set"
                if task_error is None and "command" not in task:
                    task_error = "'TaskInfo.command' must be set"
                if task_error is None and task.get("container", {}).get("type") == "DOCKER":
                    task_error = "Docker ContainerInfo is not supported on the task"
                if task_error is None and "command" in task:
                    env_error = _validate_environment(task["command"])
                    task_error = "Task's `CommandInfo` is invalid: " + env_error if env_error else None
                if task_error:
                    error = f"Task '{task['task_id']['value']}' is invalid: {task_error}"
                    break
                seen.add(task["task_id"]["value"])
                total = total + Resources.from_proto(task.get("resources", []))
                resources += task.get("resources", [])
        if error is None and (not self._unreserved(resources, role) or not remaining.contains(total)):
            error = (f"Total resources {total} required by task group and its executor are more than available "
                     f"{remaining}")
        if error:
            for task, record in zip(tasks, records):
                record["error"] = error
                self.master_update(framework, task["task_id"]["value"], "TASK_ERROR", error,
                                   "REASON_TASK_GROUP_INVALID", agent_id=task["agent_id"]["value"])
            return remaining
        container_id = str(uuid.uuid4())
        launched = []
        for index, (task, raw_task) in enumerate(zip(tasks, raw_tasks)):
            item = self._add_task(framework, agent, task, raw_task, "group", executor, container_id=container_id)
            if index == 0:
                item.resources = item.resources + Resources.from_proto(executor.get("resources", []))
            launched.append(item)
            records[index]["accepted"] = True
        for item in launched:
            item.group = launched
            remaining = remaining - item.resources
        for item in launched:
            item.runner.start()
        return remaining

    def _add_task(self, framework: Framework, agent: Agent, info: dict, raw: dict, kind: str,
                  executor: dict | None, container_id: str | None = None) -> Task:
        executor_id = executor["executor_id"]["value"] if executor is not None else info["task_id"]["value"]
        task = Task(framework.id, info, raw, agent, kind, executor, container_id or str(uuid.uuid4()), executor_id)
        task.statuses.append({"state": "TASK_STAGING", "timestamp": task.launched_at})
        agent.tasks[(framework.id, task.task_id)] = task
        task.runner = Runner(self, task)
        return task

    def link_latest(self, task: Task):
        """The agent's runs/latest symlink to the current run of an executor."""
        run = Path(task.executor_directory)
        latest = run.parent / "latest"
        try:
            if latest.is_symlink() or latest.exists():
                if os.readlink(latest) == run.name:
                    return
                latest.unlink()
            latest.symlink_to(run.name)
        except OSError:
            pass

    def executor_exited(self, task: Task, status: int):
        """The task's process ended; an executor other than the command executor is reported gone (FAILURE)
        once the terminal updates of all its tasks are acknowledged, as an executor waits for them to exit."""
        task.wait_status = status

    def _executor_done(self, task: Task):
        if task.kind == "command" or task.abandoned:
            return
        siblings = task.group if task.kind == "group" else [task]
        if not all(t.completed for t in siblings):
            return
        agent = self.agents[task.agent_id]
        if not agent.active:
            return
        framework = self.frameworks.get(task.framework_id)
        self.send(framework, {"type": "FAILURE", "failure": {
            "agent_id": {"value": agent.id}, "executor_id": {"value": task.executor_id},
            "status": 0 if task.kind == "group" else (task.wait_status or 0)}})


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _validate_environment(command: dict) -> str | None:
    for variable in command.get("environment", {}).get("variables", []):
        kind = variable.get("type", "VALUE")
        name = variable["name"]
        if kind == "SECRET":
            if "secret" not in variable:
                return f"Environment variable '{name}' of type 'SECRET' must have a secret set"
            if "value" in variable:
                return f"Environment variable '{name}' of type 'SECRET' must not have a value set"
        elif kind == "VALUE":
            if "value" not in variable:
                return f"Environment variable '{name}' of type 'VALUE' must have a value set"
            if "secret" in variable:
                return f"Environment variable '{name}' of type 'VALUE' must not have a secret set"
        else:
            return "Environment variable of type 'UNKNOWN' is not allowed"
    return None


def _validate_container(container: dict) -> str | None:
    for volume in container.get("volumes", []):
        count = sum(1 for key in ("host_path", "image", "source") if key in volume)
        if count != 1:
            return "Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'"
    if container["type"] == "DOCKER":
        if "docker" not in container:
            return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo"
        for parameter in container["docker"].get("parameters", []):
            if parameter["key"] == "name":
                return "Parameter in DockerInfo must not be 'name'"
    return None
