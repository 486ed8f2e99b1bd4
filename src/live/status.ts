import type { HttpClient } from './http.js';
import { isHtml } from './envelope.js';
import type { StatusRead } from './types.js';

// GET /api/status: no authentication, process memory (RB §1.1, §11.2). start_time changes on
// every restart, which makes two reads the cheapest crash-loop detector.

const NAMES: Record<string, StatusRead['productHint']> = { 'API Gateway': 'bltcy', 'New API': 'new-api', 'One API': 'one-api' };

export async function readStatus(http: HttpClient, base: string): Promise<StatusRead> {
  const at = Date.now();
  const r = await http.send({ method: 'GET', url: `${base}/api/status`, headers: { accept: 'application/json' }, timeoutMs: 8000 });
  if (!r.ok) return { at, ok: false, failure: r.failure, hints: [] };
  const a = r.answer;
  const out: StatusRead = { at, ok: false, httpStatus: a.status, hints: [] };
  const hv = a.headers['x-new-api-version']?.[0];
  if (hv) {
    out.headerVersion = hv;
    out.hints.push(`X-New-Api-Version ${hv}: new-api ≥ 2026-01-30`);
  }
  if (isHtml(a)) {
    out.notStatus = `an HTML page (status ${a.status}) instead of the status JSON`;
    return out;
  }
  let data: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(a.body) as { data?: unknown };
    if (v && typeof v === 'object' && v.data && typeof v.data === 'object') data = v.data as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  if (!data) {
    out.notStatus = a.status === 500 && a.body.trim() === '' ? 'an empty 500 (on /api/* the rate limiter failing on Redis, RB §7.5)' : `status ${a.status} without the status JSON`;
    return out;
  }
  out.ok = true;
  if (typeof data.version === 'string') out.version = data.version;
  if (typeof data.start_time === 'number') out.startTime = data.start_time;
  if (typeof data.system_name === 'string') out.systemName = data.system_name;
  if (typeof data.setup === 'boolean') out.setup = data.setup;
  const hint = out.systemName !== undefined ? NAMES[out.systemName] : undefined;
  if (hint) {
    out.productHint = hint;
    out.hints.push(`system_name "${out.systemName}" is the default of ${hint === 'bltcy' ? 'the Bltcy fork' : hint} (the SystemName option can change it)`);
  }
  if (out.version === '') out.hints.push('empty version: a build from the Bltcy fork\'s Dockerfile (its VERSION file is empty)');
  else if (out.version === 'v0.0.0') out.hints.push('version v0.0.0: a plain `go build` of new-api or the fork');
  return out;
}
