import type { LookupFunction } from 'node:net';
import type { Secret } from '../context/secret.js';
import type { Finding } from '../types.js';

// Data of an upstream probe: what is sent, what each phase took, what came back.

/**
 * models: GET <base>/v1/models with the channel key (checks the key, and the model list when the
 *   upstream is itself a relay). route: a GET on the route's prefix that cannot create a task.
 * live: the real request (--live). reach: transport only (types that do not take a Bearer key).
 */
export type ProbeKind = 'models' | 'route' | 'live' | 'reach';

export type Phase = 'dns' | 'connect' | 'tls' | 'headers' | 'body';

export interface ProbeTimeouts {
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
  /** From the request written to the response headers (the passthrough's own cap is 60 s). */
  headersMs: number;
  /** From the headers to the end of the (capped) body. */
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: ProbeTimeouts = { dnsMs: 5_000, connectMs: 10_000, tlsMs: 10_000, headersMs: 20_000, bodyMs: 20_000 };

/** The passthrough's ResponseHeaderTimeout (RB §10.5). */
export const RELAY_HEADER_CAP_MS = 60_000;

export interface ProbeOptions {
  timeouts: ProbeTimeouts;
  /** UPSTREAM_SLOW when the time to first byte reaches this. */
  slowMs: number;
  /** Extra attempts after a transport error or a 5xx; 0 unless asked for. */
  retries: number;
  /** Body bytes kept and read at most. */
  bodyCap: number;
  /** Test seams: a resolver, and a CA bundle to trust instead of the system's. */
  lookup?: LookupFunction;
  ca?: string | Buffer | (string | Buffer)[];
}

export const DEFAULT_OPTIONS: ProbeOptions = { timeouts: DEFAULT_TIMEOUTS, slowMs: 45_000, retries: 0, bodyCap: 64 * 1024 };

/** One request to send, as the relay would send it. */
export interface ProbeRequest {
  kind: ProbeKind;
  method: string;
  /** base_url + path + query exactly as concatenated (no slash clean-up). */
  url: string;
  key?: Secret;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Model names whose presence in the upstream's model list is checked (models probe). */
  expectModels?: string[];
  /** The model the request is about: a missing one is a failure, others a warning. */
  targetModel?: string;
  /** The channel forwards through the passthrough (CORS headers, 304s matter). */
  passthrough: boolean;
  /** Why this URL: shown with the result. */
  note?: string;
}

export interface Phases {
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  ttfbMs: number | null;
  totalMs: number | null;
}

/** The same instants as curl -w reports them: seconds from the start, cumulative. */
export interface CurlTimes {
  time_namelookup: number;
  time_connect: number;
  time_appconnect: number;
  time_starttransfer: number | null;
  time_total: number;
}

export interface TlsInfo {
  protocol: string | null;
  subject: string;
  issuer: string;
  validTo: string;
  daysLeft: number;
  hostMatch: boolean;
  authorized: boolean;
  authorizationError?: string;
}

export interface ExchangeError {
  phase: Phase;
  code: string;
  message: string;
  timeout: boolean;
}

/** One HTTP exchange on a fresh connection. */
export interface Exchange {
  method: string;
  url: string;
  remoteAddress?: string;
  phases: Phases;
  curl: CurlTimes;
  tls?: TlsInfo;
  status?: number;
  headers?: Record<string, string | string[]>;
  contentType?: string;
  bodyKind: BodyKind;
  bytes: number;
  truncated: boolean;
  /** Redacted, short. */
  excerpt?: string;
  /** Full (capped) body text, kept in memory only for classification; never serialised. */
  text?: string;
  error?: ExchangeError;
  /** Sent If-None-Match / If-Modified-Since. */
  conditional?: boolean;
}

export type BodyKind = 'json' | 'html' | 'text' | 'empty';

export interface ProbeOutcome {
  request: ProbeRequest;
  /** Every exchange in order: redirect hops, retries, the conditional re-check. */
  exchanges: Exchange[];
  /** The answer the relay would act on (last of the main chain). */
  final: Exchange;
  redirects: string[];
  redirectLoop?: boolean;
  retriesUsed: number;
  /** The conditional re-check, when the answer carried an ETag or Last-Modified. */
  conditional?: Exchange;
  /** Model list facts (models probe). */
  models?: { count: number; missing: string[]; offered: string[] };
}

/** A probe as the contract's probe-upstream document lists it. */
export interface ProbeRecord {
  channelId: number;
  channelName: string | null;
  type: number;
  typeName?: string;
  kind: ProbeKind;
  method: string;
  url: string;
  keyIndex?: number;
  key?: string;
  phases: Phases;
  curl?: CurlTimes;
  tls?: TlsInfo;
  status?: number;
  bodyKind: BodyKind;
  bytes: number;
  truncated: boolean;
  excerpt?: string;
  redirects?: string[];
  attempts: number;
  note?: string;
  error?: ExchangeError;
  findings: Finding[];
}
