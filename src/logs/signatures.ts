import { hit, num, panicValue } from './hits.js';
import { classifyMessage } from './messages.js';
import { bltcy, headerCap } from './passthrough.js';
import type { Hit, ParsedLine } from './types.js';

// Line signatures → contract codes. Each documented relay message (RB §6.3, §8.4, §10.8, §14.3,
// §16; failure-modes.md) maps to one code and stage; a line may yield several hits (a crash line
// is both a panic risk and a crash loop). The rules live in messages.ts (generic messages),
// passthrough.ts (BF lines, the 60-s cap) and rows.ts (logs-table rows).

export { classifyMessage } from './messages.js';
export { isPassthroughPath } from './passthrough.js';
export { classifyRow } from './rows.js';

function panicHeader(msg: string): Hit[] {
  if (msg.startsWith('goroutine ')) return [];
  const value = msg.replace(/^(?:panic|fatal error): /, '').replace(/ \[recovered\]$/, '');
  return panicValue(msg.startsWith('fatal error') ? 'process-fatal' : 'process-panic', value, true);
}

/** Every signature hit of one parsed line. */
export function classifyLine(p: ParsedLine): Hit[] {
  switch (p.kind) {
    case 'gin':
      return p.gin && !p.partial ? headerCap(p) : [];
    case 'panic':
      return panicHeader(p.message);
    case 'dump':
    case 'blank':
      return [];
    case 'tagged': {
      const tag = p.tag!;
      if (tag.includes('Bltcy')) return bltcy(p);
      if (tag === 'Recovery') return /panic recovered/.test(p.message) ? [hit('gin-recovery', 'RELAY_PANIC', 'a request panicked (gin recovery)')] : [];
      if (tag === 'CacheRetry' || tag === 'CacheFallback' || tag === 'Distributor') return cacheLine(tag, p.message);
      return classifyMessage(p.message, p);
    }
    default:
      if ((p.level === 'ERR' || p.level === 'ERROR') && p.message.replace(/\s*\(request id: [^)]*\)\s*$/, '').trim() === 'record not found') {
        // TokenAuth's owner lookup is the only middleware abort whose message is the bare ORM error (RB §6.3).
        return [hit('user-record-not-found', 'USER_MISSING', 'the token owner is missing or soft-deleted (500 record not found)')];
      }
      if (p.tag === 'CacheRetry' || p.tag === 'CacheFallback' || p.tag === 'Distributor') return cacheLine(p.tag, p.message.replace(/^\[[^\]]+\] ?/, ''));
      return classifyMessage(p.message, p);
  }
}

/** BF's [CacheRetry] lines (RB §5.3); [Distributor]/[CacheFallback] lines only feed request correlation. */
function cacheLine(tag: string, msg: string): Hit[] {
  if (tag !== 'CacheRetry') return [];
  const body = msg.replace(/^\[CacheRetry\] ?/, '');
  const ok = /^重试成功! ?找到渠道 channel_id=(\d+)/.exec(body);
  if (ok) {
    return [hit('cache-retry-healed', 'CACHE_STALE_CHANNELS', 'the routing cache lacked a channel the database has (healed by an inline rebuild)', { channel: num(ok[1]), status: 'warn' })];
  }
  if (/^重试失败!/.test(body)) return [hit('cache-retry-failed', 'NO_CHANNEL_FOR_MODEL', 'no channel for the model even after an inline cache rebuild')];
  return [];
}
