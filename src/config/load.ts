import fs from 'node:fs';
import path from 'node:path';
import type { Product } from '../context/dsn.js';
import { routeTable, type CustomRoute } from '../relay/routes.js';
import { UsageError } from '../types.js';
import { validate, type Schema } from './validate.js';

export const CONFIG_FILE = 'relay-doctor.config.json';

export interface RelayDoctorConfig {
  profile?: Product;
  routes?: CustomRoute[];
  thresholds?: { dbSlowMs?: number; upstreamSlowMs?: number };
  relayUrls?: string[];
}

export interface LoadedConfig {
  /** The file read, when there was one. */
  file?: string;
  config: RelayDoctorConfig;
}

let schemaCache: Schema | undefined;

/** The JSON Schema shipped in the package (schema/ beside dist/ and src/). */
export function configSchema(): Schema {
  if (!schemaCache) {
    const url = new URL('../../schema/relay-doctor.config.schema.json', import.meta.url);
    schemaCache = JSON.parse(fs.readFileSync(url, 'utf8')) as Schema;
  }
  return schemaCache;
}

/** Problems with a parsed config, one line each (empty when valid). */
export function configProblems(value: unknown): string[] {
  return validate(value, configSchema());
}

/** Parse and validate config text; `name` is how errors refer to the file. */
export function parseConfig(text: string, name: string): RelayDoctorConfig {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsageError(`${name} is not valid JSON: ${(err as Error).message}`);
  }
  const problems = configProblems(value);
  if (problems.length) throw new UsageError(`${name}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''}`);
  const cfg = value as RelayDoctorConfig & { $schema?: string };
  delete cfg.$schema;
  const prefixes = new Set<string>();
  cfg.routes?.forEach((r, i) => {
    const p = r.prefix.replace(/\/+$/, '');
    if (prefixes.has(p)) throw new UsageError(`${name}: routes[${i}].prefix ${JSON.stringify(r.prefix)} is listed twice`);
    prefixes.add(p);
  });
  if (cfg.routes?.length) {
    try {
      routeTable('bltcy', cfg.routes); // the fork's own rules: plain prefixes that collide with no route
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${name}: ${err.message}`);
      throw err;
    }
  }
  return cfg;
}

/** --config <file>, else relay-doctor.config.json in the working directory, else nothing. */
export function loadConfig(cwd: string, explicit?: string): LoadedConfig {
  const file = explicit !== undefined ? path.resolve(cwd, explicit) : path.join(cwd, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (explicit === undefined && code === 'ENOENT') return { config: {} };
    throw new UsageError(`cannot read ${explicit !== undefined ? '--config ' : ''}${explicit ?? CONFIG_FILE}: ${code ?? (err as Error).message}`);
  }
  return { file, config: parseConfig(text, explicit ?? CONFIG_FILE) };
}
