// Test support: the imperative `kubectl create` commands whose protobuf bodies the tests capture.
// Each case gets a scratch directory for the files it needs (certificates, binary payloads).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CreateCase {
  /** Fixture-friendly name, e.g. `deployment-web`. */
  name: string;
  args: (dir: string) => string[];
  /** Not kept under testdata/ (its body holds a freshly generated private key). */
  liveOnly?: boolean;
}

/** A throwaway self-signed certificate for `create secret tls`; needs openssl on PATH. */
function certificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=example.com'], { stdio: 'ignore' });
  return { cert, key };
}

/** Bytes that are not UTF-8, so kubectl puts them in ConfigMap binaryData. */
function binaryFile(dir: string): string {
  const path = join(dir, 'blob.bin');
  writeFileSync(path, Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x01, 0x02]));
  return path;
}

export const CREATE_CASES: readonly CreateCase[] = [
  { name: 'namespace', args: () => ['create', 'namespace', 'x'] },
  { name: 'deployment-web', args: () => ['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3', '--port=80'] },
  { name: 'deployment-zero', args: () => ['create', 'deployment', 'zero', '--image=busybox', '--replicas=0', '--', 'sleep', '3600'] },
  { name: 'deployment-two-images', args: () => ['create', 'deployment', 'pair', '--image=nginx', '--image=busybox:1.36'] },
  { name: 'deployment-save-config', args: () => ['create', 'deployment', 'saved', '--image=nginx', '--save-config'] },
  { name: 'service-clusterip', args: () => ['create', 'service', 'clusterip', 'web', '--tcp=80:8080'] },
  { name: 'service-headless', args: () => ['create', 'service', 'clusterip', 'headless', '--clusterip=None'] },
  { name: 'service-nodeport', args: () => ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'] },
  { name: 'service-loadbalancer', args: () => ['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443', '--tcp=80:http'] },
  { name: 'service-externalname', args: () => ['create', 'service', 'externalname', 'ex', '--external-name', 'example.com'] },
  { name: 'configmap', args: () => ['create', 'configmap', 'cm', '--from-literal=a=1', '--from-literal=b=two'] },
  { name: 'configmap-binary', args: (dir) => ['create', 'configmap', 'bin', `--from-file=blob=${binaryFile(dir)}`, '--from-literal=text=hello'] },
  { name: 'configmap-other-namespace', args: () => ['create', 'configmap', 'elsewhere', '-n', 'other', '--from-literal=k=v'] },
  { name: 'secret-generic', args: () => ['create', 'secret', 'generic', 's', '--from-literal=password=hunter2'] },
  { name: 'secret-typed', args: () => ['create', 'secret', 'generic', 'basic', '--type=kubernetes.io/basic-auth', '--from-literal=username=u', '--from-literal=password=p'] },
  {
    name: 'secret-tls',
    liveOnly: true,
    args: (dir) => {
      const { cert, key } = certificate(dir);
      return ['create', 'secret', 'tls', 'tls', `--cert=${cert}`, `--key=${key}`];
    },
  },
  { name: 'secret-docker-registry', args: () => ['create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p'] },
  {
    name: 'ingress',
    args: () => ['create', 'ingress', 'ing', '--class=nginx', '--rule=foo.com/=svc:80', '--rule=bar.com/api*=api:http,tls=bar-cert', '--default-backend=fallback:8080', '--annotation=team=web'],
  },
];
