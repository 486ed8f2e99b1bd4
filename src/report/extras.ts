import type { DiagnoseDocument } from './document.js';

// Parts of the document other features add (upstream probes, log lines). Their exact keys may
// change; these readers accept the contract's shapes where they may appear and ignore the rest.

export interface ProbePhases {
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  ttfbMs: number | null;
  totalMs: number | null;
}

export interface ProbeView {
  channelId?: number;
  channelName?: string;
  url?: string;
  keyIndex?: number;
  status?: number;
  bodyKind?: string;
  phases: ProbePhases;
  codes: string[];
}

const PHASES = ['dnsMs', 'connectMs', 'tlsMs', 'ttfbMs', 'totalMs'] as const;

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function phasesOf(v: unknown): ProbePhases | undefined {
  const p = obj(v);
  if (!p || !PHASES.some((k) => k in p)) return undefined;
  return { dnsMs: numOrNull(p.dnsMs), connectMs: numOrNull(p.connectMs), tlsMs: numOrNull(p.tlsMs), ttfbMs: numOrNull(p.ttfbMs), totalMs: numOrNull(p.totalMs) };
}

function probeOf(v: unknown): ProbeView | undefined {
  const p = obj(v);
  const phases = phasesOf(p?.phases);
  if (!p || !phases) return undefined;
  const findings = Array.isArray(p.findings) ? p.findings : [];
  return {
    channelId: optNum(p.channelId),
    channelName: optStr(p.channelName),
    url: optStr(p.url),
    keyIndex: optNum(p.keyIndex),
    status: optNum(p.status),
    bodyKind: optStr(p.bodyKind),
    phases,
    codes: findings.map((f) => optStr(obj(f)?.code)).filter((c): c is string => Boolean(c)),
  };
}

/** Upstream probe results carried by the document (none when the upstream was not probed). */
export function probesOf(doc: DiagnoseDocument): ProbeView[] {
  const d = doc as unknown as Record<string, unknown>;
  const lists = [d.probes, obj(d.upstream)?.probes, d.upstreamProbes, obj(d.probe)?.probes];
  for (const l of lists) {
    if (Array.isArray(l)) {
      const out = l.map(probeOf).filter((p): p is ProbeView => Boolean(p));
      if (out.length) return out;
    }
  }
  // Else: upstream findings whose evidence carries the phase timings.
  const out: ProbeView[] = [];
  for (const f of doc.findings) {
    if (f.stage !== 'upstream') continue;
    // A finding may carry its probes as a list (e.g. "the upstream answers fine").
    if (Array.isArray(f.evidence?.probes)) {
      for (const p of f.evidence.probes as unknown[]) {
        const v = probeOf(p);
        if (v && !out.some((o) => o.channelId === v.channelId && o.keyIndex === v.keyIndex && JSON.stringify(o.phases) === JSON.stringify(v.phases))) out.push({ ...v, codes: [f.code] });
      }
      continue;
    }
    const phases = phasesOf(f.evidence?.phases);
    if (!phases) continue;
    const channelId = optNum(f.subject?.channelId) ?? optNum(f.evidence?.channelId);
    const key = `${channelId}|${JSON.stringify(phases)}`;
    const prev = out.find((p) => `${p.channelId}|${JSON.stringify(p.phases)}` === key);
    if (prev) {
      prev.codes.push(f.code);
      continue;
    }
    out.push({ channelId, keyIndex: optNum(f.subject?.keyIndex), url: optStr(f.evidence?.url), status: optNum(f.evidence?.status), bodyKind: optStr(f.evidence?.bodyKind), phases, codes: [f.code] });
  }
  return out;
}

function lineOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const o = obj(v);
  return optStr(o?.line) ?? optStr(o?.text) ?? optStr(o?.raw);
}

/** The relevant relay log lines the document carries, last `max` of them. */
export function logLinesOf(doc: DiagnoseDocument, max = 50): string[] {
  const d = doc as unknown as Record<string, unknown>;
  const logs = obj(d.logs);
  const lists = [logs?.tail, logs?.lastLines, logs?.recent, Array.isArray(logs?.lines) ? logs?.lines : undefined, d.logLines];
  for (const l of lists) {
    if (Array.isArray(l)) {
      const lines = l.map(lineOf).filter((s): s is string => s !== undefined);
      if (lines.length) return lines.slice(-max);
    }
  }
  // Else one example line per log cluster (the logs document of the contract).
  const clusters = Array.isArray(logs?.clusters) ? logs.clusters : [];
  return clusters
    .map((c) => optStr(obj(c)?.example))
    .filter((s): s is string => Boolean(s))
    .slice(-max);
}
