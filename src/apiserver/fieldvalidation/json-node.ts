// A JSON document as the Go decoder sees it: object members in text order with duplicates kept,
// numbers as their literal text (int64 range and "1.5 into int32" checks need it), strings with
// their raw quoted content (resource.Quantity parses that, not the unescaped value).

export type JsonNode =
  | { readonly t: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] }
  | { readonly t: 'array'; readonly items: readonly JsonNode[] }
  | { readonly t: 'string'; readonly value: string; readonly raw: string }
  | { readonly t: 'number'; readonly text: string }
  | { readonly t: 'bool'; readonly value: boolean }
  | { readonly t: 'null' };

export class JsonSyntaxError extends Error {}

/** Parses JSON text keeping what JSON.parse loses. Throws JsonSyntaxError on malformed input. */
export function parseJsonNodes(text: string): JsonNode {
  const p = new Parser(text);
  p.ws();
  const node = p.value();
  p.ws();
  if (p.i < text.length) p.fail('unexpected data after the top-level value');
  return node;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  fail(why: string): never {
    throw new JsonSyntaxError(`invalid JSON at offset ${this.i}: ${why}`);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.i++;
    }
  }

  value(): JsonNode {
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"': {
        const { value, raw } = this.string();
        return { t: 'string', value, raw };
      }
      case 't':
        return this.literal('true', { t: 'bool', value: true });
      case 'f':
        return this.literal('false', { t: 'bool', value: false });
      case 'n':
        return this.literal('null', { t: 'null' });
      default: {
        NUMBER.lastIndex = this.i;
        const m = NUMBER.exec(this.s);
        if (!m) this.fail(c === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(c)}`);
        this.i += m[0].length;
        return { t: 'number', text: m[0] };
      }
    }
  }

  literal<T extends JsonNode>(word: string, node: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail(`expected ${word}`);
    this.i += word.length;
    return node;
  }

  object(): JsonNode {
    this.i++; // {
    const entries: (readonly [string, JsonNode])[] = [];
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return { t: 'object', entries };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('expected a string key');
      const key = this.string().value;
      this.ws();
      if (this.s[this.i] !== ':') this.fail('expected ":"');
      this.i++;
      this.ws();
      entries.push([key, this.value()]);
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return { t: 'object', entries };
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  array(): JsonNode {
    this.i++; // [
    const items: JsonNode[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return { t: 'array', items };
    }
    for (;;) {
      this.ws();
      items.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return { t: 'array', items };
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }

  string(): { value: string; raw: string } {
    const start = this.i + 1;
    let escaped = false;
    let j = start;
    for (; j < this.s.length; j++) {
      const c = this.s.charCodeAt(j);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        j++;
      }
    }
    if (j >= this.s.length) this.fail('unterminated string');
    const raw = this.s.slice(start, j);
    this.i = j + 1;
    if (!escaped) return { value: raw, raw };
    try {
      return { value: JSON.parse(`"${raw}"`) as string, raw };
    } catch {
      return this.fail('invalid string escape');
    }
  }
}

/**
 * The node form of an already-parsed value. Object keys come out sorted, as Go's encoder
 * writes maps: Kubernetes re-marshals YAML bodies and patched objects that way before the
 * strict decode, so that is the order its errors follow for them.
 */
export function nodeFromValue(v: unknown): JsonNode {
  if (v === null || v === undefined) return { t: 'null' };
  switch (typeof v) {
    case 'string': {
      const raw = JSON.stringify(v).slice(1, -1);
      return { t: 'string', value: v, raw };
    }
    case 'number':
      return { t: 'number', text: String(v) };
    case 'bigint':
      return { t: 'number', text: v.toString() };
    case 'boolean':
      return { t: 'bool', value: v };
    case 'object':
      if (Array.isArray(v)) return { t: 'array', items: v.map(nodeFromValue) };
      if (v instanceof Date) return { t: 'string', value: v.toISOString(), raw: v.toISOString() };
      return {
        t: 'object',
        entries: Object.keys(v)
          .sort()
          .map((k) => [k, nodeFromValue((v as Record<string, unknown>)[k])] as const),
      };
    default:
      return { t: 'null' };
  }
}

