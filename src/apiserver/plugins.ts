// Wires the server's sibling modules (protobuf decoding, patches, OpenAPI, field validation,
// managed fields) into the shapes the HTTP layer and the registry call.
import { loadSchema } from '../api/schema.js';
import { checkFieldsHook } from './fieldvalidation/plugin.js';
import { OpenApiDocs } from './openapi/docs.js';
import { openApiHook } from './openapi/plugin.js';
import { applyPatch, recordUpdate } from './patch/index.js';
import { decodeKubernetesProtobuf } from './protobuf/index.js';
import type { RegistryHooks } from './registry.js';
import { apiVersionOfResource } from './resources.js';
import type { ServerPlugins } from './server.js';

export function defaultPlugins(): ServerPlugins {
  const schema = loadSchema();
  const docs = new OpenApiDocs(schema);
  return {
    decodeProtobuf: (body) => decodeKubernetesProtobuf(body),
    applyPatch: (contentType, live, body, ctx) => applyPatch(contentType, live, body, { ...ctx, schema }),
    checkFields: checkFieldsHook(schema),
    openapi: openApiHook(docs),
  };
}

/** managedFields bookkeeping on every write, as kube-apiserver's field manager does. */
export function defaultRegistryHooks(): RegistryHooks {
  const schema = loadSchema();
  return {
    beforeWrite: (res, obj, old, opts) => {
      if (opts.apply || !opts.fieldManager) return obj;
      return recordUpdate(old, obj, opts.fieldManager, apiVersionOfResource(res), opts.subresource ?? '', { model: res.model, schema });
    },
  };
}
