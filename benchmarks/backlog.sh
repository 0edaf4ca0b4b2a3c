#!/usr/bin/env bash
# Head-of-line blocking: a backlog of alerts no policy acts on (a noisy route), then the one
# that matters. Prints how long the matching alert waited from its ack to its decision, the rate
# the backlog drains at, and whether ingest answered anything but 200 meanwhile.
#
#   benchmarks/backlog.sh                 # 20,000 unmatched alerts (100 deliveries of 200)
# Environment: BACKLOG (20000), KEEP (1 keeps the directory).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BACKLOG=${BACKLOG:-20000}
KEEP=${KEEP:-0}
WEBHOOK=demo-webhook-token-not-secret
READER=demo-reader-token-not-secret
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== building (Release)"
dotnet publish "$root/src/AlertHealer" -c Release --use-current-runtime -o "$work/app" -nologo -v quiet >"$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$PORT"
(cd "$work" && exec "$work/app/AlertHealer" --demo --urls "$url" >"$work/service.log" 2>&1) &
pid=$!
for _ in $(seq 1 200); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "$url" "$WEBHOOK" "$READER" "$BACKLOG" "$root/samples/alertmanager-firing.json" "$pid" <<'PY'
import json, sys, time, urllib.request, concurrent.futures, datetime
url, webhook, reader, backlog, sample, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
body = json.load(open(sample))
template = body["alerts"][0]

def post(alerts):
    b = dict(body, alerts=alerts)
    req = urllib.request.Request(url + "/webhook/alertmanager", json.dumps(b).encode(), method="POST",
        headers={"Authorization": "Bearer " + webhook, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r: return r.status
    except urllib.error.HTTPError as e: return e.code

def get(path):
    req = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + reader})
    with urllib.request.urlopen(req, timeout=30) as r: return r.read().decode()

def depth():
    for line in get("/metrics").splitlines():
        if line.startswith("alerthealer_inbox_depth "): return float(line.split()[1])
    return -1

def rss():
    return int([l for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0].split()[1]) // 1024

now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
batches = []
for d in range(backlog // 200):
    alerts = []
    for i in range(200):
        a = json.loads(json.dumps(template))
        a["fingerprint"] = f"{d:06x}{i:010x}"
        a["labels"]["alertname"] = "NoisyRuleFromAnotherTeam"
        a["startsAt"] = now
        alerts.append(a)
    batches.append(alerts)
t0 = time.time()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    statuses = list(pool.map(post, batches))
print(f"backlog: {backlog} unmatched alerts in {len(batches)} deliveries, acked in {time.time() - t0:.2f} s; statuses {sorted(set(statuses))}; inbox depth {depth():.0f}; RSS {rss()} MB")

matching = json.loads(json.dumps(template)); matching["fingerprint"] = "feedfacecafe0001"; matching["startsAt"] = now
acked = time.time()
status = post([matching])
while True:
    page = json.loads(get("/audit?fingerprint=feedfacecafe0001&limit=5"))
    if page["items"]: break
    time.sleep(0.005)
decided = time.time()
entry = page["items"][0]
print(f"matching alert: ack {status}, decided '{entry['outcome']}' {1000 * (decided - acked):.0f} ms after its ack, while {depth():.0f} others waited")

samples = []
start = time.time()
while True:
    d = depth(); samples.append((time.time() - start, d))
    if d <= 0 or time.time() - start > 300: break
    time.sleep(1)
elapsed = samples[-1][0]
print(f"drain: {backlog} alerts decided in {elapsed:.1f} s after the matching one, {backlog / max(elapsed, 0.001):.0f}/s; RSS after {rss()} MB")
PY
echo "== $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
