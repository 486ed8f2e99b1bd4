// Distribute (RB §8): the routing model of the path, token model limits, the pinned channel, channel
// selection on the node's routing view (cache, abilities, BF's fallback and inline retry) and the
// 503 "no channel" answers of RB §8.4.

import { baseUrlOf, nextKey } from './base-urls.js';
import { GoPanic, pickFromAbilities } from './cache.js';
import { abort, header, type Ctx, type Node } from './context.js';
import { matchingModelName, usableGroups } from './settings.js';
import { goJsonError, type ChannelRec } from './store.js';

/** Body JSON `model` as UnmarshalBodyReusable reads it (only for application/json bodies). */
function bodyModel(ctx: Ctx): { model: string; error?: string } {
  if (!header(ctx, 'content-type').startsWith('application/json')) return { model: '' };
  const text = (ctx.body ?? Buffer.alloc(0)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { model: '', error: goJsonError(e) };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'array' : typeof parsed === 'string' ? 'string' : typeof parsed === 'number' ? 'number' : 'bool';
    return parsed === null ? { model: '' } : { model: '', error: `json: cannot unmarshal ${kind} into Go value of type middleware.ModelRequest` };
  }
  const m = (parsed as Record<string, unknown>).model;
  if (m === undefined || m === null) return { model: '' };
  if (typeof m !== 'string') {
    const kind = typeof m === 'number' ? 'number' : typeof m === 'boolean' ? 'bool' : Array.isArray(m) ? 'array' : 'object';
    return { model: '', error: `json: cannot unmarshal ${kind} into Go struct field ModelRequest.model of type string` };
  }
  return { model: m };
}

/** getModelRequest (RB §8.2, §8.3): [model, shouldSelectChannel] or a body error. */
export function routingModel(node: Node, ctx: Ctx): { model: string; select: boolean; error?: string } {
  const p = ctx.path;
  const bf = node.product === 'bltcy';
  let model = '';
  let select = true;
  let error: string | undefined;
  if (bf && (p === '/generate' || p === '/generate/description-mode') && ctx.method === 'POST') model = 'suno_music';
  else if (bf && p.startsWith('/suno/')) model = 'suno';
  else if (bf && (p.startsWith('/runway/') || p.startsWith('/runwayml/'))) model = 'runway';
  else if (bf && p.startsWith('/pika/')) model = 'pika';
  else if (bf && p.startsWith('/minimax/')) model = 'minimax';
  else if (bf && p.startsWith('/kling/')) model = 'kling';
  else if (p.includes('/v1/video/generations')) {
    if (ctx.method === 'POST') ({ model, error } = bodyModel(ctx));
    else select = false;
  } else if (p.startsWith('/v1beta/models/') || p.startsWith('/v1/models/')) {
    const rest = p.slice(p.indexOf('/models/') + '/models/'.length);
    model = rest.split(':')[0] ?? '';
  } else if (!p.startsWith('/v1/audio/transcriptions') && !header(ctx, 'content-type').includes('multipart/form-data') && ctx.method !== 'GET') {
    ({ model, error } = bodyModel(ctx));
  }
  if (error) return { model: '', select, error: `无效的请求, ${error}` };
  if (p.startsWith('/v1/moderations') && !model) model = 'text-moderation-stable';
  if (p.startsWith('/v1/images/generations') && !model) model = 'dall-e';
  if (p.startsWith('/v1/audio/speech') && !model) model = 'tts-1';
  if ((p.startsWith('/v1/audio/translations') || p.startsWith('/v1/audio/transcriptions')) && !model) model = 'whisper-1';
  if (bf && p.startsWith('/v1/videos')) {
    if (ctx.method === 'POST' && header(ctx, 'content-type').includes('multipart/form-data')) model = ctx.billingModelName || 'sora-2';
    else if (ctx.method === 'GET' && p.startsWith('/v1/videos/')) {
      const id = decodeURIComponent(p.slice('/v1/videos/'.length));
      const i = id.indexOf(':');
      model = i > 0 && id.slice(0, i).startsWith('sora-2') ? id.slice(0, i) : 'sora-2';
    }
  }
  return { model, select };
}

type Selection = { channel: ChannelRec | null; group: string; error?: string };

/** getRandomSatisfiedChannel: the cache, or abilities when the memory cache is off; BF's fallback. */
async function satisfied(node: Node, group: string, model: string, retry: number): Promise<ChannelRec | null> {
  if (!node.memoryCache) return pickFromAbilities(node.store, group, model, retry);
  const hit = node.cache.pick(group, model, retry, node.product);
  if (hit || !node.cacheFallback) return hit;
  node.console.sys(`[CacheFallback] 缓存中未找到渠道, 降级到数据库查询: group=${group}, model=${model}`);
  try {
    const ch = await pickFromAbilities(node.store, group, model, retry);
    node.console.sys(ch ? `[CacheFallback] 数据库查询成功! 找到渠道 channel_id=${ch.id}` : '[CacheFallback] 数据库查询也未找到可用渠道');
    return ch;
  } catch (e) {
    node.console.sys(`[CacheFallback] 数据库查询失败: ${(e as Error).message}`);
    throw e;
  }
}

