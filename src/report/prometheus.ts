import type { StageStatus } from '../types.js';
import type { DiagnoseDocument } from './document.js';
import { probesOf } from './extras.js';

// Prometheus text exposition format (version 0.0.4), for node_exporter's textfile collector:
// one file per relay, rewritten by each run. Every family has HELP and TYPE lines, and its
// samples follow them together.

export interface PrometheusOptions {
  /** Unix time (seconds) of the run's end, for relay_doctor_last_run_timestamp_seconds. */
  timestamp: number;
}

const STAGE_STATUSES: StageStatus[] = ['pass', 'warn', 'fail', 'skip', 'error'];
const PHASES = [
  ['dns', 'dnsMs'],
  ['connect', 'connectMs'],
  ['tls', 'tlsMs'],
  ['ttfb', 'ttfbMs'],
  ['total', 'totalMs'],
] as const;

export function labelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function helpText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function num(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

type Sample = { labels: Record<string, string>; value: number };

class Families {
  private out: string[] = [];
  add(name: string, help: string, type: 'gauge' | 'counter', samples: Sample[]): void {
    if (!samples.length) return;
    this.out.push(`# HELP ${name} ${helpText(help)}`, `# TYPE ${name} ${type}`);
    for (const s of samples) {
      const l = Object.entries(s.labels);
      this.out.push(`${name}${l.length ? `{${l.map(([k, v]) => `${k}="${labelValue(v)}"`).join(',')}}` : ''} ${num(s.value)}`);
    }
  }
  text(): string {
    return this.out.join('\n') + '\n';
  }
}

export function renderPrometheus(doc: DiagnoseDocument, o: PrometheusOptions): string {
  const fam = new Families();
  const r = doc.relay;
  fam.add('relay_doctor_info', 'relay-doctor version and the relay product and build it found (always 1).', 'gauge', [
    { labels: { version: doc.tool.version, product: r?.product ?? '', build: r?.build ?? '' }, value: 1 },
  ]);
  fam.add(
    'relay_doctor_verdict',
    'Verdict of the last run: 1 for its status (healthy, unhealthy, inconclusive), 0 for the others.',
    'gauge',
    (['healthy', 'unhealthy', 'inconclusive'] as const).map((s) => ({ labels: { status: s }, value: doc.verdict.status === s ? 1 : 0 })),
  );

  const cells: Sample[] = [];
  if (doc.sweep) {
    for (const m of doc.sweep.models) {
      for (const g of doc.sweep.groups) {
        const v = doc.sweep.cells[m]?.[g.group] ?? '';
        if (v === 'not-offered') continue; // not a health question: nothing offers the model
        cells.push({ labels: { model: m, group: g.group }, value: v === '' ? 1 : 0 });
      }
    }
  } else if (doc.target.model !== undefined && doc.target.group !== undefined) {
    cells.push({ labels: { model: doc.target.model, group: doc.target.group }, value: doc.verdict.status === 'unhealthy' ? 0 : 1 });
  }
  fam.add('relay_doctor_cell_healthy', 'Whether a request for the routing model in the using group can be served (1) or fails (0).', 'gauge', cells);

  fam.add(
    'relay_doctor_stage_status',
    'Status of each flowchart stage: 1 for its status (pass, warn, fail, skip, error), 0 for the others.',
    'gauge',
    doc.stages.flatMap((s) => STAGE_STATUSES.map((st) => ({ labels: { stage: s.id, status: st }, value: s.status === st ? 1 : 0 }))),
  );

  const counts = new Map<string, Sample>();
  for (const f of doc.findings) {
    const k = `${f.code}|${f.status}|${f.stage}`;
    const s = counts.get(k) ?? { labels: { code: f.code, status: f.status, stage: f.stage }, value: 0 };
    s.value++;
    counts.set(k, s);
  }
  fam.add('relay_doctor_findings', 'Findings of the last run by code, status and stage.', 'gauge', [...counts.values()]);

  const probes = probesOf(doc);
  const phaseSamples: Sample[] = [];
  const statusSamples: Sample[] = [];
  const seen = new Set<string>();
  for (const p of probes) {
    const channel = p.channelId !== undefined ? String(p.channelId) : '';
    const key = p.keyIndex !== undefined ? String(p.keyIndex) : '';
    const id = `${channel}|${key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const base: Record<string, string> = key ? { channel, key } : { channel };
    for (const [phase, field] of PHASES) {
      const ms = p.phases[field];
      if (ms !== null) phaseSamples.push({ labels: { ...base, phase }, value: ms / 1000 });
    }
    if (p.status !== undefined) statusSamples.push({ labels: base, value: p.status });
  }
  fam.add('relay_doctor_probe_phase_seconds', 'Upstream probe timings per channel and phase (dns, connect, tls, ttfb, total), in seconds.', 'gauge', phaseSamples);
  fam.add('relay_doctor_probe_http_status', 'HTTP status the upstream answered the probe with.', 'gauge', statusSamples);

  fam.add('relay_doctor_run_seconds', 'How long the relay-doctor run took, in seconds.', 'gauge', [{ labels: {}, value: doc.durationMs / 1000 }]);
  fam.add('relay_doctor_last_run_timestamp_seconds', 'Unix time at which the last relay-doctor run finished.', 'gauge', [{ labels: {}, value: o.timestamp }]);
  return fam.text();
}
