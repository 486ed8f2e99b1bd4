import type { Classification } from './catalogue.js';
import type { Failure } from './http.js';

// What the live gatherers found, stored on the snapshot (Snapshot.live) for the checks to read.

/** One read of GET /api/status (RB §1.1, §11.2). */
export interface StatusRead {
  /** Unix milliseconds. */
  at: number;
  ok: boolean;
  httpStatus?: number;
  version?: string;
  startTime?: number;
  systemName?: string;
  setup?: boolean;
  /** X-New-Api-Version header (new-api ≥ 2026-01-30). */
  headerVersion?: string;
  /** What the answer says about the product. */
  productHint?: 'bltcy' | 'new-api' | 'one-api';
  hints: string[];
  failure?: Failure;
  /** Set when the answer was not the status JSON (HTML page, other JSON). */
  notStatus?: string;
}

export type Purpose = 'routing-probe' | 'route-check' | 'passthrough-get' | 'live';

/** One request relay-doctor sent and what came back. */
export interface Exchange {
  purpose: Purpose;
  method: string;
  path: string;
  /** Unix milliseconds. */
  at: number;
  ms: number;
  /** The model of the zero-cost probe. */
  model?: string;
  status?: number;
  failure?: Failure;
  classification?: Classification;
  /** First 300 characters of the body, secrets removed. */
  excerpt?: string;
  /** Headers worth showing (request ids, content type). */
  headers?: Record<string, string[]>;
}

export interface NodeFacts {
  url: string;
  /** Printable name: the URL without credentials. */
  label: string;
  statusStart: StatusRead;
  statusEnd?: StatusRead;
  routing?: Exchange;
  route?: Exchange;
  passthroughGet?: Exchange;
  live?: Exchange;
  /** The zero-cost probe again, after --recheck-after. */
  recheck?: Exchange;
}

export interface RecheckFacts {
  /** Seconds waited before the second probe (0 when no second probe ran). */
  waitedS: number;
  /** How it was decided: --recheck-after, a TTY answer, or why it did not run. */
  how: string;
  ran: boolean;
}

export interface RelayFacts {
  nodes: NodeFacts[];
  /** The routing model the zero-cost probe used. */
  probeModel?: string;
  /** Why parts of the probe did not run. */
  notes: string[];
  recheck?: RecheckFacts;
  live?: { requested: boolean; sent: boolean; how: string };
}

export interface RedisHash {
  key: string;
  /** Seconds; -1 no expiry, -2 missing. */
  ttl: number;
  fields: Record<string, string>;
}

export interface RedisFacts {
  ok: boolean;
  error?: string;
  /** new-api HMAC hash format or one-api's JSON strings. */
  format: 'new-api' | 'one-api';
  /** How the token hash was found. */
  tokenLookup: 'hmac' | 'scan' | 'one-api-key' | 'none';
  /** The secret variable the HMAC used (never its value). */
  secretFrom?: 'CRYPTO_SECRET' | 'SESSION_SECRET';
  tokenId?: number;
  userId?: number;
  /** new-api token hashes (several when SCAN finds copies written by nodes with other secrets). */
  tokenHashes: RedisHash[];
  /** SCAN statistics when used. */
  scan?: { keysSeen: number; complete: boolean };
  userHash?: RedisHash;
  authVersion?: { key: string; value: string; ttl: number };
  authFence?: { key: string; value: string; ttl: number };
  /** one-api keys. */
  oneApi?: { token?: { ttl: number; json: Record<string, unknown> | null; raw?: string }; userGroup?: { key: string; value: string; ttl: number }; userEnabled?: { key: string; value: string; ttl: number } };
  /** The Redis database index (for redis-cli -n). */
  dbIndex: number;
}

export interface SeenFacts {
  status?: number;
  headers: Record<string, string[]>;
  body?: string;
  /** Where each part came from ('--seen-body', a file name). */
  from: string[];
}

export interface LiveFacts {
  relay?: RelayFacts;
  redis?: RedisFacts;
  seen?: SeenFacts;
}
