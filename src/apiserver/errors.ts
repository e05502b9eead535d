// API errors as kube-apiserver reports them: a meta/v1 Status with code, reason and details
// (k8s.io/apimachinery/pkg/api/errors).
import type { Status, StatusCause } from '../api/types.js';

export type CauseType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid'
  | 'FieldManagerConflict';

/** One field error of a 422, as field.Error renders it: `<field>: <Type>: <detail>`. */
export interface FieldError {
  type: CauseType;
  field: string;
  /** Rendered message without the field path, e.g. `Invalid value: "Foo": a lowercase RFC 1123 ...` */
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

export interface Target {
  group: string;
  /** Lower-case plural, e.g. "services" (Kubernetes names the resource, not the kind, in these messages). */
  resource: string;
  name?: string;
}

function qualified(t: Target): string {
  return t.group === '' ? t.resource : `${t.resource}.${t.group}`;
}

function details(t: Target, extra?: Partial<NonNullable<Status['details']>>): NonNullable<Status['details']> {
  const d: NonNullable<Status['details']> = {};
  if (t.name !== undefined) d.name = t.name;
  if (t.group !== '') d.group = t.group;
  d.kind = t.resource;
  return { ...d, ...extra };
}

export const errors = {
  notFound(t: Target): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(t)} "${t.name ?? ''}" not found`, details(t));
  },
  alreadyExists(t: Target): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(t)} "${t.name ?? ''}" already exists`, details(t));
  },
  conflict(t: Target, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${t.name ?? ''}": ${why}`, details(t));
  },
  /** 422 Invalid: `<Kind> "<name>" is invalid: [<err>, <err>]` (brackets only for several). */
  invalid(kind: string, group: string, name: string, errs: FieldError[]): ApiError {
    const rendered = errs.map((e) => `${e.field}: ${e.message}`);
    const agg = rendered.length === 1 ? rendered[0]! : `[${rendered.join(', ')}]`;
    const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
    const d: NonNullable<Status['details']> = { name, kind, causes };
    if (group !== '') d.group = group;
    // The message names the qualified kind (schema.GroupKind.String()): `Deployment.apps "web" is invalid`.
    return new ApiError(422, 'Invalid', `${group === '' ? kind : `${kind}.${group}`} "${name}" is invalid: ${agg}`, d);
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
    return new ApiError(405, 'MethodNotAllowed', message);
  },
  unsupportedMediaType(contentType: string, supported: string[]): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`, { causes: [{ reason: 'UnexpectedServerResponse', message: contentType }] });
  },
  notAcceptable(supported: string[]): ApiError {
    return new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${supported.join(', ')}`);
  },
  tooLarge(): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  forbiddenNamespaceTerminating(t: Target, namespace: string): ApiError {
    return new ApiError(403, 'Forbidden', `${qualified(t)} "${t.name ?? ''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, details(t, { causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] }));
  },
  namespaceNotFound(namespace: string): ApiError {
    return new ApiError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
  },
};

export const fieldError = {
  required(field: string, detail = ''): FieldError {
    return { type: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
  },
  invalid(field: string, value: unknown, detail: string): FieldError {
    return { type: 'FieldValueInvalid', field, message: `Invalid value: ${renderValue(value)}: ${detail}` };
  },
  duplicate(field: string, value: unknown): FieldError {
    return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${renderValue(value)}` };
  },
  notSupported(field: string, value: unknown, valid: string[]): FieldError {
    return { type: 'FieldValueNotSupported', field, message: `Unsupported value: ${renderValue(value)}: supported values: ${valid.map((v) => `"${v}"`).join(', ')}` };
  },
  forbidden(field: string, detail: string): FieldError {
    return { type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
  },
  tooLong(field: string, max: number): FieldError {
    return { type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` };
  },
};

/** Values render as Go's field.Error does: strings quoted, numbers and booleans bare, objects as JSON. */
function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}
