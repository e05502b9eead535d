// TLS termination from Ingress spec.tls: each listed host gets the certificate of the
// kubernetes.io/tls Secret named beside it (in the Ingress's namespace), chosen by SNI. A host
// without a usable certificate, and a client without SNI, get the controller's default
// certificate, a self-signed one made at start (ingress-nginx's "Fake Certificate"). The store is
// rebuilt at every sync, so a changed Secret is served to the next handshake.
import { createSecureContext, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { SECRET_TYPE_TLS, type Ingress, type Secret } from '../api/networking.js';
import { selfSignedServingCert } from '../api/pki.js';
import { byAge } from './routes.js';

export interface CertPair {
  certPem: string;
  keyPem: string;
}

/**
 * The default certificate: CN and SAN as ingress-nginx's fake certificate, with our name. Its key
 * is RSA: in TLS 1.3, OpenSSL keeps the server's default certificate beside the one the SNI
 * callback selects when their key types differ, and may serve the default one; RSA is what
 * openssl req, cert-manager and mkcert make by default, and clients prefer an ECDSA one when a
 * Secret holds it.
 */
export function defaultCertificate(): Promise<CertPair> {
  return selfSignedServingCert({ subject: 'O=Acme Co, CN=TinyKube Ingress Controller Fake Certificate', dnsNames: ['ingress.local'], days: 365, rsa: true });
}

interface Loaded {
  version: string;
  context?: SecureContext;
  cert?: X509Certificate;
  problem?: string;
}

export class CertStore {
  private byHost = new Map<string, SecureContext>();
  /** Contexts by Secret "namespace/name", reused while the Secret's resourceVersion stays. */
  private loaded = new Map<string, Loaded>();

  constructor(readonly defaultContext: SecureContext) {}

  /**
   * Rebuilds the host -> certificate map from our Ingresses' spec.tls and the Secrets.
   * `onProblem` hears of each Secret that is missing or unusable, once per Ingress and Secret version.
   */
  update(ingresses: readonly Ingress[], secrets: ReadonlyMap<string, Secret>, onProblem?: (ingress: string, problem: string) => void): void {
    const next = new Map<string, SecureContext>();
    const used = new Map<string, Loaded>();
    for (const ing of [...ingresses].sort(byAge)) {
      const ns = ing.metadata.namespace ?? 'default';
      const ingKey = `${ns}/${ing.metadata.name ?? ''}`;
      for (const t of ing.spec?.tls ?? []) {
        if (!t.secretName || !t.hosts?.length) continue;
        const secretKey = `${ns}/${t.secretName}`;
        const l = used.get(secretKey) ?? this.load(secretKey, secrets.get(secretKey));
        used.set(secretKey, l);
        if (l.problem !== undefined || !l.context) {
          onProblem?.(ingKey, l.problem ?? `secret ${secretKey} is unusable`);
          continue;
        }
        for (const raw of t.hosts) {
          const host = raw.toLowerCase();
          if (next.has(host)) continue; // an older Ingress has a certificate for it
          if (!certCovers(l.cert!, host)) {
            onProblem?.(ingKey, `the certificate in secret ${secretKey} is not valid for host ${host}; serving the default certificate for it`);
            continue;
          }
          next.set(host, l.context);
        }
      }
    }
    this.loaded = used;
    this.byHost = next;
  }

  private load(key: string, secret: Secret | undefined): Loaded {
    if (!secret) return { version: '', problem: `secret ${key} not found` };
    const version = secret.metadata.resourceVersion ?? '';
    const prev = this.loaded.get(key);
    if (prev && prev.version === version && version !== '') return prev;
    if (secret.type !== SECRET_TYPE_TLS) return { version, problem: `secret ${key} is of type ${secret.type ?? 'Opaque'}, not ${SECRET_TYPE_TLS}` };
    const crt = secret.data?.['tls.crt'];
    const k = secret.data?.['tls.key'];
    if (!crt || !k) return { version, problem: `secret ${key} has no ${!crt ? 'tls.crt' : 'tls.key'}` };
    const certPem = Buffer.from(crt, 'base64').toString('utf8');
    const keyPem = Buffer.from(k, 'base64').toString('utf8');
    try {
      const cert = new X509Certificate(certPem);
      const context = createSecureContext({ cert: certPem, key: keyPem });
      return { version, context, cert };
    } catch (e) {
      return { version, problem: `secret ${key}: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** The context for an SNI name: exact host, then a wildcard one label up; undefined: the default. */
  contextFor(servername: string): SecureContext | undefined {
    const host = servername.toLowerCase();
    const exact = this.byHost.get(host);
    if (exact) return exact;
    const dot = host.indexOf('.');
    return dot > 0 ? this.byHost.get(`*.${host.slice(dot + 1)}`) : undefined;
  }

  /** SNICallback for tls.Server. */
  readonly sni = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    cb(null, this.contextFor(servername) ?? this.defaultContext);
  };

  get hosts(): string[] {
    return [...this.byHost.keys()];
  }
}

/** Whether the certificate names the host (a wildcard host must be covered by a wildcard name). */
function certCovers(cert: X509Certificate, host: string): boolean {
  if (host.startsWith('*.')) {
    const sans = (cert.subjectAltName ?? '').split(/,\s*/).map((s) => s.replace(/^DNS:/, '').toLowerCase());
    return sans.includes(host);
  }
  return cert.checkHost(host) !== undefined;
}
