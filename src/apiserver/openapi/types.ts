// Shapes shared by the OpenAPI builders.

/** A JSON Schema / OpenAPI object under construction: plain JSON, keyed by OpenAPI's names. */
export type JsonSchema = { [key: string]: unknown };

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}
