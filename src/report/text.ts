import type { ChalkInstance as Chalk } from 'chalk';
import type { Finding, StageResult } from '../types.js';
import type { DiagnoseDocument } from './document.js';

// The flowchart, stage by stage in request order. Knows the document, nothing of checks.

const STAGE_TITLE: Record<string, string> = {
  environment: 'environment',
  route: 'route',
  token: 'token (TokenAuth)',
  distribute: 'distribute',
  cache: 'cache (running relay)',
  channel: 'channel',
  upstream: 'upstream',
};

export interface TextOptions {
  chalk: Chalk;
  verbose: boolean;
  width?: number;
}

function mark(c: Chalk, status: string): string {
  switch (status) {
    case 'pass':
      return c.green('✔');
    case 'warn':
      return c.yellow('!');
    case 'fail':
      return c.red('✖');
    case 'error':
      return c.magenta('✖');
    case 'info':
      return c.cyan('i');
    default:
      return c.gray('-');
  }
}

function wrap(text: string, width: number, indent: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && (indent + line + ' ' + w).length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines;
}

function evidenceLines(f: Finding, indent: string, width: number): string[] {
  if (!f.evidence) return [];
  const parts = Object.entries(f.evidence)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return wrap(`evidence: ${parts.join(', ')}`, width, indent);
}

function renderFinding(f: Finding, o: TextOptions, out: string[]): void {
  const c = o.chalk;
  const width = o.width ?? 100;
  const head = `${mark(c, f.status)} ${c.bold(f.code)}`;
  const msg = wrap(f.message, width, '        ');
  out.push(`      ${head}`);
  out.push(...msg);
  if (o.verbose || f.status === 'fail') out.push(...evidenceLines(f, '        ', width).map((l) => c.gray(l)));
  if (f.remedy) {
    out.push(...wrap(`fix: ${f.remedy.text}`, width, '        ').map((l) => c.cyan(l)));
    for (const cmd of f.remedy.commands ?? []) out.push(`          ${c.dim('$')} ${cmd}`);
  }
}

function renderStage(s: StageResult, last: boolean, o: TextOptions, out: string[]): void {
  const c = o.chalk;
  const title = STAGE_TITLE[s.id] ?? s.id;
  const detail = s.summary ?? s.note ?? '';
  out.push(`  ${mark(c, s.status)} ${c.bold(title.padEnd(22))} ${s.status === 'skip' ? c.gray(detail) : detail}`);
  const shown = s.findings.filter((f) => o.verbose || f.status !== 'info' || s.findings.length <= 3);
  for (const f of shown) renderFinding(f, o, out);
  const hidden = s.findings.length - shown.length;
  if (hidden > 0) out.push(c.gray(`      (${hidden} more informational finding(s); --verbose shows them)`));
  if (!last) out.push(c.gray('  │'));
}

export function renderSweep(doc: DiagnoseDocument, o: TextOptions, out: string[]): void {
  const sw = doc.sweep;
  if (!sw) return;
  const c = o.chalk;
  out.push('', c.bold('Coverage: can a request be served? (routing model × using group, with active tokens)'));
  const groups = sw.groups;
  const colW = Math.max(...groups.map((g) => Math.max(JSON.stringify(g.group).length, 6)), 8) + 2;
  const modelW = Math.max(...sw.models.map((m) => m.length), 6) + 2;
  out.push(`  ${''.padEnd(modelW)}${groups.map((g) => JSON.stringify(g.group).padEnd(colW)).join('')}`);
  out.push(c.gray(`  ${'tokens'.padEnd(modelW)}${groups.map((g) => String(g.tokens).padEnd(colW)).join('')}`));
  for (const m of sw.models) {
    const row = groups.map((g) => {
      const v = sw.cells[m]?.[g.group] ?? '';
      if (v === '') return c.green('ok'.padEnd(colW));
      if (v === 'not-offered') return c.gray('-'.padEnd(colW));
      return c.red(v.replace(/_/g, '_').slice(0, colW - 1).padEnd(colW));
    });
    out.push(`  ${m.padEnd(modelW)}${row.join('')}`);
  }
  out.push(c.gray('  ok = a channel serves it · - = no channel lists the model (not offered) · CODE = first failing finding'));
}

export function renderText(doc: DiagnoseDocument, o: TextOptions): string {
  const c = o.chalk;
  const out: string[] = [];
  const r = doc.relay;
  out.push(c.bold(`relay-doctor ${doc.tool.version}`) + (r ? ` · ${r.product} (${r.build}) · ${r.database}` : ''));
  const t = doc.target;
  const tparts = [t.path ? `${t.method} ${t.path}` : doc.sweep ? 'whole-relay sweep' : t.method, t.model !== undefined && `model "${t.model}"`, t.group !== undefined && `group "${t.group}"`, t.tokenId !== undefined && `token #${t.tokenId}`].filter(Boolean);
  out.push(`target: ${tparts.join(' · ')}`);
  out.push('');
  doc.stages.forEach((s, i) => renderStage(s, i === doc.stages.length - 1, o, out));
  renderSweep(doc, o, out);
  out.push('');
  const v = doc.verdict;
  if (v.status === 'healthy') out.push(c.green.bold('verdict: healthy') + ' — no failing finding');
  else if (v.status === 'inconclusive') out.push(c.yellow.bold('verdict: inconclusive') + (v.reason ? ` — ${v.reason}` : ''));
  else {
    out.push(c.red.bold(`verdict: unhealthy — ${v.primary!.code}`) + ` (${v.primary!.stage})`);
    out.push(...wrap(v.primary!.message, o.width ?? 100, '  '));
    if (v.ranked.length > 1) out.push(c.gray(`  also failing, most likely first: ${v.ranked.slice(1).join(', ')}`));
  }
  if (doc.notImplemented?.length) out.push(c.gray(`not implemented in this build (accepted, ignored): ${doc.notImplemented.join(', ')}`));
  out.push(c.gray(`${doc.durationMs} ms`));
  return out.join('\n') + '\n';
}
