// kubeconfig files (clientcmd's v1 Config) turned into what a client needs to connect. Rules
// carried over from kubectl: $KUBECONFIG is a path list whose files merge with the first
// definition of a name winning; otherwise ~/.kube/config. Relative file references resolve
// against the kubeconfig that holds them. Every error names the file and the field.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isObject } from '../api/types.js';

/** Everything needed to reach and authenticate to one API server. */
export interface ClientConfig {
  server: string;
  ca?: Buffer;
  insecure?: boolean;
  tlsServerName?: string;
  token?: string;
  tokenFile?: string;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
  /** The context's namespace, 'default' when it names none. */
  namespace: string;
  contextName: string;
  /** The kubeconfig file(s) this came from. */
  source: string;
}

export class KubeconfigError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`kubeconfig ${file}: ${field}: ${problem}`);
    this.name = 'KubeconfigError';
  }
}

type Fields = Record<string, unknown>;

/** A named entry of clusters/users/contexts and the file that defined it. */
interface Entry {
  file: string;
  /** Field path for messages, e.g. clusters[name=dev].cluster */
  where: string;
  body: Fields;
}

interface Merged {
  files: string[];
  currentContext?: { value: string; file: string };
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
}

/** The files kubectl would read: $KUBECONFIG's list, else ~/.kube/config. */
export function defaultKubeconfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '');
  if (list.length > 0) return list;
  return [join(env['HOME'] ?? homedir(), '.kube', 'config')];
}

/**
 * Load the client configuration of a context (the current one when none is named). With no
 * path, reads $KUBECONFIG (files that do not exist are skipped, as kubectl does) or ~/.kube/config.
 */
export function loadKubeconfig(path?: string, context?: string, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  const paths = path !== undefined ? [path] : defaultKubeconfigPaths(env);
  const merged: Merged = { files: [], clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing && path === undefined) continue;
      throw new KubeconfigError(p, '(file)', missing ? 'does not exist' : (err as Error).message);
    }
    mergeFile(merged, resolve(p), text);
  }
  if (merged.files.length === 0) {
    throw new KubeconfigError(paths.join(delimiter), '(file)', 'no kubeconfig found; set KUBECONFIG or pass a path');
  }
  return resolveContext(merged, context);
}

/** Parse one kubeconfig text (for callers that already hold it). */
export function parseKubeconfig(text: string, file: string, context?: string): ClientConfig {
  const merged: Merged = { files: [], clusters: new Map(), users: new Map(), contexts: new Map() };
  mergeFile(merged, resolve(file), text);
  return resolveContext(merged, context);
}

function mergeFile(m: Merged, file: string, text: string): void {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new KubeconfigError(file, '(file)', `not valid YAML: ${(err as Error).message}`);
  }
  m.files.push(file);
  if (doc === null || doc === undefined) return; // an empty file is a valid, empty config
  if (!isObject(doc)) throw new KubeconfigError(file, '(file)', 'is not a YAML mapping');
  const cc = doc['current-context'];
  if (typeof cc === 'string' && cc !== '' && !m.currentContext) m.currentContext = { value: cc, file };
  mergeNamed(m.clusters, doc, 'clusters', 'cluster', file);
  mergeNamed(m.users, doc, 'users', 'user', file);
  mergeNamed(m.contexts, doc, 'contexts', 'context', file);
}

function mergeNamed(into: Map<string, Entry>, doc: Fields, list: string, inner: string, file: string): void {
  const items = doc[list];
  if (items === undefined || items === null) return;
  if (!Array.isArray(items)) throw new KubeconfigError(file, list, 'must be a list');
  items.forEach((item: unknown, i) => {
    if (!isObject(item)) throw new KubeconfigError(file, `${list}[${i}]`, 'must be a mapping');
    const name = item['name'];
    if (typeof name !== 'string' || name === '') throw new KubeconfigError(file, `${list}[${i}].name`, 'missing');
    const body = item[inner] ?? {};
    const where = `${list}[name=${name}].${inner}`;
    if (!isObject(body)) throw new KubeconfigError(file, where, 'must be a mapping');
    if (!into.has(name)) into.set(name, { file, where, body });
  });
}

