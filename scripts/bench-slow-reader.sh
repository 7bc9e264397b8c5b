#!/usr/bin/env bash
# A slow reader across accounts (issue 11): a publisher in account A floods a subject A
# exports; one subscriber in account B imports it and reads 1 MB/s. Meanwhile an unrelated
# pair (in account C, then in A on another subject) measures its rate in short runs, before and
# while the reader lags. Runs against rnats and the Go nats-server (GO_SERVER), one after the
# other, same config. Prints one line per run: seconds since start, deliveries per second.
set -euo pipefail
cd "$(dirname "$0")/.."
GO_SERVER=${GO_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
cargo build --release -q -p rnats-server -p rnats-bench
BENCH=target/release/rnats-bench
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat >"$OUT/slow.conf" <<'CONF'
accounts {
  A: { users: [{user: a, password: a}, {user: a2, password: a}], exports: [{stream: "bench.pub"}] }
  B: { users: [{user: b, password: b}], imports: [{stream: {account: A, subject: "bench.pub"}}] }
  C: { users: [{user: c, password: c}] }
}
CONF
cat >"$OUT/reader.py" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.recv(4096)
s.sendall(b'CONNECT {"user":"b","pass":"b","verbose":false}\r\nSUB bench.pub 1\r\nPING\r\n')
end = time.time() + float(sys.argv[2])
while time.time() < end:
    if not s.recv(100_000):
        print("slow reader closed by the server"); break
    time.sleep(0.1)
PY
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
series() {
  local name=$1 binary=$2 user=$3 port; port=$(free_port)
  "$binary" -a 127.0.0.1 -p "$port" -c "$OUT/slow.conf" >"$OUT/$name.log" 2>&1 & local server=$!
  sleep 0.5
  timeout 60 $BENCH pub --url "nats://127.0.0.1:$port" --pub-user a:a --msgs 2000000000 --size 128 >/dev/null 2>&1 & local flood=$!
  local start reader=""; start=$(date +%s.%N)
  echo "== $name, pair as $user"
  for i in $(seq 1 "${RUNS:-40}"); do
    if [ "$i" = 4 ]; then python3 "$OUT/reader.py" "$port" 60 & reader=$!; echo "-- the slow reader starts"; fi
    rate=$($BENCH pubsub --url "nats://127.0.0.1:$port" --pub-user "$user" --sub-user "$user" --msgs 500000 --size 16 --timeout 10 2>&1 | grep -o "[0-9]* delivery/s" || echo failed)
    printf "%5.1f s  %s\n" "$(echo "$(date +%s.%N) - $start" | bc)" "$rate"
  done
  kill $flood $reader $server 2>/dev/null || true
  wait $flood $reader $server 2>/dev/null || true
}
series rnats target/release/rnats-server c:c
series nats-server "$GO_SERVER" c:c
series rnats target/release/rnats-server a2:a
series nats-server "$GO_SERVER" a2:a
