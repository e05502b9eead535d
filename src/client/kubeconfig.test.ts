import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeconfigError, defaultKubeconfigPaths, loadKubeconfig } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'tinykube-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n';
const KEY_PEM = '-----BEGIN EC PRIVATE KEY-----\nMHckey\n-----END EC PRIVATE KEY-----\n';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const main = file(
  'config',
  `apiVersion: v1
kind: Config
current-context: tinykube
clusters:
- name: tinykube
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: ${b64(CA_PEM)}
- name: insecure
  cluster:
    server: https://127.0.0.2:6443
    insecure-skip-tls-verify: true
    tls-server-name: kubernetes
- name: cafile
  cluster:
    server: https://127.0.0.3:6443
    certificate-authority: certs/ca.crt
users:
- name: admin
  user:
    token: secret-token
- name: certuser
  user:
    client-certificate-data: ${b64(CERT_PEM)}
    client-key: certs/client.key
- name: fileuser
  user:
    tokenFile: token
contexts:
- name: tinykube
  context: { cluster: tinykube, user: admin }
- name: insecure
  context: { cluster: insecure, user: certuser, namespace: kube-system }
- name: cafile
  context: { cluster: cafile, user: fileuser }
- name: nouser
  context: { cluster: tinykube }
- name: dangling-cluster
  context: { cluster: nope, user: admin }
- name: dangling-user
  context: { cluster: tinykube, user: nobody }
`,
);
file('token', 'from-file\n');
mkdirSync(join(dir, 'certs'));
file('certs/client.key', KEY_PEM);
file('certs/ca.crt', CA_PEM);

