import { describe, expect, it } from 'vitest';
import type { HistoryPage } from './reader.js';
import { StorageError } from './types.js';
import type { WatchEvent } from './types.js';
import { WatchHub } from './watch-hub.js';
import type { EventHistory } from './watch-hub.js';

const ev = (revision: number, key = `/r/k${revision}`): WatchEvent => ({
  type: 'put',
  kv: { key, value: '{}', createRevision: revision, modRevision: revision },
  revision,
});

/** History backed by an array, paged like the log. */
class FakeHistory implements EventHistory {
  log: WatchEvent[] = [];
  compactedAt = 0;
  reads = 0;
  history(prefix: string, after: number, upto: number, limit: number): HistoryPage {
    this.reads++;
    if (after < this.compactedAt) throw new StorageError('Compacted', 'gone', this.compactedAt);
    const events = this.log.filter((e) => e.revision > after && e.revision <= upto && e.kv.key.startsWith(prefix)).slice(0, limit);
    return { events, scannedTo: events.length < limit ? upto : events[events.length - 1]!.revision };
  }
  compacted(): number {
    return this.compactedAt;
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function publish(hub: WatchHub, history: FakeHistory, ...events: WatchEvent[]): void {
  history.log.push(...events);
  hub.publish(events);
}

describe('WatchHub', () => {
  it('serves a recent watch from the ring without reading history', async () => {
    const history = new FakeHistory();
    const hub = new WatchHub(history, 0, 10);
    publish(hub, history, ev(1), ev(2), ev(3));
    const got: number[] = [];
    hub.watch('/r/', { afterRevision: 1, onEvents: (es) => got.push(...es.map((e) => e.revision)) });
    await turn();
    publish(hub, history, ev(4));
    expect(got).toEqual([2, 3, 4]);
    expect(history.reads).toBe(0);
  });

  it('pages through history, skipping live events until caught up, then goes live', async () => {
    const history = new FakeHistory();
    const hub = new WatchHub(history, 0, 2, 3);
    for (let r = 1; r <= 10; r++) publish(hub, history, ev(r));
    const got: number[] = [];
    hub.watch('/r/', { afterRevision: 0, onEvents: (es) => got.push(...es.map((e) => e.revision)) });
    // Events published while the watcher is still replaying come through the replay, once.
    for (let r = 11; r <= 14; r++) {
      await turn();
      publish(hub, history, ev(r));
    }
    for (let i = 0; i < 10; i++) await turn();
    publish(hub, history, ev(15));
    expect(got).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(history.reads).toBeGreaterThan(1);
  });

  it('a watch from beyond the newest published revision skips events up to it', async () => {
    // A list may read a revision whose events the hub has not yet been handed.
    const history = new FakeHistory();
    const hub = new WatchHub(history, 0, 10);
    const got: number[] = [];
    hub.watch('/r/', { afterRevision: 2, onEvents: (es) => got.push(...es.map((e) => e.revision)) });
    await turn();
    publish(hub, history, ev(1), ev(2), ev(3));
    expect(got).toEqual([3]);
  });

  it('reports Compacted for a watch from before the compacted revision', async () => {
    const history = new FakeHistory();
    const hub = new WatchHub(history, 0, 10);
    publish(hub, history, ev(1), ev(2), ev(3));
    history.compactedAt = 2;
    const errors: StorageError[] = [];
    hub.watch('/r/', { afterRevision: 1, onEvents: () => {}, onError: (e) => errors.push(e) });
    await turn();
    expect(errors.map((e) => [e.code, e.compactRevision])).toEqual([['Compacted', 2]]);
    expect(hub.size).toBe(0);
  });

  it('closeAll ends every watch with the given error and refuses new ones', async () => {
    const hub = new WatchHub(new FakeHistory(), 0, 10);
    const codes: string[] = [];
    hub.watch('/a/', { afterRevision: 0, onEvents: () => {}, onError: (e) => codes.push(e.code) });
    hub.closeAll(new StorageError('Closed', 'closed'));
    hub.watch('/b/', { afterRevision: 0, onEvents: () => {}, onError: (e) => codes.push(e.code) });
    await turn();
    expect(codes).toEqual(['Closed', 'Closed']);
    expect(hub.size).toBe(0);
  });
});
