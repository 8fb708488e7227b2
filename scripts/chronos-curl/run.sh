#!/bin/sh
# route: PUT /job/{name} — run a job now. Usage: run.sh NAME [ARGUMENTS]
# ARGUMENTS is one text appended to the command as it is, for this run only (as Chronos: the shell reads it).
# Set CHRONOS to the server (default http://127.0.0.1:4400), CHRONOS_PREFIX to /scheduler for Chronos 2.x's
# routes (default /v1/scheduler), CHRONOS_CREDENTIALS to user:password when the server asks for them.
set -eu
base="${CHRONOS:-http://127.0.0.1:4400}${CHRONOS_PREFIX:-/v1/scheduler}"
auth=${CHRONOS_CREDENTIALS:+--user $CHRONOS_CREDENTIALS}
if [ $# -gt 1 ]; then
  curl -sS --fail-with-body $auth -X PUT -G --data-urlencode "arguments=$2" "$base/job/$1"
else
  curl -sS --fail-with-body $auth -X PUT "$base/job/$1"
fi
