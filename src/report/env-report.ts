import type { DsnFacts } from '../context/dsn.js';
import type { LayeredEnv } from '../context/env.js';
import type { RelayEnvEntry } from './document.js';
import { scrub } from './scrub.js';

// Redaction by allow-list: only these settings are ever shown with their value. Everything
// else in the relay's environment is left out, whatever its name.

/** Settings that decide caching, sync and node roles: always listed, "unset" when absent. */
const ALWAYS = ['MEMORY_CACHE_ENABLED', 'SYNC_FREQUENCY', 'NODE_TYPE', 'ERROR_LOG_ENABLED'];

/** Other non-secret settings, listed when set. */
const WHEN_SET = [
  'NODE_NAME',
  'BATCH_UPDATE_ENABLED',
  'BATCH_UPDATE_INTERVAL',
  'CHANNEL_UPDATE_FREQUENCY',
  'CHANNEL_TEST_FREQUENCY',
  'RELAY_TIMEOUT',
  'STREAMING_TIMEOUT',
  'TLS_INSECURE_SKIP_VERIFY',
  'SQLITE_PATH',
  'SQLITE_BUSY_TIMEOUT',
  'SQL_MAX_IDLE_CONNS',
  'SQL_MAX_OPEN_CONNS',
  'SQL_MAX_LIFETIME',
  'REDIS_MASTER_NAME',
  'GIN_MODE',
  'DEBUG',
  'PORT',
];

/** Secrets: only whether they are set (and, for DSNs, the engine the relay picks). */
const SECRETS = ['SQL_DSN', 'LOG_SQL_DSN', 'REDIS_CONN_STRING', 'REDIS_PASSWORD', 'CRYPTO_SECRET', 'SESSION_SECRET'];

export const ENV_ALLOW_LIST: readonly string[] = [...ALWAYS, ...WHEN_SET];
export const ENV_SECRET_KEYS: readonly string[] = SECRETS;

/** The engine a DSN selects, without any part of the DSN itself. */
function engineOf(dsn: string): string {
  const d = dsn.trim();
  if (/^postgres(ql)?:\/\//i.test(d)) return 'postgres';
  if (d === 'local' || d === '') return 'sqlite';
  return 'mysql';
}

export function envReport(env: LayeredEnv, dsnFacts?: DsnFacts): RelayEnvEntry[] {
  const out: RelayEnvEntry[] = [];
  const source = (k: string) => (env.sources[k] ? { source: env.sources[k] } : {});
  for (const key of ENV_ALLOW_LIST) {
    const v = env.values[key];
    if (v === undefined && !ALWAYS.includes(key)) continue;
    const value = v === undefined ? 'unset' : scrub(v).slice(0, 200);
    out.push({ key, value, secret: false, ...source(key) });
  }
  for (const key of SECRETS) {
    const v = env.values[key];
    let value = v ? 'set' : 'unset';
    if (v && key === 'SQL_DSN') value = `set (${dsnFacts?.relayEngine && dsnFacts.relayEngine !== 'unparsable' ? dsnFacts.relayEngine : engineOf(v)})`;
    if (v && key === 'LOG_SQL_DSN') value = `set (${engineOf(v)})`;
    out.push({ key, value, secret: true, ...source(key) });
  }
  return out;
}
