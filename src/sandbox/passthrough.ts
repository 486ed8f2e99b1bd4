// RelayBltcy (RB §10.2–§10.9): re-read the channel by id, check status, key and base_url, forward
// base_url + original path + query with the channel key and the client's other headers, pass the
// upstream status and body through verbatim with upstream headers added, bill non-poll requests.

import { baseUrlOf, nextKey } from './base-urls.js';
import { taskError, type Ctx, type Node } from './context.js';
import { sleep } from './http.js';
import { send, type OutboundResponse } from './outbound.js';
import type { ChannelRec } from './store.js';

const CORS_DROPPED = new Set([
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-expose-headers',
  'access-control-max-age',
]);
// Headers the Go transport writes itself (never copied from the client's header map).
const NOT_FORWARDED = new Set(['authorization', 'content-type', 'accept', 'host', 'content-length', 'transfer-encoding', 'trailer']);
// Framing headers Node computes for the answer; copying the upstream's would duplicate them.
const NOT_COPIED_BACK = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

const goDur = (ms: number) => (ms % 60000 === 0 ? `${ms / 60000}m0s` : `${ms / 1000}s`);

function parseJsonMap(body: Buffer): Record<string, unknown> | null {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** shouldRefundFromBltcyResponse: refund credits or a refund flag at the root or under metadata/meta. */
function shouldRefund(body: Buffer): boolean {
  const m = parseJsonMap(body);
  if (!m) return false;
  const credits = (o: Record<string, unknown>) => {
    const v = o.refund_credits ?? o.credits_refund;
    return typeof v === 'number' ? v : 0;
  };
  const flag = (o: Record<string, unknown>) => o.refund === true || o.refunded === true;
  if (credits(m) > 0 || flag(m)) return true;
  for (const k of ['metadata', 'meta']) {
    const sub = m[k];
    if (sub && typeof sub === 'object' && (credits(sub as Record<string, unknown>) > 0 || flag(sub as Record<string, unknown>))) return true;
  }
  return false;
}

/** Write the upstream's answer: relay headers first, upstream headers added (CORS dropped). */
function answer(node: Node, ctx: Ctx, up: OutboundResponse): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) return;
  const added = new Map<string, string[]>();
  for (const [name, value] of up.headers) {
    const lower = name.toLowerCase();
    if (node.stripUpstreamCors && CORS_DROPPED.has(lower)) continue;
    if (NOT_COPIED_BACK.has(lower)) continue;
    const canonical = lower.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
    added.set(canonical, [...(added.get(canonical) ?? []), value]);
  }
  for (const [name, values] of added) {
    const existing = res.getHeader(name);
    const before = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
    res.setHeader(name, [...before, ...values]);
  }
  const contentType = up.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  if (contentType !== undefined) res.setHeader('Content-Type', contentType);
  else res.removeHeader('Content-Type');
  res.setHeader('Content-Length', up.body.length);
  res.writeHead(up.status);
  res.end(up.body);
}

