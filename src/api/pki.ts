// Certificates made in process with @peculiar/x509 on Node's WebCrypto: ECDSA P-256 keys in
// PKCS#8 PEM, positive random serials, and self-signed serving certificates (the ingress
// controller's default certificate; the API server's PKI builds on the same pieces).
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

export { x509 };
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
export const RSA_2048 = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as const;

/** A private key as PKCS#8 PEM. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

/** A positive 16-byte serial number (top bit clear), hex. */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

/** A self-signed serving certificate for `dnsNames`, valid from a minute ago for `days`; an ECDSA P-256 key unless `rsa`. */
export async function selfSignedServingCert(opts: { subject: string; dnsNames: string[]; days: number; rsa?: boolean }): Promise<{ certPem: string; keyPem: string }> {
  const alg = opts.rsa ? RSA_2048 : EC_P256;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: opts.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + opts.days * 24 * 3600 * 1000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(opts.dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}
