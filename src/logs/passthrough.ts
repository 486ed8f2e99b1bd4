import type { LogCode } from './codes.js';
import { goNetError, upstreamStatus } from './goerr.js';
import { bodyFailure, fromClassified, hit, TITLES, urlPath } from './hits.js';
import { classifyMessage } from './messages.js';
import type { Hit, ParsedLine } from './types.js';

// BF passthrough lines (RB §14.3): printf lines with no time and no request id.

const OLD_BUILD = 'a build older than BF 2025-11-07 (log lines of removed code)';

/** Hits of a BF passthrough line (`[DEBUG Bltcy]`, `[ERROR Bltcy]`, `[WARN Bltcy]`, billing). */
export function bltcy(p: ParsedLine): Hit[] {
  const msg = p.message;
  const tag = p.tag!;
  let m: RegExpExecArray | null;
  if (tag === 'ERROR Bltcy') {
    if ((m = /^Request failed: method=(\w+), url=(\S+), error=(.*)$/s.exec(msg))) {
      const c = goNetError(m[3]!) ?? { code: 'UPSTREAM_CONNECT_FAILED' as LogCode, detail: 'transport error' };
      return [fromClassified('bltcy-request-failed', c, TITLES[c.code] ?? 'request to the legacy gateway failed', { path: urlPath(m[2]!) })];
    }
    if ((m = /^DoResponse failed after \d+ attempts?: (.*)$/s.exec(msg))) return [bodyFailure('bltcy-body-failed', m[1]!)];
    if ((m = /^DoResponse failed: (.*)$/s.exec(msg))) {
      return [hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: 'DoResponse failed without attempt count' }), bodyFailure('bltcy-body-failed', m[1]!)];
    }
    if ((m = /^Status: (\d+), Response: (.*)$/s.exec(msg))) {
      const c = upstreamStatus(Number(m[1]), m[2]!);
      const out = [hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: '[ERROR Bltcy] Status line' })];
      if (c) out.push(fromClassified('bltcy-upstream-status', c, TITLES[c.code]!));
      return out;
    }
    return classifyMessage(msg, p);
  }
  if (tag === 'WARN Bltcy') {
    if ((m = /^(?:POST\/PUT request returned 5xx error: status=|Upstream returned 5xx error: )(\d+),? ?(?:body[:=] ?)?(.*)$/s.exec(msg))) {
      const c = upstreamStatus(Number(m[1]), m[2]!) ?? { code: 'UPSTREAM_5XX' as LogCode, detail: `upstream ${m[1]}` };
      return [fromClassified('bltcy-upstream-5xx', c, TITLES[c.code]!)];
    }
    if (/^Response read timeout/.test(msg)) {
      return [hit('bltcy-read-timeout', 'UPSTREAM_SLOW', 'reading the upstream body timed out (GET retried)', { status: 'warn', detail: 'response read timeout' })];
    }
    return classifyMessage(msg, p);
  }
  if (tag === 'DEBUG Bltcy') {
    if ((m = /^Request failed \(attempt (\d+)\/(\d+)\), retrying in \d+s: (.*)$/s.exec(msg))) {
      const c = goNetError(m[3]!) ?? { code: 'UPSTREAM_CONNECT_FAILED' as LogCode, detail: 'transport error' };
      return [fromClassified('bltcy-retry', c, `${TITLES[c.code] ?? 'transport failure'} (GET retried)`, { status: 'warn' })];
    }
    if ((m = /^GET request returned (\d+) \(attempt/.exec(msg))) {
      return [hit('bltcy-get-retry', 'UPSTREAM_5XX', 'the upstream answered 5xx to a poll (GET retried)', { status: 'warn', detail: `upstream ${m[1]}` })];
    }
    if ((m = /^GET request failed \(attempt \d+\/\d+\), retrying in 1s: (.*)$/s.exec(msg))) {
      const out = [hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: 'GET retry with 1 s sleep' })];
      const c = goNetError(m[1]!);
      if (c) out.push(fromClassified('bltcy-retry', c, `${TITLES[c.code]} (GET retried)`, { status: 'warn' }));
      return out;
    }
    if (/^Converting upstream 5xx error to 202 Accepted/.test(msg)) {
      return [
        hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: 'upstream 5xx turned into 202' }),
        hit('bltcy-5xx-to-202', 'UPSTREAM_5XX', 'the upstream answered 5xx (hidden as 202 by this build)', { detail: 'converted to 202' }),
      ];
    }
    if (/^Detected multipart request, using special handler/.test(msg)) {
      return [hit('bltcy-old-build', 'RELAY_BUILD_OUTDATED', OLD_BUILD, { detail: 'multipart special handler' })];
    }
    if ((m = /^Response received: status=(\d+), method=(\w+), url=(\S+)/.exec(msg))) {
      const status = Number(m[1]);
      if (status >= 500 || status < 300) return [];
      const c = upstreamStatus(status, '');
      return c ? [fromClassified('bltcy-upstream-status', c, TITLES[c.code]!, { path: urlPath(m[3]!) })] : [];
    }
    if ((m = /^Method: (\w+), targetURL: (\S+), bodyLen: (\d+)/.exec(msg))) return targetUrl(m[1]!, m[2]!, Number(m[3]));
    return [];
  }
  if (tag === 'DEBUG Bltcy Billing') {
    if ((m = /^Model: (\S+?),? Using base quota: (\d+)/.exec(msg))) {
      return [hit('bltcy-base-quota', 'MODEL_PRICE_MISSING', 'no ModelPrice for the billing model: the passthrough charged its flat base quota', { model: m[1], status: 'warn' })];
    }
    return [];
  }
  return [];
}

