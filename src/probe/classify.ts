import { finding } from '../checks/report.js';
import type { Finding } from '../types.js';
import { header } from './probe.js';
import { redactUrl } from './redact.js';
import { RELAY_HEADER_CAP_MS, type Exchange, type ProbeOutcome } from './types.js';

// A probe's outcome → the contract's UPSTREAM_* findings, each with the numbers that prove it
// and what to do. Pure: the outcome holds everything.

export interface ClassifyInput {
  outcome: ProbeOutcome;
  channelId: number;
  keyIndex?: number;
  slowMs: number;
  headersTimeoutMs: number;
}

/** A relay upstream's own "no channel" answers (RB §8.4), in any of its builds and languages. */
const NO_CHANNEL = /无可用渠道|可用渠道不存在|的可用渠道失败|no available channel|failed to get available channel|"code"\s*:\s*"model_not_found"/i;

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${Math.round(v)} ms`);

function evidenceOf(ex: Exchange, o: ProbeOutcome): Record<string, unknown> {
  const e: Record<string, unknown> = { method: ex.method, url: redactUrl(ex.url, o.request.key) };
  if (ex.status !== undefined) e.status = ex.status;
  e.phases = ex.phases;
  if (ex.remoteAddress) e.remoteAddress = ex.remoteAddress;
  if (ex.status !== undefined) e.bodyKind = ex.bodyKind;
  if (ex.contentType) e.contentType = ex.contentType;
  if (ex.excerpt) e.body = ex.excerpt;
  if (ex.error) e.error = `${ex.error.phase}: ${ex.error.message}`;
  if (ex.tls) e.tls = { protocol: ex.tls.protocol, subject: ex.tls.subject, issuer: ex.tls.issuer, validTo: ex.tls.validTo, daysLeft: ex.tls.daysLeft, hostMatch: ex.tls.hostMatch };
  if (o.exchanges.length > 1) e.requests = o.exchanges.length;
  if (o.retriesUsed) e.retries = o.retriesUsed;
  return e;
}

export function classify(input: ClassifyInput): Finding[] {
  const { outcome: o, channelId } = input;
  const f = o.final;
  const req = o.request;
  const ch = `channel #${channelId}${input.keyIndex !== undefined ? ` (key ${input.keyIndex})` : ''}`;
  const subject: Record<string, unknown> = { channelId, probe: req.kind };
  if (input.keyIndex !== undefined) subject.keyIndex = input.keyIndex;
  const ev = evidenceOf(f, o);
  const what = `${f.method} ${redactUrl(f.url, req.key)}`;
  const out: Finding[] = [];
  const add = (code: Parameters<typeof finding>[0], message: string, remedy: string, extra: { status?: Finding['status']; evidence?: Record<string, unknown> } = {}) =>
    out.push(finding(code, message, { subject, evidence: { ...ev, ...(extra.evidence ?? {}) }, remedy: { text: remedy }, ...(extra.status ? { status: extra.status } : {}) }));

  if (f.error) {
    const e = f.error;
    switch (e.phase) {
      case 'dns':
        add('UPSTREAM_DNS_FAILED', `${ch}: the upstream host does not resolve (${e.code}) — ${what}; the relay fails with "no such host" (500 request_failed on the passthrough, do_request_failed elsewhere)`, 'Correct the channel base_url, or the DNS seen by the relay host (/etc/resolv.conf, the container\'s DNS).');
        break;
      case 'connect':
        add(
          'UPSTREAM_CONNECT_FAILED',
          e.code === 'BAD_URL'
            ? `${ch}: ${redactUrl(f.url, req.key)} is not an absolute http(s) URL: the relay fails with "unsupported protocol scheme"`
            : `${ch}: ${e.timeout ? `TCP connect got no answer within ${ms(f.phases.connectMs)}` : `TCP connect failed (${e.code})`} — ${what}`,
          e.code === 'BAD_URL' ? 'Store the upstream origin with its scheme, e.g. https://api.example.com' : 'Check that the upstream listens on that host and port and that no firewall drops the relay host\'s connections.',
        );
        break;
      case 'tls': {
        const tlsWhy = e.timeout ? `the TLS handshake did not finish within ${ms(f.phases.tlsMs)} (the relay's own limit was 10 s before 2025-10-11, 60 s since)` : e.message;
        add('UPSTREAM_TLS_FAILED', `${ch}: ${tlsWhy} — ${what}`, e.timeout ? 'Check the network path between the relay host and the upstream (packet loss, filtering); deploy a relay build with the 60-s handshake limit.' : 'Renew or fix the upstream certificate (full chain, right host name), or correct the base_url host.');
        break;
      }
      case 'headers':
        if (e.timeout) {
          const cap = input.headersTimeoutMs < RELAY_HEADER_CAP_MS;
          add(
            'UPSTREAM_TIMEOUT',
            `${ch}: no response headers within ${Math.round(input.headersTimeoutMs / 1000)} s — ${what}${cap ? `; the passthrough gives up at 60 s ("timeout awaiting response headers"): relay-doctor probe-upstream --channel ${channelId} --timeout 65 shows whether it answers before that` : ': the passthrough fails with "timeout awaiting response headers"'}`,
            'Make the upstream answer headers sooner (submit asynchronously); the relay cannot wait longer than its 60-s header limit.',
          );
        } else if (/^HPE_/.test(e.code) || e.code === 'HTTPParserError') {
          add('UPSTREAM_PROTOCOL_ERROR', `${ch}: ${e.message} — ${what}; the relay fails with "malformed HTTP response"`, 'Check that base_url points at the upstream\'s HTTP(S) API port (not another protocol, not https on an http port).');
        } else {
          add('UPSTREAM_CONNECTION_DROPPED', `${ch}: ${e.message} — ${what}; the relay sees "connection reset by peer" or "unexpected EOF"`, 'Look at the upstream or its edge (load balancer idle timeouts, body-size limits, crashes).');
        }
        break;
      case 'body':
        if (e.timeout) {
          add('UPSTREAM_SLOW', `${ch}: the upstream sent its headers (${f.status}) but the body was still incomplete after ${Math.round(f.phases.totalMs ?? 0)} ms (${f.bytes} bytes) — ${what}; the passthrough buffers whole bodies, so clients wait for all of it`, 'Make the upstream send its body promptly; builds before 2025-11-07 cancelled slow body reads ("context canceled").', { evidence: { bytesRead: f.bytes } });
        } else {
          add('UPSTREAM_CONNECTION_DROPPED', `${ch}: ${e.message} after ${f.bytes} bytes — ${what}; the passthrough answers 500 response_processing_failed`, 'Look at the upstream or its edge (idle timeouts, body-size limits, crashes).', { evidence: { bytesRead: f.bytes } });
        }
        break;
    }
    return out;
  }

  // A transport-only probe asks for the root page: its redirects and status say nothing.
  if (o.redirects.length && (req.kind !== 'reach' || o.redirectLoop)) {
    const loop = Boolean(o.redirectLoop);
    add(
      'UPSTREAM_REDIRECT',
      loop
        ? `${ch}: the upstream redirects again and again (${o.redirects.length} redirects, e.g. to ${o.redirects[o.redirects.length - 1]}): the relay's HTTP client stops after 10 and fails ("stopped after 10 redirects")`
        : `${ch}: the upstream redirects ${req.method} ${redactUrl(req.url, req.key)} to ${o.redirects.join(' → ')}; the relay follows it${req.method !== 'GET' && !['307', '308'].includes(String(o.exchanges[0]?.status)) ? ' as a GET without the body' : ''}${o.redirects.some((r) => !r.startsWith(new URL(req.url).origin)) ? ', dropping the key when the host changes' : ''}`,
      loop ? 'Fix the upstream\'s redirect rules, or point base_url at the final origin.' : 'Point base_url at the final origin (scheme and host) so that no redirect is needed.',
      { status: loop ? 'fail' : 'warn', evidence: { redirects: o.redirects, firstStatus: o.exchanges[0]?.status } },
    );
    if (loop) return out;
  }

  const status = f.status!;
  if (f.phases.ttfbMs !== null && f.phases.ttfbMs >= input.slowMs) {
    add('UPSTREAM_SLOW', `${ch}: the first byte came after ${(f.phases.ttfbMs / 1000).toFixed(1)} s — ${what}; the passthrough gives up at 60 s without headers`, 'Make the upstream answer sooner (asynchronous submit); requests slower than this fail with "timeout awaiting response headers".', { evidence: { thresholdMs: input.slowMs, relayCapMs: RELAY_HEADER_CAP_MS } });
  }
  const text = f.text ?? f.excerpt ?? '';
  const noChannel = NO_CHANNEL.test(text);

  const keyed = req.kind !== 'reach';
  if (status === 304 && keyed) {
    add('UPSTREAM_NOT_MODIFIED', `${ch}: the upstream answers 304 Not Modified with no body — ${what}; pollers expecting JSON break`, 'Clients should not send If-None-Match / If-Modified-Since on polls (the passthrough forwards them).');
  } else if (noChannel && keyed) {
    add('UPSTREAM_NO_CHANNEL', `${ch}: the upstream is itself a relay and answers ${status} "no channel" for its own model — ${what}: the fault is at the upstream relay (its channels or this key's group), not here`, 'Fix it at the upstream relay: give the key\'s group a channel for that model.');
  } else if (status >= 500) {
    if (keyed) {
      add('UPSTREAM_5XX', `${ch}: the upstream answers ${status} to the channel key too (${what}, first byte after ${ms(f.phases.ttfbMs)}): the fault is upstream, not in the relay`, 'Take it to the upstream\'s operator with the request id from the body; clients should keep polling.');
    }
  } else if ((status === 401 || status === 403) && keyed && req.key) {
    add('UPSTREAM_AUTH_REJECTED', `${ch}: the upstream answers ${status} to the channel key — ${what}: the key is wrong, expired, exhausted or disabled there`, 'Replace the channel key with one the upstream accepts (for multi-key channels, every enabled key).');
  } else if (f.bodyKind === 'html' && keyed) {
    const models = req.kind === 'models';
    add(
      'UPSTREAM_HTML_RESPONSE',
      models
        ? `${ch}: the upstream answers an HTML page (${status}) to ${what}: base_url may point at a web front end rather than the API`
        : `${ch}: the upstream answers an HTML page (${status}) where JSON is expected — ${what}: it does not route this path (the passthrough forwards the prefix as is) or base_url points at a web front end; the relay passes the page on${status < 300 ? ' as a success, and bills it' : ''}`,
      'Correct base_url (API origin, no path), or have the upstream serve the forwarded prefix.',
      models ? { status: 'warn' } : {},
    );
  } else if (status >= 400 && req.kind === 'live') {
    add('UPSTREAM_REJECTED_REQUEST', `${ch}: the upstream rejects the request with ${status} — ${what}: ${f.excerpt ?? 'no body'}`, 'Fix the request parameters (or the upstream balance); the upstream\'s message says which.');
  }

  if (o.models && o.models.missing.length && status === 200) {
    const target = req.targetModel;
    const fails = target !== undefined && o.models.missing.includes(target);
    add(
      'UPSTREAM_NO_CHANNEL',
      `${ch}: the upstream's model list for this key (${o.models.count} models) lacks ${o.models.missing.map((m) => `"${m}"`).join(', ')}: a request for ${fails ? 'it' : 'those'} reaches an upstream relay that answers "no channel"`,
      'At the upstream relay, give the key\'s group a channel for the model (or use a key whose group has one).',
      { status: fails ? 'fail' : 'warn', evidence: { modelsListed: o.models.count, missing: o.models.missing, offered: o.models.offered } },
    );
  }

  if (req.passthrough) {
    const cors = Object.entries(f.headers ?? {}).filter(([k]) => k.startsWith('access-control-'));
    if (cors.length) {
      const dup = cors.filter(([k, v]) => k === 'access-control-allow-origin' && (Array.isArray(v) || String(v).includes(',')));
      add(
        'UPSTREAM_CORS_DUPLICATE',
        `${ch}: the upstream sets ${cors.map(([k]) => k).join(', ')}${dup.length ? ` (already ${dup.map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`).join('; ')})` : ''}: relay builds before 2025-10-11 add the relay's own, and browsers refuse "Access-Control-Allow-Origin: *, *"`,
        'Deploy a relay build with the passthrough header filter (2025-10-11 or later), or stop the upstream from sending CORS headers.',
        { evidence: { corsHeaders: Object.fromEntries(cors) } },
      );
    }
  }

  const c = o.conditional;
  if (c && c.status === 304) {
    add(
      'UPSTREAM_NOT_MODIFIED',
      `${ch}: the upstream honours conditional headers: re-sent with ${header(f, 'etag') ? `If-None-Match ${header(f, 'etag')}` : `If-Modified-Since ${header(f, 'last-modified')}`} it answers 304 with no body — the passthrough forwards the client's conditional headers, so pollers that send them get 304`,
      'Clients should not send If-None-Match / If-Modified-Since on polls.',
      { evidence: { conditional: { status: c.status, phases: c.phases } } },
    );
  }

  if (f.tls && f.tls.authorized && f.tls.daysLeft <= 14) {
    add('UPSTREAM_TLS_FAILED', `${ch}: the upstream certificate expires in ${f.tls.daysLeft} day(s) (${f.tls.validTo.slice(0, 10)}): the relay's requests fail from then on`, 'Renew the upstream certificate.', { status: 'warn' });
  }
  return out;
}
