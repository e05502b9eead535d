// The server's `ServerPlugins.openapi` hook (src/apiserver/server.ts) over OpenApiDocs.
import type { ServerPlugins } from '../server.js';
import type { OpenApiDocs } from './docs.js';

type OpenApiHook = NonNullable<ServerPlugins['openapi']>;

/**
 * Routes /openapi/v2, /openapi/v3 and /openapi/v3/<group-version>. A document is served
 * whatever `hash` the URL carries: we send no immutable caching headers, so a client holding
 * an older index simply gets the current document (kube-apiserver redirects instead).
 */
export function openApiHook(docs: OpenApiDocs): OpenApiHook {
  return (path, _query, accept) => {
    const p = path.replace(/\/+$/, '');
    if (p === '/openapi/v2') {
      const a = docs.v2(accept);
      return a.etag === undefined ? { code: a.status, contentType: a.contentType, body: a.body } : { code: a.status, contentType: a.contentType, body: a.body, etag: a.etag };
    }
    if (p === '/openapi/v3') {
      const index = docs.v3Index();
      return { code: 200, contentType: 'application/json', body: index.body, etag: index.etag };
    }
    if (p.startsWith('/openapi/v3/')) {
      const doc = docs.v3Document(p.slice('/openapi/v3/'.length));
      return doc === undefined ? undefined : { code: 200, contentType: 'application/json', body: doc.body, etag: doc.etag };
    }
    return undefined;
  };
}
