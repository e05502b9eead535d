#!/usr/bin/env bash
# The ingress controller against its peers, same run, same nginx backends (../shared/bench):
#   direct        http://127.0.0.2:8080        (one nginx backend, no proxy)
#   haproxy-http  http://127.0.0.6:80          (HAProxy mode http, round-robin over 3 backends, http-reuse always)
#   nginx-rp      http://127.0.0.12:80         (nginx as reverse proxy: 1 worker, upstream keepalive 64)
#   tinykube      http://127.0.0.10:80         (an Ingress whose host-less rule sends / to a selector-less
#                                               Service whose EndpointSlice names the 3 backends)
# Scenarios (http-bench.sh): small (keep-alive, 64 conns), small-new (a connection per request),
# bulk (1 MiB), all saturating the box; then light: small requests over ONE keep-alive connection,
# where nothing queues, so p99 added is the hop's own cost. Prints each row, the ratio to direct and
# the proxy process's CPU per request.
#   bash bench/ingress-bench.sh           (needs root for port 80, wrk, nginx, haproxy)
# Env: DUR=10 (seconds per scenario), ROUNDS=1. Loopback only; stops what it started by PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$ROOT/../shared/bench" && pwd)
for t in wrk nginx haproxy kubectl curl; do command -v "$t" >/dev/null || { echo "ingress-bench: $t is missing (apt-get install wrk nginx haproxy curl)" >&2; exit 2; }; done
[ -f "$ROOT/dist/cli/index.js" ] || { echo "ingress-bench: run npm run build first" >&2; exit 2; }
OWN_RUN_DIR=""
[ -n "${RUN_DIR:-}" ] || { RUN_DIR=$(mktemp -d /tmp/tinykube-ingressbench-XXXXXX); OWN_RUN_DIR=1; }
export RUN_DIR
chmod 755 "$RUN_DIR"   # nginx workers (www-data) read the files under it
DATA="$RUN_DIR/tinykube"; mkdir -p "$DATA" "$RUN_DIR/home" "$RUN_DIR/rp-tmp"
TK_PID=""
cleanup() {
  [ -n "$TK_PID" ] && kill "$TK_PID" 2>/dev/null && { for _ in $(seq 50); do kill -0 "$TK_PID" 2>/dev/null || break; sleep 0.1; done; kill -9 "$TK_PID" 2>/dev/null || true; }
  [ -f "$RUN_DIR/nginx-rp.pid" ] && kill "$(cat "$RUN_DIR/nginx-rp.pid")" 2>/dev/null || true
  bash "$SHARED/peers.sh" stop all >/dev/null 2>&1 || true
  if [ -n "$OWN_RUN_DIR" ]; then echo "ingress-bench: results were in $RUN_DIR/results.tsv (removed)" >&2; rm -rf "$RUN_DIR"; fi
}
trap cleanup EXIT INT TERM

bash "$SHARED/peers.sh" start nginx
bash "$SHARED/peers.sh" start haproxy
# nginx as a reverse proxy, as an ingress-nginx controller pod runs it (one worker here, as every peer).
cat > "$RUN_DIR/nginx-rp.conf" <<CONF
worker_processes 1;
pid $RUN_DIR/nginx-rp.pid;
error_log $RUN_DIR/nginx-rp-error.log warn;
events { worker_connections 8192; }
http {
  access_log off; tcp_nodelay on; keepalive_requests 1000000;
  client_body_temp_path $RUN_DIR/rp-tmp; proxy_temp_path $RUN_DIR/rp-tmp;
  fastcgi_temp_path $RUN_DIR/rp-tmp; uwsgi_temp_path $RUN_DIR/rp-tmp; scgi_temp_path $RUN_DIR/rp-tmp;
  upstream be { server 127.0.0.2:8080; server 127.0.0.4:8080; server 127.0.0.5:8080; keepalive 64; }
  server {
    listen 127.0.0.12:80 reuseport backlog=4096;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto \$scheme; }
  }
}
CONF
nginx -p "$RUN_DIR" -c "$RUN_DIR/nginx-rp.conf"

HOME="$RUN_DIR/home" node "$ROOT/bin/tinykube.js" up --data-dir "$DATA" --api-port 0 --nodes 0 --kubelet-port 0 \
  --node-ip 127.0.0.10 --service-cidr 127.209.0.0/24 --pod-cidr 127.210.0.0/16 --lb-pool 127.211.0.0/24 --no-kubeconfig-merge \
  --no-dns --no-proxy --ingress-http-port 80 --ingress-https-port 443 > "$RUN_DIR/tinykube.log" 2>&1 &
