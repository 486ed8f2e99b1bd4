import type { RelayDoctorConfig } from '../config/load.js';
import type { DbTarget } from '../db/types.js';
import type { DsnFacts, Product } from './dsn.js';
import type { LayeredEnv } from './env.js';
import type { Secret } from './secret.js';

export interface CommonOptions {
  dsn?: string;
  envFile?: string;
  env?: string[];
  redis?: string;
  relayUrl?: string[];
  json?: boolean;
  profile?: string;
  verbose?: boolean;
  color?: boolean;
  /** relay-doctor's own config file (global --config); default relay-doctor.config.json in cwd. */
  config?: string;
}

export interface TargetOptions {
  path?: string;
  method?: string;
  model?: string;
  body?: string;
  token?: string;
  tokenId?: string;
  tokenName?: string;
  group?: string;
  header?: string[];
}

export interface RequestBody {
  text: string;
  json?: unknown;
  parseError?: string;
}

export interface TargetSpec {
  method: string;
  path?: string;
  model?: string;
  body?: RequestBody;
  /** The key as the user gave it (with sk- and any -suffix); parse with relay/token.parseTokenKey. */
  token?: Secret;
  tokenId?: number;
  tokenName?: string;
  group?: string;
  /** Request headers the client sends (lower-case names); values may be credentials. */
  headers: ReadonlyMap<string, Secret>;
}

export interface RunContext {
  readonly cwd: string;
  readonly env: LayeredEnv;
  readonly envFile?: string;
  readonly db: { target: DbTarget; facts?: DsnFacts; chosenBy: string };
  readonly logDb?: DbTarget;
  readonly redis?: { url: Secret; redacted: string; source: string };
  readonly relayUrls: readonly string[];
  readonly profile?: Product;
  readonly target: TargetSpec;
  readonly output: { json: boolean; verbose: boolean; color: boolean; tty: boolean };
  readonly notImplemented: readonly string[];
  /** Unix seconds at the start of the run: every time comparison uses this one clock. */
  readonly now: number;
  /** Every option of the command as commander parsed it (features read their own flags here). */
  readonly flags: Readonly<Record<string, unknown>>;
  /** relay-doctor.config.json (or --config): custom routes, thresholds, defaults. {} when absent. */
  readonly config: RelayDoctorConfig;
  readonly configFile?: string;
}
