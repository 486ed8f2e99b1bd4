import type { ChalkInstance as Chalk } from 'chalk';
import { splitTarget } from './exchange.js';
import { worst, type ProbeDocument } from './document.js';
import type { ProbeRecord } from './types.js';

// The table of probes, then the findings that need attention. Prints nothing itself.

const n = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v < 10 ? v.toFixed(1) : String(Math.round(v)));

function verdictOf(r: ProbeRecord): string {
  const f = r.findings.find((x) => x.status === 'fail') ?? r.findings.find((x) => x.status === 'warn') ?? r.findings[0];
  return f ? f.code : 'ok';
}

function hostOf(r: ProbeRecord): string {
  const t = splitTarget(r.url);
  return t ? t.origin.replace(/^https?:\/\//, '') : r.url || '–';
}

export async function renderProbeText(doc: ProbeDocument, o: { chalk: Chalk; color: boolean; verbose: boolean; width?: number }): Promise<string> {
  const c = o.chalk;
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: ['channel', 'type', 'probe', 'host', 'dns', 'connect', 'tls', 'ttfb', 'total ms', 'status', 'verdict'],
    style: { head: o.color ? ['cyan'] : [], border: o.color ? ['gray'] : [] },
  });
  for (const r of doc.probes) {
    const w = worst(r);
    const paint = w === 'fail' ? c.red : w === 'warn' ? c.yellow : w === 'ok' ? c.green : c.cyan;
    table.push([
      `#${r.channelId}${r.keyIndex !== undefined ? ` k${r.keyIndex}` : ''}`,
      `${r.type}${r.typeName ? ` ${r.typeName}` : ''}`,
      r.attempts === 0 ? 'skipped' : r.kind,
      hostOf(r),
      n(r.phases.dnsMs),
      n(r.phases.connectMs),
      n(r.phases.tlsMs),
      n(r.phases.ttfbMs),
      n(r.phases.totalMs),
      r.status !== undefined ? String(r.status) : r.error ? r.error.phase : '–',
      paint(verdictOf(r)),
    ]);
  }
  const out: string[] = [];
  out.push(c.bold(`probe-upstream (${doc.mode === 'live' ? c.red('live: real requests') : 'safe: read-only requests'})`) + c.gray(` — ${doc.summary.probes} probe(s) of ${doc.summary.channels} channel(s) in ${doc.durationMs} ms`));
  out.push(table.toString());
  const notable = doc.probes.flatMap((r) => r.findings.filter((f) => f.status !== 'info' || o.verbose).map((f) => ({ r, f })));
  const seen = new Set<string>();
  for (const { r, f } of notable) {
    const key = `${f.code}|${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const mark = f.status === 'fail' ? c.red('✖') : f.status === 'warn' ? c.yellow('!') : c.cyan('i');
    out.push('');
    out.push(`${mark} ${c.bold(f.code)} ${f.message}`);
    if (o.verbose && r.url) out.push(c.gray(`    ${r.method} ${r.url}${r.note ? ` — ${r.note}` : ''}`));
    if (f.remedy) out.push(c.cyan(`    fix: ${f.remedy.text}`));
  }
  const s = doc.summary;
  out.push('');
  out.push(s.fail ? c.red(`${s.fail} probe(s) failed, ${s.warn} warned, ${s.ok} fine`) : s.warn ? c.yellow(`no failure; ${s.warn} probe(s) warned, ${s.ok} fine`) : c.green(`all ${s.ok} probe(s) fine`));
  return out.join('\n') + '\n';
}
