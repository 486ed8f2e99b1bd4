// startRelay: one simulated relay process (a "node") on loopback. It reads the relay database with
// its own SQL, keeps its own routing cache and option maps, refreshes them every SYNC_FREQUENCY
// seconds unless frozen, and crash-loops like a container when the periodic rebuild panics.

import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { openDb } from '../db/open.js';
import type { Db } from '../db/types.js';
import { adminAuth, tokenAuth } from './auth.js';
import { ChannelCache, GoPanic } from './cache.js';
import { Console, panicAnswer, sendJson, type Ctx, type Node } from './context.js';
import { distribute } from './distribute.js';
import { consoleTime, goDuration, readBody, requestId } from './http.js';
import { relayBltcy } from './passthrough.js';
import { RelayRedis } from './redis.js';
import { matchRoute, type Route } from './routes.js';
import { defaultSettings, loadSettings, type Settings } from './settings.js';
import { Store } from './store.js';
import { apiStatus, listModels, relayText } from './text.js';
import type { BillingRecord, CacheView, RebuildResult, RelayCounters, RelayHandle, RelayOptions, RelayState, RequestRecord, SandboxProduct } from './types.js';

const KEEP_REQUESTS = 200;

/** SYNC_FREQUENCY as the relay reads it: integer seconds, default 60, unparsable → default with a log line. */
function syncFrequency(env: Record<string, string | undefined>, log: Console): number {
  const raw = env.SYNC_FREQUENCY;
  if (raw === undefined || raw === '') return 60;
  if (!/^-?\d+$/.test(raw.trim())) {
    log.sys(`failed to parse SYNC_FREQUENCY: strconv.Atoi: parsing "${raw}": invalid syntax, using default value: 60`);
    return 60;
  }
  return Number(raw.trim());
}

function webPage(title: string): string {
  return (
    `<!doctype html><html lang="zh"><head><meta charset="utf-8" /><link rel="icon" href="/logo.png" />` +
    `<meta name="viewport" content="width=device-width, initial-scale=1" /><title>${title}</title>` +
    `<script type="module" crossorigin src="/assets/index.js"></script></head>` +
    `<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>`
  );
}

