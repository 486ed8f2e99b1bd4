import { classify } from './classify.js';
import type { ChannelPlan, PlannedProbe } from './plan.js';
import { probe } from './probe.js';
import { redactUrl } from './redact.js';
import type { ProbeOptions, ProbeRecord } from './types.js';

// Many probes with bounded concurrency: a slow host holds one slot, never the others.

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

function skippedRecord(plan: ChannelPlan): ProbeRecord {
  const c = plan.channel;
  const r: ProbeRecord = {
    channelId: c.id,
    channelName: c.name,
    type: c.type,
    kind: 'reach',
    method: '',
    url: plan.baseUrl ? redactUrl(plan.baseUrl) : '',
    phases: { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: null, totalMs: null },
    bodyKind: 'empty',
    bytes: 0,
    truncated: false,
    attempts: 0,
    findings: plan.skipped,
  };
  if (plan.typeName) r.typeName = plan.typeName;
  return r;
}

export async function runProbe(plan: ChannelPlan, p: PlannedProbe, o: ProbeOptions): Promise<ProbeRecord> {
  const c = plan.channel;
  const outcome = await probe(p.request, o);
  const f = outcome.final;
  const findings = classify({ outcome, channelId: c.id, keyIndex: p.keyIndex, slowMs: o.slowMs, headersTimeoutMs: o.timeouts.headersMs });
  const r: ProbeRecord = {
    channelId: c.id,
    channelName: c.name,
    type: c.type,
    kind: p.request.kind,
    method: p.request.method,
    url: redactUrl(p.request.url, p.request.key),
    phases: f.phases,
    curl: f.curl,
    bodyKind: f.bodyKind,
    bytes: f.bytes,
    truncated: f.truncated,
    attempts: 1 + outcome.retriesUsed,
    findings,
  };
  if (plan.typeName) r.typeName = plan.typeName;
  if (p.keyIndex !== undefined) r.keyIndex = p.keyIndex;
  if (p.keyMasked) r.key = p.keyMasked;
  if (f.tls) r.tls = f.tls;
  if (f.status !== undefined) r.status = f.status;
  if (f.excerpt) r.excerpt = f.excerpt;
  if (outcome.redirects.length) r.redirects = outcome.redirects;
  if (p.request.note) r.note = p.request.note;
  if (f.error) r.error = f.error;
  return r;
}

/** Every planned probe of every channel, `concurrency` at a time; records in plan order. */
export async function runPlans(plans: readonly ChannelPlan[], o: ProbeOptions, concurrency: number, onDone?: (done: number, total: number) => void): Promise<ProbeRecord[]> {
  const jobs: { plan: ChannelPlan; probe?: PlannedProbe }[] = [];
  for (const plan of plans) {
    if (plan.skipped.length || !plan.probes.length) jobs.push({ plan });
    for (const p of plan.probes) jobs.push({ plan, probe: p });
  }
  let done = 0;
  const records = await mapLimit(jobs, concurrency, async (j) => {
    const r = j.probe ? await runProbe(j.plan, j.probe, o) : skippedRecord(j.plan);
    onDone?.(++done, jobs.length);
    return r;
  });
  return records;
}
