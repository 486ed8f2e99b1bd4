// The normal relay routes (controller.Relay, RB §16.4), enough for probes and simple relaying:
// request validation (the zero-cost probe dies here with 500 invalid_request), the price check,
// then one call to the channel's base URL with the OpenAI wire format, retried per RetryTimes.
// Also GET /v1/models (abilities, not the cache) and GET /api/status.

import { baseUrlOf, nextKey } from './base-urls.js';
import { relayError, sendJson, withRequestId, type Ctx, type Node } from './context.js';
import { selectChannel } from './distribute.js';
import { send } from './outbound.js';
import { matchingModelName } from './settings.js';

// A few of the relay's built-in model ratios, used when the options table has no ModelRatio row.
const BUILTIN_RATIOS = new Set([
  'gpt-3.5-turbo',
  'gpt-4',
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'o3-mini',
  'claude-3-5-sonnet-20241022',
  'claude-3-7-sonnet-20250219',
  'text-embedding-3-small',
  'text-embedding-ada-002',
  'dall-e-3',
  'tts-1',
  'whisper-1',
  'text-moderation-stable',
  'text-moderation-latest',
]);

type Json = Record<string, unknown>;

/** GetAndValidate…Request: the error text, or the parsed body. */
function validate(ctx: Ctx): { body?: Json; error?: string } {
  let body: Json = {};
  if ((ctx.headers['content-type'] ?? '').startsWith('application/json')) {
    try {
      const v = JSON.parse((ctx.body ?? Buffer.alloc(0)).toString('utf8')) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) body = v as Json;
    } catch (e) {
      return { error: String((e as Error).message) };
    }
  }
  const p = ctx.path;
  if (p.startsWith('/v1/messages')) {
    if (!Array.isArray(body.messages) || !body.messages.length) return { error: 'field messages is required' };
    if (!body.model) return { error: 'field model is required' };
    return { body };
  }
  if (p.startsWith('/v1/moderations') && !body.model) body.model = 'text-moderation-latest';
  if (typeof body.max_tokens === 'number' && body.max_tokens > 2147483647 / 2) return { error: 'max_tokens is invalid' };
  if (!body.model && !p.startsWith('/v1/images') && !p.startsWith('/v1/audio')) return { error: 'model is required' };
  if (p === '/v1/completions' && !body.prompt) return { error: 'field prompt is required' };
  if (p === '/v1/chat/completions' && (!Array.isArray(body.messages) || !body.messages.length)) return { error: 'field messages is required' };
  if (p.startsWith('/v1/moderations') && (body.input === undefined || body.input === '')) return { error: 'field input is required' };
  if (p === '/v1/edits' && !body.instruction) return { error: 'field instruction is required' };
  return { body };
}

function priced(node: Node, model: string): boolean {
  const m = matchingModelName(model);
  if (node.settings.modelPrice.has(m)) return true;
  if (node.settings.modelRatio.size) return node.settings.modelRatio.has(m);
  return BUILTIN_RATIOS.has(m) || node.settings.selfUseMode;
}

