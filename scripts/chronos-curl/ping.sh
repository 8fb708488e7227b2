#!/bin/sh
# route: GET /ping (outside the API prefix) — "pong" while the server is up; for health checks.
# Set CHRONOS to the server (default http://127.0.0.1:4400), CHRONOS_CREDENTIALS to user:password when it asks.
set -eu
auth=${CHRONOS_CREDENTIALS:+--user $CHRONOS_CREDENTIALS}
curl -sS --fail-with-body $auth "${CHRONOS:-http://127.0.0.1:4400}/ping"
