#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$*"; }

step "system packages"
bash scripts/install-test-deps.sh

# The PXE lab's live image takes minutes to build (debootstrap) and is cached
# (docs/image.md): build it in the background while the other steps run.
export VETTING_IMAGE_DIR=${VETTING_IMAGE_DIR:-/var/cache/vetting-image}
mkdir -p test-results
image/build-image.sh "$VETTING_IMAGE_DIR" >test-results/image-build.log 2>&1 &
image_pid=$!
trap 'kill "$image_pid" 2>/dev/null || true' EXIT

step "typecheck"
npm run -s typecheck

step "build (electron-vite: main, preload, renderer; agent bundle)"
npm run -s build

step "unit tests"
npx vitest run --project unit

step "integration tests (real tools, loop devices, namespaces)"
npx vitest run --project integration

step "end-to-end UI tests (Chromium)"
npx playwright test -c e2e/playwright.config.ts

step "PXE lab: the image's contents; QEMU machines (BIOS, UEFI, UEFI with Secure Boot) PXE-boot the live image from vetting serve and run every stage"
if ! wait "$image_pid"; then
  cat test-results/image-build.log >&2
  echo "the live image build failed (log above)" >&2
  exit 1
fi
cat test-results/image-build.log
bash scripts/test-lab.sh -t "full run|image contents"