export async function relayBltcy(node: Node, ctx: Ctx): Promise<void> {
  const chosen = ctx.channel!;
  let channel: ChannelRec;
  try {
    channel = await node.store.channelById(chosen.id);
  } catch (e) {
    taskError(ctx, 500, 'get_channel_failed', `获取渠道失败: ${(e as Error).message}`);
    return;
  }
  if (channel.status !== 1) {
    taskError(ctx, 403, 'channel_disabled', '渠道已禁用');
    return;
  }
  const key = nextKey(channel);
  if (key === '') {
    taskError(ctx, 500, 'no_available_key', '该渠道没有可用的密钥');
    return;
  }
  const baseUrl = baseUrlOf(channel, node.product);
  if (baseUrl === '') {
    taskError(ctx, 500, 'invalid_base_url', '渠道 BaseURL 未配置，请在渠道设置中配置旧网关地址');
    return;
  }

  const isGet = ctx.method === 'GET';
  const maxRetries = isGet ? 3 : 1;
  const body = ctx.originalBody && ctx.originalBody.length ? ctx.originalBody : (ctx.body ?? Buffer.alloc(0));
  const path = ctx.originalPath || ctx.path;
  const query = ctx.originalQuery || ctx.rawQuery;
  const target = baseUrl + path + (query ? `?${query}` : '');
  const headers: [string, string][] = [
    ['Content-Type', ctx.headers['content-type'] ?? ''],
    ['Accept', ctx.headers.accept ?? ''],
    ['Authorization', `Bearer ${key}`],
  ];
  for (let i = 0; i + 1 < ctx.req.rawHeaders.length; i += 2) {
    const name = ctx.req.rawHeaders[i]!;
    if (!NOT_FORWARDED.has(name.toLowerCase())) headers.push([name, ctx.req.rawHeaders[i + 1]!]);
  }
  const totalMs = isGet ? 120_000 : 900_000;
  const out = (line: string) => node.console.raw(line);

  let up: OutboundResponse | undefined;
  for (let attempt = 1; attempt <= maxRetries; attempt++) {
    out(`[DEBUG Bltcy] Method: ${ctx.method}, targetURL: ${target}, bodyLen: ${body.length}`);
    out(`[DEBUG Bltcy] Using ${isGet ? 'GET' : 'POST/PUT'} request timeout: ${goDur(totalMs)}`);
    node.countUpstream();
    ctx.record.upstreamCalls++;
    const r = await send({ method: ctx.method, target, headers, body, headerTimeoutMs: node.headerTimeoutMs, totalTimeoutMs: totalMs });
    if (!r.ok && r.phase === 'send') {
      out(`[ERROR Bltcy] Request failed: method=${ctx.method}, url=${target}, error=${r.error}`);
      const err = `failed to send request to legacy gateway: ${r.error}`;
      if (attempt < maxRetries) {
        out(`[DEBUG Bltcy] Request failed (attempt ${attempt}/${maxRetries}), retrying in 2s: ${err}`);
        await sleep(node.getRetryDelayMs);
        continue;
      }
      taskError(ctx, 500, 'request_failed', `转发请求到旧网关失败: ${err}`);
      return;
    }
    if (!r.ok) {
      const msg = `处理响应失败: ${r.error}`;
      const timeoutLike = /context canceled|context deadline exceeded|timeout/.test(r.error);
      if (isGet && timeoutLike && attempt < maxRetries) {
        out(`[WARN Bltcy] Response read timeout (attempt ${attempt}/${maxRetries}), retrying in 2s: ${r.error}`);
        await sleep(node.getRetryDelayMs);
        continue;
      }
      out(`[ERROR Bltcy] DoResponse failed after ${attempt} attempts: ${msg}`);
      taskError(ctx, 500, 'response_processing_failed', msg);
      return;
    }
    out(`[DEBUG Bltcy] Response received: status=${r.res.status}, method=${ctx.method}, url=${target}`);
    out(`[DEBUG Bltcy] Response status: ${r.res.status}, isGetRequest: ${isGet}, attempt: ${attempt}, maxRetries: ${maxRetries}`);
    if (isGet && r.res.status >= 500 && attempt < maxRetries) {
      out(`[DEBUG Bltcy] GET request returned ${r.res.status} (attempt ${attempt}/${maxRetries}), retrying in 2s`);
      await sleep(node.getRetryDelayMs);
      continue;
    }
    up = r.res;
    break;
  }
  if (!up) return;
  out(`[DEBUG Bltcy] DoResponse success, body size: ${up.body.length} bytes`);
  const text = up.body.toString('utf8');
  if (!isGet && up.status >= 500) out(`[WARN Bltcy] POST/PUT request returned 5xx error: status=${up.status}, body=${text}`);

  const containsFeed = ctx.path.includes('/feed');
  const polling = isGet || (ctx.method === 'POST' && containsFeed);
  out(`[DEBUG Bltcy Billing Check] Method: ${ctx.method}, Path: ${ctx.path}, isGetRequest: ${isGet}, contains /feed: ${containsFeed}, isPollingRequest: ${polling}`);
  if (polling) {
    out(`[DEBUG Bltcy] ${isGet ? 'GET' : 'POST /feed (polling)'} request completed with status ${up.status} (no billing)`);
    if (up.status >= 500) out(`[WARN Bltcy] Upstream returned 5xx error: ${up.status}, body: ${text}`);
    answer(node, ctx, up);
    return;
  }
  await bill(node, ctx, channel, up.body);
  answer(node, ctx, up);
}

