import fs from 'node:fs';

/** Parse a .env file the way docker/compose and godotenv read it (KEY=VALUE, quotes, export, #). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!;
    let value = m[2]!;
    if ((value.startsWith('"') && value.endsWith('"') && value.length >= 2) || (value.startsWith("'") && value.endsWith("'") && value.length >= 2)) {
      const quote = value[0];
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[key] = value;
  }
  return out;
}

export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read --env-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseEnvFile(text);
}

/** Variables the relay reads; only these are taken from the process environment. */
export const RELAY_ENV_KEYS = [
  'SQL_DSN',
  'LOG_SQL_DSN',
  'SQLITE_PATH',
  'SQLITE_BUSY_TIMEOUT',
  'REDIS_CONN_STRING',
  'REDIS_PASSWORD',
  'REDIS_MASTER_NAME',
  'MEMORY_CACHE_ENABLED',
  'SYNC_FREQUENCY',
  'CRYPTO_SECRET',
  'SESSION_SECRET',
  'NODE_TYPE',
  'NODE_NAME',
  'FRONTEND_BASE_URL',
  'ERROR_LOG_ENABLED',
  'BATCH_UPDATE_ENABLED',
  'BATCH_UPDATE_INTERVAL',
  'CHANNEL_UPDATE_FREQUENCY',
  'CHANNEL_TEST_FREQUENCY',
  'RELAY_TIMEOUT',
  'STREAMING_TIMEOUT',
  'TLS_INSECURE_SKIP_VERIFY',
  'PORT',
  'DEBUG',
  'GIN_MODE',
  'SQL_MAX_IDLE_CONNS',
  'SQL_MAX_OPEN_CONNS',
  'SQL_MAX_LIFETIME',
  'TRUSTED_PROXIES',
] as const;

export type EnvSource = 'env-file' | 'process' | '--env' | 'config';

export interface LayeredEnv {
  values: Record<string, string>;
  sources: Record<string, EnvSource>;
}

/** Lowest first: the relay's .env file, the process environment, then --env KEY=VALUE. */
export function layerEnv(fileVars: Record<string, string>, processEnv: NodeJS.ProcessEnv, cliVars: Record<string, string>): LayeredEnv {
  const values: Record<string, string> = {};
  const sources: Record<string, EnvSource> = {};
  for (const [k, v] of Object.entries(fileVars)) {
    values[k] = v;
    sources[k] = 'env-file';
  }
  for (const k of RELAY_ENV_KEYS) {
    const v = processEnv[k];
    if (v !== undefined) {
      values[k] = v;
      sources[k] = 'process';
    }
  }
  for (const [k, v] of Object.entries(cliVars)) {
    values[k] = v;
    sources[k] = '--env';
  }
  return { values, sources };
}

export function parseEnvAssignments(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`--env expects KEY=VALUE, got "${item.split('=')[0]}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
