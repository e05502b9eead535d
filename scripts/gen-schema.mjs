#!/usr/bin/env node
// Build step: turn the official client's generated models (@kubernetes/client-node, itself
// generated from Kubernetes' OpenAPI) into dist/schema.json, the structural schema that
// src/api/schema.ts serves to fieldValidation, the OpenAPI documents and patching.
//
// Runs after `tsc` (npm run build), so the served resource table is read from
// dist/apiserver/resources.js rather than re-stated here. Plain Node ESM, no dependencies.
//
// Sources per model:
//   models/<Name>.js    static attributeTypeMap: JSON name (baseName), type string, format
//   models/<Name>.d.ts  JSDoc: class description, field descriptions; `'f'?:` = optional
//
// Output (compact JSON):
//   { generatedFrom, kinds: [{group, version, kind, model}],
//     models: { <Name>: { description?, fields: [{name, type, description?, required?}] } } }
// where `type` is exactly src/api/schema.ts's FieldType.

import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clientDir = path.join(root, 'node_modules/@kubernetes/client-node');
const modelsDir = path.join(clientDir, 'dist/gen/models');
const outFile = path.join(root, 'dist/schema.json');
const resourcesFile = path.join(root, 'dist/apiserver/resources.js');

// Kinds that are not served as resources but appear in API traffic: subresource bodies,
// error bodies, delete bodies. [group, version, kind, model]
const EXTRA_KINDS = [
  ['autoscaling', 'v1', 'Scale', 'V1Scale'],
  ['', 'v1', 'Status', 'V1Status'],
];
// Meta models every group-version uses (DeleteOptions is posted to every group).
const EXTRA_MODELS = ['V1Status', 'V1Scale', 'V1DeleteOptions', 'V1ListMeta', 'V1WatchEvent'];

// The client renders resource.Quantity as a plain string (and ResourceList as a string map),
// losing the type. These are the Quantity-typed fields of the models we serve (Kubernetes API
// facts: core/v1 ResourceList and Quantity fields). model -> field -> 'scalar' | 'map'
const QUANTITY_FIELDS = {
  V1ResourceRequirements: { limits: 'map', requests: 'map' },
  V1VolumeResourceRequirements: { limits: 'map', requests: 'map' },
  V1PodSpec: { overhead: 'map' },
  V1PodStatus: { allocatedResources: 'map' },
  V1ContainerStatus: { allocatedResources: 'map' },
  V1NodeStatus: { allocatable: 'map', capacity: 'map' },
  V1NodeAllocatableResourceClaimStatus: { resources: 'map' },
  V1EmptyDirVolumeSource: { sizeLimit: 'scalar' },
  V1ResourceFieldSelector: { divisor: 'scalar' },
};

async function main() {
  const started = performance.now();
  const [{ RESOURCES, GROUP_VERSIONS }, classes, version] = await Promise.all([
    import(pathToFileURL(resourcesFile).href).catch((err) => {
      throw new Error(`cannot read the served resources from ${resourcesFile} (${err.message}); run tsc first (npm run build does)`);
    }),
    loadModelClasses(),
    readFile(path.join(clientDir, 'package.json'), 'utf8').then((t) => JSON.parse(t).version),
  ]);

  const kinds = [];
  for (const res of RESOURCES) {
    requireModel(classes, res.model, `resource ${res.plural}`);
    kinds.push({ group: res.group, version: res.version, kind: res.kind, model: res.model });
    const list = `${res.model}List`;
    if (classes.has(list)) kinds.push({ group: res.group, version: res.version, kind: `${res.kind}List`, model: list });
  }
  for (const [group, version, kind, model] of EXTRA_KINDS) {
    requireModel(classes, model, kind);
    kinds.push({ group, version, kind, model });
  }
  // DeleteOptions is registered in every group-version Kubernetes serves.
  for (const gv of GROUP_VERSIONS) kinds.push({ group: gv.group, version: gv.version, kind: 'DeleteOptions', model: 'V1DeleteOptions' });

  const reachable = reachableModels(classes, [...kinds.map((k) => k.model), ...EXTRA_MODELS]);
  const models = {};
  await Promise.all(
    reachable.map(async (name) => {
      const docs = parseDeclarations(await readFile(path.join(modelsDir, `${name}.d.ts`), 'utf8'), name);
      models[name] = toModel(name, classes.get(name), docs);
    }),
  );
  // Stable output order keeps diffs of dist/schema.json readable.
  const sorted = Object.fromEntries(Object.keys(models).sort().map((k) => [k, models[k]]));
  const doc = { generatedFrom: `@kubernetes/client-node@${version}`, kinds, models: sorted };

  await mkdir(path.dirname(outFile), { recursive: true });
  const text = JSON.stringify(doc);
  await writeFile(outFile, text);
  const ms = (performance.now() - started).toFixed(0);
  console.log(`gen-schema: ${Object.keys(sorted).length} models, ${kinds.length} kinds, ${(text.length / 1024).toFixed(0)} KiB -> ${path.relative(root, outFile)} (${ms} ms)`);
}

