// The OpenAPI documents the server publishes, built once from the schema and the resource
// table, kept serialized with their hashes: requests only pick a Buffer.
import { createHash } from 'node:crypto';
import type { Schema } from '../../api/schema.js';
import { apiVersionOf } from '../../api/types.js';
import { GROUP_VERSIONS, RESOURCES, type ResourceInfo } from '../resources.js';
import { canonicalNames, type RootModel } from './canonical.js';
import { DELETE_OPTIONS_MODEL, groupVersionDocument, SCALE_MODEL, STATUS_MODEL, type Catalog } from './document.js';
import type { GroupVersionKind, JsonSchema } from './types.js';
import { swaggerFromV3, v2Format, V2_PROTOBUF } from './v2.js';

export interface ServedDocument {
  /** Pre-serialized JSON. */
  readonly body: Buffer;
  /** Quoted, for the ETag header. */
  readonly etag: string;
  /** Upper-case hex SHA-512 of body: the `hash` query parameter of serverRelativeURL. */
  readonly hash: string;
}

export interface V3Document extends ServedDocument {
  /** `/openapi/v3/apis/apps/v1?hash=<hash>`, as the index lists it. */
  readonly serverRelativeURL: string;
}

export interface V2Answer {
  readonly status: 200 | 406;
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag?: string;
}

interface Built {
  readonly index: ServedDocument;
  readonly documents: ReadonlyMap<string, V3Document>;
  readonly parsed: readonly JsonSchema[];
  /** Milliseconds the build took. */
  readonly millis: number;
}

export class OpenApiDocs {
  private built: Built | undefined;
  private swagger: ServedDocument | undefined;

  constructor(
    private readonly schema: Schema,
    private readonly resources: readonly ResourceInfo[] = RESOURCES,
    private readonly groupVersions: readonly { group: string; version: string }[] = GROUP_VERSIONS,
  ) {}

  /** GET /openapi/v3: `{paths: {"api/v1": {serverRelativeURL}, "apis/apps/v1": ...}}`. */
  v3Index(): ServedDocument {
    return this.build().index;
  }

  /** GET /openapi/v3/<path>, path like 'api/v1' or 'apis/apps/v1' (no leading slash, no query). */
  v3Document(groupVersionPath: string): V3Document | undefined {
    return this.build().documents.get(groupVersionPath.replace(/^\/+|\/+$/g, ''));
  }

  /** GET /openapi/v2, by the request's Accept header (see v2.ts for why protobuf gets an empty body). */
  v2(accept: string | undefined): V2Answer {
    const format = v2Format(accept);
    if (format === 'protobuf') return { status: 200, contentType: V2_PROTOBUF, body: Buffer.alloc(0) };
    if (format === 'none') return { status: 406, contentType: 'text/plain', body: Buffer.from('Not Acceptable: /openapi/v2 serves application/json and protobuf\n') };
    this.swagger ??= serve(swaggerFromV3(this.build().parsed));
    return { status: 200, contentType: 'application/json', body: this.swagger.body, etag: this.swagger.etag };
  }

  /** Builds now rather than on the first request; returns how long it took (ms). */
  warm(): number {
    return this.build().millis;
  }

  private build(): Built {
    if (this.built !== undefined) return this.built;
    const started = performance.now();
    const catalog = this.catalog();
    const documents = new Map<string, V3Document>();
    const parsed: JsonSchema[] = [];
    const indexPaths: Record<string, { serverRelativeURL: string }> = {};
    for (const gv of this.groupVersions) {
      const path = groupVersionPath(gv.group, gv.version);
      const doc = groupVersionDocument(
        this.resources.filter((r) => r.group === gv.group && r.version === gv.version),
        catalog,
      );
      const served = serve(doc);
      const serverRelativeURL = `/openapi/v3/${path}?hash=${served.hash}`;
      documents.set(path, { ...served, serverRelativeURL });
      indexPaths[path] = { serverRelativeURL };
      parsed.push(doc);
    }
    const index = serve({ paths: indexPaths });
    this.built = { index, documents, parsed, millis: performance.now() - started };
    return this.built;
  }

  private catalog(): Catalog {
    const kinds = new Map<string, GroupVersionKind[]>();
    const addKind = (model: string | undefined, gvk: GroupVersionKind): void => {
      if (model === undefined) return;
      const list = kinds.get(model) ?? [];
      list.push(gvk);
      kinds.set(model, list);
    };
    const roots: RootModel[] = [];
    for (const res of this.resources) {
      addKind(res.model, { group: res.group, version: res.version, kind: res.kind });
      const list = this.schema.modelForKind(res.group, res.version, `${res.kind}List`)?.name;
      addKind(list, { group: res.group, version: res.version, kind: `${res.kind}List` });
      roots.push({ group: res.group, version: res.version, model: res.model });
      if (list !== undefined) roots.push({ group: res.group, version: res.version, model: list });
    }
    addKind(SCALE_MODEL, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    addKind(STATUS_MODEL, { group: '', version: 'v1', kind: 'Status' });
    for (const gv of this.groupVersions) addKind(DELETE_OPTIONS_MODEL, { group: gv.group, version: gv.version, kind: 'DeleteOptions' });
    roots.push(
      { group: 'autoscaling', version: 'v1', model: SCALE_MODEL },
      { group: '', version: 'v1', model: STATUS_MODEL },
      { group: '', version: 'v1', model: DELETE_OPTIONS_MODEL },
    );
    // Core resources first: shared types (PodSpec, ObjectReference) are core/v1 types.
    roots.sort((a, b) => Number(a.group !== '') - Number(b.group !== ''));
    return { schema: this.schema, names: canonicalNames(this.schema, roots), kinds };
  }
}

function serve(doc: unknown): ServedDocument {
  const body = Buffer.from(JSON.stringify(doc));
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, etag: `"${hash}"`, hash };
}

/** 'api/v1' or 'apis/<group>/<version>' for a group-version. */
export function groupVersionPath(group: string, version: string): string {
  const gv = apiVersionOf(group, version);
  return group === '' ? `api/${gv}` : `apis/${gv}`;
}
