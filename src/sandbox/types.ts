// Public types of the sandbox: a simulated relay (BF or new-api 0.9.x) and a scriptable upstream.
// The sandbox re-implements the relay from the reference on its own; it must never import
// src/relay, src/checks, src/data or src/diagnose (tests would then check our code against itself).

import type { DbTarget } from '../db/types.js';

// ---------------------------------------------------------------- upstream

/**
 * What the scripted upstream (a new-api-style legacy gateway) answers:
 * - ok: 200 JSON task (`{"id":"task-…","status":"PENDING"}`)
 * - 5xx: 500 `{"error":{"message":"…(request id: B<time>…)","type":"new_api_error"}}`, its own X-Oneapi-Request-Id
 * - html: 200 text/html page
 * - 401: always 401 `无效的令牌` (use `key` to answer 401 only to a wrong key)
 * - slow: ok after `delayMs` (default 2000) before the headers
 * - reset: the socket is destroyed (TCP RST) as soon as the request arrives
 * - truncate: headers with a Content-Length, then the connection closes mid-body
 * - no-channel: 503 `当前分组 default 下对于模型 <m> 无可用渠道`
 * - cors: ok with duplicated CORS headers (what an old relay build passes on as `*, *`)
 */
export type UpstreamMode = 'ok' | '5xx' | 'html' | '401' | 'slow' | 'reset' | 'truncate' | 'no-channel' | 'cors';

export interface UpstreamScript {
  mode?: UpstreamMode;
  /** When set, any request whose Authorization is not `Bearer <key>` gets 401 (whatever the mode). */
  key?: string;
  /** Delay before the headers, ms. Applies to every mode; `slow` defaults it to 2000. */
  delayMs?: number;
  /** Models listed by GET /v1/models (default runway, pika, kling, suno, minimax). */
  models?: string[];
  /** The group named in the no-channel message (default `default`). */
  group?: string;
  /** Add CORS headers to every answer (mode `cors` duplicates them). */
  cors?: boolean;
}

export interface UpstreamCall {
  at: number;
  method: string;
  /** Path with query, as received. */
  path: string;
  /** Header names lower-cased; credential values (authorization, x-ptoken, cookie, …) read `***`. */
  headers: Record<string, string | string[]>;
  /** Whether Authorization was exactly `Bearer <script.key>` (undefined when no key is scripted). */
  keyMatched?: boolean;
  bodyLength: number;
  /** The body as text (first 4 KiB). */
  body: string;
  /** The mode the call was answered with. */
  mode: UpstreamMode;
}

export interface UpstreamCalls {
  /** Every request received (GET /v1/models included). */
  readonly count: number;
  /** The last 100 requests, oldest first. */
  readonly last: readonly UpstreamCall[];
  /** Requests received per path (without query). */
  readonly byPath: Readonly<Record<string, number>>;
  reset(): void;
}

