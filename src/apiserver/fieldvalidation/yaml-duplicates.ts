// Duplicate keys in a YAML body, reported as the YAML decoder behind kube-apiserver
// (sigs.k8s.io/yaml over go-yaml) words them: `line 12: key "paused" already set in map`.
// JSON bodies are checked by the JSON decoder instead (decode.ts): YAML ones lose their
// duplicates before it runs, since they are converted to JSON first.
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';

export function yamlDuplicateKeys(text: string): string[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter, prettyErrors: false });
  const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => e.pos[0]);
  if (duplicates.length === 0) return [];
  // The error marks where the repeated key starts; find that key to print it.
  const keys = new Map<number, unknown>();
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range) keys.set(pair.key.range[0], pair.key.value);
    },
  });
  return duplicates
    .sort((a, b) => a - b)
    .map((offset) => `line ${lineCounter.linePos(offset).line}: key ${goValue(keys.get(offset))} already set in map`);
}

/** A key as go-yaml prints it (%#v): strings quoted, numbers and booleans bare. */
function goValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(typeof v === 'string' ? v : String(v));
}
