#!/usr/bin/env bash
# The service proxy against its peers, same run, same nginx backends (../shared/bench):
#   direct        http://127.0.0.2:8080        (one nginx backend, no proxy)
#   haproxy-tcp   http://127.0.0.3:80          (HAProxy mode tcp, round-robin over 3 backends)
#   node-l4       http://127.0.0.7:80          (the naive Node pipe proxy)
#   tinykube      http://<cluster IP>:80       (a selector-less Service whose EndpointSlice names the 3 backends)
# Scenarios (http-bench.sh): small (keep-alive, 64 conns), small-new (a connection per request),
# bulk (1 MiB), all saturating the box; then light and light-new: the same small requests over ONE
# connection (keep-alive, then a new connection per request), where nothing queues, so p99 added
# is the hop's own cost. Prints each row, the ratio to direct and the proxy process's CPU per request.
#   bash bench/proxy-bench.sh            (needs wrk, nginx, haproxy: apt-get install wrk nginx haproxy)
# Env: DUR=10 (seconds per scenario), ROUNDS=1. Loopback only; stops what it started by PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$ROOT/../shared/bench" && pwd)
for t in wrk nginx haproxy kubectl; do command -v "$t" >/dev/null || { echo "proxy-bench: $t is missing (apt-get install wrk nginx haproxy)" >&2; exit 2; }; done
[ -f "$ROOT/dist/cli/index.js" ] || { echo "proxy-bench: run npm run build first" >&2; exit 2; }
OWN_RUN_DIR=""
[ -n "${RUN_DIR:-}" ] || { RUN_DIR=$(mktemp -d /tmp/tinykube-proxybench-XXXXXX); OWN_RUN_DIR=1; }
export RUN_DIR
chmod 755 "$RUN_DIR"   # nginx workers (www-data) read the files under it
DATA="$RUN_DIR/tinykube"; mkdir -p "$DATA" "$RUN_DIR/home"
TK_PID=""
cleanup() {
  [ -n "$TK_PID" ] && kill "$TK_PID" 2>/dev/null && { for _ in $(seq 50); do kill -0 "$TK_PID" 2>/dev/null || break; sleep 0.1; done; kill -9 "$TK_PID" 2>/dev/null || true; }
  bash "$SHARED/peers.sh" stop all >/dev/null 2>&1 || true
  if [ -n "$OWN_RUN_DIR" ]; then echo "proxy-bench: results were in $RUN_DIR/results.tsv (removed)" >&2; rm -rf "$RUN_DIR"; fi
}
trap cleanup EXIT INT TERM

bash "$SHARED/peers.sh" start nginx
bash "$SHARED/peers.sh" start haproxy
bash "$SHARED/peers.sh" start node-l4 >/dev/null 2>&1 || echo "proxy-bench: node-l4 peer not started (skipped)" >&2

HOME="$RUN_DIR/home" node "$ROOT/bin/tinykube.js" up --data-dir "$DATA" --api-port 0 --nodes 0 --kubelet-port 0 \
  --node-ip 127.0.0.9 --service-cidr 127.206.0.0/24 --pod-cidr 127.207.0.0/16 --lb-pool 127.208.0.0/24 --no-kubeconfig-merge --no-dns --no-ingress \
  > "$RUN_DIR/tinykube.log" 2>&1 &
TK_PID=$!
for _ in $(seq 300); do grep -q '^ready in' "$RUN_DIR/tinykube.log" && break; kill -0 "$TK_PID" 2>/dev/null || { cat "$RUN_DIR/tinykube.log"; exit 1; }; sleep 0.1; done
export KUBECONFIG="$DATA/kubeconfig" HOME="$RUN_DIR/home"
kubectl apply -f - >/dev/null <<EOF
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
EOF
IP=$(kubectl get svc nginx -o jsonpath='{.spec.clusterIP}')
for _ in $(seq 100); do curl -sf -m 1 "http://$IP/ok" >/dev/null && break; sleep 0.1; done
curl -sf -m 2 "http://$IP/ok" >/dev/null || { echo "proxy-bench: the cluster IP $IP does not answer" >&2; kubectl get svc,endpointslices >&2; tail -5 "$RUN_DIR/tinykube.log" >&2; exit 1; }

OUT="$RUN_DIR/results.tsv"; : > "$OUT"
# CPU (user + system ticks of 10 ms) of the process that proxies, around each scenario: the steadier
# figure on a shared box. The tinykube process is idle apart from its proxy (no nodes, no DNS).
pid_of() { case $1 in haproxy-tcp) cat "$RUN_DIR/haproxy.pid" ;; node-l4) cat "$RUN_DIR/node-l4.pid" 2>/dev/null ;; tinykube) echo "$TK_PID" ;; esac; }
ticks() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
one() { # label url scenario [light]
  local label=$1 url=$2 sc=$3 pid a b dur=${DUR:-10} env=()
  pid=$(pid_of "$label")
  [ "${4:-}" = light ] && env=(THREADS=1 CONNS=1)
  a=$(ticks "$pid")
  env "${env[@]}" SCENARIOS="$sc" bash "$SHARED/http-bench.sh" "$url" "$label" > "$RUN_DIR/row"
  b=$(ticks "$pid")
  [ "${4:-}" = light ] && sed -i 's/\tsmall\t/\tlight\t/; s/\tsmall-new\t/\tlight-new\t/' "$RUN_DIR/row"
  # A column more: the proxy's CPU µs per request (empty for direct).
  awk -F'\t' -v t=$((b - a)) -v d="$dur" -v p="$pid" 'BEGIN { OFS = "\t" } { $8 = (p == "" || $3 == 0) ? "" : sprintf("%.1f", t * 10000 / ($3 * d)); print }' "$RUN_DIR/row" | tee -a "$OUT"
}
for round in $(seq "${ROUNDS:-1}"); do
  for target in "direct http://127.0.0.2:8080" "haproxy-tcp http://127.0.0.3:80" "node-l4 http://127.0.0.7:80" "tinykube http://$IP:80"; do
    set -- $target
    if [ "$1" = node-l4 ] && ! curl -sf -m 1 "$2/ok" >/dev/null; then continue; fi
    for sc in small small-new bulk; do one "$1" "$2" "$sc"; done
    for sc in small small-new; do one "$1" "$2" "$sc" light; done
  done
done
echo
echo "ratios to direct (req/s, MiB/s for bulk; p99 added in ms; the proxy's CPU µs per request; each the mean over the rounds):"
awk -F'\t' '{ key=$1" "$2; rps[key]+=$3; p99[key]+=$5; mib[key]+=$6; cpu[key]+=$8; n[key]++; labels[$1]=1; sc[$2]=1 }
  END { for (l in labels) if (l != "direct") for (s in sc) {
          d = "direct " s; k = l " " s; if (!(k in rps) || !(d in rps)) continue
          r = (s == "bulk") ? mib[k] / mib[d] : rps[k] / rps[d]
          printf "%-12s %-10s %.2fx  p99 +%.2f ms  cpu %.1f us/req\n", l, s, r * n[d] / n[k], p99[k] / n[k] - p99[d] / n[d], cpu[k] / n[k] } }' "$OUT" | sort