export interface UpstreamHandle {
  /** Base URL, `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly calls: UpstreamCalls;
  readonly mode: UpstreamMode;
  setMode(mode: UpstreamMode, more?: Omit<UpstreamScript, 'mode'>): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- relay

export type SandboxProduct = 'bltcy' | 'new-api';

export interface RelayOptions {
  /** The relay's database; the sandbox reads it with its own SQL. */
  db: DbTarget;
  /** 'bltcy' (BF, the default) or 'new-api' (0.9.16). */
  product?: SandboxProduct;
  /** The relay's environment: MEMORY_CACHE_ENABLED, SYNC_FREQUENCY, REDIS_CONN_STRING, CRYPTO_SECRET, SESSION_SECRET. */
  env?: Record<string, string | undefined>;
  /** Redis to use (overrides REDIS_CONN_STRING; setting it enables Redis). */
  redisUrl?: string;
  /** Passthrough response-header timeout (default 60 000 ms, as BF). */
  headerTimeoutMs?: number;
  /** Sleep between passthrough GET attempts (default 2000 ms, as BF). */
  getRetryDelayMs?: number;
  /** BF ≥ 2025-11-25: [CacheFallback] to abilities and [CacheRetry] inline rebuild (default false). */
  cacheFallback?: boolean;
  /** Drop upstream CORS headers on passthrough answers (default true; false = builds before 2025-10-11). */
  stripUpstreamCors?: boolean;
  /** Console lines (RB §14.3): a function called per line, an array to push to, or a stream (newline-terminated). */
  log?: ((line: string) => void) | string[] | NodeJS.WritableStream;
  /** `/api/status` data.version (BF default '', new-api default 'v0.9.16'). */
  version?: string;
  /** Downtime of a crashed process before it restarts (default 400 ms). */
  restartDelayMs?: number;
  /**
   * At start-up a nil-map panic is recovered by FixAbility (rebuild abilities from channels, a
   * database write) as in NA ≥ 2025-05-23 and BF. false: exit instead (older builds): a crash loop.
   */
  startupFix?: boolean;
  /** Never write to the database (no token status write-back, no billing rows, no FixAbility). */
  readOnly?: boolean;
  /**
   * Route patterns this build lacks, as an older deployment would (e.g. ['/runwayml/*path'] for a BF
   * build before 2025-10-11, ['/minimax/*path'] before 2025-10-30): they fall through to the web page.
   */
  omitRoutes?: string[];
  /** Start with the periodic sync frozen (as freezeCache(true) right after start). A restart unfreezes. */
  frozen?: boolean;
  /** Fixed port (default 0 = any free port). Kept across simulated restarts. */
  port?: number;
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  /** Route label, e.g. `POST /v1/chat/completions`, `ANY /runwayml/*path`, `web`, `404`, `redirect`. */
  route: string;
  status: number;
  requestId: string;
  /** Channel chosen by Distribute, when any. */
  channelId?: number;
  /** Outbound calls this request made (passthrough attempts, relay calls). */
  upstreamCalls: number;
}

export interface BillingRecord {
  at: number;
  requestId: string;
  tokenId: number;
  userId: number;
  channelId: number;
  group: string;
  model: string;
  quota: number;
  source: 'price' | 'base' | 'ratio' | 'refund';
}

export interface RelayCounters {
  /** Requests answered, in total and per route label. */
  readonly total: number;
  readonly byRoute: Readonly<Record<string, number>>;
  /** The last 200 requests, oldest first. */
  readonly last: readonly RequestRecord[];
  /** Outbound calls to upstreams made by this relay (all requests). */
  readonly upstreamCalls: number;
  /** Charges (passthrough and relayed calls); probes and rejected requests never appear here. */
  readonly billing: readonly BillingRecord[];
  reset(): void;
}

export type RelayState = 'running' | 'crashed' | 'stopped';

export interface RebuildResult {
  ok: boolean;
  /** The panic value when the rebuild panicked (`assignment to entry in nil map`). */
  panic?: string;
}

/** What a node's routing memory holds (group → model → channel ids, in the relay's order). */
export type CacheView = Record<string, Record<string, number[]>>;

export interface RelayHandle {
  /** `http://127.0.0.1:<port>`; stays the same across simulated restarts. */
  readonly url: string;
  /** `/api/status` start_time (unix seconds); changes on every (simulated) restart. */
  readonly startTime: number;
  readonly state: RelayState;
  /** Simulated process restarts so far. */
  readonly restarts: number;
  readonly requests: RelayCounters;
  readonly product: SandboxProduct;
  /** Whether the memory cache is on (MEMORY_CACHE_ENABLED=true or Redis set). */
  readonly memoryCache: boolean;
  /** Rebuild this node's routing cache now, like an admin channel call on this node. */
  rebuildCache(): Promise<RebuildResult>;
  /** Stop (true) or resume (false) the periodic sync of channels and options on this node. */
  freezeCache(frozen: boolean): void;
  /** A copy of the routing cache (empty when the memory cache is off). */
  cacheView(): CacheView;
  /** Resolves after the next periodic sync ran (or rejects after timeoutMs). */
  nextSync(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}
