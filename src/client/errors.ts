// API failures as values callers can branch on: every non-2xx answer becomes an ApiError that
// carries the meta/v1 Status the server sent (or one built from the HTTP code when the body was
// not a Status, e.g. a proxy's plain-text 502), the way Kubernetes clients expose StatusError.

import { isObject, type Status } from '../api/types.js';

/** Reasons Kubernetes uses for a bare HTTP code (apimachinery's StatusReason values). */
const REASON_BY_CODE: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export class ApiError extends Error {
  /** The HTTP status code (Status.code when the server sent one). */
  readonly code: number;
  /** Machine-readable reason, e.g. NotFound, AlreadyExists, Conflict, Invalid, Expired. */
  readonly reason: string;
  readonly status: Status;

  constructor(status: Status) {
    super(status.message ?? status.reason ?? `the server responded with HTTP ${status.code}`);
    this.name = 'ApiError';
    this.code = status.code;
    this.reason = status.reason ?? REASON_BY_CODE[status.code] ?? 'Unknown';
    this.status = status;
  }

  get details(): Status['details'] {
    return this.status.details;
  }

  /** Seconds the server asked us to wait (Status details or the Retry-After header). */
  get retryAfterSeconds(): number | undefined {
    return this.status.details?.retryAfterSeconds;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

/** 409 with reason AlreadyExists (a create of an existing name). */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists';
}

/** 409 with reason Conflict (a stale resourceVersion on update): re-read and retry. */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409 && err.reason !== 'AlreadyExists';
}

export function isInvalid(err: unknown): boolean {
  return err instanceof ApiError && err.code === 422;
}

/** 410: the resourceVersion asked for is compacted away (reason Expired or Gone); relist. */
export function isGone(err: unknown): boolean {
  return err instanceof ApiError && err.code === 410;
}

/** Worth retrying later with the same request: throttled or the server is unwell. */
export function isRetriable(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 429 || err.code >= 500);
}

export function isStatus(v: unknown): v is Status {
  return isObject(v) && v['kind'] === 'Status' && typeof v['code'] === 'number';
}

/** A Failure Status for an HTTP code, for answers whose body was not a Status. */
export function statusForCode(code: number, message?: string): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason: REASON_BY_CODE[code] ?? 'Unknown',
    message: message ?? `the server responded with HTTP ${code}`,
  };
}

/**
 * The error for a non-2xx answer. `body` is the parsed JSON body when it was JSON, else its text.
 * A Status speaks for itself (its message already names the object); anything else gets
 * `context` (method and path) so the reader knows which request failed.
 * `retryAfter` is the Retry-After header, kept when the Status did not say.
 */
export function apiErrorFromResponse(code: number, body: unknown, context: string, retryAfter?: string): ApiError {
  let status: Status;
  if (isStatus(body)) {
    // Trust the Status, but never let a body claim success for an HTTP failure.
    status = { ...body, code: body.code >= 400 ? body.code : code };
  } else {
    const text = typeof body === 'string' ? body.trim().slice(0, 500) : '';
    status = statusForCode(code, `${context}: the server responded with HTTP ${code}${text ? `: ${text}` : ''}`);
  }
  const seconds = retryAfter !== undefined ? Number(retryAfter) : NaN;
  if (Number.isFinite(seconds) && status.details?.retryAfterSeconds === undefined) {
    status = { ...status, details: { ...status.details, retryAfterSeconds: seconds } };
  }
  return new ApiError(status);
}
