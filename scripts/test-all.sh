#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$*"; }

step "system packages"
bash scripts/install-test-deps.sh

step "typecheck"
npm run -s typecheck

step "build (electron-vite: main, preload, renderer; agent bundle)"
npm run -s build

step "unit tests"
npx vitest run --project unit

step "integration tests (real tools, loop devices, namespaces)"
npx vitest run --project integration

if [ -f e2e/playwright.config.ts ]; then
  step "end-to-end UI tests (Chromium)"
  npx playwright test -c e2e/playwright.config.ts
fi