/** Passthrough billing (RB §10.9): charged whatever the upstream status was. */
async function bill(node: Node, ctx: Ctx, channel: ChannelRec, body: Buffer): Promise<void> {
  const out = (line: string) => node.console.raw(line);
  let baseQuota = 0;
  try {
    baseQuota = Number((JSON.parse(channel.setting ?? '{}') as { passthrough_quota?: unknown }).passthrough_quota) || 0;
  } catch {
    baseQuota = 0;
  }
  if (!baseQuota) baseQuota = 1000;
  const service = ctx.routingModel;
  let billingModel = ctx.billingModelName ?? '';
  out(`[DEBUG Bltcy] serviceName: ${service}, billingModelName: ${billingModel}`);
  if (!billingModel && ctx.originalBody) {
    const m = parseJsonMap(ctx.originalBody);
    if (m && typeof m.model === 'string' && m.model) {
      billingModel = m.model;
      out(`[DEBUG Bltcy] Extracted model from original body: ${billingModel}`);
    } else if (m && typeof m.model_name === 'string' && m.model_name) {
      billingModel = m.model_name;
      out(`[DEBUG Bltcy] Extracted model_name from original body: ${billingModel}`);
    }
  }
  if (!billingModel) {
    billingModel = service;
    out(`[DEBUG Bltcy] billing_model_name is empty, fallback to serviceName: ${service}`);
  }
  const group = ctx.usingGroup;
  const groupRatio = node.settings.groupRatio.get(group) ?? (node.console.sys(`group ratio not found: ${group}`), 1);
  const channelRatio = await node.store.channelRatio(group, billingModel, channel.id);
  const price = node.settings.modelPrice.get(billingModel);
  let quota: number;
  let source: 'price' | 'base';
  if (price !== undefined && price > 0) {
    quota = Math.trunc(price * node.settings.quotaPerUnit * groupRatio * channelRatio);
    source = 'price';
    out(`[DEBUG Bltcy Billing] Model: ${billingModel}, Price: $${price.toFixed(4)}, GroupRatio: ${groupRatio.toFixed(2)}, ChannelRatio: ${channelRatio.toFixed(2)}, Quota: ${quota}`);
  } else {
    quota = Math.trunc(baseQuota * groupRatio * channelRatio);
    source = 'base';
    out(`[DEBUG Bltcy Billing] Model: ${billingModel}, Using base quota: ${baseQuota}, GroupRatio: ${groupRatio.toFixed(2)}, ChannelRatio: ${channelRatio.toFixed(2)}, Final: ${quota}`);
  }
  if (quota <= 0) return;
  const token = ctx.token!;
  const rec = { at: Date.now(), requestId: ctx.rid, tokenId: token.id, userId: token.userId, channelId: channel.id, group, model: billingModel, quota, source };
  node.bill(rec);
  const usedPrice = source === 'price' ? price! : 0;
  if (!node.readOnly) {
    await node.store
      .charge({
        tokenId: token.id,
        userId: token.userId,
        channelId: channel.id,
        quota,
        log: {
          username: ctx.username,
          tokenName: token.name,
          model: billingModel,
          group,
          content: `Bltcy透传（${service}/${billingModel}），价格: $${usedPrice.toFixed(4)}, 配额: ${quota}, 来源: ${source}`,
          other: { model_price: usedPrice, completion_ratio: 1, model_ratio: 1, group_ratio: groupRatio, channel_ratio: channelRatio },
        },
      })
      .catch((e) => node.console.sys(`计费失败: ${(e as Error).message}`));
  }
  if (node.redis) await node.redis.addTokenQuota(token.key, -quota);
  if (shouldRefund(body)) {
    node.bill({ ...rec, at: Date.now(), quota: -quota, source: 'refund' });
    if (!node.readOnly) await node.store.charge({ tokenId: token.id, userId: token.userId, channelId: channel.id, quota: -quota }).catch(() => undefined);
    if (node.redis) await node.redis.addTokenQuota(token.key, quota);
    node.console.sys(`[Bltcy Refund] 检测到上游退款事件，已返还配额 ${quota} (model=${billingModel})`);
  }
}
