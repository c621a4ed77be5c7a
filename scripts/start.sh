#!/usr/bin/env bash
# The README's first command (`npm start`): installs what the lock file says,
# makes sure PostgreSQL and NATS are up, checks the contracts and runs the
# local chain in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-infra.sh
npx tsx scripts/check-contracts.ts
exec npx tsx libs/devnet/src/main.ts
