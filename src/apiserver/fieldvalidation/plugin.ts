// The server's `ServerPlugins.checkFields` hook (src/apiserver/server.ts): warnings to send, or
// an ApiError thrown with Kubernetes' status for the body.
import type { Schema } from '../../api/schema.js';
import { ApiError } from '../errors.js';
import type { ServerPlugins } from '../server.js';
import { JsonSyntaxError, parseJsonNodes } from './json-node.js';
import { inspectPatch } from './patch-body.js';
import { pruneUnknownFields } from './prune.js';
import { validateBody, validatePatched, type Body, type Outcome } from './verdict.js';

type CheckFieldsHook = NonNullable<ServerPlugins['checkFields']>;

/**
 * With `raw` (a create/update body as sent, JSON or YAML) the body is judged as kube-apiserver
 * decodes one: 400 `<Kind> in version "v1" cannot be handled as a <Kind>: ...`. Without it (the
 * server passes a patched object), the object is judged as a patch result: 422 ` "" is invalid:
 * patch: ...`. Duplicate keys inside a patch body need the body: use inspectPatch and
 * validatePatched directly for those.
 */
export function checkFieldsHook(schema?: Schema): CheckFieldsHook {
  return (res, obj, raw, mode) => {
    const target = { kind: res.kind, version: res.version, model: res.model };
    const out = raw === undefined ? validatePatched(target, obj, inspectPatch('merge', '{}'), mode, schema) : validateBody(target, bodyOf(raw, obj), mode, schema);
    const warnings = warningsOrThrow(out);
    pruneUnknownFields(res.model, obj, schema);
    return warnings;
  };
}

/** JSON is checked on its text; anything else the server parsed is YAML. */
function bodyOf(raw: string, value: unknown): Body {
  try {
    parseJsonNodes(raw);
    return { format: 'json', text: raw };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { format: 'yaml', text: raw, value };
    throw e;
  }
}

function warningsOrThrow(out: Outcome): string[] {
  if (out.ok) return [...out.warnings];
  const details = out.details && {
    ...(out.details.group === undefined ? {} : { group: out.details.group }),
    kind: out.details.kind,
    name: out.details.name,
    causes: out.details.causes.map((c) => ({ ...c })),
  };
  throw new ApiError(out.code, out.reason, out.message, details);
}
