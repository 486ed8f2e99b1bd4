import type { ChalkInstance as Chalk } from 'chalk';
import type { Lang } from '../i18n/lang.js';
import { t } from '../i18n/strings.js';
import type { Finding, StageResult } from '../types.js';
import type { DiagnoseDocument } from './document.js';
import { renderAnswers } from '../live/render.js';
import { noControls } from './scrub.js';
import { primaryFinding, viewOf, type View } from './view.js';

// The flowchart, stage by stage in request order. Knows the document, nothing of checks.

export interface TextOptions {
  chalk: Chalk;
  verbose: boolean;
  width?: number;
  lang?: Lang;
}

type Opts = TextOptions & { v: View; lang: Lang };

/** Display width: CJK characters take two columns. */
function cols(s: string): number {
  let n = 0;
  for (const ch of s) n += WIDE.test(ch) ? 2 : 1;
  return n;
}

const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - cols(s)));

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

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** Break points: between words, and between any two wide (CJK) characters. */
function units(text: string): { s: string; space: boolean }[] {
  const out: { s: string; space: boolean }[] = [];
  let space = false;
  let word = '';
  const flush = () => {
    if (word) out.push({ s: word, space });
    if (word) space = false;
    word = '';
  };
  for (const ch of text) {
    if (/\s/.test(ch)) {
      flush();
      space = out.length > 0;
    } else if (WIDE.test(ch)) {
      flush();
      out.push({ s: ch, space });
      space = false;
    } else word += ch;
  }
  flush();
  return out;
}

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const u of units(text)) {
    const joined = line ? `${line}${u.space ? ' ' : ''}${u.s}` : u.s;
    if (line && cols(indent + joined) > width) {
      lines.push(indent + line);
      line = u.s;
    } else line = joined;
  }
  if (line) lines.push(indent + line);
  return lines;
}

function evidenceLines(f: Finding, indent: string, width: number, lang: Lang): string[] {
  if (!f.evidence) return [];
  const parts = Object.entries(f.evidence)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => noControls(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`));
  return wrap(`${t(lang, 'evidence')}: ${parts.join(', ')}`, width, indent);
}

function renderFinding(f: Finding, o: Opts, out: string[]): void {
  const c = o.chalk;
  const width = o.width ?? 100;
  const head = `${mark(c, f.status)} ${c.bold(f.code)}`;
  const msg = wrap(o.v.message(f), width, '        ');
  out.push(`      ${head}`);
  out.push(...msg);
  if (o.verbose || f.status === 'fail') out.push(...evidenceLines(f, '        ', width, o.lang).map((l) => c.gray(l)));
  const remedy = o.v.remedy(f);
  if (f.remedy && remedy !== undefined) {
    out.push(...wrap(`${t(o.lang, 'fix')}: ${remedy}`, width, '        ').map((l) => c.cyan(l)));
    for (const cmd of f.remedy.commands ?? []) out.push(`          ${c.dim('$')} ${noControls(cmd)}`);
  }
}

function renderStage(s: StageResult, last: boolean, o: Opts, out: string[]): void {
  const c = o.chalk;
  const title = o.v.stageTitle(s.id);
  const detail = o.v.note(s.summary ?? s.note ?? '');
  out.push(`  ${mark(c, s.status)} ${c.bold(pad(title, 22))} ${s.status === 'skip' ? c.gray(detail) : detail}`);
  const shown = s.findings.filter((f) => o.verbose || f.status !== 'info' || s.findings.length <= 3);
  for (const f of shown) renderFinding(f, o, out);
  const hidden = s.findings.length - shown.length;
  if (hidden > 0) out.push(c.gray(`      ${t(o.lang, 'hidden.info', { n: hidden })}`));
  if (!last) out.push(c.gray('  │'));
}

export function renderSweep(doc: DiagnoseDocument, o: TextOptions, out: string[]): void {
  const sw = doc.sweep;
  if (!sw) return;
  const c = o.chalk;
  const lang = o.lang ?? 'en';
  out.push('', c.bold(t(lang, 'coverage.title')));
  const groups = sw.groups;
  const colW = Math.max(...groups.map((g) => Math.max(JSON.stringify(g.group).length, 6)), 8) + 2;
  const modelW = Math.max(...sw.models.map((m) => m.length), 6) + 2;
  out.push(`  ${''.padEnd(modelW)}${groups.map((g) => JSON.stringify(g.group).padEnd(colW)).join('')}`);
  out.push(c.gray(`  ${pad(t(lang, 'coverage.tokens'), modelW)}${groups.map((g) => String(g.tokens).padEnd(colW)).join('')}`));
  for (const m of sw.models) {
    const row = groups.map((g) => {
      const v = sw.cells[m]?.[g.group] ?? '';
      if (v === '') return c.green('ok'.padEnd(colW));
      if (v === 'not-offered') return c.gray('-'.padEnd(colW));
      return c.red(v.replace(/_/g, '_').slice(0, colW - 1).padEnd(colW));
    });
    out.push(`  ${m.padEnd(modelW)}${row.join('')}`);
  }
  out.push(c.gray(`  ${t(lang, 'coverage.legend')}`));
}

export function renderText(doc: DiagnoseDocument, opts: TextOptions): string {
  const lang = opts.lang ?? 'en';
  const o: Opts = { ...opts, lang, v: viewOf(lang) };
  const c = o.chalk;
  const out: string[] = [];
  const r = doc.relay;
  out.push(c.bold(`relay-doctor ${doc.tool.version}`) + (r ? ` · ${r.product} (${r.build}) · ${r.database}` : ''));
  const tg = doc.target;
  const tparts = [
    tg.path ? `${tg.method} ${tg.path}` : doc.sweep ? t(lang, 'sweep') : tg.method,
    tg.model !== undefined && `${t(lang, 'model')} "${tg.model}"`,
    tg.group !== undefined && `${t(lang, 'group')} "${tg.group}"`,
    tg.tokenId !== undefined && `${t(lang, 'token')} #${tg.tokenId}`,
  ].filter(Boolean);
  out.push(`${t(lang, 'target')}: ${tparts.join(' · ')}`);
  out.push('');
  doc.stages.forEach((s, i) => renderStage(s, i === doc.stages.length - 1, o, out));
  renderSweep(doc, o, out);
  out.push(...renderAnswers(doc, o.chalk, o.width ?? 100));
  out.push('');
  const v = doc.verdict;
  if (v.status === 'healthy') out.push(c.green.bold(t(lang, 'verdict.healthy')) + ` — ${t(lang, 'verdict.healthy.detail')}`);
  else if (v.status === 'inconclusive') out.push(c.yellow.bold(t(lang, 'verdict.inconclusive')) + (v.reason ? ` — ${o.v.note(v.reason)}` : ''));
  else if (v.primary) {
    out.push(c.red.bold(`${t(lang, 'verdict.unhealthy')} — ${v.primary.code}`) + ` (${o.v.stageTitle(v.primary.stage)})`);
    const pf = primaryFinding(doc);
    out.push(...wrap(pf ? o.v.message(pf) : v.primary.message, o.width ?? 100, '  '));
    if (v.ranked.length > 1) out.push(c.gray(`  ${t(lang, 'verdict.also', { codes: v.ranked.slice(1).join(', ') })}`));
  }
  if (doc.notImplemented?.length) out.push(c.gray(t(lang, 'notImplemented', { flags: doc.notImplemented.join(', ') })));
  out.push(c.gray(`${doc.durationMs} ms`));
  return out.join('\n') + '\n';
}
