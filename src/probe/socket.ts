import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';
import type { ExchangeError, Phase, ProbeTimeouts, TlsInfo } from './types.js';

// A fresh connection opened phase by phase (DNS, TCP, TLS), each with its own timer, so a
// failure names its phase and every phase has a duration, as curl -w reports them.

const noop = () => undefined;

export class PhaseError extends Error {
  constructor(
    readonly phase: Phase,
    readonly code: string,
    message: string,
    readonly timeout = false,
    readonly tls?: TlsInfo,
  ) {
    super(message);
  }
  toExchangeError(): ExchangeError {
    return { phase: this.phase, code: this.code, message: this.message, timeout: this.timeout };
  }
}

export interface Marks {
  start: number;
  dnsEnd?: number;
  connectEnd?: number;
  tlsEnd?: number;
}

export interface Opened {
  socket: net.Socket | TLSSocket;
  remoteAddress: string;
  tls?: TlsInfo;
}

export interface Endpoint {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
}

function withTimer<T>(ms: number, onTimeout: () => PhaseError, run: (settle: (err: Error | null, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => settle(onTimeout()), ms);
    function settle(err: Error | null, v?: T) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(v as T);
    }
    run(settle);
  });
}

async function resolve(host: string, ms: number, lookup: LookupFunction): Promise<string[]> {
  return withTimer<string[]>(
    ms,
    () => new PhaseError('dns', 'DNS_TIMEOUT', `no DNS answer for ${host} within ${ms} ms`, true),
    (settle) => {
      lookup(host, { all: true }, (err, address) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'DNS_ERROR';
          settle(new PhaseError('dns', code, `${host} does not resolve (${code})`));
          return;
        }
        const list = (Array.isArray(address) ? address.map((a) => (typeof a === 'string' ? a : a.address)) : [address]).filter(Boolean);
        if (list.length) settle(null, list);
        else settle(new PhaseError('dns', 'ENODATA', `${host} has no address`));
      });
    },
  );
}

function tcpOnce(address: string, port: number, ms: number): Promise<net.Socket> {
  let sock: net.Socket | undefined;
  return withTimer<net.Socket>(
    ms,
    () => {
      sock?.destroy();
      return new PhaseError('connect', 'CONNECT_TIMEOUT', `TCP connect to ${address}:${port} did not complete within ${ms} ms`, true);
    },
    (settle) => {
      sock = net.connect({ host: address, port });
      // Kept for the socket's life: an error between two owners must not become an uncaught event.
      sock.on('error', noop);
      sock.once('connect', () => settle(null, sock));
      sock.once('error', (err: NodeJS.ErrnoException) => {
        sock!.destroy();
        settle(new PhaseError('connect', err.code ?? 'CONNECT_ERROR', `TCP connect to ${address}:${port} failed: ${err.code ?? err.message}`));
      });
    },
  );
}

/** Each resolved address in turn, as Go's dialer falls back, within one connect budget. */
async function tcp(addresses: string[], port: number, ms: number): Promise<{ socket: net.Socket; address: string }> {
  const deadline = performance.now() + ms;
  let last: unknown;
  for (const address of addresses) {
    const left = Math.max(1, Math.round(deadline - performance.now()));
    try {
      return { socket: await tcpOnce(address, port, left), address };
    } catch (err) {
      last = err;
      if (err instanceof PhaseError && err.timeout) break; // the budget is spent
    }
  }
  throw last;
}

function dn(o: Record<string, string | string[] | undefined> | undefined): string {
  if (!o) return '';
  return Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
}

