#!/bin/sh
# route: GET /jobs/summary — name, status, state, schedule, parents and disabled of every job.
# Set CHRONOS to the server (default http://127.0.0.1:4400), CHRONOS_PREFIX to /scheduler for Chronos 2.x's
# routes (default /v1/scheduler), CHRONOS_CREDENTIALS to user:password when the server asks for them.
set -eu
base="${CHRONOS:-http://127.0.0.1:4400}${CHRONOS_PREFIX:-/v1/scheduler}"
auth=${CHRONOS_CREDENTIALS:+--user $CHRONOS_CREDENTIALS}
curl -sS --fail-with-body $auth "$base/jobs/summary"
