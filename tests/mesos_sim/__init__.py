"""A Mesos master simulator for testing a framework that speaks the v1 scheduler HTTP API.

It follows shared/reference/mesos-http-api.md, and the Mesos master and agent (apache/mesos 1.11) where the
reference is silent. Python 3 standard library only; it shares no code with the Swift launcher. Everything
listens on 127.0.0.1.

Running it
==========

From the repository root::

    python3 -m tests.mesos_sim --port 0 [options]       # or: python3 tests/mesos_sim [options]

Standard output, one line each, flushed, then nothing more::

    listening on 127.0.0.1:<leading master's port>
    master 0 127.0.0.1:<port> leader
    master 1 127.0.0.1:<port>                           # with --masters 2
    agent <id> 127.0.0.1:<port> <agent work_dir>
    ready

SIGTERM or SIGINT stops it: task process groups are killed (SIGKILL), streams are ended, exit status 0.

Options (each also a key of the ``--config`` JSON file, with ``_`` for ``-``; the command line wins)::

    --port P                    first (leading) master's port; 0 = a free port (default 0)
    --masters N                 masters in this process, sharing one cluster; master 0 leads (default 1).
                                JSON "master_ports": [p0, p1, ...] fixes every port.
    --agent SPEC                an agent (repeatable): id=S1,hostname=h1,port=0,cpus=4,mem=4096,disk=10240,
                                ports=31000-32000,attr.rack=r1,attr.gen=3   (any other key=number is a scalar
                                resource; attribute values follow the agent's --attributes rules: a number
                                is SCALAR, [a-b] RANGES, {a,b} SET, else TEXT)
    --agents N                  N default agents when no --agent is given (default 2)
    --config FILE               JSON: {"agents": [{"id": "S1", "hostname": "h1", "port": 0,
                                  "resources": {"cpus": 4, "mem": 4096, "disk": 10240, "ports": [[31000, 32000]]},
                                  "attributes": {"rack": "r1", "gen": 3, "zones": ["a", "b"]}}], ...}
                                Unnamed resources default to cpus 4, mem 4096, disk 10240, ports [31000-32000];
                                a null, "" or [] value removes one.
    --work-dir DIR              root of the agents' work dirs (default: a temporary directory, removed at exit)
    --hostname H                masters' hostname (MasterInfo, 307 Location) and default agents' (127.0.0.1)
    --heartbeat-interval S      HEARTBEAT period, also sent as heartbeat_interval_seconds (default 15)
    --allocation-interval S     allocation cycle; filters last at least this long (default 1)
    --update-retry-interval S   first resend of an unacknowledged status update (default 10) ...
    --update-retry-max S        ... then doubling up to this (default 600)
    --offer-timeout S           rescind offers older than this (default: never)
    --staging-delay S           a launched task stays TASK_STAGING this long before it starts (default 0)
    --frameworks-home DIR       base of relative URI paths (as the agent flag)
    --verbose                   log every HTTP request to stderr

Endpoints
=========

Masters (every master port; a non-leading master answers 307 with ``Location: //<leader host>:<port><path>``,
or 503 "No leader elected")::

    POST /api/v1/scheduler (also /master/api/v1/scheduler)     the v1 scheduler API, JSON only
    GET  /master/state, /state (+ .json)     "leader", "leader_info", "slaves" (id, pid slave(1)@127.0.0.1:P,
                                             hostname, port, resources...), "frameworks" (tasks, completed_tasks,
                                             unreachable_tasks, offers), "completed_frameworks"
    GET  /master/tasks, /master/frameworks, /master/slaves (+ without /master)
    GET  /master/redirect, /redirect         always 307 to //<leader host>:<port>
    GET  /master/health                      200

Agents (each agent's own port; ``Offer.url`` and the agent's ``pid`` give it)::

    GET /state, /slave(1)/state (+ .json)    frameworks[].executors[] (and completed_frameworks /
                                             completed_executors) with "directory": the sandbox
    GET /files/read?path=P&offset=N&length=L {"data": "...", "offset": N}; no offset: {"data": "", "offset": size};
                                             at most 16 pages per read; 404 unknown path, 400 directory
    GET /files/browse?path=P                 [{"path","size","mode","mtime","nlink","uid","gid"}, ...]
    GET /files/download?path=P               the raw bytes

    Sandbox paths: the real directory <work_dir>/<agent>/slaves/<agent>/frameworks/<framework>/executors/
    <executor>/runs/<container>, its .../runs/latest, and the virtual
    /frameworks/<framework>/executors/<executor>/runs/latest. A command task's executor id is its task id;
    a task of a task group has its sandbox in <executor sandbox>/tasks/<task id>. Each sandbox has stdout and
    stderr (fetch errors are written to stderr).

Control and introspection (every master port, whoever leads)::

    GET  /sim/state[?since=SEQ]   {"leader", "masters", "config", "offer_limits",
                                   "frameworks": [{"id", "info" (FrameworkInfo as received), "connected",
                                     "active", "recovered", "removed", "removed_reason", "stream_id",
                                     "subscriptions", "capabilities", "roles", "suppressed_roles", "suppressed",
                                     "heartbeats", "stalled", "failover_timeout", "failover_deadline_in", "offers",
                                     "filters": [{"agent_id", "refuse_seconds", "expires_in", "resources"}]}],
                                   "agents": [{"id", "hostname", "port", "pid", "status" (registered,
                                     disconnected, unreachable, recovering, gone), "total", "used", "offered",
                                     "free", "attributes", "work_dir"}],
                                   "offers": [...outstanding],
                                   "tasks": [{"framework_id", "task_id", "agent_id", "kind" (command, group,
                                     custom), "state" (master's), "agent_state", "status_update_state",
                                     "pending_updates" (unacknowledged, oldest first), "acknowledged_uuids",
                                     "statuses" (every status, with uuid where it had one), "sandbox", "pid",
                                     "exit_code", "holds_resources", "completed", ...}],
                                   "calls": [{"seq", "time", "master", "method", "path", "content_type",
                                     "accept", "stream_id", "expect", "type", "framework_id", "status",
                                     "error", "body" (JSON as received), "result"}],   (calls with seq >= since)
                                   "acknowledgements": [{"framework_id", "agent_id", "task_id", "uuid",
                                     "result": accepted | duplicate | unexpected (...) | ...}],
                                   "declines": [{"call": DECLINE | ACCEPT, "framework_id", "offer_ids",
                                     "refuse_seconds" (as sent, null if absent), "effective_refuse_seconds"}],
                                   "suppress_revive": [{"call", "framework_id", "roles", "suppressed_roles",
                                     "dropped"}],
                                   "messages" (MESSAGE calls), "injections", "expect_100_continue" (count)}
    GET  /sim/tasks               {"tasks": [{"framework_id", "operation" (LAUNCH | LAUNCH_GROUP), "offer_ids",
                                   "task_info" (the TaskInfo JSON exactly as received), "executor_info",
                                   "accepted": true | "error": "<the TASK_ERROR/DROPPED/LOST message>",
                                   "time"}]}   -- every TaskInfo received, valid or not
    GET  /sim/events[?since=SEQ&framework_id=F]   {"events": [{"seq", "time", "framework_id", "stream_id",
                                   "type", "delivered", "event"}]}   -- every event written (or dropped)
    POST /sim/inject {"action": A, ...}   -> {"ok": true, "action": A, ...} or 400 {"ok": false, "error"}

Injections (framework_id, where accepted, narrows to one framework; otherwise all connected ones)::

    drop_stream {framework_id?, clean?}   the stream's connection breaks (abruptly unless clean: true):
                                          the framework is disconnected at once, calls get 403, its
                                          failover_timeout starts, its tasks keep running
    stall_stream {framework_id?, enabled} the connection stays open but nothing arrives (events are dropped)
    heartbeats {framework_id?, enabled}   stop / restart HEARTBEAT events; send_heartbeat sends one now
    failover {to?, delay?, agent_reregister_delay?}   the leader dies (every stream breaks), master `to`
                                          (default: the next) is elected after `delay` s; it knows no
                                          framework until agents re-register (after agent_reregister_delay s;
                                          meanwhile explicit reconciliation of their tasks gets no answer) or
                                          the scheduler subscribes again with its framework id
    no_leader {} / elect {master, agent_reregister_delay?}   every master answers 503 until elect
    recovering {enabled}                  the leader answers 503 "Master has not finished recovery"
    lose_agent {agent_id, unreachable_after?}   the agent disconnects (its offers are rescinded); after
                                          unreachable_after s (default 0) it is marked unreachable:
                                          TASK_UNREACHABLE to PARTITION_AWARE frameworks, TASK_LOST to the
                                          others (SOURCE_MASTER, REASON_AGENT_REMOVED, unreachable_time, no
                                          uuid), then FAILURE {agent_id}. Processes keep running.
    restore_agent {agent_id}              the agent re-registers with the tasks it has: they are RUNNING again
                                          for reconciliation, held kills are delivered, pending updates resent
    mark_agent_gone {agent_id}            TASK_GONE_BY_OPERATOR (LOST), processes killed, FAILURE
    add_agent {agent: {...as in --config}}   a new agent with its own port
    resend_updates {framework_id?, agent_id?, task_id?}   resend every unacknowledged head update now
    limit_offers {cpus?, mem?, disk?, ...}   offers carry at most this much (too small for a job); {} lifts it;
                                          outstanding offers are rescinded
    rescind_offers {framework_id?, agent_id?}, allocate {}
    send_message {framework_id?, agent_id, executor_id, data (base64)}   a MESSAGE event
    send_error {framework_id?, message}   an ERROR event, then the stream is closed
    remove_framework {framework_id}       as the operator's teardown
    set {heartbeat_interval?, allocation_interval?, update_retry_interval?, update_retry_max?,
         offer_timeout?, staging_delay?}

Behaviour, in short
===================

* Scheduler endpoint, in Mesos's order: not leader -> 307/503; recovering -> 503; not POST -> 405; no
  Content-Type -> 400; Content-Type other than exactly ``application/json`` -> 415; bad JSON, JSON that stout
  would not convert to a Call (wrong types, missing required fields: "Missing required fields: a.b"), or a
  failed call validation -> 400; SUBSCRIBE (and RECONCILE_OPERATIONS) whose Accept allows no JSON -> 406;
  SUBSCRIBE with a Mesos-Stream-Id -> 400; unknown framework -> 400 "Framework cannot be found"; framework not
  subscribed -> 403 "Framework is not subscribed"; missing or other Mesos-Stream-Id -> 400; then 202 with an
  empty body (UPDATE_FRAMEWORK: 200; type UNKNOWN: 501). ``Expect: 100-continue`` gets no interim response.
* SUBSCRIBE: 200, chunked, ``Mesos-Stream-Id``; one RecordIO record per chunk, flushed at once; SUBSCRIBED then
  an immediate HEARTBEAT, then one every heartbeat interval. A refused subscription (invalid FrameworkInfo,
  removed framework id, principal change) is a 200 stream with one ERROR event, then closed. Subscribing with a
  connected framework's id sends ERROR "Framework failed over" to the old stream and closes it.
* Offers: every allocation interval, each active agent's free resources (total - tasks - outstanding offers)
  go to one eligible framework (not suppressed, not filtered), batched per framework into OFFERS events, in the
  reference's shape plus Offer.url. DECLINE/ACCEPT leftovers are filtered for refuse_seconds (default 5, 0 =
  none, capped at 365 days, negative = 5) unless more than the refused resources is free; REVIVE clears
  filters and suppression.
* Tasks: validated as the master does (TASK_ERROR, REASON_TASK_INVALID / REASON_TASK_GROUP_INVALID; invalid
  offers: TASK_DROPPED, or TASK_LOST without PARTITION_AWARE, REASON_INVALID_OFFERS; no uuid); then fetch,
  then ``/bin/sh -c value`` (shell, the default) or argv = arguments with executable value (shell false) in
  the sandbox, in its own process group, with the agent's environment, MESOS_* variables and
  CommandInfo.environment. Updates: TASK_STARTING, TASK_RUNNING (with container_status.executor_pid), then
  TASK_FINISHED / TASK_FAILED / TASK_KILLED "Command exited with status N" / "Command terminated with signal
  S"; each with a base64 uuid, SOURCE_EXECUTOR, resent until acknowledged; later ones wait behind. KILL sends
  TASK_KILLING (with TASK_KILLING_STATE), SIGTERM to the group, SIGKILL after the grace period (kill_policy of
  the call, else of the task, else 3 s). max_completion_time -> TASK_FAILED
  REASON_MAX_COMPLETION_TIME_REACHED.
* Reconciliation answers (SOURCE_MASTER, REASON_RECONCILIATION, no uuid): known task -> latest state;
  unknown task on a registered agent -> TASK_GONE; on an unreachable agent -> TASK_UNREACHABLE; on a gone
  agent -> TASK_GONE_BY_OPERATOR; unknown agent -> TASK_UNKNOWN (all TASK_LOST without PARTITION_AWARE);
  agent not re-registered since a failover -> no answer. KILL of an unknown task is answered the same way.
* A dropped stream leaves the framework known but disconnected; failover_timeout later (0 = at once) it is
  removed: tasks killed, id refused with ERROR "Framework has been removed". TEARDOWN does the same at once.

Modules
=======

cli (command line), server (HTTP handlers), control (/sim/inject), views (state documents), files (/files),
cluster (the shared state and its lock, frameworks, timers) with its parts offers, launches, updates (status
updates, acknowledgements, kills, reconciliation) and failures (partitions, failovers); model (the records),
executor (a task's process), protocol and schema (JSON to Call), resources.

Where it differs from a real master
===================================

* JSON only: ``Content-Type: application/x-protobuf`` gets 415 and an Accept that allows only protobuf 406.
* Containers are not run: DOCKER/MESOS tasks run their command on the host (a DOCKER task with shell false
  runs value + arguments; with neither, /bin/true), and ContainerInfo is only recorded (/sim/tasks). A custom
  executor (TaskInfo.executor) is its CommandInfo run as the task itself; LAUNCH_GROUP tasks run as
  processes under their executor's sandbox, and the group is killed when one of them fails or is killed.
* No TASK_STAGING update is sent (a real master sends none either): the state shows in /state and in
  reconciliation answers. CommandInfo.user is ignored. Reservations, volumes and other offer operations are
  not simulated (they are dropped, as Mesos drops them without an operation id).
* The 307 Location is ``//host:port`` + the path as requested (``/api/v1/scheduler``), as the reference
  documents; a real master behind libprocess's delegation may spell the path ``/master/api/v1/scheduler``.
* The heartbeat interval, allocation interval and update retry timings are configurable for fast tests.
"""
