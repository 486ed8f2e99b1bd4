import { bodyFailure, type Extra, hit, localRelayError, TITLES, upstreamAnswer } from './hits.js';
import { classifyMessage } from './messages.js';
import type { Hit, LogRow } from './types.js';

// Logs-table rows (RB §14.2)

const ERROR_CODES: Record<string, (r: LogRow, content: string) => Hit[]> = {
  do_request_failed: (_r, c) => localRelayError('error-row', c.includes('do request failed') ? c : `do request failed: ${c}`, {}) ?? [],
  get_channel_failed: () => [hit('error-row', 'CHANNELS_ALL_DISABLED', 'a retry found no channel left (get_channel_failed)')],
  model_price_error: () => [hit('error-row', 'MODEL_PRICE_MISSING', TITLES.MODEL_PRICE_MISSING!)],
  'channel:model_mapped_error': () => [hit('error-row', 'CHANNEL_JSON_INVALID', 'model_mapping is invalid')],
  'channel:param_override_invalid': () => [hit('error-row', 'CHANNEL_JSON_INVALID', 'param_override is invalid')],
  'channel:header_override_invalid': () => [hit('error-row', 'CHANNEL_JSON_INVALID', 'header_override is invalid')],
  'channel:no_available_key': () => [hit('error-row', 'CHANNEL_KEY_MISSING', TITLES.CHANNEL_KEY_MISSING!)],
  invalid_request: () => [hit('error-row', 'REQUEST_INVALID', TITLES.REQUEST_INVALID!)],
  sensitive_words_detected: () => [hit('error-row', 'REQUEST_INVALID', TITLES.REQUEST_INVALID!)],
  read_response_body_failed: (_r, c) => [bodyFailure('error-row', c)],
};

/** Hits of one logs-table row: error rows by error code, Go error and status; consume rows by billing anomalies. */
export function classifyRow(r: LogRow): Hit[] {
  const base: Extra = { channel: r.channelId, model: r.model, group: r.group, path: r.requestPath };
  let hits: Hit[] = [];
  if (r.type === 5) {
    let status = r.statusCode;
    const prefixed = /^status_code=(\d+),\s*/.exec(r.content);
    if (status === undefined && prefixed) status = Number(prefixed[1]);
    const content = prefixed ? r.content.slice(prefixed[0].length) : r.content;
    const byCode = r.errorCode ? ERROR_CODES[r.errorCode] : undefined;
    hits = byCode ? byCode(r, content) : [];
    if (hits.length === 0) hits = upstreamAnswer('error-row', content, status, {});
    if (hits.length === 0) hits = classifyMessage(content).map((h) => ({ ...h, signature: 'error-row' }));
  } else if (r.type === 2) {
    let m: RegExpExecArray | null;
    if ((m = /^Bltcy透传（([^/）]*)\/([^）]*)）.*来源: ?base/.exec(r.content))) {
      hits = [hit('consume-row', 'MODEL_PRICE_MISSING', 'no ModelPrice for the billing model: the passthrough charged its flat base quota', { status: 'warn', model: m[2] || m[1] })];
    } else if (/^Bltcy透传模式（[^）]*）[,，]\s*消费配额/.test(r.content)) {
      hits = [hit('consume-row', 'RELAY_BUILD_OUTDATED', 'consume rows of a build before BF 2025-10-13 (polls were billed)', { detail: 'old passthrough billing format' })];
    }
  }
  return hits.map((h) => {
    const out = { ...h };
    for (const [k, v] of Object.entries(base)) if (v !== undefined && v !== '' && (out as Record<string, unknown>)[k] === undefined) (out as Record<string, unknown>)[k] = v;
    return out;
  });
}
