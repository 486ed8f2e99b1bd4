import type { Lang } from '../i18n/lang.js';
import { t } from '../i18n/strings.js';
import type { Finding } from '../types.js';
import type { DiagnoseDocument } from './document.js';
import { logLinesOf, probesOf } from './extras.js';
import { scrub } from './scrub.js';
import { primaryFinding, viewOf, type View } from './view.js';

// The support bundle: what the seed runbook's "需要帮助？" section asks a user to send (the
// log after a restart, the test output, the environment settings with secrets hidden, and
// whether the upstream can be reached directly), assembled from the document and redacted.

export interface MarkdownOptions {
  lang: Lang;
}

export const LOG_LINES = 50;

/** Escape text so Markdown shows it literally (no emphasis, links, tables or HTML tags). */
export function md(s: string): string {
  return s
    .replace(/\r?\n/g, ' ')
    .replace(/([\\`*{}[\]<>|])/g, '\\$1')
    .replace(/(^|[^\p{L}\p{N}])_|_(?=$|[^\p{L}\p{N}])/gu, (m) => m.replace('_', '\\_')) // intraword _ is literal in GFM
    .replace(/^([#+-]|\d+\.)(?=\s)/, '\\$1');
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fence(lines: string[], info = ''): string[] {
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((m) => m.length))));
  const f = '`'.repeat(longest + 1);
  return [`${f}${info}`, ...lines, f];
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.map(md).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map((c) => (c === '' ? ' ' : md(c))).join(' | ')} |`)];
}

function findingLines(f: Finding, v: View): string[] {
  const out = [`- **${md(f.code)}** (${md(t(v.lang, `status.${f.status}` as 'status.fail'))}): ${md(v.message(f))}`];
  const r = v.remedy(f);
  if (r !== undefined) out.push(`  - ${md(t(v.lang, 'fix'))}: ${md(r)}`);
  const cmds = f.remedy?.commands ?? [];
  if (cmds.length) out.push(...fence(cmds, 'sh').map((l) => `  ${l}`));
  return out;
}

export function renderMarkdown(doc: DiagnoseDocument, o: MarkdownOptions): string {
  const lang = o.lang;
  const v = viewOf(lang);
  const out: string[] = [];
  const probes = probesOf(doc);
  const logs = logLinesOf(doc, LOG_LINES);
  const envGiven = (doc.relayEnv ?? []).some((e) => e.source !== undefined);

  out.push(`# ${t(lang, 'md.title')}`, '', md(t(lang, 'md.intro', { version: doc.tool.version })), '');

  out.push(`## ${t(lang, 'md.checklist')}`, '');
  const mark = (ok: boolean) => (ok ? `✅ ${t(lang, 'md.included')}` : `⬜ ${t(lang, 'md.missing')}`);
  out.push(`1. ${md(t(lang, 'md.check.logs'))}: ${mark(logs.length > 0)}`);
  out.push(`2. ${md(t(lang, 'md.check.report'))}: ${mark(true)}`);
  out.push(`3. ${md(t(lang, 'md.check.env'))}: ${mark(envGiven)}`);
  out.push(`4. ${md(t(lang, 'md.check.upstream'))}: ${mark(probes.length > 0)}`, '');

  out.push(`## ${t(lang, 'md.product')}`, '');
  const r = doc.relay;
  out.push(`- ${md(t(lang, 'md.product.tool'))}: ${md(doc.tool.version)}`);
  if (r) {
    out.push(`- ${md(t(lang, 'md.product.relay'))}: ${md(`${r.product} (${r.build})`)}`);
    if (r.evidence.length) out.push(`- ${md(t(lang, 'md.product.evidence'))}: ${md(r.evidence.join('; '))}`);
    out.push(`- ${md(t(lang, 'md.product.database'))}: ${md(r.database)}`);
    out.push(`- ${md(t(lang, 'md.product.cache'))}: ${md(`${t(lang, r.memoryCache ? 'md.on' : 'md.off')}, SYNC_FREQUENCY ${r.syncFrequency} s`)}`);
  } else out.push(`- ${md(t(lang, 'md.product.relay'))}: ${md(t(lang, 'md.product.unknown'))}`);
  const tg = doc.target;
  const target = [tg.path ? `${tg.method} ${tg.path}` : doc.sweep ? t(lang, 'sweep') : tg.method, tg.model !== undefined && `${t(lang, 'model')} "${tg.model}"`, tg.group !== undefined && `${t(lang, 'group')} "${tg.group}"`, tg.tokenId !== undefined && `${t(lang, 'token')} #${tg.tokenId}`].filter(Boolean).join(' · ');
  out.push(`- ${md(t(lang, 'target'))}: ${md(target)}`, '');

  out.push(`## ${t(lang, 'md.env')}`, '');
  if (doc.relayEnv?.length && envGiven) {
    out.push(...table([t(lang, 'md.env.key'), t(lang, 'md.env.value'), t(lang, 'md.env.source')], doc.relayEnv.map((e) => [e.key, e.value, e.source ?? ''])), '');
  } else {
    out.push(md(t(lang, 'md.env.none')), '');
    if (doc.relayEnv?.length) out.push(...table([t(lang, 'md.env.key'), t(lang, 'md.env.value')], doc.relayEnv.map((e) => [e.key, e.value])), '');
  }

  out.push(`## ${t(lang, 'md.report')}`, '');
  out.push(...table([t(lang, 'md.stage'), t(lang, 'md.status'), t(lang, 'md.summary')], doc.stages.map((s) => [v.stageTitle(s.id), t(lang, `status.${s.status}` as 'status.pass'), v.note(s.summary ?? s.note ?? '')])), '');
  for (const s of doc.stages) {
    if (!s.findings.length) continue;
    out.push(`### ${md(v.stageTitle(s.id))}`, '');
    for (const f of s.findings) out.push(...findingLines(f, v));
    out.push('');
  }
  if (doc.sweep) {
    out.push(`### ${md(t(lang, 'md.coverage'))}`, '');
    const sw = doc.sweep;
    const rows = sw.models.map((m) => [m, ...sw.groups.map((g) => {
      const c = sw.cells[m]?.[g.group] ?? '';
      return c === '' ? 'ok' : c === 'not-offered' ? '-' : c;
    })]);
    out.push(...table(['', ...sw.groups.map((g) => `${JSON.stringify(g.group)} (${g.tokens})`)], rows), '', md(t(lang, 'coverage.legend')), '');
  }
  out.push(`### ${t(lang, 'md.verdict')}`, '');
  const vd = doc.verdict;
  if (vd.status === 'unhealthy' && vd.primary) {
    const pf = primaryFinding(doc);
    out.push(`**${md(t(lang, 'verdict.unhealthy'))} — ${md(vd.primary.code)}** (${md(v.stageTitle(vd.primary.stage))})`, '');
    out.push(`${md(t(lang, 'md.primary'))}: ${md(pf ? v.message(pf) : vd.primary.message)}`);
    if (vd.ranked.length > 1) out.push('', md(t(lang, 'verdict.also', { codes: vd.ranked.slice(1).join(', ') })));
  } else if (vd.status === 'inconclusive') out.push(`**${md(t(lang, 'verdict.inconclusive'))}**${vd.reason ? ` — ${md(v.note(vd.reason))}` : ''}`);
  else out.push(`**${md(t(lang, 'verdict.healthy'))}** — ${md(t(lang, 'verdict.healthy.detail'))}`);
  if (doc.notImplemented?.length) out.push('', md(t(lang, 'notImplemented', { flags: doc.notImplemented.join(', ') })));
  out.push('');

  out.push(`## ${t(lang, 'md.upstream')}`, '');
  if (probes.length) {
    const ms = (n: number | null) => (n === null ? '-' : String(Math.round(n)));
    out.push(
      ...table(
        [t(lang, 'md.upstream.channel'), t(lang, 'md.upstream.url'), t(lang, 'md.upstream.status'), 'dns ms', 'connect ms', 'tls ms', 'ttfb ms', 'total ms', t(lang, 'md.upstream.body'), t(lang, 'md.upstream.findings')],
        probes.map((p) => [
          p.channelId !== undefined ? `#${p.channelId}${p.channelName ? ` ${p.channelName}` : ''}${p.keyIndex !== undefined ? ` key ${p.keyIndex}` : ''}` : '',
          p.url ?? '',
          p.status !== undefined ? String(p.status) : '-',
          ms(p.phases.dnsMs),
          ms(p.phases.connectMs),
          ms(p.phases.tlsMs),
          ms(p.phases.ttfbMs),
          ms(p.phases.totalMs),
          p.bodyKind ?? '',
          p.codes.join(', '),
        ]),
      ),
      '',
    );
  } else out.push(md(t(lang, 'md.upstream.none')), '');

  out.push(`## ${t(lang, 'md.logs', { n: LOG_LINES })}`, '');
  if (logs.length) out.push(...fence(logs.map((l) => l.replace(/\r?\n/g, ' ')), 'text'), '');
  else out.push(md(t(lang, 'md.logs.none')), '');

  return scrub(out.join('\n'));
}
