import type { ChalkInstance as Chalk } from 'chalk';
import type { AnswerReport } from './judge.js';
import type { Branch } from './branches.js';

// The text report's block for the answer the user saw (and --live's): what it means, and for a
// 500 every branch it can come from, marked proven / excluded / possible by the evidence.

interface DocPart {
  seen?: AnswerReport;
  liveAnswer?: AnswerReport;
  verdict: { status: string; reason?: string; ranked: string[]; primary?: { code: string } };
  findings: { code: string; status: string }[];
}

function wrap(text: string, width: number, indent: string, first = indent): string[] {
  const out: string[] = [];
  let line = '';
  let pre = first;
  for (const w of text.split(/\s+/)) {
    if (line && pre.length + line.length + 1 + w.length > width) {
      out.push(pre + line);
      pre = indent;
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(pre + line);
  return out;
}

const MARK: Record<Branch['state'], (c: Chalk) => string> = {
  proven: (c) => c.green('✔ proven  '),
  supported: (c) => c.green('✔ likely  '),
  possible: (c) => c.yellow('? possible'),
  excluded: (c) => c.gray('✖ excluded'),
};

function block(r: AnswerReport, doc: DocPart, c: Chalk, width: number): string[] {
  const out: string[] = [];
  const title = r.source === 'seen' ? 'The answer the user saw' : 'The answer --live got';
  const shown = `${r.status}${r.errorCode ? ` ${r.errorCode}` : ''}${r.message ? ` "${r.message.length > 90 ? `${r.message.slice(0, 90)}…` : r.message}"` : ''}`;
  out.push(c.bold(`${title}: ${shown}`) + c.gray(` (${r.from.join(', ')})`));
  out.push(...wrap(`→ ${r.meaning}${r.code ? ` [${r.code}]` : ''}`, width, '    ', '  '));
  if (r.origin !== 'unknown' && r.originWhy.length) out.push(...wrap(`written by: ${r.origin === 'upstream' ? 'the upstream, passed through' : r.origin} — ${r.originWhy.join('; ')}`, width, '      ', '    ').map((l) => c.gray(l)));
  if (r.branches) {
    out.push(`  ${r.statusOnly ? 'Only the status is known. ' : ''}Where a ${r.status} on this route can come from, and what the evidence says:`);
    for (const b of r.branches) {
      const head = `    ${MARK[b.state](c)}  ${b.title}`;
      out.push(head);
      const text = b.state === 'proven' ? `evidence: ${b.why}` : `answers ${b.answer}; ${b.why}`;
      out.push(...wrap(text, width, '                  ', '                  ').map((l) => c.gray(l)));
    }
  }
  const failing = new Set(doc.findings.filter((f) => f.status === 'fail').map((f) => f.code));
  const notCause = r.excluded.filter((code) => failing.has(code));
  if (notCause.length) out.push(...wrap(`Found, but cannot produce this ${r.status}: ${notCause.join(', ')} — they are reported, not blamed for it.`, width, '    ', '  ').map((l) => c.yellow(l)));
  out.push(...wrap(r.conclusion, width, '    ', '  '));
  return out;
}

/** Lines for the text report (empty when no answer was given). */
export function renderAnswers(doc: DocPart, c: Chalk, width: number): string[] {
  const out: string[] = [];
  for (const r of [doc.seen, doc.liveAnswer]) {
    if (!r) continue;
    out.push('', ...block(r, doc, c, width));
  }
  if (!out.length || !doc.verdict.reason) return out;
  // The flowchart's verdict line names a primary; when the answer rules every failure out there
  // is none, so the headline is said here.
  if (!doc.verdict.primary && doc.verdict.ranked.length) out.push('', c.red.bold('verdict: unhealthy — none of the failures found caused this answer'), ...wrap(doc.verdict.reason, width, '  ', '  '));
  else out.push(...wrap(`verdict: ${doc.verdict.reason}`, width, '    ', '  ').map((l) => c.gray(l)));
  return out;
}