function targetUrl(method: string, url: string, bodyLen: number): Hit[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [hit('bltcy-target-url', 'CHANNEL_BASE_URL_MALFORMED', 'the passthrough target URL is not a valid URL', { status: 'warn' })];
  }
  const out: Hit[] = [];
  if (u.pathname.startsWith('//')) out.push(hit('bltcy-target-url', 'CHANNEL_BASE_URL_MALFORMED', 'base_url ends with a slash: the target path starts with //', { status: 'warn', path: u.pathname }));
  if (/^(localhost|127\.|0\.0\.0\.0|\[::1\])/.test(u.host)) out.push(hit('bltcy-target-url', 'CHANNEL_BASE_URL_MALFORMED', 'base_url points at localhost', { status: 'warn' }));
  if (method === 'GET' && /\/jimeng\//.test(u.pathname) && /CVSync2AsyncGetResult/.test(u.search) && bodyLen > 0) {
    out.push(hit('bltcy-jimeng-get', 'CHANNEL_TYPE_MISMATCH', 'Jimeng result query forwarded as a GET with a body', { status: 'warn' }));
  }
  return out;
}

// Routes whose handler is the passthrough (or may switch to it for type 55), RB §8.3.
const PASSTHROUGH = /^\/(?:runway|runwayml|pika|minimax|suno|kling|tripo|jimeng)(?:\/|$)|^\/v1\/videos(?:\/|$)|^\/v1\/video\/generations|^\/v1\/audio\/generations|^\/generate(?:\/|$)|^\/feed\//;

export function isPassthroughPath(path: string): boolean {
  return PASSTHROUGH.test(path);
}

/** A 500 after the passthrough's 60-s response-header cap (GETs retry: 3 × 60 s + 2 × 2 s). */
export function headerCap(p: ParsedLine): Hit[] {
  const g = p.gin!;
  if (g.status !== 500 || !isPassthroughPath(g.path)) return [];
  const s = g.latencyMs / 1000;
  const windows = g.method === 'GET' ? [60, 121, 122, 184] : [60];
  if (!windows.some((w) => s >= w && s <= w + 2.5)) return [];
  return [
    hit('gin-header-cap', 'UPSTREAM_TIMEOUT', "500 after the passthrough's 60 s response-header cap", { path: g.path.split('?')[0], detail: `${g.method} latency ${g.latencyText}` }),
  ];
}
