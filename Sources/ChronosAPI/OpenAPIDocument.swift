/// The OpenAPI 3.0 description of every route, served at `/openapi.yaml`.
enum OpenAPIDocument {
    static let yaml = """
    openapi: 3.0.3
    info:
      title: chronos-sync API
      version: "1"
      description: >
        Chronos's REST API (under /v1/scheduler and, as in Chronos 2.x, /scheduler), the runs of each job under
        /v1/jobs, the git sync under /v1/sync, and /ping and /metrics; the web UI is at /. Errors answer JSON {status, message, errors[{line, column, message}]}.
    security:
      - basic: []
    paths:
    \(schedulerPaths("/v1/scheduler"))
    \(schedulerPaths("/scheduler"))
      /v1/jobs:
        get:
          summary: Every job in one compact document, with the states of its latest runs (the web UI's list)
          parameters:
            - {name: runs, in: query, description: "latest runs per job, oldest first (default 10, at most 50)", schema: {type: integer, minimum: 0}}
          responses:
            "200":
              description: >
                {now, jobs[{name, command, owner, status (success|failure|fresh), running, queued, disabled, source
                (file:line:column, or api), trigger, parents, tz, next (epoch ms or null), runs}]}; runs holds one
                letter a run: s succeeded, f failed, k killed, l lost, x skipped, r running, q queued
              content: {application/json: {schema: {type: object, required: [now, jobs]}}}
            "304": {description: "Not modified: the If-None-Match ETag is current (the jobs and their runs did not change)"}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
      /v1/jobs/{name}:
        get:
          summary: One job as the web UI's job page shows it
          parameters:
            - {name: name, in: path, required: true, schema: {type: string}}
          responses:
            "200":
              description: "{name, job (as GET /v1/scheduler/job/{name}), yaml, source, status, running, queued, disabled, timeZone, nextRuns (epoch ms)}"
              content: {application/json: {schema: {type: object, required: [name, job, yaml, source, nextRuns]}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/validate:
        post:
          summary: Check a job spec as `chronos-sync validate` does, and its parents against the live jobs
          requestBody: {required: true, content: {application/yaml: {schema: {type: string}}, application/json: {schema: {$ref: "#/components/schemas/Job"}}}}
          responses:
            "200":
              description: >
                {valid, diagnostics[{severity, line, column, message}], name, yaml (the spec file to commit), liveSource
                (where the live job of that name comes from: api, or a spec's file:line:column)}
              content: {application/json: {schema: {type: object, required: [valid, diagnostics]}}}
            "401": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
            "415": {$ref: "#/components/responses/Error"}
      /v1/jobs/{name}/runs:
        get:
          summary: A job's runs, newest first
          parameters:
            - {name: name, in: path, required: true, schema: {type: string}}
            - {name: limit, in: query, schema: {type: integer, minimum: 0}}
          responses:
            "200": {description: Runs, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Run"}}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/jobs/{name}/run:
        post:
          summary: Run a job now, with extra arguments; answers the run's task id
          parameters:
            - {name: name, in: path, required: true, schema: {type: string}}
          requestBody:
            required: false
            content: {application/json: {schema: {type: object, properties: {arguments: {type: array, items: {type: string}}}}}}
          responses:
            "200": {description: The run, content: {application/json: {schema: {type: object, required: [taskId], properties: {taskId: {type: string}}}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
            "415": {$ref: "#/components/responses/Error"}
      /v1/jobs/{name}/disable:
        post:
          summary: Disable a job; it is not scheduled until enabled
          parameters:
            - {name: name, in: path, required: true, schema: {type: string}}
          responses:
            "200": {$ref: "#/components/responses/Disabled"}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/jobs/{name}/enable:
        post:
          summary: Enable a job again; it owes no runs from while it was disabled
          parameters:
            - {name: name, in: path, required: true, schema: {type: string}}
          responses:
            "200": {$ref: "#/components/responses/Disabled"}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/jobs/{name}/runs/{taskId}/stdout:
        get:
          summary: A run's standard output
          description: >
            With follow=true, the output from byte offset on, then what the run writes, as it writes it (a chunked
            response), until the run ends or 30 s pass; X-Run-State tells the run's state when the stream began.
          parameters:
            - {name: name, in: path, required: true, schema: {type: string}}
            - {name: taskId, in: path, required: true, schema: {type: string}}
            - {name: follow, in: query, schema: {type: boolean}}
            - {name: offset, in: query, schema: {type: integer, minimum: 0}}
          responses:
            "200": {description: Output, content: {text/plain: {schema: {type: string}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/jobs/{name}/runs/{taskId}/stderr:
        get:
          summary: A run's standard error
          description: follow and offset as for stdout.
          parameters:
            - {name: name, in: path, required: true, schema: {type: string}}
            - {name: taskId, in: path, required: true, schema: {type: string}}
            - {name: follow, in: query, schema: {type: boolean}}
            - {name: offset, in: query, schema: {type: integer, minimum: 0}}
          responses:
            "200": {description: Output, content: {text/plain: {schema: {type: string}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/sync/status:
        get:
          summary: The git sync's state, revisions, errors and drift
          responses:
            "200": {description: Status, content: {application/json: {schema: {type: object, required: [state, revision, appliedRevision, message]}}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/sync/plan:
        get:
          summary: What a sync of the current commit would change
          responses:
            "200": {description: Plan, content: {application/json: {schema: {type: object, required: [plan, errors]}}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "500": {$ref: "#/components/responses/Error"}
      /v1/sync/drift:
        get:
          summary: Jobs changed, created or deleted outside git
          responses:
            "200": {description: Drift, content: {application/json: {schema: {type: object, required: [drift]}}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/sync/history:
        get:
          summary: The latest syncs
          responses:
            "200": {description: History, content: {application/json: {schema: {type: object, required: [syncs]}}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/sync/apply:
        post:
          summary: Apply a plan saved by `chronos-sync plan --out` exactly
          requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
          responses:
            "200": {description: The sync status after applying, content: {application/json: {schema: {type: object}}}}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "409": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
      /v1/sync/trigger:
        post:
          summary: Sync now
          responses:
            "202": {description: Triggered, content: {application/json: {schema: {type: object}}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /v1/sync/webhook:
        post:
          summary: Sync now, from a GitHub (X-Hub-Signature-256), GitLab (X-Gitlab-Token) or generic (X-Chronos-Signature) webhook
          requestBody: {content: {application/json: {schema: {type: object}}}}
          responses:
            "202": {description: Triggered, content: {application/json: {schema: {type: object}}}}
            "401": {$ref: "#/components/responses/Error"}
            "403": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
      /ping:
        get:
          summary: Liveness
          responses:
            "200": {description: pong, content: {text/plain: {schema: {type: string}}}}
            "401": {$ref: "#/components/responses/Error"}
      /v1/cluster:
        get:
          summary: This instance, the leader and since when, its epoch, and every member (a server without --zk is its own leader)
          responses:
            "200":
              description: The cluster as this instance sees it
              content:
                application/json:
                  schema:
                    type: object
                    required: [instance, isLeader, connected, members]
                    properties:
                      instance: {$ref: "#/components/schemas/Member"}
                      leader: {$ref: "#/components/schemas/Member"}
                      leaderSince: {type: integer, description: epoch ms}
                      epoch: {type: integer}
                      isLeader: {type: boolean}
                      connected: {type: boolean}
                      members: {type: array, items: {$ref: "#/components/schemas/Member"}}
                      reason: {type: string, description: why no instance leads, when none does}
            "401": {$ref: "#/components/responses/Error"}
      /metrics:
        get:
          summary: Prometheus metrics
          responses:
            "200": {description: Metrics in the Prometheus text format, content: {text/plain: {schema: {type: string}}}}
            "401": {$ref: "#/components/responses/Error"}
    components:
      securitySchemes:
        basic: {type: http, scheme: basic}
      responses:
        Error:
          description: What is wrong and where
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
        NoContent: {description: Done}
        Warnings:
          description: Stored, with what was ignored or coerced (also in the Warning header)
          content: {application/json: {schema: {type: object, required: [warnings], properties: {warnings: {type: array, items: {type: string}}}}}}
        Disabled:
          description: The job and whether it is now disabled
          content:
            application/json:
              schema: {type: object, required: [name, disabled], properties: {name: {type: string}, disabled: {type: boolean}}}
      schemas:
        Member:
          type: object
          required: [id, api, joined]
          properties:
            id: {type: string, description: "host:port of its API"}
            api: {type: string, description: its API's base URL}
            joined: {type: integer, description: when it joined the election (epoch ms)}
        Error:
          type: object
          required: [status, message]
          properties:
            status: {type: integer}
            message: {type: string}
            errors:
              type: array
              items:
                type: object
                required: [message]
                properties: {line: {type: integer}, column: {type: integer}, message: {type: string}}
        Job:
          type: object
          description: >-
            A job spec with Chronos's field names (see the README), plus the server-managed counters. A JSON body is
            read as Chronos reads it: unknown fields are ignored, numbers and booleans may be quoted, a whole
            number may be written 3.0, uris join fetch, and what Chronos drops is dropped; each change is listed in
            the answer's warnings.
          required: [name]
          properties:
            name: {type: string, pattern: "^[A-Za-z0-9_.-]{1,200}$"}
            command: {type: string}
            description: {type: string}
            owner: {type: string}
            schedule: {type: string}
            scheduleTimeZone: {type: string}
            cron: {type: string}
            parents: {type: array, items: {type: string}}
            shell: {type: boolean}
            retries: {type: integer}
            disabled: {type: boolean}
            successCount: {type: integer}
            errorCount: {type: integer}
            lastSuccess: {type: string}
            lastError: {type: string}
            errorsSinceLastSuccess: {type: integer}
          additionalProperties: true
        Summary:
          type: object
          required: [jobs]
          properties:
            jobs:
              type: array
              items:
                type: object
                required: [name, status, state, schedule, parents, disabled]
                properties:
                  name: {type: string}
                  status: {type: string, enum: [success, failure, fresh]}
                  state: {type: string}
                  schedule: {type: string}
                  parents: {type: array, items: {type: string}}
                  disabled: {type: boolean}
        Run:
          type: object
          required: [taskID, state, trigger, readyAt, queuedAt]
          properties:
            taskID: {type: string}
            state: {type: string, enum: [queued, running, succeeded, failed, killed, lost, skipped]}
            trigger: {type: string, enum: [schedule, dependency, manual, retry]}
            readyAt: {type: integer}
            queuedAt: {type: integer}
            startedAt: {type: integer}
            endedAt: {type: integer}
            exitStatus: {type: integer}
            reason: {type: string}
            arguments: {type: array, items: {type: string}, description: "Words of a run started with its own arguments, each quoted for the shell"}
            argumentText: {type: string, description: "The text of a Chronos ?arguments= run, appended to the command as it is"}
            elementsProcessed: {type: integer, description: "What an async data job reported processed (the progress route), summed"}
          additionalProperties: true
    """

