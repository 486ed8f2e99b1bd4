// TokenAuth (RB §6, BF and NA-0.9.16): key extraction, key parsing with the `-<channel>` pin,
// token validation (Redis hash first, then the row), owner lookup (Redis hash first), user status,
// and the using group. Returns false after answering.

import { isIP } from 'node:net';
import { GoPanic } from './cache.js';
import { abort, header, sendJson, type Ctx, type Node } from './context.js';
import { usableGroups } from './settings.js';
import { GoError, type TokenRec, type UserRec } from './store.js';

/** Where the key comes from (RB §6.1); rewrites ctx.headers.authorization like the relay. */
function extractKey(node: Node, ctx: Ctx): string {
  const h = ctx.headers;
  const proto = h['sec-websocket-protocol'];
  if (proto) {
    let key = proto;
    for (const part of proto.split(',')) {
      const p = part.trim();
      if (p.startsWith('openai-insecure-api-key')) {
        key = p.replace(/^openai-insecure-api-key\./, '');
        break;
      }
    }
    h.authorization = `Bearer ${key}`;
  }
  if (ctx.path.includes('/v1/messages') && h['x-api-key']) h.authorization = `Bearer ${h['x-api-key']}`;
  if (ctx.path.startsWith('/v1beta/models') || ctx.path.startsWith('/v1beta/openai/models') || ctx.path.startsWith('/v1/models/')) {
    const q = new URLSearchParams(ctx.rawQuery).get('key');
    if (q) h.authorization = `Bearer ${q}`;
    if (h['x-goog-api-key']) h.authorization = `Bearer ${h['x-goog-api-key']}`;
  }
  if (node.product === 'bltcy' && !h.authorization) {
    for (const alt of ['x-ptoken', 'x-vtoken', 'x-ctoken']) {
      if (h[alt]) {
        h.authorization = `Bearer ${h[alt]}`;
        break;
      }
    }
  }
  let key = (h.authorization ?? '').replace(/^Bearer /, '');
  if (key === '' || key === 'midjourney-proxy') key = header(ctx, 'mj-api-secret').replace(/^Bearer /, '');
  return key;
}

/** GetTokenByKey: Redis hash first, then the row; a database read refills the hash. */
async function tokenByKey(node: Node, key: string): Promise<TokenRec> {
  if (node.redis) {
    const hit = await node.redis.getToken(key);
    if (hit) return hit;
  }
  const row = await node.store.tokenByKey(key);
  if (node.redis) await node.redis.setToken(row).catch((e) => node.console.sys(`failed to update user status cache: ${String(e)}`));
  return row;
}

/** ValidateUserToken (BF / NA-0.9.16 messages). */
async function validate(node: Node, key: string): Promise<{ token?: TokenRec; error?: string }> {
  if (key === '') return { error: '未提供令牌' };
  let token: TokenRec;
  try {
    token = await tokenByKey(node, key);
  } catch {
    return { error: '无效的令牌' };
  }
  // Go slices key[:3] here: a key shorter than 3 characters panics.
  const masked = () => {
    if (key.length < 3) throw new GoPanic(`runtime error: slice bounds out of range [:3] with length ${key.length}`);
    return `sk-${key.slice(0, 3)}***${key.slice(-3)}`;
  };
  if (token.status === 4) return { token, error: `该令牌额度已用尽 TokenStatusExhausted[${masked()}]` };
  if (token.status === 3) return { token, error: '该令牌已过期' };
  if (token.status !== 1) return { token, error: '该令牌状态不可用' };
  const now = Math.floor(Date.now() / 1000);
  if (token.expiredTime !== -1 && token.expiredTime < now) {
    if (!node.redis && !node.readOnly) await node.store.setTokenStatus(token.id, 3).catch(() => undefined);
    return { token, error: '该令牌已过期' };
  }
  if (!token.unlimitedQuota && token.remainQuota <= 0) {
    if (!node.redis && !node.readOnly) await node.store.setTokenStatus(token.id, 4).catch(() => undefined);
    return { token, error: `[${masked()}] 该令牌额度已用尽 !token.UnlimitedQuota && token.RemainQuota = ${token.remainQuota}` };
  }
  return { token };
}


