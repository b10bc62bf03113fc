#!/usr/bin/env bash
# The one test command: installs what is missing, type-checks, builds, runs the unit suite
# (core and io, no VS Code) and the integration suite (inside a real VS Code), and ends with
# one summary line over both: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

status=0
echo "== typecheck"
if ! npx tsc --noEmit -p tsconfig.json || ! npx tsc --noEmit -p webview/tsconfig.json; then
  echo "typecheck failed"; status=1
fi

echo "== build"
node scripts/build.mjs || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

echo "== unit tests"
node scripts/run-unit-tests.mjs || status=1

echo "== integration tests (real VS Code 1.100 in headless Chromium)"
node test/integration/run.mjs || status=1

summary=$(node -e '
const fs = require("fs");
let p = 0, f = 0;
for (const n of ["unit", "integration"]) {
  try { const s = JSON.parse(fs.readFileSync(`.test-output/${n}-summary.json`, "utf8")); p += s.passed; f += s.failed; }
  catch { f += 1; }
}
if (process.argv[1] === "1" && f === 0) f = 1;
console.log(`${p} passed, ${f} failed`);
' "$status")
echo "$summary"
[ "$status" -eq 0 ] && [[ "$summary" == *" 0 failed" ]]
