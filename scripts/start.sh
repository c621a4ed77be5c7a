#!/usr/bin/env bash
# The README's first command (`npm start`): installs what the lock file says, makes
# sure PostgreSQL and NATS are up, checks the contracts, generates the Prisma clients,
# then runs the whole system in the foreground: the devnet with the contracts
# deployed, every service's migrations, the five services and a live tail of events.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi
echo "Checking PostgreSQL and NATS..."
bash scripts/ensure-infra.sh
echo "Checking the contracts..."
npx tsx scripts/check-contracts.ts
echo "Generating the database clients..."
npx tsx scripts/prisma-generate.ts >/dev/null
echo "Starting the devnet and the five services..."
exec node cli/bin/voltstack.js up