/** Every generated model class, by name. all.js re-exports them: one import, not ~1300. */
async function loadModelClasses() {
  const mod = await import(pathToFileURL(path.join(modelsDir, 'all.js')).href);
  const classes = new Map();
  for (const [name, value] of Object.entries(mod)) {
    if (typeof value === 'function' && Array.isArray(value.attributeTypeMap)) classes.set(name, value.attributeTypeMap);
  }
  if (classes.size === 0) throw new Error(`no model classes found in ${modelsDir}/all.js; has @kubernetes/client-node changed layout?`);
  return classes;
}

function requireModel(classes, name, what) {
  if (!classes.has(name)) throw new Error(`${what}: model ${name} is not in @kubernetes/client-node`);
}

/** Model names referenced by a client type string such as 'Array<V1Container>'. */
function referencedModels(type, classes) {
  return [...type.matchAll(/\b[A-Z][A-Za-z0-9]*\b/g)].map((m) => m[0]).filter((n) => classes.has(n));
}

function reachableModels(classes, roots) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    requireModel(classes, name, 'reachable type');
    seen.add(name);
    for (const attr of classes.get(name)) queue.push(...referencedModels(attr.type, classes));
  }
  return [...seen];
}

/**
 * Class and field descriptions plus optionality from a model's .d.ts. The generator writes one
 * JSDoc block before the class and one before each property it has a description for.
 */
function parseDeclarations(text, name) {
  const fields = new Map();
  let classDescription;
  let pending;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('/**')) {
      const body = [];
      let j = i;
      for (; j < lines.length && !lines[j].includes('*/'); j++) if (j > i) body.push(lines[j]);
      pending = body.map((l) => l.trim().replace(/^\* ?/, '')).join('\n').trim();
      // The generator's file header is not a description.
      if (pending.includes('auto generated by OpenAPI Generator')) pending = undefined;
      i = j;
      continue;
    }
    if (line.startsWith(`export declare class ${name}`)) {
      classDescription = pending;
      pending = undefined;
      continue;
    }
    const prop = /^'([^']+)'(\?)?:/.exec(line);
    if (prop) {
      fields.set(prop[1], { description: pending, required: prop[2] !== '?' });
      pending = undefined;
    } else if (line !== '' && !line.startsWith('import ')) {
      pending = undefined;
    }
  }
  return { classDescription: clean(classDescription), fields };
}

/** JSDoc text as the generator escaped it (\' and \") back to the original. */
function clean(text) {
  if (text === undefined || text === '') return undefined;
  return text.replace(/\\(['"])/g, '$1');
}

function toModel(name, attributes, docs) {
  const model = { description: docs.classDescription, fields: [] };
  for (const attr of attributes) {
    const doc = docs.fields.get(attr.name);
    const field = { name: attr.baseName, type: fieldType(name, attr) };
    const description = clean(doc?.description);
    if (description !== undefined) field.description = description;
    if (doc?.required) field.required = true;
    model.fields.push(field);
  }
  if (model.description === undefined) delete model.description;
  return model;
}

function fieldType(modelName, attr) {
  const quantity = QUANTITY_FIELDS[modelName]?.[attr.baseName];
  if (quantity === 'scalar') return { kind: 'quantity' };
  if (quantity === 'map') return { kind: 'map', values: { kind: 'quantity' } };
  return convert(attr.type, attr.format, `${modelName}.${attr.baseName}`);
}

function convert(type, format, where) {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { kind: 'array', items: convert(array[1], format, where) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { kind: 'map', values: convert(map[1], format, where) };
  switch (type) {
    case 'string':
      if (format === 'byte') return { kind: 'bytes' };
      return format ? { kind: 'string', format } : { kind: 'string' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { kind: 'integer', format };
      return format ? { kind: 'number', format } : { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'Date':
    case 'V1MicroTime':
      return { kind: 'time' };
    case 'IntOrString':
      return { kind: 'intOrString' };
    case 'any':
    case 'object':
      return { kind: 'any' };
    default:
      if (/^[A-Z][A-Za-z0-9]*$/.test(type)) return { kind: 'object', model: type };
      throw new Error(`${where}: unsupported client type ${JSON.stringify(type)}`);
  }
}

main().catch((err) => {
  console.error(`gen-schema: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
