#!/usr/bin/env bash
# Compiles the server apps and the deployment commands to dist/, as the image runs them: plain JavaScript,
# no TypeScript loader. The image's build stage and test/integration/production-start.test.ts both run it.
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf dist
npx tsc -p infra/docker/tsconfig.build.json
# tsc keeps the @warroom/* path aliases as written: a package per library under dist/node_modules resolves
# them (Node looks for node_modules in every folder above the requiring file). Every lib gets one, so a new
# lib cannot be forgotten here.
for src in libs/*/src; do
  lib=$(basename "$(dirname "$src")")
  mkdir -p "dist/node_modules/@warroom/$lib"
  printf "module.exports = require('../../../libs/%s/src/index.js');\n" "$lib" > "dist/node_modules/@warroom/$lib/index.js"
done
cp -r libs/clickhouse/migrations dist/libs/clickhouse/migrations
cp -r apps/sim/profiles dist/apps/sim/profiles