TK_PID=$!
for _ in $(seq 300); do grep -q '^ready in' "$RUN_DIR/tinykube.log" && break; kill -0 "$TK_PID" 2>/dev/null || { cat "$RUN_DIR/tinykube.log"; exit 1; }; sleep 0.1; done
grep -q 'ingress .* ok' "$RUN_DIR/tinykube.log" || { echo "ingress-bench: the ingress did not start:" >&2; cat "$RUN_DIR/tinykube.log" >&2; exit 1; }
export KUBECONFIG="$DATA/kubeconfig" HOME="$RUN_DIR/home"
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: nginx-1, labels: {kubernetes.io/service-name: nginx}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
- {addresses: [127.0.0.2], conditions: {ready: true}}
- {addresses: [127.0.0.4], conditions: {ready: true}}
- {addresses: [127.0.0.5], conditions: {ready: true}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: nginx}
spec:
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: nginx, port: {name: http}}}}
YAML
for _ in $(seq 100); do curl -sf -m 1 "http://127.0.0.10/ok" >/dev/null && break; sleep 0.1; done
curl -sf -m 2 "http://127.0.0.10/ok" >/dev/null || { echo "ingress-bench: the ingress does not answer" >&2; kubectl get ingress,svc,endpointslices >&2; tail -5 "$RUN_DIR/tinykube.log" >&2; exit 1; }

OUT="$RUN_DIR/results.tsv"; : > "$OUT"
# CPU (user + system ticks of 10 ms) of the process that proxies, around each scenario. The tinykube
# process is idle apart from its ingress thread (no nodes, no proxy, no DNS). nginx-rp: its worker.
pid_of() { case $1 in haproxy-http) cat "$RUN_DIR/haproxy.pid" ;; nginx-rp) pgrep -P "$(cat "$RUN_DIR/nginx-rp.pid")" | head -1 ;; tinykube) echo "$TK_PID" ;; esac; }
ticks() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
one() { # label url scenario [light]
  local label=$1 url=$2 sc=$3 pid a b dur=${DUR:-10} env=()
  pid=$(pid_of "$label")
  [ "${4:-}" = light ] && env=(THREADS=1 CONNS=1)
  a=$(ticks "$pid")
  env "${env[@]}" SCENARIOS="$sc" bash "$SHARED/http-bench.sh" "$url" "$label" > "$RUN_DIR/row"
  b=$(ticks "$pid")
  [ "${4:-}" = light ] && sed -i 's/\tsmall\t/\tlight\t/' "$RUN_DIR/row"
  awk -F'\t' -v t=$((b - a)) -v d="$dur" -v p="$pid" 'BEGIN { OFS = "\t" } { $8 = (p == "" || $3 == 0) ? "" : sprintf("%.1f", t * 10000 / ($3 * d)); print }' "$RUN_DIR/row" | tee -a "$OUT"
}
for round in $(seq "${ROUNDS:-1}"); do
  for target in "direct http://127.0.0.2:8080" "haproxy-http http://127.0.0.6:80" "nginx-rp http://127.0.0.12:80" "tinykube http://127.0.0.10:80"; do
    set -- $target
    for sc in ${SCENARIOS:-small small-new bulk}; do one "$1" "$2" "$sc"; done
    one "$1" "$2" small light
  done
done
echo
echo "ratios to direct (req/s, MiB/s for bulk; p99 added in ms; the proxy's CPU µs per request; each the mean over the rounds):"
awk -F'\t' '{ key=$1" "$2; rps[key]+=$3; p99[key]+=$5; mib[key]+=$6; cpu[key]+=$8; n[key]++; labels[$1]=1; sc[$2]=1 }
  END { for (l in labels) if (l != "direct") for (s in sc) {
          d = "direct " s; k = l " " s; if (!(k in rps) || !(d in rps)) continue
          r = (s == "bulk") ? mib[k] / mib[d] : rps[k] / rps[d]
          printf "%-12s %-10s %.2fx  p99 +%.2f ms  cpu %.1f us/req\n", l, s, r * n[d] / n[k], p99[k] / n[k] - p99[d] / n[d], cpu[k] / n[k] } }' "$OUT" | sort
