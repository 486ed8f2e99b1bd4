import type { RouteBody } from './route-types.js';

// Request bodies as the relays read them: Content-Type tests, Go's encoding/json errors, and the
// model read of each relay family.

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

export class Body {
  readonly ct: string;
  readonly input: RouteBody | undefined;

  constructor(input: RouteBody | undefined) {
    this.input = input;
    const guess = input?.json !== undefined || input?.text !== undefined || input?.parseError !== undefined ? 'application/json' : input?.form ? 'multipart/form-data' : '';
    this.ct = input?.contentType ?? guess;
  }

  // The relays test Content-Type with case-sensitive prefix / substring checks.
  get isJson(): boolean {
    return this.ct.startsWith('application/json');
  }
  get isMultipart(): boolean {
    return this.ct.includes('multipart/form-data');
  }
  get isUrlencoded(): boolean {
    return this.ct.includes('application/x-www-form-urlencoded');
  }
  /** gin's c.ContentType(): the media type without parameters. */
  get mediaType(): string {
    return (this.ct.split(';')[0] ?? '').trim();
  }

  parse(): Parsed {
    if (this.input?.text === undefined && this.input?.json !== undefined) return { ok: true, value: this.input.json };
    if (this.input?.text === undefined && this.input?.parseError !== undefined) return { ok: false, error: 'invalid JSON input' };
    const raw = this.input?.text ?? '';
    try {
      return { ok: true, value: JSON.parse(raw) as unknown };
    } catch (e) {
      return { ok: false, error: goSyntaxError(raw, (e as Error).message) };
    }
  }

  formValues(): Record<string, string | string[]> {
    return this.input?.form ?? {};
  }

  /** gin's c.PostForm: first value of a form or multipart field. */
  postForm(name: string): string {
    if (!this.isMultipart && !this.isUrlencoded) return '';
    return first(this.input?.form?.[name]);
  }

  /** The same request with a body rewritten by a converter (Content-Type unchanged). */
  rewritten(json: unknown): Body {
    return new Body({ json, contentType: this.ct });
  }
}

export function first(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

// Go's encoding/json wording for the common cases; wording past the first character is approximate.
function goSyntaxError(raw: string, v8: string): string {
  const t = raw.trimStart();
  if (t === '') return 'unexpected end of JSON input';
  const c = t[0]!;
  if (!'{["tfn-0123456789'.includes(c)) return `invalid character '${c}' looking for beginning of value`;
  const pos = /position (\d+)/.exec(v8);
  if (/end of JSON input|Unterminated/.test(v8) || (pos && Number(pos[1]) >= raw.length)) return 'unexpected end of JSON input';
  if (pos && /after JSON/.test(v8)) return `invalid character '${raw[Number(pos[1])]}' after top-level value`;
  if (pos) return `invalid character '${raw[Number(pos[1])]}' in JSON`;
  return 'invalid JSON input';
}

function goKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Decoded {
  values: Record<string, string>;
  error?: string;
}

/** encoding/json into a struct of string fields: keys match case-insensitively, null is a no-op. */
export function decodeGo(v: unknown, fields: string[], struct = 'ModelRequest', pkg = 'middleware'): Decoded {
  const values: Record<string, string> = {};
  if (v === null) return { values };
  if (!isObject(v)) return { values, error: `json: cannot unmarshal ${goKind(v)} into Go value of type ${pkg}.${struct}` };
  let error: string | undefined;
  for (const [k, val] of Object.entries(v)) {
    const f = fields.find((x) => x === k) ?? fields.find((x) => x.toLowerCase() === k.toLowerCase());
    if (!f || val === null) continue;
    if (typeof val === 'string') values[f] = val;
    else error ??= `json: cannot unmarshal ${goKind(val)} into Go struct field ${struct}.${f} of type string`;
  }
  return error ? { values, error } : { values };
}

export type Flavor = 'go' | 'na' | 'one';

export interface ModelRead {
  model: string;
  group: string;
  error?: string;
}

const readOf = (d: Decoded): ModelRead => ({ model: d.values.model ?? '', group: d.values.group ?? '', ...(d.error ? { error: d.error } : {}) });

/**
 * The body's model as each relay reads it: 'go' = UnmarshalBodyReusable of BF and NA-0.9 (JSON
 * only), 'na' = NA-main getModelFromRequest (gjson for JSON, forms decoded), 'one' = one-api
 * (JSON, else gin's form binding over form fields and query).
 */
export function readModelRequest(body: Body, flavor: Flavor, method = 'POST', query = new URLSearchParams()): ModelRead {
  if (body.isJson) {
    const p = body.parse();
    if (flavor === 'na') {
      if (!p.ok) return { model: '', group: '', error: 'invalid JSON request body' };
      const out: ModelRead = { model: '', group: '' };
      for (const f of ['model', 'group'] as const) {
        const v = isObject(p.value) ? p.value[f] : undefined;
        if (v === undefined || v === null) continue;
        if (typeof v !== 'string') return { ...out, error: `field ${f} must be a string` };
        out[f] = v;
      }
      return out;
    }
    if (!p.ok) return { model: '', group: '', error: p.error };
    return readOf(decodeGo(p.value, flavor === 'one' ? ['model'] : ['model', 'group']));
  }
  if (flavor === 'na' && (body.isUrlencoded || body.isMultipart)) return readOf(decodeGo(body.formValues(), ['model', 'group']));
  if (flavor === 'one') {
    const fromBody = method !== 'GET' && (body.isUrlencoded || body.isMultipart) ? first(body.formValues().model) : '';
    return { model: fromBody || (query.get('model') ?? ''), group: '' };
  }
  return { model: '', group: '' };
}

/** UnmarshalBodyReusable into map[string]interface{} (the Kling and Jimeng converters). */
export function readMap(body: Body, flavor: Flavor): { map?: Record<string, unknown>; error?: string } {
  if (body.isJson) {
    const p = body.parse();
    if (!p.ok) return { error: p.error };
    if (p.value === null) return {};
    if (!isObject(p.value)) return { error: `json: cannot unmarshal ${goKind(p.value)} into Go value of type map[string]interface {}` };
    return { map: p.value };
  }
  if (flavor === 'na' && (body.isUrlencoded || body.isMultipart)) {
    const map: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body.formValues())) map[k] = Array.isArray(v) && v.length === 1 ? v[0] : v;
    return { map };
  }
  return {};
}

export const str = (m: Record<string, unknown> | undefined, k: string): string => (typeof m?.[k] === 'string' ? (m[k] as string) : '');
