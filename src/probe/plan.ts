import { randomBytes } from 'node:crypto';
import { finding } from '../checks/report.js';
import type { Product } from '../context/dsn.js';
import { maskKey, Secret } from '../context/secret.js';
import { baseUrlView, keyView, splitKeys } from '../relay/channel.js';
import { defaultBaseUrl, typeName, typeTableLength } from '../relay/channel-types.js';
import type { ChannelRow } from '../relay/model.js';
import type { Build } from '../relay/product.js';
import type { RouteMatch } from '../relay/routes.js';
import type { Finding } from '../types.js';
import type { ProbeKind, ProbeRequest } from './types.js';

// Which requests to send for a channel, built the way the relay builds its outbound request:
// GetBaseURL() (the type's default when empty, RB §3.8), "base_url + path + query" with no
// slash clean-up (RB §10.3), one probe per key the relay may use (RB §3.7), Bearer key.

export interface PlannedProbe {
  request: ProbeRequest;
  keyIndex?: number;
  /** sk-abcd…wxyz at most. */
  keyMasked?: string;
}

export interface ChannelPlan {
  channel: ChannelRow;
  typeName?: string;
  baseUrl: string;
  probes: PlannedProbe[];
  /** Why nothing (or less) could be probed: UPSTREAM_PROBE_SKIPPED findings. */
  skipped: Finding[];
}

export interface PlanInput {
  product: Product;
  build: Build;
  /** The request's path (with query) and method, when there is one. */
  path?: string;
  method?: string;
  route?: RouteMatch;
  /** Send the real request (--live). */
  live?: { body?: string; contentType?: string };
  /** The model the request routes by; otherwise the channel's own models are checked. */
  model?: string;
  /** Per-run random id for the safe task lookup. */
  probeId?: string;
}

/** Types whose relay adaptor authenticates with "Authorization: Bearer <key>" (OpenAI-style APIs). */
const BEARER: Record<Product, number[]> = {
  'new-api': [1, 6, 7, 8, 9, 10, 12, 13, 20, 25, 31, 40, 42, 43, 48, 53, 55, 59, 60],
  bltcy: [1, 6, 7, 8, 9, 10, 12, 13, 20, 25, 31, 40, 42, 43, 48, 55],
  'one-api': [1, 2, 4, 5, 6, 7, 8, 9, 10, 12, 13, 20, 25, 29, 31, 32, 36, 39, 44, 45, 50],
};

export function probeId(): string {
  return `relay-doctor-probe-${randomBytes(4).toString('hex')}`;
}

