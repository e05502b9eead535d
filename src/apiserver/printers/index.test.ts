import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { RESOURCES } from '../resources.js';
import { defaultPrinter, humanDuration, printerFor } from './index.js';

const NOW = new Date('2024-05-01T12:00:00Z');

describe('printerFor', () => {
  it.each(RESOURCES.map((r) => [`${r.group || 'core'}/${r.plural}`, r.group, r.plural] as const))('%s has its own printer', (_id, group, plural) => {
    const printer = printerFor(group, plural);
    expect(printer).not.toBe(defaultPrinter);
    // Exactly one name column; unique column names.
    expect(printer.columns.filter((c) => c.format === 'name')).toHaveLength(1);
    expect(new Set(printer.columns.map((c) => c.name)).size).toBe(printer.columns.length);
    for (const c of printer.columns) expect([0, 1]).toContain(c.priority);
  });

  // Printers never throw, and always fill every column, whatever shape a stored body has.
  const shapes: Record<string, unknown>[] = [
    {},
    { spec: 'oops', status: 42, data: [1], subsets: {}, endpoints: 'x', ports: null },
    {
      spec: { containers: [null, 'x'], ports: [{}], rules: [{ host: 7 }], selector: { matchExpressions: [null] }, replicas: 'three' },
      status: { containerStatuses: [{ state: null, lastState: { terminated: { finishedAt: 'garbage' } } }], conditions: [5] },
      involvedObject: 'pod',
      series: {},
    },
  ];
  it.each(RESOURCES.map((r) => [r.plural, r.group] as const))('%s prints any body shape', (plural, group) => {
    const printer = printerFor(group, plural);
    for (const body of shapes) {
      const obj: KubeObject = { metadata: { name: 'x' }, ...body };
      const cells = printer.row(obj, NOW);
      expect(cells).toHaveLength(printer.columns.length);
      for (const cell of cells) expect(['string', 'number']).toContain(typeof cell);
    }
  });

  it('falls back to NAME / CREATED AT, like kube-apiserver’s default table convertor', () => {
    const printer = printerFor('example.com', 'widgets');
    expect(printer).toBe(defaultPrinter);
    expect(printer.columns.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0],
      ['Created At', 'date', '', 0],
    ]);
    const widget: KubeObject = { metadata: { name: 'w', creationTimestamp: '2024-05-01T11:55:00Z' } };
    expect(printer.row(widget, NOW)).toEqual(['w', '2024-05-01T11:55:00Z']);
    const precise: KubeObject = { metadata: { name: 'w', creationTimestamp: '2024-05-01T13:55:00.250+02:00' } };
    expect(printer.row(precise, NOW)).toEqual(['w', '2024-05-01T11:55:00Z']);
    expect(printer.row({ metadata: { name: 'w' } }, NOW)).toEqual(['w', '0001-01-01T00:00:00Z']);
  });

  it('keys by group: a core plural in another group is not the core printer', () => {
    expect(printerFor('', 'pods')).not.toBe(printerFor('example.com', 'pods'));
  });

  it('exports the AGE format', () => {
    expect(humanDuration(310_000)).toBe('5m10s');
  });
});
