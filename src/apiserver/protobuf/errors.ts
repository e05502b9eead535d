// The one error this component throws: the body is not a Kubernetes protobuf object we can
// read. The HTTP layer turns it into a 400 (or 415 for a kind we do not decode).

export class ProtobufDecodeError extends Error {
  /**
   * @param path the JSON path of the field that was wrong (e.g. `spec.ports[0].port`), '' for the envelope
   * @param unsupported true when the body is well-formed but names a kind or encoding this decoder lacks
   */
  constructor(
    message: string,
    readonly path = '',
    readonly unsupported = false,
  ) {
    super(path === '' ? `protobuf body: ${message}` : `protobuf body: ${path}: ${message}`);
    this.name = 'ProtobufDecodeError';
  }
}
