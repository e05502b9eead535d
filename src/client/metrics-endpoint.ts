// A component's Prometheus endpoint (kube-proxy's :10249, CoreDNS's :9153): /metrics from a
// prom-client registry, the component's own health paths, 404 for the rest.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Answers a health path (and returns true), or returns false for a path it does not know. */
export type HealthHandler = (path: string, res: ServerResponse) => boolean;

export interface MetricsEndpoint {
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 picks a free port); rejects with the bind error (EADDRINUSE...). */
export async function serveMetrics(registry: Registry, host: string, port: number, health: HealthHandler): Promise<MetricsEndpoint> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'Content-Type': registry.contentType });
        res.end(text);
      });
      return;
    }
    if (health(path, res)) return;
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
