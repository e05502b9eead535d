// Ingresses (NAME CLASS HOSTS ADDRESS PORTS AGE) and IngressClasses (NAME CONTROLLER PARAMETERS AGE).

import { ageColumn, column, nameColumn } from './columns.js';
import { age } from './duration.js';
import { loadBalancerIngress } from './service.js';
import type { ResourcePrinter } from './types.js';
import { list, optStr, present, rec, records, str } from './values.js';

const SHOWN_HOSTS = 3;

/**
 * The rules' hosts: up to three, then "+ N more..." where N counts all remaining rules
 * (host-less ones too); "*" when no rule names a host.
 */
function hostsCell(rules: unknown): string {
  const all = records(rules);
  const hosts: string[] = [];
  let more = false;
  for (const rule of all) {
    if (hosts.length === SHOWN_HOSTS) more = true;
    if (!more && str(rule.host) !== '') hosts.push(str(rule.host));
  }
  if (hosts.length === 0) return '*';
  const text = hosts.join(',');
  return more ? `${text} + ${all.length - SHOWN_HOSTS} more...` : text;
}

export const ingressPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Class', 'The IngressClass that handles this ingress (spec.ingressClassName).'),
    column('Hosts', 'The hosts the rules match requests against.'),
    column('Address', 'The addresses the ingress controller publishes for this ingress.'),
    column('Ports', 'The ports the ingress serves: 80, and 443 when it has TLS.'),
    ageColumn(),
  ],
  row(ing, now) {
    const spec = rec(ing.spec);
    return [
      ing.metadata.name ?? '',
      optStr(spec.ingressClassName) ?? '<none>',
      hostsCell(spec.rules),
      loadBalancerIngress(rec(ing.status).loadBalancer),
      list(spec.tls).length > 0 ? '80, 443' : '80',
      age(ing, now),
    ];
  },
};

/** "<none>", or Kind[.apiGroup]/name of spec.parameters. */
function parametersCell(parameters: unknown): string {
  if (!present(parameters)) return '<none>';
  const group = optStr(parameters.apiGroup);
  const kind = group === undefined ? str(parameters.kind) : `${str(parameters.kind)}.${group}`;
  return `${kind}/${str(parameters.name)}`;
}

export const ingressClassPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Controller', 'The controller that implements this class, e.g. k8s.io/ingress-nginx.'),
    column('Parameters', 'The resource holding extra configuration for the controller, as Kind.group/name.'),
    ageColumn(),
  ],
  row(ic, now) {
    const spec = rec(ic.spec);
    return [ic.metadata.name ?? '', str(spec.controller), parametersCell(spec.parameters), age(ic, now)];
  },
};
