import type { Lang } from '../i18n/lang.js';
import { t } from '../i18n/strings.js';
import type { Finding, StageResult } from '../types.js';
import type { DiagnoseDocument } from './document.js';
import { viewOf, type View } from './view.js';
import { attrs, xmlText } from './xml.js';

// JUnit XML (the common junit-4.xsd shape): a testsuite per stage with a testcase per check,
// and a "coverage" testsuite with a testcase per sweep cell (routing model × using group).
// Failing findings are <failure>s, crashed checks <error>s, skipped stages <skipped>.

export interface JunitOptions {
  lang: Lang;
  /** warn: warn findings fail their testcase too (--fail-on warn). */
  failOn?: 'fail' | 'warn';
}

interface Case {
  name: string;
  classname: string;
  findings: Finding[];
  skipped?: string;
}

function fails(f: Finding, o: JunitOptions): boolean {
  return f.status === 'fail' || (o.failOn === 'warn' && f.status === 'warn');
}

function body(f: Finding, v: View, lang: Lang): string {
  const lines = [v.message(f)];
  const r = v.remedy(f);
  if (r !== undefined) lines.push(`${t(lang, 'fix')}: ${r}`);
  for (const c of f.remedy?.commands ?? []) lines.push(`$ ${c}`);
  return lines.join('\n');
}

function caseXml(c: Case, v: View, o: JunitOptions): { xml: string; failures: number; errors: number; skipped: number } {
  const inner: string[] = [];
  let failures = 0;
  let errors = 0;
  if (c.skipped !== undefined) inner.push(`      <skipped>${xmlText(c.skipped)}</skipped>`);
  // junit-4.xsd order: skipped, error*, failure*, system-out*.
  for (const f of c.findings.filter((x) => x.code === 'CHECK_CRASHED')) {
    errors++;
    inner.push(`      <error${attrs({ message: `${f.code}: ${v.message(f)}`, type: f.code })}>${xmlText(body(f, v, o.lang))}</error>`);
  }
  for (const f of c.findings.filter((x) => x.code !== 'CHECK_CRASHED' && fails(x, o))) {
    failures++;
    inner.push(`      <failure${attrs({ message: `${f.code}: ${v.message(f)}`, type: f.code })}>${xmlText(body(f, v, o.lang))}</failure>`);
  }
  const other = c.findings.filter((x) => x.code !== 'CHECK_CRASHED' && !fails(x, o));
  if (other.length) inner.push(`      <system-out>${xmlText(other.map((f) => `[${f.status}] ${f.code}: ${body(f, v, o.lang)}`).join('\n\n'))}</system-out>`);
  const open = `    <testcase${attrs({ name: c.name, classname: c.classname, time: '0' })}`;
  const xml = inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`;
  return { xml, failures, errors, skipped: c.skipped !== undefined ? 1 : 0 };
}

function suiteXml(name: string, cases: Case[], v: View, o: JunitOptions, props: Record<string, string>): { xml: string; tests: number; failures: number; errors: number; skipped: number } {
  const rendered = cases.map((c) => caseXml(c, v, o));
  const sum = (k: 'failures' | 'errors' | 'skipped') => rendered.reduce((n, r) => n + r[k], 0);
  const p = Object.entries(props).filter(([, val]) => val !== '');
  const head = `  <testsuite${attrs({ name, tests: cases.length, failures: sum('failures'), errors: sum('errors'), skipped: sum('skipped'), time: '0' })}>`;
  const propXml = p.length ? [`    <properties>`, ...p.map(([k, val]) => `      <property${attrs({ name: k, value: val })}/>`), `    </properties>`] : [];
  const xml = [head, ...propXml, ...rendered.map((r) => r.xml), '  </testsuite>'].join('\n');
  return { xml, tests: cases.length, failures: sum('failures'), errors: sum('errors'), skipped: sum('skipped') };
}

function inCell(doc: DiagnoseDocument, f: Finding): boolean {
  const sw = doc.sweep;
  if (!sw) return false;
  const m = f.subject?.model;
  const g = f.subject?.group;
  return typeof m === 'string' && typeof g === 'string' && sw.models.includes(m) && sw.groups.some((x) => x.group === g);
}

function stageCases(doc: DiagnoseDocument, s: StageResult, v: View): Case[] {
  const classname = `relay-doctor.${s.id}`;
  const checkIds = [...new Set([...(doc.checks ?? []).filter((c) => c.stage === s.id).map((c) => c.id), ...s.findings.map((f) => f.check).filter((c): c is string => Boolean(c) && !(doc.checks ?? []).some((k) => k.id === c && k.stage !== s.id))])];
  const own = s.findings.filter((f) => !inCell(doc, f));
  const cases: Case[] = checkIds.map((id) => ({ name: id, classname, findings: own.filter((f) => f.check === id) }));
  // Findings no check claims (gatherers, crashes without an id) get a testcase per code.
  const loose = own.filter((f) => !f.check || !checkIds.includes(f.check));
  for (const code of [...new Set(loose.map((f) => f.code))]) cases.push({ name: code, classname, findings: loose.filter((f) => f.code === code) });
  if (!cases.length) cases.push({ name: s.id, classname, findings: [] });
  if (s.status === 'skip') for (const c of cases) c.skipped = v.note(s.note ?? t(v.lang, 'junit.stageSkipped'));
  return cases;
}

function coverageCases(doc: DiagnoseDocument, v: View): Case[] {
  const sw = doc.sweep!;
  const cases: Case[] = [];
  for (const m of sw.models) {
    for (const g of sw.groups) {
      const cell = sw.cells[m]?.[g.group] ?? '';
      const findings = doc.findings.filter((f) => f.subject?.model === m && f.subject?.group === g.group);
      const c: Case = { name: `${m} × ${JSON.stringify(g.group)}`, classname: `relay-doctor.coverage.${m}`, findings };
      if (cell === 'not-offered') {
        c.skipped = t(v.lang, 'junit.notOffered');
        c.findings = [];
      } else if (cell !== '' && !findings.some((f) => f.status === 'fail')) {
        // The cell names a failing code whose finding is not in the document (e.g. --skip).
        c.findings = [...findings, { code: cell, status: 'fail', stage: 'distribute', message: cell }];
      }
      cases.push(c);
    }
  }
  return cases;
}

export function renderJunit(doc: DiagnoseDocument, o: JunitOptions): string {
  const v = viewOf(o.lang);
  const suites = doc.stages.map((s) => suiteXml(s.id, stageCases(doc, s, v), v, o, { status: s.status, summary: v.note(s.summary ?? s.note ?? '') }));
  if (doc.sweep) suites.push(suiteXml('coverage', coverageCases(doc, v), v, o, {}));
  const total = (k: 'tests' | 'failures' | 'errors') => suites.reduce((n, s) => n + s[k], 0);
  const head = `<testsuites${attrs({ name: 'relay-doctor', tests: total('tests'), failures: total('failures'), errors: total('errors'), time: (doc.durationMs / 1000).toFixed(3) })}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites.map((s) => s.xml), '</testsuites>', ''].join('\n');
}
