#!/usr/bin/env bash
# The one command: sets up what is missing, builds the web app, starts the dev broker, the dev store,
# ingest, the api, the bot and the simulator (one process each, or `npm start -- --ingest 3 --api 2 --bot 2`),
# prints the wall's URL, and stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "Building the web app…" >&2
npm run -s build:web >/dev/null
exec node -r @swc-node/register scripts/dev-stack.ts "$@"