describe('loadKubeconfig', () => {
  it('reads the current context: server, inline CA, token, default namespace', () => {
    const cfg = loadKubeconfig(main);
    expect(cfg.server).toBe('https://127.0.0.1:6443');
    expect(cfg.ca?.toString()).toBe(CA_PEM);
    expect(cfg.token).toBe('secret-token');
    expect(cfg.namespace).toBe('default');
    expect(cfg.contextName).toBe('tinykube');
    expect(cfg.insecure).toBeUndefined();
  });

  it('reads a named context: insecure, server name, client cert inline + key from a relative file', () => {
    const cfg = loadKubeconfig(main, 'insecure');
    expect(cfg).toMatchObject({ server: 'https://127.0.0.2:6443', insecure: true, tlsServerName: 'kubernetes', namespace: 'kube-system' });
    expect(cfg.cert?.toString()).toBe(CERT_PEM);
    expect(cfg.key?.toString()).toBe(KEY_PEM);
  });

  it('resolves certificate-authority and tokenFile relative to the kubeconfig', () => {
    const cfg = loadKubeconfig(main, 'cafile');
    expect(cfg.ca?.toString()).toBe(CA_PEM);
    expect(cfg.tokenFile).toBe(join(dir, 'token'));
  });

  it('allows a context without a user', () => {
    expect(loadKubeconfig(main, 'nouser').token).toBeUndefined();
  });

  const errors: { name: string; text?: string; context?: string; message: RegExp }[] = [
    { name: 'unknown context', context: 'missing', message: /contexts\[name=missing\]: context "missing" is not defined/ },
    { name: 'dangling cluster', context: 'dangling-cluster', message: /contexts\[name=dangling-cluster\]\.context\.cluster: cluster "nope" is not defined/ },
    { name: 'dangling user', context: 'dangling-user', message: /contexts\[name=dangling-user\]\.context\.user: user "nobody" is not defined/ },
    { name: 'no current-context', text: 'clusters: []\n', message: /current-context: not set/ },
    {
      name: 'no server',
      text: 'current-context: c\nclusters: [{name: k, cluster: {}}]\ncontexts: [{name: c, context: {cluster: k}}]\n',
      message: /clusters\[name=k\]\.cluster\.server: missing/,
    },
    {
      name: 'CA data that is not PEM',
      text: 'current-context: c\nclusters: [{name: k, cluster: {server: "https://127.0.0.1", certificate-authority-data: "bm9wZQ=="}}]\ncontexts: [{name: c, context: {cluster: k}}]\n',
      message: /certificate-authority-data: is not base64-encoded PEM/,
    },
    {
      name: 'unreadable CA file',
      text: 'current-context: c\nclusters: [{name: k, cluster: {server: "https://127.0.0.1", certificate-authority: /nonexistent/ca.crt}}]\ncontexts: [{name: c, context: {cluster: k}}]\n',
      message: /certificate-authority: cannot read \/nonexistent\/ca\.crt/,
    },
    {
      name: 'certificate without key',
      text: `current-context: c\nclusters: [{name: k, cluster: {server: "https://127.0.0.1"}}]\nusers: [{name: u, user: {client-certificate-data: ${b64(CERT_PEM)}}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n`,
      message: /users\[name=u\]\.user\.client-key\(-data\): missing/,
    },
    {
      name: 'exec plugin only',
      text: 'current-context: c\nclusters: [{name: k, cluster: {server: "https://127.0.0.1"}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n',
      message: /users\[name=u\]\.user\.exec: credential plugins are not supported/,
    },
    { name: 'not YAML', text: 'a: [1, 2\n', message: /not valid YAML/ },
    { name: 'clusters not a list', text: 'clusters: {a: 1}\n', message: /clusters: must be a list/ },
    { name: 'insecure not boolean', text: 'current-context: c\nclusters: [{name: k, cluster: {server: "https://x", insecure-skip-tls-verify: "yes"}}]\ncontexts: [{name: c, context: {cluster: k}}]\n', message: /insecure-skip-tls-verify: must be true or false/ },
  ];
  for (const c of errors) {
    it(`names the file and field: ${c.name}`, () => {
      const p = c.text !== undefined ? file(`bad-${c.name.replace(/\W+/g, '-')}`, c.text) : main;
      let caught: unknown;
      try {
        loadKubeconfig(p, c.context);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(KubeconfigError);
      expect((caught as Error).message).toContain(p);
      expect((caught as Error).message).toMatch(c.message);
    });
  }

  it('a missing explicit file is an error naming it', () => {
    expect(() => loadKubeconfig(join(dir, 'nope'))).toThrow(/nope: \(file\): does not exist/);
  });
});

describe('KUBECONFIG', () => {
  it('is a path list; missing files are skipped; the first definition of a name wins', () => {
    const override = file(
      'override',
      `current-context: second
clusters:
- name: tinykube
  cluster: { server: "https://127.0.0.9:1" }
- name: extra
  cluster: { server: "https://127.0.0.4:6443" }
users:
- name: admin
  user: { token: shadowed }
contexts:
- name: second
  context: { cluster: extra, user: admin }
`,
    );
    const env = { KUBECONFIG: [join(dir, 'does-not-exist'), override, main].join(':') };
    expect(defaultKubeconfigPaths(env)).toHaveLength(3);
    const cfg = loadKubeconfig(undefined, undefined, env);
    expect(cfg.contextName).toBe('second');
    expect(cfg.server).toBe('https://127.0.0.4:6443');
    expect(cfg.token).toBe('shadowed'); // override came first
    const other = loadKubeconfig(undefined, 'tinykube', env);
    expect(other.server).toBe('https://127.0.0.9:1'); // first file's cluster "tinykube" wins
  });

  it('falls back to ~/.kube/config', () => {
    expect(defaultKubeconfigPaths({ HOME: '/home/x' })).toEqual(['/home/x/.kube/config']);
  });

  it('says so when no file exists', () => {
    expect(() => loadKubeconfig(undefined, undefined, { KUBECONFIG: join(dir, 'a-missing') })).toThrow(/no kubeconfig found/);
  });
});