/** CacheGetRandomSatisfiedChannel (RB §5.3, §5.7). */
export async function selectChannel(node: Node, ctx: Ctx, group: string, model: string, retry = 0): Promise<Selection> {
  if (group === 'auto') {
    let list = node.settings.autoGroups;
    // NA-0.9.16 keeps only the groups this user may select; BF does not filter.
    if (node.product === 'new-api') {
      const usable = usableGroups(node.settings, node.product, ctx.userGroup);
      list = list.filter((g) => usable.has(g));
    }
    if (!list.length) return { channel: null, group, error: 'auto groups is not enabled' };
    for (const g of list) {
      const ch = await satisfied(node, g, model, retry).catch(() => null);
      if (ch) return { channel: ch, group: g };
    }
    return { channel: null, group };
  }
  try {
    let ch = await satisfied(node, group, model, retry);
    if (!ch && node.cacheFallback && node.product === 'bltcy') {
      node.console.sys(`[CacheRetry] 首次查询未找到渠道 group=${group}, model=${model}, 准备重试`);
      if (node.memoryCache) {
        node.console.sys('[CacheRetry] 内存缓存已启用,刷新缓存后重试');
        await node.rebuildInline();
      } else node.console.sys('[CacheRetry] 内存缓存未启用,直接重试数据库查询');
      ch = await satisfied(node, group, model, retry);
      node.console.sys(ch ? `[CacheRetry] 重试成功! 找到渠道 channel_id=${ch.id}` : '[CacheRetry] 重试失败! 第二次查询仍未找到可用渠道');
    }
    return { channel: ch, group };
  } catch (e) {
    if (e instanceof GoPanic) throw e;
    return { channel: null, group, error: (e as Error).message };
  }
}

/** Distribute. Returns false after answering. */
export async function distribute(node: Node, ctx: Ctx): Promise<boolean> {
  const bf = node.product === 'bltcy';
  const mr = routingModel(node, ctx);
  if (mr.error) {
    abort(node, ctx, 400, `Invalid request, ${mr.error}`);
    return false;
  }
  ctx.routingModel = mr.model;
  let channel: ChannelRec | null = null;
  if (ctx.specificChannelId !== undefined) {
    const id = /^[+-]?\d+$/.test(ctx.specificChannelId) ? Number(ctx.specificChannelId) : NaN;
    if (!Number.isSafeInteger(id)) {
      abort(node, ctx, 400, '无效的渠道 Id');
      return false;
    }
    try {
      channel = await node.store.channelById(id);
    } catch {
      abort(node, ctx, 400, '无效的渠道 Id');
      return false;
    }
    if (channel.status !== 1) {
      abort(node, ctx, 403, '该渠道已被禁用');
      return false;
    }
  } else {
    const token = ctx.token!;
    if (token.modelLimitsEnabled) {
      // The limit map is always set when enabled, so an empty list refuses every model by name
      // (`该令牌无权访问任何模型` is unreachable in BF's code).
      const limits = new Set(token.modelLimits.split(','));
      if (!limits.has(matchingModelName(mr.model))) {
        abort(node, ctx, 403, `该令牌无权访问模型 ${mr.model}`);
        return false;
      }
    }
    if (mr.select) {
      if (mr.model === '') {
        abort(node, ctx, 400, '未指定模型名称，模型名称不能为空');
        return false;
      }
      const group = ctx.usingGroup;
      if (bf) node.console.sys(`[Distributor] 请求渠道: group=${group}, model=${mr.model}, path=${ctx.path}`);
      const sel = await selectChannel(node, ctx, group, mr.model);
      if (sel.error !== undefined) {
        const show = group === 'auto' ? `auto(${sel.group})` : group;
        const why = bf ? '（数据库一致性已被破坏，distributor）' : '（distributor）';
        if (bf) node.console.sys(`[Distributor] 渠道选择失败! group=${group}, model=${mr.model}, error=${sel.error}, memory_cache=${node.memoryCache}`);
        abort(node, ctx, 503, `获取分组 ${show} 下模型 ${mr.model} 的可用渠道失败${why}: ${sel.error}`, 'model_not_found');
        return false;
      }
      if (!sel.channel) {
        if (bf) node.console.sys(`[Distributor] 无可用渠道! group=${group}, model=${mr.model}, path=${ctx.path}, memory_cache=${node.memoryCache}`);
        abort(node, ctx, 503, `分组 ${group} 下模型 ${mr.model} 无可用渠道（distributor）`, 'model_not_found');
        return false;
      }
      channel = sel.channel;
      if (bf) node.console.sys(`[Distributor] 渠道选择成功: channel_id=${channel.id}, type=${channel.type}, group=${group}, model=${mr.model}`);
    }
  }
  if (channel) {
    // SetupContextForSelectedChannel: the key, then the base URL (which may panic).
    nextKey(channel);
    baseUrlOf(channel, node.product);
    ctx.channel = channel;
    ctx.record.channelId = channel.id;
  }
  return true;
}
