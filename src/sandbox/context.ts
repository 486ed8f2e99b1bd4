// One request's state as it moves through the simulated middleware chain, the node's shared state,
// and the answer helpers (envelopes of RB §8.6, console lines of RB §14.3).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChannelCache } from './cache.js';
import { consoleTime } from './http.js';
import type { RelayRedis } from './redis.js';
import type { Settings } from './settings.js';
import type { ChannelRec, Store, TokenRec } from './store.js';
import type { BillingRecord, RequestRecord, SandboxProduct } from './types.js';

export type LogSink = ((line: string) => void) | string[] | NodeJS.WritableStream;

export class Console {
  private readonly write: (line: string) => void;

  constructor(sink?: LogSink) {
    if (!sink) this.write = () => undefined;
    else if (Array.isArray(sink)) this.write = (l) => void sink.push(l);
    else if (typeof sink === 'function') this.write = sink;
    else this.write = (l) => void sink.write(`${l}\n`);
  }

  raw(line: string): void {
    this.write(line);
  }

  /** common.SysLog / SysError: `[SYS] <time> | <msg> ` (the relay leaves a trailing space). */
  sys(msg: string): void {
    this.raw(`[SYS] ${consoleTime()} | ${msg} `);
  }

  /** logger.LogError / LogInfo: `[<LEVEL>] <time> | <request id> | <msg> `. */
  level(level: 'INFO' | 'WARN' | 'ERR' | 'DEBUG', rid: string, msg: string): void {
    this.raw(`[${level}] ${consoleTime()} | ${rid || 'SYSTEM'} | ${msg} `);
  }
}

/** The node (one simulated relay process) as request handlers see it. */
export interface Node {
  readonly product: SandboxProduct;
  readonly store: Store;
  readonly cache: ChannelCache;
  settings: Settings;
  redis?: RelayRedis;
  readonly memoryCache: boolean;
  readonly syncSeconds: number;
  readonly startTime: number;
  readonly version: string;
  readonly headerTimeoutMs: number;
  readonly getRetryDelayMs: number;
  readonly cacheFallback: boolean;
  readonly stripUpstreamCors: boolean;
  readonly readOnly: boolean;
  readonly console: Console;
  /** InitChannelCache inside a request (BF [CacheRetry]); a nil-map panic propagates. */
  rebuildInline(): Promise<void>;
  bill(rec: BillingRecord): void;
  countUpstream(): void;
}

export interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** URL path as received (gin matches on it). */
  readonly path: string;
  readonly rawQuery: string;
  /** Request headers, lower-cased; TokenAuth rewrites authorization like the relay does. */
  headers: Record<string, string>;
  readonly rid: string;
  readonly started: number;
  readonly clientIp: string;
  route: string;
  body?: Buffer;
  /** c.GetInt("id"): the token's user once known. */
  userId: number;
  token?: TokenRec;
  usingGroup: string;
  userGroup: string;
  username: string;
  specificChannelId?: string;
  routingModel: string;
  channel?: ChannelRec;
  /** Converter values (Kling) the passthrough prefers over the request's. */
  originalPath?: string;
  originalQuery?: string;
  originalBody?: Buffer;
  billingModelName?: string;
  record: RequestRecord;
}

export function header(ctx: Ctx, name: string): string {
  return ctx.headers[name.toLowerCase()] ?? '';
}

export const withRequestId = (msg: string, rid: string) => `${msg} (request id: ${rid})`;

export function sendJson(ctx: Ctx, status: number, body: unknown): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}

/** abortWithOpenAiMessage: middleware aborts (TokenAuth, Distribute), logged as `[ERR] … | user <id> | <msg>`. */
export function abort(node: Node, ctx: Ctx, status: number, message: string, code = ''): void {
  sendJson(ctx, status, { error: { message: withRequestId(message, ctx.rid), type: 'new_api_error', code } });
  node.console.level('ERR', ctx.rid, `user ${ctx.userId} | ${message}`);
}

/** A relay error (controller.Relay): `{"error":{message,type,param,code}}`. */
export function relayError(ctx: Ctx, status: number, message: string, code: string, type = 'new_api_error'): void {
  sendJson(ctx, status, { error: { message: withRequestId(message, ctx.rid), type, param: '', code } });
}

/** The passthrough's own envelope (dto.TaskError, RB §10.8). */
export function taskError(ctx: Ctx, status: number, code: string, message: string): void {
  sendJson(ctx, status, { code, message, data: null });
}

/** The global panic recovery (RB §8.6). */
export function panicAnswer(node: Node, ctx: Ctx, value: string): void {
  node.console.sys(`panic detected: ${value}`);
  sendJson(ctx, 500, {
    error: { message: `Panic detected, error: ${value}. Please submit a issue here: https://github.com/Calcium-Ion/new-api`, type: 'new_api_panic' },
  });
}
