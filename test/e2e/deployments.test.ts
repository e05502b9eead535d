// Deployments under the real kubectl: `tinykube up`'s Deployment and ReplicaSet controllers,
// with a fake node in this process playing the kubelet (it registers a Ready Node, so the
// scheduler binds pods to it, then marks them Running and Ready and finishes their deletion).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/client/index.js';
import { FakeNode } from '../../src/controllers/testing/pods.js';
import { TestCluster, waitFor } from './harness.js';

const NAME = 'alpaca-prod';
const BLUE = 'gcr.io/kuar-demo/kuard-amd64:blue';
const GREEN = 'gcr.io/kuar-demo/kuard-amd64:green';

describe('Deployments under kubectl', () => {
  let c: TestCluster;
  let client: KubeClient;
  let node: FakeNode;

  beforeAll(async () => {
    c = await TestCluster.start();
    client = KubeClient.fromKubeconfig(c.kubeconfig);
    node = new FakeNode(client, { registerNode: true, readyAfterMs: 300, terminateAfterMs: 200 });
    await node.start();
  });

  afterAll(async () => {
    await node?.stop();
    client?.close();
    await c?.stop();
  });

  const rolloutStatus = async (): Promise<string> => {
    const r = await c.kubectl(['rollout', 'status', `deployment/${NAME}`, '--timeout=60s'], { timeoutMs: 70_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.endsWith(`deployment "${NAME}" successfully rolled out\n`)).toBe(true);
    return r.stdout;
  };
  const replicaSets = async (): Promise<{ name: string; replicas: number; image: string; revision: string }[]> => {
    const out = await c.k(['get', 'rs', '-l', `app=${NAME}`, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}{"\\n"}{end}']);
    return out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [name, replicas, image, revision] = l.split(' ');
        return { name: name!, replicas: Number(replicas), image: image!, revision: revision! };
      });
  };
  const livePods = async (): Promise<string[]> => {
    const out = await c.k(['get', 'pods', '-l', `app=${NAME}`, '-o', 'jsonpath={range .items[*]}{.metadata.name},{.metadata.deletionTimestamp};{end}']);
    return out
      .split(';')
      .map((l) => l.split(','))
      .filter(([name, deleting]) => name && !deleting)
      .map(([name]) => name!);
  };

  it('create deployment runs 3 pods named <deployment>-<hash>-<5 chars>; rollout status exits 0', async () => {
    expect(await c.k(['create', 'deployment', NAME, `--image=${BLUE}`, '--replicas=3'])).toBe(`deployment.apps/${NAME} created\n`);
    await rolloutStatus();
    const pods = await livePods();
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(p).toMatch(/^alpaca-prod-[a-z0-9]{8,10}-[a-z0-9]{5}$/);
    const [rs] = await replicaSets();
    expect(pods.every((p) => p.startsWith(`${rs!.name}-`))).toBe(true);
    const wide = await c.k(['get', 'pods', '-l', `app=${NAME}`, '-o', 'wide']);
    expect(wide).toMatch(/alpaca-prod-\S+\s+1\/1\s+Running\s+0\s+\S+\s+127\.244\.0\.\d+\s+fake-node/);
  });

  it('get deploy shows READY, UP-TO-DATE and AVAILABLE', async () => {
    const out = await c.k(['get', 'deploy', NAME]);
    expect(out).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nalpaca-prod\s+3\/3\s+3\s+3\s+\S+\n$/);
    const rs = await c.k(['get', 'rs', '-l', `app=${NAME}`]);
    expect(rs).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nalpaca-prod-\S+\s+3\s+3\s+3\s+\S+\n$/);
  });

  it('set image rolls out a new ReplicaSet; rollout status follows it to the end', async () => {
    expect(await c.k(['set', 'image', `deployment/${NAME}`, `kuard-amd64=${GREEN}`])).toBe(`deployment.apps/${NAME} image updated\n`);
    await c.k(['annotate', `deployment/${NAME}`, 'kubernetes.io/change-cause=update to green']);
    const out = await rolloutStatus();
    expect(out).toMatch(/^(Waiting for deployment "alpaca-prod" rollout to finish: .*\n)*deployment "alpaca-prod" successfully rolled out\n$/);
    const rss = await replicaSets();
    expect(rss).toHaveLength(2);
    expect(rss.find((r) => r.image === GREEN)).toMatchObject({ replicas: 3, revision: '2' });
    expect(rss.find((r) => r.image === BLUE)).toMatchObject({ replicas: 0, revision: '1' });
  });

  it('rollout history lists the revisions with their change-cause', async () => {
    const out = await c.k(['rollout', 'history', `deployment/${NAME}`]);
    expect(out).toMatch(/^deployment\.apps\/alpaca-prod \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+update to green\n\n$/);
    const two = await c.k(['rollout', 'history', `deployment/${NAME}`, '--revision=2']);
    expect(two).toContain(`Image:\t${GREEN}`);
    expect(two).toMatch(/pod-template-hash=/);
  });

  it('rollout undo goes back to the previous ReplicaSet (reused, revision 3)', async () => {
    const before = await replicaSets();
    expect(await c.k(['rollout', 'undo', `deployment/${NAME}`])).toBe(`deployment.apps/${NAME} rolled back\n`);
    await rolloutStatus();
    const after = await replicaSets();
    expect(after.map((r) => r.name).sort()).toEqual(before.map((r) => r.name).sort());
    expect(after.find((r) => r.image === BLUE)).toMatchObject({ replicas: 3, revision: '3' });
    expect(after.find((r) => r.image === GREEN)).toMatchObject({ replicas: 0 });
    const history = await c.k(['rollout', 'history', `deployment/${NAME}`]);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+update to green\n3\s+<none>\n/);
  });

  it('rollout restart replaces every pod through a new ReplicaSet', async () => {
    const before = new Set(await livePods());
    expect(await c.k(['rollout', 'restart', `deployment/${NAME}`])).toBe(`deployment.apps/${NAME} restarted\n`);
    await rolloutStatus();
    const after = await waitFor('the old pods gone', async () => {
      const p = await livePods();
      return p.length === 3 && p.every((x) => !before.has(x)) ? p : undefined;
    });
    expect(after).toHaveLength(3);
    expect(await replicaSets()).toHaveLength(3);
    const annotation = await c.k(['get', 'pod', after[0]!, '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']);
    expect(annotation).not.toBe('');
  });

  it('rollout pause holds a template change back; resume rolls it out', async () => {
    expect(await c.k(['rollout', 'pause', `deployment/${NAME}`])).toBe(`deployment.apps/${NAME} paused\n`);
    await c.k(['set', 'image', `deployment/${NAME}`, `kuard-amd64=${GREEN}`]);
    await waitFor('the paused condition', async () => (await c.k(['get', 'deploy', NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}'])) === 'DeploymentPaused');
    await new Promise((r) => setTimeout(r, 500));
    const held = await replicaSets();
    expect(held.filter((r) => r.replicas > 0)).toHaveLength(1);
    expect(held.find((r) => r.replicas > 0)!.image).toBe(BLUE);
    expect(await c.k(['rollout', 'resume', `deployment/${NAME}`])).toBe(`deployment.apps/${NAME} resumed\n`);
    await rolloutStatus();
    const done = await replicaSets();
    expect(done.find((r) => r.replicas > 0)!.image).toBe(GREEN);
  });

  it('scale changes the size; get deploy follows', async () => {
    expect(await c.k(['scale', `deployment/${NAME}`, '--replicas=5'])).toBe(`deployment.apps/${NAME} scaled\n`);
    await rolloutStatus();
    expect(await c.k(['get', 'deploy', NAME])).toMatch(/\nalpaca-prod\s+5\/5\s+5\s+5\s+\S+\n$/);
    expect(await livePods()).toHaveLength(5);
  });

  it('describe shows replicas, strategy, conditions, ReplicaSets and Events', async () => {
    await waitFor('the scale-up events', async () => (await c.k(['describe', 'deploy', NAME])).includes('from 3 to 5'));
    const out = await c.k(['describe', 'deploy', NAME]);
    expect(out).toMatch(/Replicas:\s+5 desired \| 5 updated \| 5 total \| 5 available \| 0 unavailable/);
    expect(out).toMatch(/StrategyType:\s+RollingUpdate/);
    expect(out).toMatch(/RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
    expect(out).toMatch(/Available\s+True\s+MinimumReplicasAvailable/);
    expect(out).toMatch(/Progressing\s+True\s+NewReplicaSetAvailable/);
    expect(out).toMatch(/NewReplicaSet:\s+alpaca-prod-\S+ \(5\/5 replicas created\)/);
    expect(out).toMatch(/Normal\s+ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set alpaca-prod-\S+ from 0 to 3/);
    expect(out).toMatch(/Normal\s+ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set alpaca-prod-\S+ from 3 to 5/);
    const rsName = (await replicaSets()).find((r) => r.replicas === 5)!.name;
    await waitFor('the SuccessfulCreate events', async () => (await c.k(['describe', 'rs', rsName])).includes('SuccessfulCreate'));
    const rs = await c.k(['describe', 'rs', rsName]);
    expect(rs).toMatch(/Controlled By:\s+Deployment\/alpaca-prod/);
    expect(rs).toMatch(/Normal\s+SuccessfulCreate\s+.*replicaset-controller\s+Created pod: alpaca-prod-/);
  });

  it('delete deployment takes its ReplicaSets and pods with it', async () => {
    expect(await c.k(['delete', 'deployment', NAME])).toBe(`deployment.apps "${NAME}" deleted\n`);
    await waitFor('ReplicaSets and pods gone', async () => {
      const r = await c.kubectl(['get', 'rs,pods', '-l', `app=${NAME}`]);
      return r.code === 0 && r.stdout === '' && /No resources found/.test(r.stderr);
    });
    expect(node.errors).toEqual([]);
  });
});
