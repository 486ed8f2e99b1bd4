import type { LogCode } from './codes.js';
import { goNetError, upstreamStatus, type Classified } from './goerr.js';
import type { Hit } from './types.js';

// Building blocks of the signatures: hit construction and the classifiers that several line
// kinds share (upstream answers, local relay errors, Distribute selector errors, panics).

export type Extra = Partial<Omit<Hit, 'signature' | 'code' | 'title'>>;

export const hit = (signature: string, code: LogCode, title: string, extra: Extra = {}): Hit => {
  const h: Hit = { signature, code, title };
  // An empty group is meaningful (the using group was empty); other empty values are absent.
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && (v !== '' || k === 'group')) (h as unknown as Record<string, unknown>)[k] = v;
  return h;
};

export const fromClassified = (signature: string, c: Classified, title: string, extra: Extra = {}): Hit =>
  hit(signature, c.code, title, { ...extra, detail: extra.detail ?? c.detail });

export const num = (s: string | undefined): number | undefined => {
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

export function urlPath(u: string): string | undefined {
  try {
    return new URL(u).pathname;
  } catch {
    return undefined;
  }
}

// Upstream answers and local relay errors that wrap them

/** A channel error / relay error text: local failures first, then the Go error, then the status. */
export function upstreamAnswer(sig: string, msg: string, status: number | undefined, extra: Extra): Hit[] {
  const local = localRelayError(sig, msg, extra);
  if (local) return local;
  const bad = /bad response status code (\d{3})/.exec(msg);
  const net = goNetError(msg);
  if (net && !bad) return [fromClassified(sig, net, TITLES[net.code] ?? 'upstream transport failure', extra)];
  const c = upstreamStatus(bad ? Number(bad[1]) : status, msg);
  if (c) return [fromClassified(sig, c, TITLES[c.code] ?? 'upstream answer', extra)];
  return [];
}

/** Errors the relay raises itself inside the relay loop (not the upstream's answer). */
export function localRelayError(sig: string, msg: string, extra: Extra): Hit[] | undefined {
  let m = /(?:do request failed|请求上游地址失败)[:：]?\s*(.*)/s.exec(msg);
  if (m) {
    const c = goNetError(m[1]!) ?? { code: 'UPSTREAM_CONNECT_FAILED' as LogCode, detail: 'transport error' };
    return [fromClassified(sig, c, TITLES[c.code] ?? 'request to the upstream failed', extra)];
  }
  if (/倍率或价格未配置|model_price_error|model price not found/.test(msg)) {
    m = /模型 (\S+?) 倍率或价格未配置|model price not found: ?(\S+)/.exec(msg);
    return [hit(sig, 'MODEL_PRICE_MISSING', TITLES.MODEL_PRICE_MISSING!, { model: m?.[1] ?? m?.[2], ...extra })];
  }
  if (/unmarshal_model_mapping_failed|model_mapping_contains_cycle|model_mapped_error|param_override_invalid|header_override_invalid/.test(msg)) {
    return [hit(sig, 'CHANNEL_JSON_INVALID', TITLES.CHANNEL_JSON_INVALID!, { detail: /(\w*(?:model_mapp|override)\w*)/.exec(msg)?.[1], ...extra })];
  }
  if (/该渠道没有可用的密钥|no_available_key/.test(msg)) return [hit(sig, 'CHANNEL_KEY_MISSING', TITLES.CHANNEL_KEY_MISSING!, extra)];
  if (REQUEST_INVALID.test(msg)) return [hit(sig, 'REQUEST_INVALID', TITLES.REQUEST_INVALID!, { detail: REQUEST_INVALID.exec(msg)![0], ...extra })];
  return undefined;
}

export const REQUEST_INVALID = /field (?:messages|prompt|input) is required|\bmodel is required|max_tokens is invalid|sensitive_words_detected|\binvalid_request\b(?!_error)/;

/** A Distribute selector error (`…的可用渠道失败（distributor）: <err>`). */
export function distributeError(sig: string, group: string | undefined, model: string | undefined, err: string): Hit[] {
  const extra = { group, model, detail: err.trim().slice(0, 120) };
  // Seen in the logs it is no longer a risk but a 503 that happened: fail.
  if (/record not found/.test(err)) return [hit(sig, 'ABILITY_DANGLING', 'an abilities row names a channel that does not exist (DB path, 503)', { ...extra, status: 'fail' })];
  if (/数据库一致性错误，渠道# ?(\d+) 不存在/.test(err)) {
    return [hit(sig, 'CACHE_STALE_CHANNELS', 'the routing cache names a channel it does not hold', { ...extra, channel: num(/渠道# ?(\d+)/.exec(err)?.[1]) })];
  }
  if (/数据库一致性被破坏/.test(err)) return [hit(sig, 'ABILITIES_OUT_OF_SYNC', 'retry found no priority tier in abilities', extra)];
  if (/auto groups is not enabled/.test(err)) return [hit(sig, 'GROUP_HAS_NO_CHANNEL', 'group auto has no candidate groups (AutoGroups empty or invalid)', extra)];
  if (/Scan error/.test(err)) return [hit(sig, 'CHANNEL_ROW_UNREADABLE', 'the selected channel row cannot be read', extra)];
  return [hit(sig, 'GROUP_HAS_NO_CHANNEL', 'channel selection failed in Distribute (503)', extra)];
}

export function noChannel(sig: string, group: string | undefined, model: string | undefined): Hit {
  if (group === undefined) return hit(sig, 'NO_CHANNEL_FOR_MODEL', 'no channel for the model (Distribute 503)', { model });
  const h = hit(sig, 'GROUP_HAS_NO_CHANNEL', 'no channel for the model in the using group (Distribute 503)', {
    model,
    detail: group === '' ? 'empty using group: the token group is empty and so is the user group' : undefined,
  });
  h.group = group; // '' is meaningful here: the using group was empty
  return h;
}

export function panicValue(sig: string, value: string, uncaught: boolean): Hit[] {
  const detail = value.trim().slice(0, 160);
  const out: Hit[] = [];
  if (/assignment to entry in nil map/.test(value)) {
    out.push(hit(sig, 'ABILITY_GROUP_PANIC_RISK', 'channel-cache rebuild panicked: a channel group has no abilities row', { detail }));
  } else if (/index out of range \[\d+\] with length \d+/.test(value) && !uncaught) {
    out.push(hit(sig, 'CHANNEL_TYPE_OUT_OF_RANGE', 'request panicked: channel type beyond the build\'s table with empty base_url', { detail }));
  } else if (!uncaught) {
    out.push(hit(sig, 'RELAY_PANIC', 'a request panicked (500 new_api_panic)', { detail }));
  }
  if (uncaught) {
    out.push(hit(sig, 'RELAY_CRASH_LOOP', /conflicts with|wildcard/.test(value) ? 'the relay exited: route registration panic' : 'the relay process exited on a panic', { detail }));
  }
  return out;
}

export const TITLES: Partial<Record<LogCode, string>> = {
  UPSTREAM_TLS_FAILED: 'TLS to the upstream failed',
  UPSTREAM_TIMEOUT: 'the upstream sent no response headers in time',
  UPSTREAM_DNS_FAILED: 'the upstream host does not resolve',
  UPSTREAM_CONNECT_FAILED: 'TCP connect to the upstream failed',
  UPSTREAM_CONNECTION_DROPPED: 'the upstream connection dropped mid-exchange',
  UPSTREAM_SLOW: 'the upstream answer was too slow to read',
  UPSTREAM_5XX: 'the upstream answered 5xx',
  UPSTREAM_AUTH_REJECTED: 'the upstream rejected the channel key',
  UPSTREAM_NO_CHANNEL: 'the upstream relay has no channel for its model',
  UPSTREAM_HTML_RESPONSE: 'the upstream answered an HTML page',
  UPSTREAM_NOT_MODIFIED: 'the upstream answered 304 to a poll',
  UPSTREAM_REJECTED_REQUEST: 'the upstream rejected the request (4xx)',
  CHANNEL_BASE_URL_MALFORMED: 'the channel base_url is malformed',
  MODEL_PRICE_MISSING: 'no price for the model',
  CHANNEL_JSON_INVALID: 'a channel JSON field is invalid',
  CHANNEL_KEY_MISSING: 'the channel has no usable key',
  REQUEST_INVALID: 'the request body was rejected (client error)',
};

/** A failed read of the upstream body (`处理响应失败: …`, DoResponse failures). */
export function bodyFailure(sig: string, text: string): Hit {
  if (/context canceled/.test(text)) {
    return hit(sig, 'UPSTREAM_SLOW', 'reading the upstream body was cancelled (slow body; builds before 2025-11-07 cancelled early)', { detail: 'context canceled' });
  }
  const c = goNetError(text) ?? { code: 'UPSTREAM_CONNECTION_DROPPED' as LogCode, detail: 'body read failed' };
  return fromClassified(sig, c, TITLES[c.code] ?? 'reading the upstream body failed');
}
