#!/usr/bin/env bash
# Export benchmark: pushes a corpus of raw lines into a fresh server, flushes it to chunks, then streams it all out
# of /loki/api/v1/export (text and ndjson, 3 runs each) and compares with `lz4 -dc` over the same lines, same run.
# Writes the figures between the export markers of bench/RESULTS.md.
# Usage: bench/export.sh [size in MB, default 200]
set -euo pipefail
cd "${EXPORT_REPO:-$(dirname "$0")/..}"
size_mb="${1:-200}"
command -v lz4 >/dev/null || { echo "lz4 is needed for the baseline (apt-get install lz4)" >&2; exit 1; }
dotnet build -c Release src/Silo -v q -nologo >/dev/null

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
silo="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
gw="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat > "$work/config.yaml" <<YAML
server: { http_listen_address: 127.0.0.1 }
cluster: { silo_port: $silo, gateway_port: $gw }
limits_config: { ingestion_rate_mb: 100000, ingestion_burst_size_mb: 100000, per_stream_rate_limit: 100GB, per_stream_rate_limit_burst: 100GB, max_export_bytes: 0 }
YAML
dotnet src/Silo/bin/Release/net10.0/orleans-loki.dll -config.file="$work/config.yaml" -common.path-prefix="$work/data" -server.http-listen-port="$port" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
until curl -sf "http://127.0.0.1:$port/ready" >/dev/null; do sleep 0.2; done

# Corpus: logfmt-like lines over 8 streams, timestamps 1 ms apart within the last hour; also written as raw lines.
python3 - "$port" "$size_mb" "$work/lines.txt" <<'PY'
import json, sys, time, urllib.request, random
port, size_mb, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(20261202)
start = (int(time.time()) - 3000) * 10**9
total, i, batch = 0, 0, {}
paths = ["/api/users", "/api/orders", "/health", "/static/app.js", "/api/search"]
with open(out, "w") as f:
    def flush():
        body = json.dumps({"streams": [{"stream": {"job": "export", "pod": f"p{k}"}, "values": v} for k, v in batch.items()]}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/loki/api/v1/push", data=body, headers={"Content-Type": "application/json"})
        assert urllib.request.urlopen(req).status == 204
        batch.clear()
    pending = 0
    while total < size_mb * 1024 * 1024:
        line = f"ts={i} level={random.choice(['info','info','warn','error'])} method=GET path={random.choice(paths)} status={random.choice([200,200,404,500])} latency_ms={random.randint(1,999)} user=u-{random.randint(1,99999)} msg=\"request served {i}\""
        batch.setdefault(i % 8, []).append([str(start + i * 1000000), line])
        f.write(line + "\n")
        total += len(line) + 1
        pending += len(line)
        i += 1
        if pending > 4 * 1024 * 1024:
            flush(); pending = 0
    if batch: flush()
print(i, total)
PY
curl -sf -X POST "http://127.0.0.1:$port/flush" >/dev/null
sleep 1
lines=$(wc -l < "$work/lines.txt"); bytes=$(wc -c < "$work/lines.txt")
lz4 -1 -q -f "$work/lines.txt" "$work/lines.lz4"

cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
now_ns=$(date +%s%N)
query='{job="export"}'
# Steady state: the flush's background work done (server CPU idle for a second, at most 60 s), then three untimed
# exports per format (JIT tiering, pools) before the timed runs; a long-running server has compiled this code long since.
for _ in $(seq 60); do c0=$(cpu); sleep 1; c1=$(cpu); [ $((c1 - c0)) -le $((hz / 20)) ] && break; done
for format in text ndjson text ndjson text ndjson; do
  curl -sf -G "http://127.0.0.1:$port/loki/api/v1/export" --data-urlencode "query=$query" \
    --data-urlencode "start=$((now_ns - 3600 * 10**9))" --data-urlencode "end=$now_ns" --data-urlencode "format=$format" -o /dev/null
done
declare -A wall cpus outb
for format in text ndjson; do
  for run in 1 2 3; do
    c0=$(cpu); t0=$(date +%s%N)
    out=$(curl -sf -G "http://127.0.0.1:$port/loki/api/v1/export" --data-urlencode "query=$query" \
      --data-urlencode "start=$((now_ns - 3600 * 10**9))" --data-urlencode "end=$now_ns" --data-urlencode "format=$format" \
      --data-urlencode "direction=forward" -o /dev/null -w '%{size_download}')
    t1=$(date +%s%N); c1=$(cpu)
    wall[$format]+="$(( (t1 - t0) / 1000000 )) "; cpus[$format]+="$(( (c1 - c0) * 1000 / hz )) "; outb[$format]=$out
  done
done
lz=""
for run in 1 2 3; do t0=$(date +%s%N); lz4 -dc "$work/lines.lz4" > /dev/null; t1=$(date +%s%N); lz+="$(( (t1 - t0) / 1000000 )) "; done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | sed -n 2p; }
mb=$(python3 -c "print(round($bytes/1e6,1))")
row() { # format
  local w c; w=$(echo "${wall[$1]}" | median); c=$(echo "${cpus[$1]}" | median)
  python3 -c "
b=$bytes; w=$w/1000; c=max($c,1)/1000
print(f'| \`format=$1\` | {w*1000:.0f} ms | {b/1e6/w:.1f} MB/s | {b/1e6/c:.1f} MB/s ({c:.2f} s CPU) | {${outb[$1]}/1e6:.1f} MB |')"
}
lzm=$(echo "$lz" | median)
lzrate=$(python3 -c "print(f'{$bytes/1e6/($lzm/1000):.0f}')")
block=$(cat <<MD
<!-- export:begin -->
## Export (\`/loki/api/v1/export\`)

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit \`$(git rev-parse --short HEAD)\`; written by \`bench/export.sh $size_mb\`
- machine: $(nproc) cores, shared with other work while it ran (figures are noisy); server and curl on the same cores
- corpus: $mb MB of raw lines ($lines lines, ~$((bytes / lines)) bytes each) in 8 streams, flushed to chunks (POST /flush) before the runs
- query \`$query\` over the last hour, forward; median of 3 runs after three untimed runs per format, once the flush's background work is done; server CPU from /proc (user + system) during each run

| export | wall | raw lines per wall second | raw lines per server CPU-second | response |
|---|---|---|---|---|
$(row text)
$(row ndjson)

Baseline, same run, same lines: \`lz4 -dc\` of the \`lz4 -1\` file: median $lzm ms, $lzrate MB/s on one core.
The target is 100 MB of raw lines per CPU-second.
<!-- export:end -->
MD
)
python3 - "$block" <<'PY'
import re, sys
block = sys.argv[1]
path = "bench/RESULTS.md"
text = open(path).read()
if "<!-- export:begin -->" in text:
    text = re.sub(r"<!-- export:begin -->.*?<!-- export:end -->", lambda m: block, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
echo "$block"
