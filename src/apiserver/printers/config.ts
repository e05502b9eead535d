// ConfigMaps (NAME DATA AGE) and Secrets (NAME TYPE DATA AGE): DATA counts keys, never values.

import { ageColumn, column, nameColumn } from './columns.js';
import { age } from './duration.js';
import type { ResourcePrinter } from './types.js';
import { keys, str } from './values.js';

export const configMapPrinter: ResourcePrinter = {
  columns: [nameColumn(), column('Data', 'The number of keys in data and binaryData.'), ageColumn()],
  row(cm, now) {
    return [cm.metadata.name ?? '', keys(cm.data).length + keys(cm.binaryData).length, age(cm, now)];
  },
};

export const secretPrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'What the secret holds, e.g. Opaque or kubernetes.io/tls; it fixes which keys data must have.'),
    column('Data', 'The number of keys in data.'),
    ageColumn(),
  ],
  row(secret, now) {
    // Writes merge stringData into data; count a stringData key the store still holds apart once.
    const dataKeys = new Set([...keys(secret.data), ...keys(secret.stringData)]);
    // The API server defaults type to Opaque.
    return [secret.metadata.name ?? '', str(secret.type) || 'Opaque', dataKeys.size, age(secret, now)];
  },
};
