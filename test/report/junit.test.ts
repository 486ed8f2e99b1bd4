import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.js';
import { FIXTURES, sweepDoc, unhealthyDoc } from './fixtures.js';
import { loadSchema, parseXml, validateXml, XmlError, type XmlElement } from './support/xml.js';

const XSD_FILE = new URL('./junit-4.xsd', import.meta.url);
const XSD = fs.readFileSync(XSD_FILE, 'utf8');
const schema = loadSchema(XSD);
const xmllint = spawnSync('xmllint', ['--version']).status === 0;

function valid(xml: string): XmlElement {
  const root = parseXml(xml);
  expect(validateXml(root, schema)).toEqual([]);
  if (xmllint) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-junit-'));
    const file = path.join(dir, 'report.xml');
    fs.writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', new URL(XSD_FILE).pathname, file], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toContain('validates');
    expect(r.status).toBe(0);
  }
  return root;
}

const all = (el: XmlElement, name: string): XmlElement[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];

describe('junit', () => {
  it(`validates against junit-4.xsd (${xmllint ? 'xmllint and' : 'no xmllint on this machine: only'} the strict parser)`, () => {
    for (const make of Object.values(FIXTURES)) for (const lang of ['en', 'zh'] as const) for (const failOn of ['fail', 'warn'] as const) valid(renderJunit(make(), { lang, failOn }));
  });

  it('has a testsuite per stage, a testcase per check, failures with message and remedy, errors for crashed checks', () => {
    const doc = unhealthyDoc();
    const root = valid(renderJunit(doc, { lang: 'en' }));
    expect(root.name).toBe('testsuites');
    expect(root.children.map((s) => s.attrs.name)).toEqual(doc.stages.map((s) => s.id));
    const token = root.children.find((s) => s.attrs.name === 'token')!;
    const cases = token.children.filter((c) => c.name === 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['token/token-state', 'token/token-group']);
    const failure = all(token, 'failure')[0]!;
    const f = doc.findings.find((x) => x.code === 'TOKEN_EXPIRED')!;
    expect(failure.attrs.type).toBe('TOKEN_EXPIRED');
    expect(failure.attrs.message).toBe(`TOKEN_EXPIRED: ${f.message}`);
    expect(failure.text).toContain(f.remedy!.text);
    // Counts agree with the findings: fail → failure, CHECK_CRASHED → error.
    const fails = doc.findings.filter((x) => x.status === 'fail' && x.code !== 'CHECK_CRASHED').length;
    expect(all(root, 'failure')).toHaveLength(fails);
    expect(Number(root.attrs.failures)).toBe(fails);
    expect(all(root, 'error')).toHaveLength(1);
    expect(Number(root.attrs.tests)).toBe(all(root, 'testcase').length);
    // Escaping survives a round trip (control characters dropped, newlines kept).
    const err = all(root, 'error')[0]!;
    expect(err.attrs.message).toContain('unexpected <nil> & "quoted" value, 50% done: key=a,b');
    expect(err.text).toContain('second line');
  });

  it('with --fail-on warn, warnings fail their testcase too', () => {
    const doc = unhealthyDoc();
    const root = valid(renderJunit(doc, { lang: 'en', failOn: 'warn' }));
    const expected = doc.findings.filter((x) => (x.status === 'fail' || x.status === 'warn') && x.code !== 'CHECK_CRASHED').length;
    expect(all(root, 'failure')).toHaveLength(expected);
  });

  it('has a coverage testsuite with a testcase per sweep cell; not-offered cells are skipped', () => {
    const doc = sweepDoc();
    const root = valid(renderJunit(doc, { lang: 'en' }));
    const cov = root.children.find((s) => s.attrs.name === 'coverage')!;
    const cases = cov.children.filter((c) => c.name === 'testcase');
    expect(cases).toHaveLength(doc.sweep!.models.length * doc.sweep!.groups.length);
    const suno = cases.find((c) => c.attrs.name === 'suno × "default"')!;
    expect(all(suno, 'failure')[0]!.attrs.type).toBe('CHANNELS_ALL_DISABLED');
    expect(cases.filter((c) => all(c, 'skipped').length)).toHaveLength(2);
    expect(cases.find((c) => c.attrs.name === 'runway × "vip \\"gold\\""')!.children).toEqual([]);
    // A skipped stage marks its testcases skipped.
    const upstream = root.children.find((s) => s.attrs.name === 'upstream')!;
    expect(Number(upstream.attrs.skipped)).toBe(upstream.children.filter((c) => c.name === 'testcase').length);
  });

  it('the strict parser and the schema check reject what a JUnit reader would', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(XmlError);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(XmlError);
    expect(() => parseXml('<a>1 < 2</a>')).toThrow(XmlError);
    expect(() => parseXml('<a>AT&T</a>')).toThrow(XmlError);
    expect(() => parseXml('<a/><b/>')).toThrow(XmlError);
    expect(() => parseXml('<a>\u0007</a>')).toThrow(XmlError);
    const bad = (xml: string) => validateXml(parseXml(xml), schema);
    expect(bad('<testsuites><testsuite name="x" tests="1"><testcase name="t"><skipped message="m"/></testcase></testsuite></testsuites>')).toContain('/testsuites/testsuite/testcase/skipped: attribute message not allowed');
    expect(bad('<testsuites><testsuite tests="1"/></testsuites>')).toContain('/testsuites/testsuite: attribute name required');
    expect(bad('<testsuites><testsuite name="x" tests="1"><testcase name="t"><failure/><skipped/></testcase></testsuite></testsuites>')[0]).toMatch(/unexpected <skipped>/);
    expect(bad('<testsuites><testsuite name="x" tests="0"><properties/></testsuite></testsuites>')[0]).toMatch(/at least 1 <property>/);
  });
});
