#!/bin/sh
# route: POST /dependency — create or replace a dependent job (with parents). Usage: add-dependent.sh JOB.json (or -)
# route: PUT /dependency — the same by PUT, as Chronos 2.x also took it: METHOD=PUT add-dependent.sh JOB.json
# Set CHRONOS to the server (default http://127.0.0.1:4400), CHRONOS_PREFIX to /scheduler for Chronos 2.x's
# routes (default /v1/scheduler), CHRONOS_CREDENTIALS to user:password when the server asks for them.
set -eu
base="${CHRONOS:-http://127.0.0.1:4400}${CHRONOS_PREFIX:-/v1/scheduler}"
auth=${CHRONOS_CREDENTIALS:+--user $CHRONOS_CREDENTIALS}
curl -sS --fail-with-body $auth -X "${METHOD:-POST}" -H "Content-Type: application/json" --data-binary "@$1" "$base/dependency"
