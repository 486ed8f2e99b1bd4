import { describe, expect, it } from 'vitest';
import { ghData, ghProperty, renderGithub } from '../../src/report/github.js';
import { unhealthyDoc } from './fixtures.js';

// How the Actions runner reads a workflow command line: ::name key=value,key=value::data,
// with %25 %0D %0A (and %3A %2C in property values) decoded.
function parseCommand(line: string): { command: string; props: Record<string, string>; data: string } {
  const m = /^::([a-z]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const unProp = (s: string) => unData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    props[kv.slice(0, i)] = unProp(kv.slice(i + 1));
  }
  return { command: m[1]!, props, data: unData(m[3]!) };
}

describe('github workflow commands', () => {
  it('one annotation per finding: error/warning/notice, title = code, message and remedy', () => {
    const doc = unhealthyDoc();
    const lines = renderGithub(doc, { lang: 'en' }).trimEnd().split('\n');
    expect(lines).toHaveLength(doc.findings.length + 1);
    const cmds = lines.map(parseCommand);
    const byCode = new Map(cmds.map((c) => [c.props.title, c]));
    for (const f of doc.findings) {
      const c = byCode.get(f.code)!;
      expect(c.command).toBe({ fail: 'error', warn: 'warning', info: 'notice' }[f.status]);
      expect(c.data.startsWith(f.message.replace(/\u0007/g, ''))).toBe(true);
      if (f.remedy) expect(c.data).toContain(`fix: ${f.remedy.text}`);
      for (const cmd of f.remedy?.commands ?? []) expect(c.data).toContain(`$ ${cmd}`);
    }
    expect(cmds.at(-1)).toMatchObject({ command: 'notice', props: { title: 'relay-doctor verdict' } });
    expect(cmds.at(-1)!.data).toContain('TOKEN_EXPIRED');
  });

  it('escapes so no message can start another command or break a property', () => {
    const nasty = 'a%b\r\n::error::injected,c:d';
    expect(ghData(nasty)).toBe('a%25b%0D%0A::error::injected,c:d');
    expect(ghProperty(nasty)).toBe('a%25b%0D%0A%3A%3Aerror%3A%3Ainjected%2Cc%3Ad');
    const doc = unhealthyDoc();
    doc.findings[0]!.message = nasty;
    doc.stages[0]!.findings[0] = doc.findings[0]!;
    const out = renderGithub(doc, { lang: 'en' });
    expect(out.split('\n').filter((l) => l.startsWith('::error::injected'))).toEqual([]);
    expect(parseCommand(out.split('\n')[0]!).data.startsWith(nasty)).toBe(true);
  });

  it('--fail-on warn turns warnings into errors; --lang zh speaks Chinese', () => {
    const warnErr = renderGithub(unhealthyDoc(), { lang: 'en', failOn: 'warn' }).split('\n').filter(Boolean).map(parseCommand);
    expect(warnErr.find((c) => c.props.title === 'CACHE_FORCED_ON')!.command).toBe('error');
    const zh = renderGithub(unhealthyDoc(), { lang: 'zh' }).split('\n').filter(Boolean).map(parseCommand);
    expect(zh.find((c) => c.props.title === 'TOKEN_EXPIRED')!.data).toMatch(/^令牌 #12 已于 2023-11-14T22:13:20Z 过期；中继返回 401 该令牌已过期\n修复: /);
    expect(zh.at(-1)!.props.title).toBe('relay-doctor 结论');
  });
});
