// A validator for the subset of JSON Schema (draft-07) that relay-doctor's config schema uses.
// The shipped schema file is the single source of truth: the CLI validates with it, editors read
// it. A keyword outside the subset is refused, so the schema cannot silently outgrow the code.

export type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', 'examples']);
const SUPPORTED = new Set(['type', 'enum', 'properties', 'additionalProperties', 'required', 'items', 'minimum', 'maximum', 'minLength', 'pattern']);

export class SchemaSubsetError extends Error {}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

const where = (path: string) => path || '(top level)';
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v) : JSON.stringify(v));

/** Every problem, one line each, naming the key path (e.g. routes[0].prefix). */
export function validate(value: unknown, schema: Schema, path = ''): string[] {
  for (const k of Object.keys(schema)) {
    if (!ANNOTATIONS.has(k) && !SUPPORTED.has(k)) throw new SchemaSubsetError(`schema keyword "${k}" at ${where(path)} is not supported by relay-doctor's validator`);
  }
  const errors: string[] = [];
  const type = schema.type as string | undefined;
  if (type !== undefined && !matchesType(value, type)) {
    const article = /^[aeiou]/.test(type) ? 'an' : 'a';
    return [`${where(path)} must be ${article} ${type}, got ${typeOf(value)} ${show(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) {
    errors.push(`${where(path)} must be one of ${(schema.enum as unknown[]).map((e) => JSON.stringify(e)).join(', ')}, got ${show(value)}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) errors.push(`${where(path)} must have at least ${schema.minLength} character(s)`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${where(path)} has an invalid value ${show(value)} (expected to match ${schema.pattern})`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${where(path)} must be ≥ ${schema.minimum}, got ${value}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${where(path)} must be ≤ ${schema.maximum}, got ${value}`);
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) errors.push(`${path ? `${path}.` : ''}${r} is required`);
    for (const [k, v] of Object.entries(obj)) {
      const p = path ? `${path}.${k}` : k;
      if (props[k]) errors.push(...validate(v, props[k], p));
      else if (schema.additionalProperties === false) errors.push(`unknown key "${p}"`);
    }
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === 'object') {
    value.forEach((v, i) => errors.push(...validate(v, schema.items as Schema, `${path}[${i}]`)));
  }
  return errors;
}