export function tlsInfo(sock: TLSSocket, host: string, now = Date.now()): TlsInfo {
  const cert = sock.getPeerCertificate() as PeerCertificate | Record<string, never>;
  const validTo = 'valid_to' in cert && cert.valid_to ? new Date(cert.valid_to) : undefined;
  let hostMatch = false;
  if ('subject' in cert && cert.subject) hostMatch = tls.checkServerIdentity(host, cert as PeerCertificate) === undefined;
  const info: TlsInfo = {
    protocol: sock.getProtocol() ?? null,
    subject: dn('subject' in cert ? (cert.subject as unknown as Record<string, string>) : undefined),
    issuer: dn('issuer' in cert ? (cert.issuer as unknown as Record<string, string>) : undefined),
    validTo: validTo ? validTo.toISOString() : '',
    daysLeft: validTo ? Math.floor((validTo.getTime() - now) / 86_400_000) : 0,
    hostMatch,
    authorized: sock.authorized,
  };
  if (!sock.authorized && sock.authorizationError) info.authorizationError = String(sock.authorizationError);
  return info;
}

function handshake(raw: net.Socket, host: string, ms: number, ca: ProbeSocketOptions['ca']): Promise<{ socket: TLSSocket; info: TlsInfo }> {
  let sock: TLSSocket | undefined;
  return withTimer(
    ms,
    () => {
      sock?.destroy();
      raw.destroy();
      return new PhaseError('tls', 'TLS_HANDSHAKE_TIMEOUT', `TLS handshake with ${host} did not complete within ${ms} ms`, true);
    },
    (settle) => {
      // Verification is judged after the handshake so that a refused certificate can still be
      // described (subject, issuer, expiry); the connection is then closed, as the relay would.
      sock = tls.connect({
        socket: raw,
        host,
        servername: net.isIP(host) ? undefined : host,
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
        ...(ca ? { ca } : {}),
      });
      sock.on('error', noop);
      sock.once('secureConnect', () => settle(null, { socket: sock!, info: tlsInfo(sock!, host) }));
      sock.once('error', (err: NodeJS.ErrnoException) => {
        sock!.destroy();
        const code = err.code ?? 'TLS_ERROR';
        const what = code === 'ECONNRESET' ? 'the connection was reset during the TLS handshake' : code === 'EPROTO' ? `TLS protocol error (${err.message.split('\n')[0]})` : `${code}: ${err.message.split('\n')[0]}`;
        settle(new PhaseError('tls', code, `TLS handshake with ${host} failed: ${what}`));
      });
    },
  );
}

export interface ProbeSocketOptions {
  timeouts: ProbeTimeouts;
  lookup?: LookupFunction;
  ca?: string | Buffer | (string | Buffer)[];
}

/** DNS, TCP, TLS in turn; marks are set as each phase ends. Throws PhaseError. */
export async function openConnection(ep: Endpoint, o: ProbeSocketOptions, marks: Marks): Promise<Opened> {
  const host = ep.hostname.replace(/^\[|\]$/g, '');
  let addresses = [host];
  if (!net.isIP(host)) {
    addresses = await resolve(host, o.timeouts.dnsMs, o.lookup ?? (dns.lookup as unknown as LookupFunction));
    marks.dnsEnd = performance.now();
  }
  const { socket: raw, address } = await tcp(addresses, ep.port, o.timeouts.connectMs);
  raw.setNoDelay(true);
  marks.connectEnd = performance.now();
  if (ep.protocol === 'http:') return { socket: raw, remoteAddress: address };
  const { socket, info } = await handshake(raw, host, o.timeouts.tlsMs, o.ca);
  marks.tlsEnd = performance.now();
  if (!info.authorized) {
    socket.destroy();
    const why = describeCertError(info.authorizationError ?? 'UNKNOWN', host, info);
    throw new PhaseError('tls', info.authorizationError ?? 'CERT_INVALID', `TLS certificate of ${host} refused: ${why}`, false, info);
  }
  return { socket, remoteAddress: address, tls: info };
}

function describeCertError(code: string, host: string, info: TlsInfo): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return `expired on ${info.validTo.slice(0, 10)} (${-info.daysLeft} days ago)`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `self-signed (${info.subject}), not issued by a trusted authority`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `issued by ${info.issuer || 'an unknown issuer'}, which is not trusted (or the chain is incomplete)`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `issued for ${info.subject || 'another name'}, not for ${host}`;
    case 'CERT_NOT_YET_VALID':
      return 'not yet valid';
    default:
      return code;
  }
}
