import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderPrometheus } from '../../src/report/prometheus.js';
import { FIXTURES, stoppedDoc, sweepDoc, unhealthyDoc } from './fixtures.js';
import { parseExposition, PromError, type Family } from './support/prom.js';

const PY = '/usr/bin/python3';
const python = spawnSync(PY, ['-c', 'import prometheus_client.parser'], { encoding: 'utf8' }).status === 0;

/** Python prometheus_client's parser, when installed: families as {name, type, samples}. */
function pyParse(text: string): { name: string; type: string; samples: [string, Record<string, string>, number][] }[] {
  const code = [
    'import sys, json, math',
    'from prometheus_client.parser import text_string_to_metric_families',
    'out = []',
    'for f in text_string_to_metric_families(sys.stdin.read()):',
    '    out.append({"name": f.name, "type": f.type, "samples": [[s.name, s.labels, s.value] for s in f.samples]})',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PY, ['-c', code], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const fam = (fs: Family[], name: string) => fs.find((f) => f.name === name)!;
const T = 1767225600;

describe('prometheus', () => {
  it(`parses strictly${python ? ', and with Python prometheus_client' : ' (prometheus_client not installed: the strict parser only)'}`, () => {
    for (const make of Object.values(FIXTURES)) {
      const text = renderPrometheus(make(), { timestamp: T });
      const fs = parseExposition(text);
      for (const f of fs) {
        expect(f.help, f.name).toBeTruthy();
        expect(f.type, f.name).toBe('gauge');
      }
      if (python) {
        const py = pyParse(text);
        expect(py.map((f) => f.name)).toEqual(fs.map((f) => f.name));
        expect(py.flatMap((f) => f.samples.map((s) => [s[0], s[1], s[2]]))).toEqual(fs.flatMap((f) => f.samples.map((s) => [s.name, s.labels, s.value])));
      }
    }
  });

  it('reports cell health, stage status, findings, probe phases and run time', () => {
    const fs = parseExposition(renderPrometheus(sweepDoc(), { timestamp: T }));
    const cells = fam(fs, 'relay_doctor_cell_healthy').samples;
    expect(cells.map((s) => [s.labels.model, s.labels.group, s.value])).toEqual([
      ['runway', 'default', 1],
      ['runway', 'vip "gold"', 1],
      ['suno', 'default', 0],
      ['suno', 'vip "gold"', 1],
    ]);
    const stage = fam(fs, 'relay_doctor_stage_status').samples;
    expect(stage.filter((s) => s.value === 1).map((s) => `${s.labels.stage}=${s.labels.status}`)).toEqual(sweepDoc().stages.map((s) => `${s.id}=${s.status}`));
    expect(stage).toHaveLength(7 * 5);
    expect(fam(fs, 'relay_doctor_findings').samples.find((s) => s.labels.code === 'NO_CHANNEL_FOR_MODEL')).toMatchObject({ labels: { status: 'info', stage: 'distribute' }, value: 2 });
    expect(fam(fs, 'relay_doctor_run_seconds').samples[0]!.value).toBe(0.05);
    expect(fam(fs, 'relay_doctor_last_run_timestamp_seconds').samples[0]!.value).toBe(T);

    const u = parseExposition(renderPrometheus(unhealthyDoc(), { timestamp: T }));
    const phases = fam(u, 'relay_doctor_probe_phase_seconds').samples;
    expect(phases.map((s) => [s.labels.channel, s.labels.phase, s.value])).toEqual([
      ['8', 'dns', 0.012],
      ['8', 'connect', 0.03],
      ['8', 'tls', 0.045],
      ['8', 'ttfb', 0.82],
      ['8', 'total', 0.86],
    ]);
    expect(fam(u, 'relay_doctor_cell_healthy').samples).toEqual([{ name: 'relay_doctor_cell_healthy', labels: { model: 'runway', group: 'default' }, value: 0 }]);
    // Probe results only from upstream findings' evidence, when the document has no probe list.
    const d = unhealthyDoc();
    delete (d as unknown as Record<string, unknown>).probes;
    expect(fam(parseExposition(renderPrometheus(d, { timestamp: T })), 'relay_doctor_probe_phase_seconds').samples).toHaveLength(5);
    // A stopped run has no probe family at all, and no cells.
    const s = parseExposition(renderPrometheus(stoppedDoc(), { timestamp: T }));
    expect(s.map((f) => f.name)).not.toContain('relay_doctor_probe_phase_seconds');
    expect(s.map((f) => f.name)).not.toContain('relay_doctor_cell_healthy');
  });

  it('escapes label values so any group or model name round-trips', () => {
    const doc = sweepDoc();
    const nasty = 'a\\b"c\nd,e}f=g';
    doc.sweep!.groups.push({ group: nasty, tokens: 1 });
    doc.sweep!.cells.runway![nasty] = '';
    const cells = fam(parseExposition(renderPrometheus(doc, { timestamp: T })), 'relay_doctor_cell_healthy').samples;
    expect(cells.find((c) => c.labels.group === nasty)).toBeTruthy();
    if (python) expect(pyParse(renderPrometheus(doc, { timestamp: T })).flatMap((f) => f.samples).some((s) => s[1].group === nasty)).toBe(true);
  });

  it('the strict parser rejects malformed exposition text', () => {
    const bad = [
      'm 1',
      'm{a="1"} 1\nm{a="1"} 2\n',
      'm{a="\\x"} 1\n',
      'm{a=1} 1\n',
      '# TYPE m gauge\nm 1\n# TYPE m gauge\n',
      'm 1\nn 1\nm 2\n',
      'm one\n',
      '1m 1\n',
      'm{__a="1"} 1\n',
      '# TYPE m gauge\n# TYPE n gauge\nm 1\n',
    ];
    for (const b of bad) expect(() => parseExposition(b), JSON.stringify(b)).toThrow(PromError);
  });
});
