import { describe, expect, it } from 'vitest';
import { ConnectFailureLog } from './listener.js';

describe('ConnectFailureLog', () => {
  it('logs the first failed connect of a service port per window and counts the rest', () => {
    const lines: string[] = [];
    let now = 1_000;
    const log = new ConnectFailureLog((m) => lines.push(m), 10_000, () => now);
    log.failed('ns/a:http', 'connect to endpoint 127.1.0.1:80 failed: connect ECONNREFUSED 127.1.0.1:80');
    for (let i = 0; i < 500; i++) log.failed('ns/a:http', 'connect to endpoint 127.1.0.1:80 failed: connect ECONNREFUSED 127.1.0.1:80');
    log.failed('ns/b:http', 'connect to endpoint 127.1.0.2:80 failed: connect ECONNREFUSED 127.1.0.2:80');
    expect(lines).toEqual([
      'proxy: ns/a:http: connect to endpoint 127.1.0.1:80 failed: connect ECONNREFUSED 127.1.0.1:80',
      'proxy: ns/b:http: connect to endpoint 127.1.0.2:80 failed: connect ECONNREFUSED 127.1.0.2:80',
    ]);
    now += 9_999;
    log.failed('ns/a:http', 'again');
    expect(lines).toHaveLength(2);
    now += 1;
    log.failed('ns/a:http', 'connect to endpoint 127.1.0.3:80 failed: connect timeout after 2000 ms');
    expect(lines[2]).toBe('proxy: ns/a:http: connect to endpoint 127.1.0.3:80 failed: connect timeout after 2000 ms (and 501 more failed connects in the previous 10 s)');
    now += 20_000;
    log.failed('ns/a:http', 'once more');
    expect(lines[3]).toBe('proxy: ns/a:http: once more');
  });
});