/** A GET on the route's prefix that reads a task that cannot exist: never creates or bills anything. */
export function safeRoutePath(path: string, method: string, id: string): { path: string; note: string } {
  const [p] = path.split('?') as [string];
  if (method === 'GET' || method === 'HEAD') return { path, note: 'the route path itself (a GET creates nothing)' };
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^\/(runwayml|runway|pika)\//, (m) => `/${m[1]}/v1/tasks/${id}`],
    [/^\/minimax\//, () => `/minimax/v1/query/video_generation?task_id=${id}`],
    [/^(\/kling\/v1\/videos\/(?:text2video|image2video))\/?$/, (m) => `${m[1]}/${id}`],
    [/^\/(suno\/|generate|v1\/audio\/generations)/, () => `/suno/fetch/${id}`],
    [/^\/v1\/videos\/?$/, () => `/v1/videos/${id}`],
    [/^\/v1\/video\/generations\/?$/, () => `/v1/video/generations/${id}`],
    [/^\/tripo\//, () => `/tripo/task/${id}`],
  ];
  for (const [re, fn] of rules) {
    const m = re.exec(p);
    if (m) return { path: fn(m), note: `a task lookup of an id that cannot exist on the route's prefix (safe: nothing is created or billed)` };
  }
  return { path: p, note: `GET of the route path (no known task lookup for this prefix; safe: a GET creates nothing)` };
}

function modelMapping(c: ChannelRow): Record<string, string> {
  if (!c.modelMapping) return {};
  try {
    const v = JSON.parse(c.modelMapping) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(v ?? {}).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** Keys the relay may send, by index (multi-key: every enabled one; all disabled on BF: the first). */
function usableKeys(c: ChannelRow, build: Build): { index?: number; key: string }[] {
  const view = keyView(c, build);
  const raw = c.key.reveal();
  if (!view.multiKey) return view.empty ? [] : [{ key: raw }];
  const keys = splitKeys(raw);
  const idx = view.enabled.length ? view.enabled : view.fallsBackToFirst ? [0] : [];
  return idx.filter((i) => keys[i] !== undefined && keys[i] !== '').map((i) => ({ index: i, key: keys[i]! }));
}

export function isPassthrough(c: ChannelRow, product: Product, route?: RouteMatch): boolean {
  const r = route?.matched;
  if (r?.handler === 'RelayBltcy') return true; // RelayBltcy forwards through any channel type (RB §10.1)
  if (product !== 'bltcy' || c.type !== 55) return false;
  return r ? r.passthrough : true;
}

const types = { defaultBaseUrl: (p: Product, t: number, b?: string) => defaultBaseUrl(p, t, b) ?? '', typeTableLength };

export function planChannel(c: ChannelRow, input: PlanInput): ChannelPlan {
  const plan: ChannelPlan = { channel: c, typeName: typeName(input.product, c.type, input.build), baseUrl: '', probes: [], skipped: [] };
  const subject = { channelId: c.id };
  const skip = (why: string, evidence: Record<string, unknown> = {}) =>
    plan.skipped.push(finding('UPSTREAM_PROBE_SKIPPED', `channel #${c.id}: not probed: ${why}`, { subject, evidence }));

  const v = baseUrlView(c, input.product, input.build, types);
  if (v.panics) {
    skip(`type ${c.type} is beyond this build's type table and base_url is empty: the relay panics before any request`, { type: c.type });
    return plan;
  }
  if (!v.effective) {
    skip(`no base_url, and type ${c.type} has no default host (the relay answers invalid_base_url)`, { type: c.type });
    return plan;
  }
  plan.baseUrl = v.effective;
  if (!/^https?:\/\//i.test(v.effective)) {
    skip(`base_url ${JSON.stringify(v.effective)} is not an absolute http(s) URL: the relay's request fails with "unsupported protocol scheme"`, { baseUrl: v.effective });
    return plan;
  }
  const keys = usableKeys(c, input.build);
  const passthrough = isPassthrough(c, input.product, input.route);
  const bearer = passthrough || BEARER[input.product].includes(c.type);
  if (bearer && !keys.length) {
    skip('the channel has no usable key (the relay answers no_available_key)');
    return plan;
  }
  const mapping = passthrough ? {} : modelMapping(c);
  const expect = (input.model !== undefined ? [input.model] : (c.models ?? '').split(',').map((m) => m.trim()).filter(Boolean)).map((m) => mapping[m] ?? m);
  const targetModel = input.model !== undefined ? (mapping[input.model] ?? input.model) : undefined;
  const base = v.effective;
  const add = (kind: ProbeKind, method: string, url: string, k: { index?: number; key: string } | undefined, extra: Partial<ProbeRequest> = {}) => {
    const request: ProbeRequest = { kind, method, url, passthrough, ...extra };
    if (k) request.key = new Secret(k.key);
    const p: PlannedProbe = { request };
    if (k?.index !== undefined) p.keyIndex = k.index;
    if (k && keys.length > 1) p.keyMasked = maskKey(k.key);
    plan.probes.push(p);
  };

  if (!bearer) {
    // The relay authenticates this type another way: only the transport is checked.
    add('reach', 'GET', `${base}/`, undefined, { note: `type ${c.type} does not use a Bearer key: transport only (DNS, TCP, TLS)` });
    return plan;
  }
  for (const k of keys) {
    if (/[\r\n]/.test(k.key)) {
      skip(`${k.index !== undefined ? `key ${k.index}` : 'the key'} contains a line break: the relay's HTTP client refuses the Authorization header before sending anything`);
      continue;
    }
    if (input.live && input.path) {
      const method = input.method ?? 'POST';
      const headers: Record<string, string> = {};
      if (input.live.body !== undefined) headers['content-type'] = input.live.contentType ?? 'application/json';
      add('live', method, `${base}${input.path}`, k, { body: input.live.body, headers, targetModel, note: 'the real request (--live)' });
      continue;
    }
    add('models', 'GET', `${base}/v1/models`, k, { expectModels: expect, targetModel, note: 'the upstream\'s model list with the channel key (read-only)' });
    if (passthrough && input.path) {
      const safe = safeRoutePath(input.path, input.method ?? 'POST', input.probeId ?? probeId());
      add('route', 'GET', `${base}${safe.path}`, k, { note: safe.note });
    }
  }
  return plan;
}
