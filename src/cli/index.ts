// `tinykube`: up (foreground or --detach), down, status.
import { parseArgs } from 'node:util';
import { UsageError } from './flags.js';
import { dnsHost, dnsStandalone, down, ingressStandalone, nodeJoin, proxyStandalone, status, up } from './commands.js';

const USAGE = `Usage: tinykube <command> [flags]

Commands:
  up        run a cluster (foreground; --detach for background)
  down      stop the cluster running on --data-dir
  status    report whether the cluster on --data-dir runs and is ready
  node join add a node to a running cluster: --kubeconfig FILE --name NAME --node-ip IP
            [--kubelet-port PORT] [--data-dir DIR] [--simulated [--simulated-ready-delay MS]]
            [--proxy-metrics-port PORT] [--no-proxy]; the node's proxy serves NodePorts on its address
  proxy     the service proxy alone against any cluster: [--kubeconfig FILE] [--node-ip IP] [--name NODE]
            [--proxy-metrics-port PORT]
  ingress   the ingress controller alone against any cluster (IngressClass tinykube): [--kubeconfig FILE]
            [--node-ip IP] [--ingress-http-port PORT] [--ingress-https-port PORT]
  dns       cluster DNS alone against any cluster: [--kubeconfig FILE] [--listen IP[:PORT]]
            [--cluster-domain DOMAIN] [--dns-ttl S] [--dns-upstream ADDR[:PORT]]...
  dns host-setup  resolve the cluster domain from this host: tells systemd-resolved to send it (and the
            service range's PTR zones) to cluster DNS; needs root; exit 3 without systemd-resolved,
            4 without root. [--data-dir DIR] [--server IP[:PORT]] [--domain DOMAIN] (or --cluster-domain)
            [--service-cidr CIDR] [--dry-run]
  dns host-reset  undo host-setup [--dry-run]

Flags of up (down and status take --data-dir):
  --data-dir DIR            state, certificates, kubeconfig, logs (default ~/.tinykube)
  --api-port PORT           API server port on the node IP (default 6443; 0 picks a free one)
  --node-ip IP              the node's address; the API server listens here (default 127.0.0.1)
  --service-cidr CIDR       Service cluster IPs (default 127.96.0.0/12)
  --pod-cidr CIDR           pod IPs, a /24 per node (default 127.244.0.0/16)
  --lb-pool CIDR            LoadBalancer addresses (default 127.240.0.0/24)
  --node-port-range A-B     NodePort range (default 30000-32767)
  --cluster-domain DOMAIN   cluster DNS domain (default cluster.local)
  --nodes N                 nodes to run, each with its own address and pod /24 (default 1; 0: none)
  --kubelet-port PORT       the kubelets' port on each node address (default 10250; 0 picks free ones)
  --proxy-metrics-port PORT each node proxy's /metrics and /healthz on its node address (default 10249; 0: free ones)
  --no-proxy                run no service proxy (another one serves Services, e.g. tinykube proxy)
  --dns-port PORT           cluster DNS's port on kube-dns's cluster IP (default 53)
  --dns-ttl SECONDS         TTL of the cluster's DNS records (default 30)
  --dns-upstream ADDR[:PORT]  where cluster DNS forwards other names (repeatable; default the host's resolvers)
  --no-dns                  run no cluster DNS
  --ingress-http-port PORT  the ingress controller's HTTP port on every node address (default 80; 0: a free one)
  --ingress-https-port PORT its HTTPS port (default 443; 0: a free one)
  --no-ingress              run no ingress controller
  --simulated-nodes N       simulated nodes (KWOK-style): pods get addresses and turn Ready, no process runs
  --simulated-ready-delay MS  milliseconds before a simulated node's pod is Ready (default 0)
  --detach                  start in the background, return once ready
  --no-kubeconfig-merge     do not add the tinykube context to your kubeconfig
  -h, --help                this text
`;

export async function main(argv: string[]): Promise<void> {
  let [command, ...rest] = argv;
  if ((command === 'node' && rest[0] === 'join') || (command === 'dns' && (rest[0] === 'host-setup' || rest[0] === 'host-reset'))) {
    command = `${command} ${rest[0]}`;
    rest = rest.slice(1);
  }
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  try {
    const { values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        'api-port': { type: 'string' },
        'node-ip': { type: 'string' },
        'service-cidr': { type: 'string' },
        'pod-cidr': { type: 'string' },
        'lb-pool': { type: 'string' },
        'node-port-range': { type: 'string' },
        'cluster-domain': { type: 'string' },
        nodes: { type: 'string' },
        'kubelet-port': { type: 'string' },
        'simulated-nodes': { type: 'string' },
        'proxy-metrics-port': { type: 'string' },
        'simulated-ready-delay': { type: 'string' },
        simulated: { type: 'boolean' },
        kubeconfig: { type: 'string' },
        name: { type: 'string' },
        detach: { type: 'boolean' },
        'no-kubeconfig-merge': { type: 'boolean' },
        'no-proxy': { type: 'boolean' },
        'no-dns': { type: 'boolean' },
        'no-ingress': { type: 'boolean' },
        'ingress-http-port': { type: 'string' },
        'ingress-https-port': { type: 'string' },
        'dns-port': { type: 'string' },
        'dns-ttl': { type: 'string' },
        'dns-upstream': { type: 'string', multiple: true },
        listen: { type: 'string' },
        'dns-metrics-port': { type: 'string' },
        server: { type: 'string' },
        domain: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return;
    }
    switch (command) {
      case 'up':
        return await up(values, rest);
      case 'down':
        return await down(values);
      case 'status':
        return await status(values);
      case 'node join':
        return await nodeJoin(values);
      case 'proxy':
        return await proxyStandalone(values);
      case 'ingress':
        return await ingressStandalone(values);
      case 'dns':
        return await dnsStandalone(values);
      case 'dns host-setup':
        return await dnsHost('setup', values);
      case 'dns host-reset':
        return await dnsHost('reset', values);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`tinykube: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw e;
  }
}
