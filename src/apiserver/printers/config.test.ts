import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { configMapPrinter, secretPrinter } from './config.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: '2024-04-30T12:00:00Z' });

describe('configmap printer', () => {
  it.each<[string, Record<string, unknown>, number]>([
    ['kubectl create configmap --from-literal x2', { data: { 'log.level': 'debug', port: '8080' } }, 2],
    ['data and binaryData both count', { data: { 'a.conf': 'x' }, binaryData: { 'logo.png': 'iVBORw0KGgo=' } }, 2],
    ['empty', {}, 0],
  ])('%s', (_what, body, count) => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('app-config'), ...body };
    expect(configMapPrinter.row(cm, NOW)).toEqual(['app-config', count, '24h']);
  });

  it('declares Kubernetes’ columns', () => {
    expect(configMapPrinter.columns.map((c) => [c.name, c.type])).toEqual([
      ['Name', 'string'],
      ['Data', 'string'],
      ['Age', 'string'],
    ]);
  });
});

describe('secret printer', () => {
  it.each<[string, Record<string, unknown>, string, number]>([
    ['generic', { type: 'Opaque', data: { username: 'YWRtaW4=', password: 'czNjcjN0' } }, 'Opaque', 2],
    ['tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'LS0t', 'tls.key': 'LS0t' } }, 'kubernetes.io/tls', 2],
    ['docker registry', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'e30=' } }, 'kubernetes.io/dockerconfigjson', 1],
    ['type unset reads as Opaque', { data: { token: 'dA==' } }, 'Opaque', 1],
    ['stringData keys count once', { type: 'Opaque', data: { a: 'YQ==' }, stringData: { a: 'a', b: 'b' } }, 'Opaque', 2],
    ['empty', { type: 'Opaque' }, 'Opaque', 0],
  ])('%s', (_what, body, type, count) => {
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: meta('creds'), ...body };
    expect(secretPrinter.row(secret, NOW)).toEqual(['creds', type, count, '24h']);
  });

  it('declares Kubernetes’ columns', () => {
    expect(secretPrinter.columns.map((c) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
  });
});