function resolveContext(m: Merged, wanted: string | undefined): ClientConfig {
  const source = m.files.join(delimiter);
  const contextName = wanted ?? m.currentContext?.value;
  if (!contextName) throw new KubeconfigError(source, 'current-context', 'not set and no context was named');
  const ctx = m.contexts.get(contextName);
  if (!ctx) {
    const field = wanted ? `contexts[name=${contextName}]` : 'current-context';
    throw new KubeconfigError(m.currentContext?.file ?? source, field, `context "${contextName}" is not defined`);
  }
  const clusterName = requireString(ctx, 'cluster');
  const cluster = m.clusters.get(clusterName);
  if (!cluster) throw new KubeconfigError(ctx.file, `${ctx.where}.cluster`, `cluster "${clusterName}" is not defined`);
  const userName = optionalString(ctx, 'user');
  const user = userName !== undefined ? m.users.get(userName) : undefined;
  if (userName !== undefined && !user) {
    throw new KubeconfigError(ctx.file, `${ctx.where}.user`, `user "${userName}" is not defined`);
  }

  const server = requireString(cluster, 'server');
  const cfg: ClientConfig = {
    server,
    namespace: optionalString(ctx, 'namespace') || 'default',
    contextName,
    source,
  };
  cfg.ca = pem(cluster, 'certificate-authority-data', 'certificate-authority');
  const insecure = cluster.body['insecure-skip-tls-verify'];
  if (insecure !== undefined && typeof insecure !== 'boolean') {
    throw new KubeconfigError(cluster.file, `${cluster.where}.insecure-skip-tls-verify`, 'must be true or false');
  }
  if (insecure) cfg.insecure = true;
  cfg.tlsServerName = optionalString(cluster, 'tls-server-name');
  if (user) applyUser(cfg, user);
  return stripUndefined(cfg);
}

function applyUser(cfg: ClientConfig, user: Entry): void {
  cfg.token = optionalString(user, 'token');
  const tokenFile = optionalString(user, 'tokenFile');
  if (tokenFile !== undefined) cfg.tokenFile = relativeTo(user.file, tokenFile);
  cfg.cert = pem(user, 'client-certificate-data', 'client-certificate');
  cfg.key = pem(user, 'client-key-data', 'client-key');
  if ((cfg.cert === undefined) !== (cfg.key === undefined)) {
    const missing = cfg.cert === undefined ? 'client-certificate(-data)' : 'client-key(-data)';
    throw new KubeconfigError(user.file, `${user.where}.${missing}`, 'missing: a client certificate needs its key and vice versa');
  }
  cfg.username = optionalString(user, 'username');
  cfg.password = optionalString(user, 'password');
  const hasCredential = cfg.token || cfg.tokenFile || cfg.cert || cfg.username;
  for (const plugin of ['exec', 'auth-provider']) {
    if (user.body[plugin] !== undefined && !hasCredential) {
      throw new KubeconfigError(user.file, `${user.where}.${plugin}`, 'credential plugins are not supported; use a token or a client certificate');
    }
  }
}

function optionalString(e: Entry, field: string): string | undefined {
  const v = e.body[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new KubeconfigError(e.file, `${e.where}.${field}`, 'must be a string');
  return v;
}

function requireString(e: Entry, field: string): string {
  const v = optionalString(e, field);
  if (v === undefined) throw new KubeconfigError(e.file, `${e.where}.${field}`, 'missing');
  return v;
}

/** PEM bytes from the inline base64 field, else from the file field (the inline one wins, as in kubectl). */
function pem(e: Entry, dataField: string, fileField: string): Buffer | undefined {
  const data = optionalString(e, dataField);
  if (data !== undefined) {
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length === 0 || !bytes.toString('latin1').includes('-----BEGIN')) {
      throw new KubeconfigError(e.file, `${e.where}.${dataField}`, 'is not base64-encoded PEM');
    }
    return bytes;
  }
  const file = optionalString(e, fileField);
  if (file === undefined) return undefined;
  const full = relativeTo(e.file, file);
  try {
    return readFileSync(full);
  } catch (err) {
    throw new KubeconfigError(e.file, `${e.where}.${fileField}`, `cannot read ${full}: ${(err as Error).message}`);
  }
}

function relativeTo(kubeconfigFile: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dirname(kubeconfigFile), p);
}

function stripUndefined(cfg: ClientConfig): ClientConfig {
  for (const k of Object.keys(cfg) as (keyof ClientConfig)[]) if (cfg[k] === undefined) delete cfg[k];
  return cfg;
}
