// The pod-template-hash (controller.ComputeHash): a stable hash of a Deployment's pod template
// plus its collisionCount, written with the alphabet Kubernetes uses for generated names, so the
// ReplicaSet of a template is always `<deployment>-<hash>` and an equal template (a rollback,
// a re-apply) finds the same ReplicaSet again.
//
// Kubernetes hashes the Go struct's printed form; we hash canonical JSON of the template.
// Both sides of the API agree on what "equal" means through `canonicalTemplate`: keys sorted,
// and values the typed API treats as absent (null, false, "", {}, []) dropped, so that a
// template that went through a Go client (kubectl rollout undo re-encodes it, adding
// `creationTimestamp: null` and dropping empty fields) still equals the stored one.
import type { PodTemplateSpec } from '../../api/core.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The alphabet of generated names and hashes: no vowels, no confusable 0/1/3 (rand.SafeEncodeString). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Maps each character onto the safe alphabet (rand.SafeEncodeString). */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** Canonical form: sorted keys, absent-equivalent members dropped (list elements keep their place). */
export function canonicalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((e) => (e !== null && typeof e === 'object' ? canonicalize(e) : e));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonicalize((v as Record<string, unknown>)[k]);
      if (!isEmpty(c)) out[k] = c;
    }
    return out;
  }
  return v;
}

/** The template's canonical JSON without the pod-template-hash label. */
export function canonicalTemplate(template: PodTemplateSpec): string {
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  return JSON.stringify(canonicalize({ ...template, metadata: { ...(template.metadata ?? {}), labels } }));
}

/** EqualIgnoreHash: two templates are the same rollout target when only their hash labels differ. */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalTemplate(a) === canonicalTemplate(b);
}

/** ComputeHash: the pod-template-hash of a template under a collision count (about 10 characters). */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalTemplate(template)));
  if (collisionCount !== undefined) {
    // The count as 8 little-endian bytes, as Kubernetes appends it.
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncode(String(h));
}
