#!/usr/bin/env bash
# All tests: typecheck, layer rules (dependency-cruiser), unit + simulator tests (Node), contracts build, app build,
# browser e2e (Chromium), the Playwright kit's example project.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== layers"; npm run --silent lint:layers
echo "== contracts"; npm run --silent build:contracts
echo "== unit"; npx vitest run
echo "== build"; npx vite build --logLevel warn
if ls e2e/*.spec.ts >/dev/null 2>&1; then
  echo "== e2e"; bash scripts/ensure-chromium.sh; npx playwright test
fi
# The kit as a user runs it: its own project, the package linked with file:../.. (docs/testing.md).
echo "== examples/playwright"
(cd examples/playwright && npm install --no-audit --no-fund && npx playwright test)
