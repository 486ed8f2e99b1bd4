import type { OptionMap } from './model.js';

// Options the relay decodes as JSON maps (RB §13). Invalid JSON empties the map in the relay.
export type OptionShape = 'number-map' | 'string-map' | 'string-array' | 'map-of-number-maps' | 'map-of-string-maps';

export const JSON_OPTIONS: Record<string, OptionShape> = {
  GroupRatio: 'number-map',
  UserUsableGroups: 'string-map',
  ModelRatio: 'number-map',
  ModelPrice: 'number-map',
  CompletionRatio: 'number-map',
  CacheRatio: 'number-map',
  CreateCacheRatio: 'number-map',
  ImageRatio: 'number-map',
  AudioRatio: 'number-map',
  AudioCompletionRatio: 'number-map',
  AutoGroups: 'string-array',
  GroupGroupRatio: 'map-of-number-maps',
  'group_ratio_setting.group_special_usable_group': 'map-of-string-maps',
};

/** Built-in defaults the relay uses when the options table has no row (RB §13). */
export const OPTION_DEFAULTS: Record<string, string> = {
  GroupRatio: '{"default":1,"vip":1,"svip":1}',
  UserUsableGroups: '{"default":"默认分组","vip":"vip分组"}',
  AutoGroups: '["default"]',
};

export interface ParsedOption<T> {
  value: T;
  /** Set when the text is not valid JSON of the expected shape. */
  problem?: string;
  /** Where the value came from. */
  source: 'table' | 'default' | 'absent';
  raw?: string;
}

function typeOk(shape: OptionShape, v: unknown): string | undefined {
  const isObj = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x);
  switch (shape) {
    case 'number-map':
      if (!isObj(v)) return 'expected a JSON object';
      for (const [k, x] of Object.entries(v as object)) if (typeof x !== 'number') return `value of "${k}" is not a number`;
      return undefined;
    case 'string-map':
      if (!isObj(v)) return 'expected a JSON object';
      for (const [k, x] of Object.entries(v as object)) if (typeof x !== 'string') return `value of "${k}" is not a string`;
      return undefined;
    case 'string-array':
      if (!Array.isArray(v)) return 'expected a JSON array';
      if (v.some((x) => typeof x !== 'string')) return 'array holds a non-string';
      return undefined;
    case 'map-of-number-maps':
    case 'map-of-string-maps':
      if (!isObj(v)) return 'expected a JSON object';
      for (const [k, inner] of Object.entries(v as object)) {
        const p = typeOk(shape === 'map-of-number-maps' ? 'number-map' : 'string-map', inner);
        if (p) return `"${k}": ${p}`;
      }
      return undefined;
  }
}

/**
 * Decode an option the way the relay ends up holding it. The relay clears the map, then decodes:
 * a syntax error leaves it empty; a type error leaves the entries decoded before it (we keep
 * the entries of the right type, which is the best approximation of "partial").
 */
export function parseOption(options: OptionMap, key: string): ParsedOption<unknown> {
  const shape = JSON_OPTIONS[key];
  const raw = options.get(key);
  const text = raw ?? OPTION_DEFAULTS[key];
  const source = raw !== undefined ? 'table' : text !== undefined ? 'default' : 'absent';
  const emptyOf = shape === 'string-array' ? [] : {};
  if (text === undefined) return { value: emptyOf, source };
  if (!shape) return { value: text, source, raw };
  if (text.trim() === '') return { value: emptyOf, source, raw };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { value: emptyOf, source, raw, problem: `not valid JSON (${(err as Error).message})` };
  }
  const p = typeOk(shape, v);
  if (!p) return { value: v, source, raw };
  if (shape === 'string-array') return { value: Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [], source, raw, problem: p };
  if (shape === 'number-map' || shape === 'string-map') {
    const want = shape === 'number-map' ? 'number' : 'string';
    const kept = v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as object).filter(([, x]) => typeof x === want)) : {};
    return { value: kept, source, raw, problem: p };
  }
  return { value: {}, source, raw, problem: p };
}

export function numberMap(options: OptionMap, key: string): Record<string, number> {
  return parseOption(options, key).value as Record<string, number>;
}

export function stringMap(options: OptionMap, key: string): Record<string, string> {
  return parseOption(options, key).value as Record<string, string>;
}

export function stringArray(options: OptionMap, key: string): string[] {
  return parseOption(options, key).value as string[];
}

export function boolOption(options: OptionMap, key: string, fallback = false): boolean {
  const v = options.get(key);
  return v === undefined ? fallback : v === 'true';
}
