// The cluster's PKI, made at first start and kept in the data dir: a CA, the API server's serving
// certificate (SANs for every name and address clients use, as kubeadm issues them), and the
// admin bearer token.
import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EC_P256 as ALG, privateKeyPem as pem, randomSerial as serial, x509, type CryptoKey, type CryptoKeyPair } from '../api/pki.js';

export interface Pki {
  caPem: string;
  certPem: string;
  keyPem: string;
  token: string;
}

export interface PkiOptions {
  /** Where the files live. */
  dir: string;
  /** DNS names the serving certificate must cover. */
  dnsNames: string[];
  /** IP addresses the serving certificate must cover. */
  ips: string[];
}

/** Loads the PKI from `dir`, creating what is missing; the serving cert is reissued if its SANs changed. */
export async function ensurePki(opts: PkiOptions): Promise<Pki> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const f = (n: string): string => join(opts.dir, n);
  let caPem: string;
  let caKey: CryptoKey;
  const now = new Date(Date.now() - 60_000);
  const tenYears = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  if (existsSync(f('ca.crt')) && existsSync(f('ca.key'))) {
    caPem = await readFile(f('ca.crt'), 'utf8');
    caKey = await importKey(await readFile(f('ca.key'), 'utf8'));
  } else {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: 'CN=tinykube-ca',
      notBefore: now,
      notAfter: tenYears,
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    caPem = ca.toString('pem');
    caKey = keys.privateKey;
    await writeFile(f('ca.key'), await pem(caKey), { mode: 0o600 });
    await writeFile(f('ca.crt'), caPem);
  }

  const wanted = [...opts.dnsNames.map((d) => `DNS:${d}`), ...opts.ips.map((i) => `IP:${i}`)].sort().join(',');
  let certPem: string | undefined;
  let keyPem: string | undefined;
  if (existsSync(f('apiserver.crt')) && existsSync(f('apiserver.key')) && existsSync(f('apiserver.sans'))) {
    if ((await readFile(f('apiserver.sans'), 'utf8')) === wanted) {
      certPem = await readFile(f('apiserver.crt'), 'utf8');
      keyPem = await readFile(f('apiserver.key'), 'utf8');
    }
  }
  if (!certPem || !keyPem) {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
    const caCert = new x509.X509Certificate(caPem);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: 'CN=kube-apiserver',
      issuer: caCert.subject,
      notBefore: now,
      notAfter: tenYears,
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([...opts.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...opts.ips.map((value) => ({ type: 'ip' as const, value }))]),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ],
    });
    certPem = cert.toString('pem');
    keyPem = await pem(keys.privateKey);
    await writeFile(f('apiserver.key'), keyPem, { mode: 0o600 });
    await writeFile(f('apiserver.crt'), certPem);
    await writeFile(f('apiserver.sans'), wanted);
  }

  let token: string;
  if (existsSync(f('admin.token'))) token = (await readFile(f('admin.token'), 'utf8')).trim();
  else {
    token = randomBytes(32).toString('base64url');
    await writeFile(f('admin.token'), token + '\n', { mode: 0o600 });
  }
  return { caPem, certPem, keyPem, token };
}

async function importKey(pemText: string): Promise<CryptoKey> {
  const b64 = pemText.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return (await webcrypto.subtle.importKey('pkcs8', Buffer.from(b64, 'base64'), ALG, true, ['sign'])) as CryptoKey;
}
