// Per-Ingress settings from annotations. tinykube reads ingress-nginx's annotation names, so an
// Ingress written for ingress-nginx (the controller most tutorials use) behaves the same here;
// defaults are ingress-nginx's (ssl-redirect on for hosts with TLS, 1m body, 5 s connect, 60 s read
// and send).
import type { Ingress } from '../api/networking.js';

const PREFIX = 'nginx.ingress.kubernetes.io/';

export interface IngressOptions {
  /** nginx.ingress.kubernetes.io/ssl-redirect: HTTP -> HTTPS (308) for hosts that have TLS (default true). */
  sslRedirect: boolean;
  /** nginx.ingress.kubernetes.io/force-ssl-redirect: HTTP -> HTTPS even without TLS (default false). */
  forceSslRedirect: boolean;
  /** nginx.ingress.kubernetes.io/proxy-body-size ("1m"; "0": no limit), bytes; Infinity when unlimited. */
  bodyLimit: number;
  /** nginx.ingress.kubernetes.io/proxy-connect-timeout, ms (5 s). */
  connectTimeoutMs: number;
  /** nginx.ingress.kubernetes.io/proxy-read-timeout: the longest wait for the backend between two reads, ms (60 s). */
  readTimeoutMs: number;
  /** nginx.ingress.kubernetes.io/proxy-send-timeout: the longest wait between two writes to the backend, ms (60 s). */
  sendTimeoutMs: number;
}

export const DEFAULT_OPTIONS: IngressOptions = Object.freeze({
  sslRedirect: true,
  forceSslRedirect: false,
  bodyLimit: 1024 * 1024,
  connectTimeoutMs: 5_000,
  readTimeoutMs: 60_000,
  sendTimeoutMs: 60_000,
});

/** The settings of one Ingress; an annotation that does not parse keeps the default, with a note in `problems`. */
export function ingressOptions(ing: Ingress, problems: string[] = []): IngressOptions {
  const a = ing.metadata.annotations ?? {};
  const get = (name: string): string | undefined => a[PREFIX + name];
  const out: IngressOptions = { ...DEFAULT_OPTIONS };
  const bool = (name: string, key: 'sslRedirect' | 'forceSslRedirect'): void => {
    const v = get(name);
    if (v === undefined) return;
    if (v === 'true' || v === 'false') out[key] = v === 'true';
    else problems.push(`${PREFIX}${name}: "${v}" is not true or false`);
  };
  bool('ssl-redirect', 'sslRedirect');
  bool('force-ssl-redirect', 'forceSslRedirect');
  const size = get('proxy-body-size');
  if (size !== undefined) {
    const n = parseNginxSize(size);
    if (n === undefined) problems.push(`${PREFIX}proxy-body-size: "${size}" is not a size such as 1m, 512k or 0`);
    else out.bodyLimit = n === 0 ? Infinity : n;
  }
  const seconds = (name: string, key: 'connectTimeoutMs' | 'readTimeoutMs' | 'sendTimeoutMs'): void => {
    const v = get(name);
    if (v === undefined) return;
    if (/^\d{1,6}$/.test(v) && Number(v) > 0) out[key] = Number(v) * 1000;
    else problems.push(`${PREFIX}${name}: "${v}" is not a number of seconds`);
  };
  seconds('proxy-connect-timeout', 'connectTimeoutMs');
  seconds('proxy-read-timeout', 'readTimeoutMs');
  seconds('proxy-send-timeout', 'sendTimeoutMs');
  return out;
}

/** nginx's size syntax: a number, optionally followed by k/K or m/M or g/G (powers of 1024). */
export function parseNginxSize(v: string): number | undefined {
  const m = /^(\d{1,12})([kKmMgG]?)$/.exec(v.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  return Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1);
}