function clientIp(req: IncomingMessage): string {
  // gin trusts forwarding headers by default.
  const xff = req.headers['x-forwarded-for'];
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
  if (first) return first;
  const real = req.headers['x-real-ip'];
  if (typeof real === 'string' && real.trim()) return real.trim();
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Sora multipart: the form field `model` (SoraVideosAdapter). */
function multipartModel(body: Buffer): string {
  const m = /name="model"\r?\n(?:[^\r\n]*\r?\n)*?\r?\n([^\r\n]*)/.exec(body.toString('latin1'));
  return m?.[1] ?? '';
}

/** JSON with keys sorted, as Go re-serialises a generic map. */
function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export async function startRelay(opts: RelayOptions): Promise<RelayHandle> {
  const product: SandboxProduct = opts.product ?? 'bltcy';
  const env = opts.env ?? {};
  const log = new Console(opts.log);
  const syncSeconds = syncFrequency(env, log);
  const redisUrl = opts.redisUrl ?? (env.REDIS_CONN_STRING || undefined);
  const memoryCache = env.MEMORY_CACHE_ENABLED === 'true' || !!redisUrl;
  const readOnly = opts.readOnly ?? false;
  const version = opts.version ?? (product === 'bltcy' ? '' : 'v0.9.16');
  const restartDelayMs = opts.restartDelayMs ?? 400;
  const startupFix = opts.startupFix ?? true;

  const db: Db = await openDb(opts.db, { readOnly, poolSize: 4 });
  const store = new Store(db);

  // Per-process state, replaced on every (simulated) restart.
  let cache = new ChannelCache();
  let settings: Settings = defaultSettings(product);
  let redis: RelayRedis | undefined;
  let startTime = 0;
  let state: RelayState = 'stopped';
  let frozen = false;
  let restarts = 0;
  let syncTimer: NodeJS.Timeout | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let syncWaiters: (() => void)[] = [];
  let generation = 0;
  let stopped = false;
  let fixing = false;

  // Counters survive restarts: they describe what the test saw.
  let total = 0;
  let byRoute: Record<string, number> = {};
  let last: RequestRecord[] = [];
  let upstreamCalls = 0;
  let billing: BillingRecord[] = [];
  const counters: RelayCounters = {
    get total() {
      return total;
    },
    get byRoute() {
      return byRoute;
    },
    get last() {
      return last;
    },
    get upstreamCalls() {
      return upstreamCalls;
    },
    get billing() {
      return billing;
    },
    reset() {
      total = 0;
      byRoute = {};
      last = [];
      upstreamCalls = 0;
      billing = [];
    },
  };

  const node: Node = {
    product,
    store,
    get cache() {
      return cache;
    },
    get settings() {
      return settings;
    },
    set settings(s: Settings) {
      settings = s;
    },
    get redis() {
      return redis;
    },
    memoryCache,
    syncSeconds,
    get startTime() {
      return startTime;
    },
    version,
    headerTimeoutMs: opts.headerTimeoutMs ?? 60_000,
    getRetryDelayMs: opts.getRetryDelayMs ?? 2000,
    cacheFallback: opts.cacheFallback ?? false,
    stripUpstreamCors: opts.stripUpstreamCors ?? true,
    readOnly,
    console: log,
    rebuildInline: () => cache.rebuild(store),
    bill: (rec) => billing.push(rec),
    countUpstream: () => {
      upstreamCalls++;
    },
  };

  async function syncOptions(): Promise<void> {
    try {
      const rows = await store.options();
      settings = loadSettings(product, rows, (_k, err) => log.sys(`failed to update option map: ${err}`));
    } catch (e) {
      log.sys(`failed to sync options: ${(e as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- process lifecycle

  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let port = opts.port ?? 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const unlisten = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });

  /** The process dies: stderr panic, no answers, then the container restarts it. */
  async function crash(reason: string): Promise<void> {
    if (stopped) return;
    generation++;
    state = 'crashed';
    clearTimeout(syncTimer);
    log.raw(reason);
    await unlisten();
    await redis?.close();
    redis = undefined;
    restartTimer = setTimeout(() => {
      restarts++;
      void boot().catch((e: Error) => crash(`exit: ${e.message}`));
    }, restartDelayMs);
  }

  function scheduleSync(gen: number): void {
    const ms = Math.max(syncSeconds, 0) * 1000 || 50;
    syncTimer = setTimeout(() => void syncTick(gen), ms);
  }

  async function syncTick(gen: number): Promise<void> {
    if (gen !== generation || state !== 'running') return;
    if (!frozen) {
      log.sys('syncing options from database');
      await syncOptions();
      if (memoryCache) {
        log.sys('syncing channels from database');
        try {
          await cache.rebuild(store);
          log.sys('channels synced from database');
        } catch (e) {
          if (e instanceof GoPanic) {
            await crash(`panic: ${e.message}\n\ngoroutine 1 [running]:\none-api/model.InitChannelCache()\n\tmodel/channel_cache.go:54 +0x5c5`);
            return;
          }
          throw e;
        }
      }
      const waiters = syncWaiters;
      syncWaiters = [];
      for (const w of waiters) w();
    }
    if (gen === generation && state === 'running') scheduleSync(gen);
  }

  /** Process start: options, Redis, the first cache build (with the start-up recovery), the sync loop. */
  async function boot(): Promise<void> {
    const gen = ++generation;
    cache = new ChannelCache();
    frozen = false;
    startTime = Math.max(Math.floor(Date.now() / 1000), startTime + 1);
    log.sys(`${product === 'bltcy' ? 'API Gateway' : 'New API'} ${version || 'v0.0.0'} started`);
    log.sys(db.engine === 'postgres' ? 'using PostgreSQL as database' : db.engine === 'mysql' ? 'using MySQL as database' : 'SQL_DSN not set, using SQLite as database');
    if (redisUrl) {
      const secret = env.CRYPTO_SECRET || env.SESSION_SECRET || randomUUID();
      const ttl = env.SYNC_FREQUENCY === undefined || env.SYNC_FREQUENCY === '' ? 60 : syncSeconds;
      if (env.SYNC_FREQUENCY === undefined || env.SYNC_FREQUENCY === '') log.sys('SYNC_FREQUENCY not set, use default value 60');
      const r = new RelayRedis(redisUrl, secret, ttl, product);
      try {
        await r.connect();
      } catch (e) {
        await r.close();
        log.raw(`[FATAL] ${consoleTime()} | [Redis ping test failed: ${(e as Error).message}] `);
        throw new Error(`Redis ping test failed: ${(e as Error).message}`);
      }
      redis = r;
      log.sys('Redis is enabled');
    } else log.sys('REDIS_CONN_STRING not set, Redis is not enabled');
    await syncOptions();
    if (memoryCache) {
      log.sys('memory cache enabled');
      log.sys(`sync frequency: ${syncSeconds} seconds`);
      try {
        await cache.rebuild(store);
        log.sys('channels synced from database');
      } catch (e) {
        if (!(e instanceof GoPanic)) throw e;
        if (!startupFix) {
          await crash(`panic: ${e.message}\n\ngoroutine 1 [running]:\none-api/model.InitChannelCache()`);
          return;
        }
        log.sys(`InitChannelCache panic: ${e.message}, retrying once`);
        try {
          if (readOnly) throw new Error('database is read-only');
          await store.fixAbilities();
          await cache.rebuild(store);
          log.sys('channels synced from database');
        } catch (e2) {
          log.raw(`[FATAL] ${consoleTime()} | [InitChannelCache failed: ${(e2 as Error).message}] `);
          await crash(`exit status 1`);
          return;
        }
      }
    }
    if (!server.listening) await listen();
    state = 'running';
    scheduleSync(gen);
  }

  // ---------------------------------------------------------------- request handling

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const t0 = performance.now();
    const rid = requestId();
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi >= 0 ? url.slice(0, qi) : url;
    const rawQuery = qi >= 0 ? url.slice(qi + 1) : '';
    const method = req.method ?? 'GET';
    const record: RequestRecord = { at: started, method, path, route: 'web', status: 0, requestId: rid, upstreamCalls: 0 };
    const ctx: Ctx = {
      req,
      res,
      method,
      path,
      rawQuery,
      headers: lowerHeaders(req),
      rid,
      started,
      clientIp: clientIp(req),
      route: 'web',
      userId: 0,
      usingGroup: '',
      userGroup: '',
      username: '',
      routingModel: '',
      record,
    };
    res.setHeader('X-Oneapi-Request-Id', rid);
    res.on('finish', () => {
      record.status = res.statusCode;
      record.route = ctx.route;
      total++;
      byRoute[ctx.route] = (byRoute[ctx.route] ?? 0) + 1;
      last.push(record);
      if (last.length > KEEP_REQUESTS) last = last.slice(-KEEP_REQUESTS);
      const ip = ctx.clientIp.padStart(15);
      log.raw(`[GIN] ${consoleTime()} | ${rid} | ${String(res.statusCode).padStart(3)} | ${goDuration(performance.now() - t0).padStart(13)} | ${ip} | ${method.padStart(7)} ${path}`);
    });
    try {
      ctx.body = await readBody(req);
      await dispatch(ctx);
    } catch (e) {
      if (e instanceof GoPanic) panicAnswer(node, ctx, e.message);
      else {
        log.sys(`sandbox error: ${(e as Error).message}`);
        if (!res.headersSent) sendJson(ctx, 500, { error: { message: (e as Error).message, type: 'new_api_error', code: '' } });
      }
    } finally {
      if (!res.writableEnded && !res.destroyed) res.end();
    }
  }

  async function dispatch(ctx: Ctx): Promise<void> {
    const { res } = ctx;
    const origin = ctx.headers.origin;
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (ctx.method === 'OPTIONS') {
        ctx.route = 'OPTIONS (cors)';
        res.setHeader('Access-Control-Allow-Methods', 'GET,POST,PUT,DELETE,OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', '*');
        res.setHeader('Access-Control-Max-Age', '43200');
        res.writeHead(204);
        res.end();
        return;
      }
    }
    const m = matchRoute(product, ctx.method, ctx.path, ctx.rawQuery, opts.omitRoutes ?? []);
    if (m.kind === 'redirect') {
      ctx.route = 'redirect';
      res.setHeader('Location', m.location);
      res.writeHead(m.status);
      res.end(ctx.method === 'GET' ? `<a href="${m.location}">Moved Permanently</a>.\n\n` : '');
      return;
    }
    if (m.kind === 'none') {
      if (/^\/(v1|api|assets)/.test(ctx.req.url ?? '')) {
        ctx.route = '404';
        sendJson(ctx, 404, { error: { message: `Invalid URL (${ctx.method} ${ctx.path})`, type: 'invalid_request_error', param: '', code: '' } });
        return;
      }
      ctx.route = 'web';
      const page = webPage(settings.systemName);
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(page));
      res.writeHead(200);
      res.end(page);
      return;
    }
    ctx.route = m.label;
    await run(ctx, m.route);
  }

  async function run(ctx: Ctx, route: Route): Promise<void> {
    if (route.chain === 'none') return apiStatus(node, ctx);
    if (route.chain === 'admin') {
      if (await adminAuth(node, ctx)) await fixChannels(ctx);
      return;
    }
    if (route.chain === 'kling') klingConvert(ctx);
    if (route.chain === 'sora') soraAdapter(ctx);
    if (!(await tokenAuth(node, ctx))) return;
    if (route.chain !== 'auth' && !(await distribute(node, ctx))) return;
    switch (route.handler) {
      case 'models':
        return listModels(node, ctx);
      case 'text':
        return relayText(node, ctx);
      case 'bltcy':
        return relayBltcy(node, ctx);
      case 'task':
        // RelayTask hands type-55 channels to the passthrough in BF; task adaptors are not simulated.
        if (product === 'bltcy' && ctx.channel?.type === 55) return relayBltcy(node, ctx);
        sendJson(ctx, 501, { error: { message: 'API not implemented', type: 'new_api_error', param: '', code: 'api_not_implemented' } });
        return;
      case 'status':
        return apiStatus(node, ctx);
    }
  }

  /** POST /api/channel/fix: FixAbility, then InitChannelCache on this node only (RB §4.1). */
  async function fixChannels(ctx: Ctx): Promise<void> {
    if (fixing) {
      sendJson(ctx, 200, { success: false, message: '已经有一个修复任务在运行中，请稍后再试' });
      return;
    }
    if (readOnly) {
      sendJson(ctx, 200, { success: false, message: 'attempt to write a readonly database' });
      return;
    }
    fixing = true;
    try {
      const { success, fails } = await store.fixAbilities();
      if (memoryCache) {
        await cache.rebuild(store);
        log.sys('channels synced from database');
      }
      sendJson(ctx, 200, { success: true, message: '', data: { success, fails } });
    } catch (e) {
      if (e instanceof GoPanic) throw e;
      sendJson(ctx, 200, { success: false, message: (e as Error).message });
    } finally {
      fixing = false;
    }
  }

  /** KlingRequestConvert (RB §10.10): keep the original path and query; POST keeps a re-serialised body. */
  function klingConvert(ctx: Ctx): void {
    ctx.originalPath = ctx.path;
    ctx.originalQuery = ctx.rawQuery;
    if (ctx.method === 'GET') {
      ctx.body = Buffer.alloc(0);
      return;
    }
    try {
      const parsed = JSON.parse((ctx.body ?? Buffer.alloc(0)).toString('utf8')) as Record<string, unknown>;
      ctx.originalBody = Buffer.from(sortedJson(parsed));
      const name = parsed.model_name ?? parsed.model;
      ctx.billingModelName = typeof name === 'string' && name ? name : 'kling-v1';
    } catch {
      /* left unchanged */
    }
  }

  /** SoraVideosAdapter: multipart POST /v1/videos keeps its raw body and form model. */
  function soraAdapter(ctx: Ctx): void {
    if (ctx.method !== 'POST' || !(ctx.headers['content-type'] ?? '').includes('multipart/form-data')) return;
    ctx.originalPath = ctx.path;
    ctx.originalQuery = ctx.rawQuery;
    ctx.originalBody = ctx.body;
    const model = multipartModel(ctx.body ?? Buffer.alloc(0));
    if (model) ctx.billingModelName = model;
  }

  // ---------------------------------------------------------------- start

  await listen();
  try {
    await boot();
    if (opts.frozen) frozen = true;
  } catch (e) {
    await unlisten();
    await db.close();
    throw e;
  }

  const handle_: RelayHandle = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get startTime() {
      return startTime;
    },
    get state() {
      return state;
    },
    get restarts() {
      return restarts;
    },
    requests: counters,
    product,
    memoryCache,
    async rebuildCache(): Promise<RebuildResult> {
      if (!memoryCache) return { ok: true };
      try {
        await cache.rebuild(store);
        log.sys('channels synced from database');
        return { ok: true };
      } catch (e) {
        if (e instanceof GoPanic) {
          log.sys(`panic detected: ${e.message}`);
          return { ok: false, panic: e.message };
        }
        throw e;
      }
    },
    freezeCache(f: boolean) {
      frozen = f;
    },
    cacheView(): CacheView {
      return cache.view();
    },
    nextSync(timeoutMs = (Math.max(syncSeconds, 1) + 5) * 1000): Promise<void> {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          syncWaiters = syncWaiters.filter((w) => w !== done);
          reject(new Error(`no sync within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(t);
          resolve();
        };
        syncWaiters.push(done);
      });
    },
    async stop() {
      stopped = true;
      generation++;
      state = 'stopped';
      clearTimeout(syncTimer);
      clearTimeout(restartTimer);
      await unlisten();
      await redis?.close();
      redis = undefined;
      await db.close();
    },
  };
  return handle_;
}
