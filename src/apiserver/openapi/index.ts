// OpenAPI documents for kubectl: explain, server-side field validation detection, and (1.29+)
// apply's strategic merge patches all read /openapi/v3; /openapi/v2 only has to parse.
//
// Serving (build once at startup with `docs.warm()`, or lazily on first request):
//
//   const docs = new OpenApiDocs(loadSchema());
//
//   GET /openapi/v3
//     -> 200 application/json, body docs.v3Index().body, ETag docs.v3Index().etag,
//        Cache-Control: no-cache, private (the index changes when a document does)
//   GET /openapi/v3/<api/v1 | apis/<group>/<version>>[?hash=H]
//     d = docs.v3Document(path) (path without the leading '/openapi/v3/' and without query)
//     -> undefined: 404
//     -> hash given and != d.hash: 301 to d.serverRelativeURL (what kube-apiserver does)
//     -> else 200 application/json, body d.body, ETag d.etag; when the hash matched:
//        Cache-Control: public, immutable (clients cache documents by URL)
//     (If-None-Match equal to the ETag -> 304 is fine for both.)
//   GET /openapi/v2
//     a = docs.v2(req.headers.accept)
//     -> status a.status, Content-Type a.contentType, body a.body (ETag a.etag when set).
//        kubectl's protobuf Accept gets an empty protobuf body: see v2.ts for why.
//
// Or plug `openApiHook(docs)` in as ServerPlugins.openapi, which does the above routing.

export { OpenApiDocs, groupVersionPath, type ServedDocument, type V2Answer, type V3Document } from './docs.js';
export { V2_PROTOBUF } from './v2.js';
export { openApiHook } from './plugin.js';
