// The seam between KubeClient and the wire. KubeClient speaks in JSON values and REST paths;
// a Transport carries them. HttpTransport is the real one; an in-process transport can later
// hand objects to the API server's handlers directly, skipping TLS and serialization.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportRequest {
  method: HttpMethod;
  /** Path below the server's base URL, starting with '/', already escaped. */
  path: string;
  query?: URLSearchParams;
  /** A JSON value to send; the transport serializes it. */
  body?: unknown;
  /** Content-Type of the body (patch flavours); application/json when absent. */
  contentType?: string;
  signal?: AbortSignal;
}

export interface TransportResponse {
  /** A 2xx HTTP code; anything else is thrown as an ApiError. */
  code: number;
  /** The parsed JSON body, undefined when the body was empty. */
  body: unknown;
}

export interface StreamSink {
  /** The server accepted the stream (2xx headers arrived). */
  onOpen?(): void;
  /** One decoded JSON value (for a watch: one event). */
  onValue(value: unknown): void;
  /**
   * Called exactly once, last: with no error when the server ended the stream or stop() was
   * called, with an ApiError for a non-2xx answer, with the network or decode error otherwise.
   */
  onClose(err?: Error): void;
}

export interface StreamHandle {
  /** Abandon the stream. onClose still runs (without an error) unless it already did. */
  stop(): void;
}

export interface Transport {
  /** One request, one JSON answer. Rejects with ApiError on a non-2xx code. */
  request(req: TransportRequest): Promise<TransportResponse>;
  /** A long-lived answer of many JSON values (watch). */
  stream(req: TransportRequest, sink: StreamSink): StreamHandle;
  /** Release pooled connections; later calls fail. */
  close(): void;
}
