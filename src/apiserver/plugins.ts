// Wires the server's sibling modules (protobuf decoding, patches, OpenAPI, field validation)
// into the shape the HTTP layer calls.
import { decodeKubernetesProtobuf } from './protobuf/index.js';
import { errors } from './errors.js';
import type { ServerPlugins } from './server.js';

export function defaultPlugins(): ServerPlugins {
  return {
    decodeProtobuf: (body) => decodeKubernetesProtobuf(body),
    applyPatch: (contentType) => {
      throw errors.unsupportedMediaType(contentType, []);
    },
  };
}