    /// The create-or-replace operation of a job body: POST, and Chronos 2.x's PUT, which does the same.
    static func upsert(_ summary: String) -> String {
        ["post", "put"].map { method in
            """
                \(method):
                  summary: \(summary)\(method == "put" ? " (Chronos 2.x's PUT, the same as POST)" : "")
                  requestBody: {required: true, content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}}
                  responses:
                    "200": {$ref: "#/components/responses/Warnings"}
                    "204": {$ref: "#/components/responses/NoContent"}
                    "400": {$ref: "#/components/responses/Error"}
                    "401": {$ref: "#/components/responses/Error"}
                    "413": {$ref: "#/components/responses/Error"}
                    "415": {$ref: "#/components/responses/Error"}
            """
        }.joined(separator: "\n")
    }

    /// The Chronos routes under one prefix.
    static func schedulerPaths(_ prefix: String) -> String {
        """
          \(prefix)/jobs:
            get:
              summary: Every job
              responses:
                "200": {description: Jobs, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Job"}}}}}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/jobs/summary:
            get:
              summary: Every job's status and state
              responses:
                "200": {description: Summary, content: {application/json: {schema: {$ref: "#/components/schemas/Summary"}}}}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/jobs/search:
            get:
              summary: Jobs whose name or command contains a text (case-insensitive)
              parameters:
                - {name: name, in: query, schema: {type: string}}
                - {name: command, in: query, schema: {type: string}}
                - {name: any, in: query, schema: {type: string}}
                - {name: limit, in: query, schema: {type: integer, minimum: 0}}
                - {name: offset, in: query, schema: {type: integer, minimum: 0}}
              responses:
                "200": {description: Jobs, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Job"}}}}}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/job/{name}:
            parameters:
              - {name: name, in: path, required: true, schema: {type: string}}
            get:
              summary: One job
              responses:
                "200": {description: Job, content: {application/json: {schema: {$ref: "#/components/schemas/Job"}}}}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
            put:
              summary: Run the job now
              description: >-
                As Chronos: the arguments text is appended to the command as it is (without ";") for this run and
                its retries; the shell reads it (quotes, variables). A job without a shell gets its words as arguments.
              parameters:
                - {name: arguments, in: query, schema: {type: string}}
              responses:
                "204": {$ref: "#/components/responses/NoContent"}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
            delete:
              summary: Delete the job; its children take its parents, or its schedule when it had none (as Chronos)
              responses:
                "204": {$ref: "#/components/responses/NoContent"}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/iso8601:
        \(upsert("Create or replace a scheduled job"))
          \(prefix)/dependency:
        \(upsert("Create or replace a dependent job"))
          \(prefix)/job/success/{name}:
            put:
              summary: Mark the job successful (its children advance)
              parameters:
                - {name: name, in: path, required: true, schema: {type: string}}
              responses:
                "200": {description: Done, content: {text/plain: {schema: {type: string}}}}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/task/kill/{name}:
            delete:
              summary: Kill the job's runs
              parameters:
                - {name: name, in: path, required: true, schema: {type: string}}
              responses:
                "204": {$ref: "#/components/responses/NoContent"}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/task/{taskId}:
            put:
              summary: Report the end of an async job's run
              parameters:
                - {name: taskId, in: path, required: true, schema: {type: string}}
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, required: [statusCode], properties: {statusCode: {type: integer}}}}}
              responses:
                "204": {$ref: "#/components/responses/NoContent"}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/job/{name}/task/{taskId}/progress:
            post:
              summary: Add to the elements a data job's run (dataProcessingJobType) processed, while it is queued or running
              parameters:
                - {name: name, in: path, required: true, schema: {type: string}}
                - {name: taskId, in: path, required: true, schema: {type: string}}
              requestBody:
                content: {application/json: {schema: {type: object, properties: {numAdditionalElementsProcessed: {type: integer, minimum: 0}}}}}
              responses:
                "204": {$ref: "#/components/responses/NoContent"}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
                "415": {$ref: "#/components/responses/Error"}
          \(prefix)/task/all:
            delete:
              summary: Drop every run not yet started, of every job (Chronos 2.x); running runs go on, schedules are untouched
              responses:
                "204": {$ref: "#/components/responses/NoContent"}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/job/stat/{name}:
            get:
              summary: Run-time percentiles (ms) and the latest runs
              parameters:
                - {name: name, in: path, required: true, schema: {type: string}}
              responses:
                "200": {description: Statistics, content: {application/json: {schema: {type: object, required: [histogram, taskStatHistory]}}}}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/stats/{percentile}:
            get:
              summary: One percentile of every job's run time (s), slowest first
              parameters:
                - {name: percentile, in: path, required: true, schema: {type: string, enum: [99thPercentile, 98thPercentile, 95thPercentile, 75thPercentile, median, mean]}}
              responses:
                "200": {description: Statistics, content: {application/json: {schema: {type: array, items: {type: object}}}}}
                "400": {$ref: "#/components/responses/Error"}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/graph/dot:
            get:
              summary: The dependency graph in Graphviz DOT
              responses:
                "200": {description: DOT, content: {text/plain: {schema: {type: string}}}}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/graph/csv:
            get:
              summary: The dependency graph as node and link lines
              responses:
                "200": {description: CSV, content: {text/plain: {schema: {type: string}}}}
                "401": {$ref: "#/components/responses/Error"}
          \(prefix)/leader:
            get:
              summary: The leader's address
              responses:
                "200": {description: Leader, content: {application/json: {schema: {type: object, required: [leader], properties: {leader: {type: string}}}}}}
                "401": {$ref: "#/components/responses/Error"}
        """
    }
}