export async function relayText(node: Node, ctx: Ctx): Promise<void> {
  const v = validate(ctx);
  if (v.error) {
    relayError(ctx, 500, v.error, 'invalid_request');
    return;
  }
  const model = ctx.routingModel;
  if (!priced(node, model) && !node.settings.selfUseMode) {
    const m = matchingModelName(model);
    relayError(ctx, 500, `模型 ${m} 倍率或价格未配置，请联系管理员设置或开始自用模式；Model ${m} ratio or price not set, please set or start self-use mode`, 'model_price_error');
    return;
  }
  let channel = ctx.channel!;
  const tries = Math.max(0, node.settings.retryTimes);
  for (let i = 0; i <= tries; i++) {
    if (i > 0) {
      const sel = await selectChannel(node, ctx, ctx.usingGroup, model, i);
      if (sel.error !== undefined) {
        relayError(ctx, 500, `获取分组 ${ctx.usingGroup} 下模型 ${model} 的可用渠道失败（retry）: ${sel.error}`, 'get_channel_failed');
        return;
      }
      if (!sel.channel) {
        relayError(ctx, 500, `分组 ${ctx.usingGroup} 下模型 ${model} 的可用渠道不存在（retry）`, 'get_channel_failed');
        return;
      }
      channel = sel.channel;
    }
    const base = baseUrlOf(channel, node.product);
    node.countUpstream();
    ctx.record.upstreamCalls++;
    const r = await send({
      method: 'POST',
      target: `${base}${ctx.path}`,
      headers: [
        ['Content-Type', 'application/json'],
        ['Authorization', `Bearer ${nextKey(channel)}`],
      ],
      body: ctx.body ?? Buffer.alloc(0),
      headerTimeoutMs: 300_000,
      totalTimeoutMs: 600_000,
    });
    if (!r.ok) {
      node.console.level('ERR', ctx.rid, `do request failed: ${r.error}`);
      if (i < tries) continue;
      relayError(ctx, 500, 'upstream error: do request failed', 'do_request_failed');
      return;
    }
    const up = r.res;
    if (up.status === 200) {
      const token = ctx.token!;
      node.bill({ at: Date.now(), requestId: ctx.rid, tokenId: token.id, userId: token.userId, channelId: channel.id, group: ctx.usingGroup, model, quota: 0, source: 'ratio' });
      const ct = up.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? 'application/json';
      ctx.res.setHeader('Content-Type', ct);
      ctx.res.setHeader('Content-Length', up.body.length);
      ctx.res.writeHead(200);
      ctx.res.end(up.body);
      return;
    }
    let message = `bad response status code ${up.status}`;
    let type = 'upstream_error';
    let code: unknown = 'bad_response_status_code';
    try {
      const e = (JSON.parse(up.body.toString('utf8')) as { error?: { message?: string; type?: string; code?: unknown } }).error;
      if (e && typeof e.message === 'string') {
        message = e.message;
        type = e.type || 'upstream_error';
        code = e.code ?? '';
      }
    } catch {
      /* not JSON */
    }
    node.console.level('ERR', ctx.rid, `channel error (channel #${channel.id}, status code: ${up.status}): ${message}`);
    if (i < tries && (up.status >= 500 || up.status === 429)) continue;
    node.console.level('ERR', ctx.rid, `relay error: ${message}`);
    sendJson(ctx, up.status, { error: { message: withRequestId(message, ctx.rid), type, param: '', code } });
    return;
  }
}

/** GET /v1/models: the enabled abilities of the using group, filtered by the token's model limits. */
export async function listModels(node: Node, ctx: Ctx): Promise<void> {
  const groups = ctx.usingGroup === 'auto' ? node.settings.autoGroups : [ctx.usingGroup];
  const names = new Set<string>();
  for (const g of groups) for (const m of await node.store.enabledModels(g).catch(() => [] as string[])) names.add(m);
  const token = ctx.token!;
  const limits = token.modelLimitsEnabled ? new Set(token.modelLimits.split(',')) : null;
  const data = [...names]
    .filter((m) => !limits || limits.has(m))
    .map((id) => ({ id, object: 'model', created: 1626777600, owned_by: 'custom', supported_endpoint_types: ['openai'] }));
  const one = /^\/v1\/models\/(.+)$/.exec(ctx.path)?.[1];
  if (one !== undefined) {
    const hit = data.find((d) => d.id === decodeURIComponent(one));
    if (hit) sendJson(ctx, 200, hit);
    else sendJson(ctx, 200, { error: { message: `The model '${decodeURIComponent(one)}' does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
    return;
  }
  sendJson(ctx, 200, { success: true, data, object: 'list' });
}

export function apiStatus(node: Node, ctx: Ctx): void {
  sendJson(ctx, 200, {
    success: true,
    message: '',
    data: {
      version: node.version,
      start_time: node.startTime,
      system_name: node.settings.systemName,
      quota_per_unit: node.settings.quotaPerUnit,
      self_use_mode_enabled: node.settings.selfUseMode,
      enable_batch_update: false,
      enable_task: true,
      setup: true,
    },
  });
}
