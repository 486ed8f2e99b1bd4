import type { LogCode } from './codes.js';

export interface Classified {
  code: LogCode;
  detail: string;
}

// Go transport error texts (net/http, crypto/tls, net) → what they mean for the upstream hop.
// Checked in order: the first rule that matches wins, so specific texts precede generic ones.
const NET_RULES: [RegExp, LogCode, string][] = [
  [/TLS handshake timeout/i, 'UPSTREAM_TLS_FAILED', 'TLS handshake timeout'],
  [/x509: ([^"]*?)(?:"|$)/, 'UPSTREAM_TLS_FAILED', 'certificate rejected (x509)'],
  [/\btls: |remote error: tls|first record does not look like a TLS handshake|server gave HTTP response to HTTPS client/i, 'UPSTREAM_TLS_FAILED', 'TLS error'],
  [/timeout awaiting response headers|awaiting headers/i, 'UPSTREAM_TIMEOUT', 'no response headers in time (60 s cap on the passthrough)'],
  [/no such host|server misbehaving|lookup [^:]+(?::\d+)?(?: on [^:]+:\d+)?: (?:i\/o timeout|no answer)/i, 'UPSTREAM_DNS_FAILED', 'DNS lookup failed'],
  [/connection refused/i, 'UPSTREAM_CONNECT_FAILED', 'connection refused'],
  [/no route to host|network is unreachable|dial tcp [^ ]+: i\/o timeout|connect: /i, 'UPSTREAM_CONNECT_FAILED', 'TCP connect failed'],
  [/connection reset by peer/i, 'UPSTREAM_CONNECTION_DROPPED', 'connection reset by peer'],
  [/unexpected EOF/i, 'UPSTREAM_CONNECTION_DROPPED', 'unexpected EOF'],
  [/broken pipe/i, 'UPSTREAM_CONNECTION_DROPPED', 'broken pipe'],
  [/server closed idle connection|http2: server sent GOAWAY|stream error|(?:^|: )EOF\b/, 'UPSTREAM_CONNECTION_DROPPED', 'connection closed (EOF)'],
  [/context deadline exceeded|Client\.Timeout exceeded|i\/o timeout/i, 'UPSTREAM_TIMEOUT', 'overall timeout (context deadline exceeded)'],
  [/context canceled/i, 'UPSTREAM_SLOW', 'context canceled (client gave up, or a build before 2025-11-07)'],
  [/unsupported protocol scheme|missing protocol scheme|first path segment in URL cannot contain colon|invalid URL escape/i, 'CHANNEL_BASE_URL_MALFORMED', 'base_url is not an absolute http(s) URL'],
];

/** Classify a Go transport error text; undefined when it names no known failure. */
export function goNetError(text: string): Classified | undefined {
  for (const [re, code, detail] of NET_RULES) if (re.test(text)) return { code, detail };
  return undefined;
}

const NO_CHANNEL = /无可用渠道|可用渠道不存在|No available channel|no available channel|model_not_found/;
// The relay failed to decode an HTML page as JSON: the page came with a success status.
const HTML_DECODE = /invalid character '<'|Unexpected token '<'/;
const HTML_BODY = /<!doctype html|<html/i;

/** What an upstream answer with this status (and body) means. */
export function upstreamStatus(status: number | undefined, body: string): Classified | undefined {
  if (NO_CHANNEL.test(body)) return { code: 'UPSTREAM_NO_CHANNEL', detail: 'the upstream relay has no channel for its model' };
  if (HTML_DECODE.test(body)) return { code: 'UPSTREAM_HTML_RESPONSE', detail: 'HTML page instead of JSON' };
  // An HTML error page with a 5xx is a 5xx (a proxy's error page); with another status it is the wrong endpoint.
  if (HTML_BODY.test(body) && !(status !== undefined && status >= 500)) return { code: 'UPSTREAM_HTML_RESPONSE', detail: 'HTML page instead of JSON' };
  if (status === undefined || !Number.isFinite(status)) return undefined;
  if (status === 401 || status === 403) return { code: 'UPSTREAM_AUTH_REJECTED', detail: `upstream ${status}` };
  if (status === 304) return { code: 'UPSTREAM_NOT_MODIFIED', detail: 'upstream 304' };
  if (status >= 500) return { code: 'UPSTREAM_5XX', detail: `upstream ${status}` };
  if (status >= 400) return { code: 'UPSTREAM_REJECTED_REQUEST', detail: status === 429 ? 'upstream 429 (rate limited)' : `upstream ${status}` };
  return undefined;
}
