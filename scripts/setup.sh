#!/usr/bin/env bash
# Installs everything the tests and the demo need on a fresh Debian machine with Node 20:
# Debian's chromium, ripgrep and libkrb5-dev, the endpoint tests' Python server and nginx, then the locked npm dependencies.
# Idempotent: a second run skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# python3-* and nginx/openssl: the endpoint tests' model server (FastAPI on uvicorn, scikit-learn), its proxy and certificate.
# prometheus, prometheus-node-exporter: the fleet tests start a real Prometheus and node-exporter on loopback (promtool checks the exposition and rules).
for pkg in chromium ripgrep libkrb5-dev xz-utils python3-fastapi python3-uvicorn python3-sklearn python3-prometheus-client nginx openssl prometheus prometheus-node-exporter; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# code-server's VS Code pulls @vscode/ripgrep, whose postinstall downloads rg from GitHub.
# Seed its download cache with Debian's rg so that step never leaves the machine.
tmp="$(node -p 'require("os").tmpdir()')"
for cache in vscode-ripgrep-cache-1.15.11 vscode-ripgrep-cache-1.15.9 vscode-ripgrep-cache-1.15.10 vscode-ripgrep-cache-1.15.12; do
  for tarname in ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ripgrep-v13.0.0-13-x86_64-unknown-linux-musl.tar.gz; do
    if [ ! -f "$tmp/$cache/$tarname" ]; then
      mkdir -p "$tmp/$cache" "$tmp/rg-seed"
      cp /usr/bin/rg "$tmp/rg-seed/rg"
      tar -czf "$tmp/$cache/$tarname" -C "$tmp/rg-seed" rg
    fi
  done
done

stamp=node_modules/.modelmon-lock-stamp
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "setup: npm dependencies up to date"
else
  echo "setup: npm ci (first run takes about a minute)"
  export npm_config_unsafe_perm=true npm_config_yes=true
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
