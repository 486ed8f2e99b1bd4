import { Agent, request } from 'undici';

// One small HTTP client for every live probe: it keeps repeated headers apart (two
// X-Oneapi-Request-Id values mark an upstream answer, RB §10.7), caps the body it reads, and turns
// transport failures into data instead of exceptions.

export interface Answer {
  status: number;
  /** Header names lower-cased; every value kept, in order. */
  headers: Record<string, string[]>;
  body: string;
  /** The body was longer than the cap and was cut. */
  truncated?: boolean;
}

export type FailureKind = 'refused' | 'timeout' | 'dns' | 'reset' | 'tls' | 'other';

export interface Failure {
  kind: FailureKind;
  /** One line, no URL credentials. */
  error: string;
}

export type HttpResult = { ok: true; answer: Answer; ms: number } | { ok: false; failure: Failure; ms: number };

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

const BODY_CAP = 256 * 1024;

export function failureOf(err: unknown): Failure {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  const msg = String(e?.cause?.message ?? e?.message ?? err).split('\n')[0]!.replace(/\/\/[^@/\s]*@/g, '//');
  if (code === 'ECONNREFUSED') return { kind: 'refused', error: `connection refused (${msg})` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', error: `host does not resolve (${msg})` };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { kind: 'reset', error: `connection closed by the server (${msg})` };
  if (/TIMEOUT|ETIMEDOUT|AbortError/i.test(code) || /timeout|aborted/i.test(msg)) return { kind: 'timeout', error: `no answer in time (${msg})` };
  if (/CERT|TLS|SSL|EPROTO/i.test(code) || /certificate|tls|ssl/i.test(msg)) return { kind: 'tls', error: `TLS failed (${msg})` };
  return { kind: 'other', error: code ? `${code}: ${msg}` : msg };
}

function headerMap(raw: Record<string, string | string[] | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? [...v] : [v];
  }
  return out;
}

/** A client for one run; close() releases its sockets so the process can exit at once. */
export class HttpClient {
  readonly #agent = new Agent({ keepAliveTimeout: 1000, connect: { timeout: 5000 } });

  async send(req: HttpRequest): Promise<HttpResult> {
    const started = performance.now();
    const timeoutMs = req.timeoutMs ?? 10_000;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await request(req.url, {
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body,
        dispatcher: this.#agent,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      } as Parameters<typeof request>[1]);
      let size = 0;
      let truncated = false;
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        if (size + b.length > BODY_CAP) {
          chunks.push(b.subarray(0, BODY_CAP - size));
          truncated = true;
          res.body.destroy();
          break;
        }
        chunks.push(b);
        size += b.length;
      }
      const answer: Answer = { status: res.statusCode, headers: headerMap(res.headers), body: Buffer.concat(chunks).toString('utf8') };
      if (truncated) answer.truncated = true;
      return { ok: true, answer, ms: Math.round(performance.now() - started) };
    } catch (err) {
      return { ok: false, failure: failureOf(err), ms: Math.round(performance.now() - started) };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => undefined);
  }
}
