// The errors a PATCH can end in, with the code, reason and message kube-apiserver answers
// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go and the merge libraries it calls).
import type { JsonValue, Status, StatusCause } from '../../api/types.js';
import { ApiError } from '../errors.js';
import { goJsonKind } from './json.js';

/**
 * Reasons a patch fails with. '' is Kubernetes' StatusReasonUnknown: errors that the patch
 * libraries return untyped reach the client as 500 with no reason and the raw message.
 */
export type PatchErrorReason = 'BadRequest' | 'Invalid' | 'NotFound' | 'Conflict' | 'UnsupportedMediaType' | 'RequestEntityTooLarge' | '';

export class PatchError extends ApiError {
  constructor(
    code: number,
    override readonly reason: PatchErrorReason,
    message: string,
    details?: Status['details'],
  ) {
    super(code, reason, message, details);
    this.name = 'PatchError';
  }

  override toStatus(): Status {
    const s = super.toStatus();
    if (this.reason === '') delete s.reason;
    return s;
  }
}

export const patchErrors = {
  /** 400: the body cannot be decoded, or a directive is malformed. */
  badRequest(message: string): PatchError {
    return new PatchError(400, 'BadRequest', message);
  },
  /** 415 for a Content-Type that is not a patch type this endpoint accepts. */
  unsupportedMediaType(accepted: readonly string[]): PatchError {
    return new PatchError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  },
  /**
   * 422 from NewGenericServerResponse: kube-apiserver drops the underlying message (a failed
   * JSON patch `test`, a missing path) and answers with this fixed text and empty details.
   */
  unprocessable(): PatchError {
    return new PatchError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  },
  /**
   * 422 when the patched document does not decode as an object. kube-apiserver builds it with an
   * empty GroupKind and name, hence the message's odd start.
   */
  notAnObject(result: JsonValue): PatchError {
    const detail = `Invalid value: ${JSON.stringify(JSON.stringify(result))}: json: cannot unmarshal ${goJsonKind(result)} into Go value of type map[string]interface {}`;
    return new PatchError(422, 'Invalid', ` "" is invalid: patch: ${detail}`, {
      causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'patch' }],
    });
  },
  /** 422 Invalid about a request option, e.g. `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: ...`. */
  invalidOption(field: string, causeType: string, detail: string): PatchError {
    const cause: StatusCause = { reason: causeType, message: detail, field };
    return new PatchError(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
      group: 'meta.k8s.io',
      kind: 'PatchOptions',
      name: '',
      causes: [cause],
    });
  },
  /** 404 for a non-apply patch of a missing object: `deployments.apps "web" not found`. */
  notFound(group: string, resource: string, name: string): PatchError {
    const qualified = group === '' ? resource : `${resource}.${group}`;
    return new PatchError(404, 'NotFound', `${qualified} "${name}" not found`, { name, ...(group === '' ? {} : { group }), kind: resource });
  },
  /** 413 for JSON patches over kube-apiserver's operation limit. */
  tooLarge(message: string): PatchError {
    return new PatchError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
  },
  /** 500 with no reason: what an untyped error from the merge code becomes. */
  unknown(message: string): PatchError {
    return new PatchError(500, '', message);
  },
  /** 409 from server-side apply when fields owned by other managers would change. */
  applyConflict(message: string, causes: StatusCause[]): PatchError {
    return new PatchError(409, 'Conflict', message, { causes });
  },
};
