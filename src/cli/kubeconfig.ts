// Kubeconfig files: the cluster's own (<data-dir>/kubeconfig) and the `tinykube` context merged
// into the user's, as kind and minikube do.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

export const CONTEXT = 'tinykube';

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  clusters?: Named<unknown>[];
  users?: Named<unknown>[];
  contexts?: Named<unknown>[];
  'current-context'?: string;
  preferences?: Record<string, unknown>;
  [k: string]: unknown;
}

export function kubeconfigFor(server: string, caPem: string, token: string): KubeconfigDoc {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: CONTEXT, user: { token } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT } }],
    'current-context': CONTEXT,
    preferences: {},
  };
}

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

export async function writeKubeconfig(path: string, doc: KubeconfigDoc): Promise<void> {
  await writeAtomic(path, stringify(doc));
}

/** The user's kubeconfig: the first file of $KUBECONFIG, else ~/.kube/config. */
export function userKubeconfigPath(): string {
  const env = process.env['KUBECONFIG'];
  if (env) return env.split(':').filter(Boolean)[0]!;
  return join(process.env['HOME'] ?? '', '.kube', 'config');
}

/** Replaces our cluster/user/context entries in the user's kubeconfig and makes ours current. */
export async function mergeIntoUserKubeconfig(path: string, ours: KubeconfigDoc): Promise<void> {
  let doc: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config' };
  if (existsSync(path)) {
    const parsed = parse(await readFile(path, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as KubeconfigDoc;
    else if (parsed !== null && parsed !== undefined) throw new Error(`${path} is not a kubeconfig (expected a YAML mapping); use --no-kubeconfig-merge to leave it alone`);
  }
  for (const section of ['clusters', 'users', 'contexts'] as const) {
    const mine = ours[section] ?? [];
    const names = new Set(mine.map((e) => e.name));
    doc[section] = [...(doc[section] ?? []).filter((e) => !names.has(e.name)), ...mine];
  }
  doc['current-context'] = CONTEXT;
  await writeAtomic(path, stringify(doc));
}