/** GetUserCache: Redis hash first, then the row (soft-deleted → record not found). */
async function userCache(node: Node, id: number): Promise<Omit<UserRec, 'role'>> {
  if (node.redis) {
    const hit = await node.redis.getUser(id);
    if (hit) return hit;
  }
  const row = await node.store.userById(id);
  if (node.redis) await node.redis.setUser(row).catch(() => undefined);
  return row;
}

/** The allow list as NA-0.9.16 and BF read it: plain IPs only, CIDRs silently dropped (RB §6.5). */
function allowedIps(raw: string | null): Set<string> {
  const out = new Set<string>();
  if (raw === null) return out;
  const clean = raw.replace(/ /g, '');
  if (!clean) return out;
  for (const line of clean.split('\n')) {
    const ip = line.trim().replace(/,/g, '');
    if (isIP(ip)) out.add(ip);
  }
  return out;
}

async function isAdmin(node: Node, userId: number): Promise<boolean> {
  try {
    return (await node.store.userById(userId)).role >= 10;
  } catch {
    return false;
  }
}

export async function tokenAuth(node: Node, ctx: Ctx): Promise<boolean> {
  const raw = extractKey(node, ctx);
  const parts = raw.replace(/^sk-/, '').split('-');
  const key = parts[0]!;
  const { token, error } = await validate(node, key);
  if (token && ctx.userId === 0) ctx.userId = token.userId;
  if (error || !token) {
    abort(node, ctx, 401, error ?? '无效的令牌');
    return false;
  }
  const allow = allowedIps(token.allowIps);
  if (allow.size && !allow.has(ctx.clientIp)) {
    abort(node, ctx, 403, '您的 IP 不在令牌允许访问的列表中');
    return false;
  }
  let user: Omit<UserRec, 'role'>;
  try {
    user = await userCache(node, token.userId);
  } catch (e) {
    abort(node, ctx, 500, e instanceof GoError ? e.message : String((e as Error).message ?? e));
    return false;
  }
  if (user.status !== 1) {
    abort(node, ctx, 403, '用户已被封禁');
    return false;
  }
  ctx.userGroup = user.group;
  ctx.username = user.username;
  let group = user.group;
  if (token.group !== '') {
    if (!usableGroups(node.settings, node.product, user.group).has(token.group)) {
      // BF is older than the 2025-10-28 rewording; NA-0.9.16 is newer.
      abort(node, ctx, 403, node.product === 'bltcy' ? `令牌分组 ${token.group} 已被禁用` : `无权访问 ${token.group} 分组`);
      return false;
    }
    if (!node.settings.groupRatio.has(token.group) && token.group !== 'auto') {
      abort(node, ctx, 403, `分组 ${token.group} 已被弃用`);
      return false;
    }
    group = token.group;
  }
  ctx.usingGroup = group;
  ctx.token = token;
  if (parts.length > 1) {
    if (await isAdmin(node, token.userId)) ctx.specificChannelId = parts[1];
    else {
      abort(node, ctx, 403, '普通用户不支持指定渠道');
      return false;
    }
  }
  return true;
}

/**
 * AdminAuth by access token (RB §11.2, BF and NA-0.9.x): `Authorization: <users.access_token>`
 * plus `New-Api-User: <id>`. Returns false after answering with the relay's
 * `{"success":false,"message":…}` (401 for the header problems, 200 for the others).
 */
export async function adminAuth(node: Node, ctx: Ctx): Promise<boolean> {
  const no = (status: number, message: string) => {
    sendJson(ctx, status, { success: false, message });
    return false;
  };
  const accessToken = ctx.headers.authorization ?? '';
  if (accessToken === '') return no(401, '无权进行此操作，未登录且未提供 access token');
  const user = await node.store.userByAccessToken(accessToken).catch(() => null);
  if (!user || user.username === '') return no(200, '无权进行此操作，access token 无效');
  if (![0, 1, 10, 100].includes(user.role)) return no(200, '无权进行此操作，用户信息无效');
  const apiUser = ctx.headers['new-api-user'] ?? '';
  if (apiUser === '') return no(401, '无权进行此操作，未提供 New-Api-User');
  if (!/^[+-]?\d+$/.test(apiUser)) return no(401, '无权进行此操作，New-Api-User 格式错误');
  if (Number(apiUser) !== user.id) return no(401, '无权进行此操作，New-Api-User 与登录用户不匹配');
  if (user.status === 2) return no(200, '用户已被封禁');
  if (user.role < 10) return no(200, '无权进行此操作，权限不足');
  ctx.userId = user.id;
  return true;
}
