import type { Lang } from '../i18n/lang.js';
import { t } from '../i18n/strings.js';
import type { Finding } from '../types.js';
import type { DiagnoseDocument } from './document.js';
import { primaryFinding, viewOf } from './view.js';

// GitHub Actions workflow commands: one annotation per finding, then the verdict.
// Escaping follows the runner: data escapes % CR LF; property values also escape : and ,.

export function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function ghProperty(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const COMMAND: Record<Finding['status'], 'error' | 'warning' | 'notice'> = { fail: 'error', warn: 'warning', info: 'notice' };

export interface GithubOptions {
  lang: Lang;
  failOn?: 'fail' | 'warn';
}

export function renderGithub(doc: DiagnoseDocument, o: GithubOptions): string {
  const v = viewOf(o.lang);
  const out: string[] = [];
  for (const s of doc.stages) {
    for (const f of s.findings) {
      const cmd = o.failOn === 'warn' && f.status === 'warn' ? 'error' : COMMAND[f.status] ?? 'notice';
      const lines = [v.message(f)];
      const r = v.remedy(f);
      if (r !== undefined) lines.push(`${t(o.lang, 'fix')}: ${r}`);
      for (const c of f.remedy?.commands ?? []) lines.push(`$ ${c}`);
      out.push(`::${cmd} title=${ghProperty(f.code)}::${ghData(lines.join('\n'))}`);
    }
  }
  const vd = doc.verdict;
  let line: string;
  if (vd.status === 'unhealthy' && vd.primary) {
    const pf = primaryFinding(doc);
    line = `${t(o.lang, 'verdict.unhealthy')} — ${vd.primary.code}: ${pf ? v.message(pf) : vd.primary.message}`;
    if (vd.ranked.length > 1) line += `\n${t(o.lang, 'verdict.also', { codes: vd.ranked.slice(1).join(', ') })}`;
  } else if (vd.status === 'inconclusive') line = `${t(o.lang, 'verdict.inconclusive')}${vd.reason ? ` — ${v.note(vd.reason)}` : ''}`;
  else line = `${t(o.lang, 'verdict.healthy')} — ${t(o.lang, 'verdict.healthy.detail')}`;
  out.push(`::notice title=${ghProperty(t(o.lang, 'gh.verdict'))}::${ghData(line)}`);
  return out.join('\n') + '\n';
}
