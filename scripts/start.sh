#!/usr/bin/env bash
# Installs what is missing, builds, and serves a real VS Code (code-server's VS Code 1.100)
# with Model Monitor running on examples/. Prints the URL to open; Ctrl+C stops it.
# PORT (default 8080) and MODELMON_PUBLIC_HOST (for the printed URL) can be set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs
export MODELMON_PORT="${PORT:-8080}"
export MODELMON_TEST_OUTPUT="$PWD/.vscode-dev"
if ! command -v nvidia-smi >/dev/null 2>&1; then
  # The demo still shows a GPU: a stand-in replays what a real H100 printed (idle, burn, training).
  echo "start: no nvidia-smi on this machine; the GPU readout replays a recorded H100 (test/fixtures/nvidia-smi)"
  export PATH="$PWD/test/fixtures/nvidia-smi/bin:$PATH"
fi
exec node test/integration/launcher.mjs "$PWD/examples" --extensionDevelopmentPath="$PWD"
