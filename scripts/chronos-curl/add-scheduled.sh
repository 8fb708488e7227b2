#!/bin/sh
# route: POST /iso8601 — create or replace a scheduled job. Usage: add-scheduled.sh JOB.json (or - for stdin)
# route: PUT /iso8601 — the same by PUT, as Chronos 2.x also took it: METHOD=PUT add-scheduled.sh JOB.json
# Set CHRONOS to the server (default http://127.0.0.1:4400), CHRONOS_PREFIX to /scheduler for Chronos 2.x's
# routes (default /v1/scheduler), CHRONOS_CREDENTIALS to user:password when the server asks for them.
set -eu
base="${CHRONOS:-http://127.0.0.1:4400}${CHRONOS_PREFIX:-/v1/scheduler}"
auth=${CHRONOS_CREDENTIALS:+--user $CHRONOS_CREDENTIALS}
curl -sS --fail-with-body $auth -X "${METHOD:-POST}" -H "Content-Type: application/json" --data-binary "@$1" "$base/iso8601"
