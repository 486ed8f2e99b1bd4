import type { Finding } from '../types.js';
import type { ProbeRecord, ProbeTimeouts } from './types.js';

// The contract's probe-upstream document: `probes` as specified, plus a summary and the
// settings that shaped the run (extra fields only; nothing renamed).

export interface ProbeDocument {
  schemaVersion: 1;
  tool: { name: 'relay-doctor'; version: string };
  mode: 'safe' | 'live';
  selection: Record<string, unknown>;
  settings: { timeouts: ProbeTimeouts; slowMs: number; retries: number; concurrency: number; bodyCapBytes: number };
  summary: { channels: number; probes: number; fail: number; warn: number; ok: number };
  probes: ProbeRecord[];
  /** Set when the run could not read the database (exit 3). */
  error?: Finding;
  /** Whole run, and the probing part of it. */
  durationMs: number;
  probesMs?: number;
}

export function worst(r: ProbeRecord): 'fail' | 'warn' | 'info' | 'ok' {
  if (r.findings.some((f) => f.status === 'fail')) return 'fail';
  if (r.findings.some((f) => f.status === 'warn')) return 'warn';
  if (r.findings.length) return 'info';
  return 'ok';
}

export function summarize(probes: readonly ProbeRecord[]): ProbeDocument['summary'] {
  const w = probes.map(worst);
  return {
    channels: new Set(probes.map((p) => p.channelId)).size,
    probes: probes.length,
    fail: w.filter((x) => x === 'fail').length,
    warn: w.filter((x) => x === 'warn').length,
    ok: w.filter((x) => x === 'ok' || x === 'info').length,
  };
}

export function probeExitCode(probes: readonly ProbeRecord[]): number {
  return probes.some((p) => worst(p) === 'fail') ? 1 : 0;
}
