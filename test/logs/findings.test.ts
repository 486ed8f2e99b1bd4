import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/contract.js';
import { analyzeLines } from '../../src/logs/analyze.js';
import { clustersToFindings } from '../../src/logs/findings.js';
import { STAGES } from '../../src/types.js';
import { bfCorpus, oldBfCorpus, RID } from './corpus.js';

describe('clustersToFindings', () => {
  it('one finding per code with the contract stage, the worst status and the merged evidence', async () => {
    const a = await analyzeLines(bfCorpus().lines, { tz: 'utc' });
    const f = clustersToFindings(a.clusters);
    const codes = f.map((x) => x.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(codes)).toEqual(new Set(a.clusters.map((c) => c.code)));
    for (const x of f) {
      expect(STAGES).toContain(x.stage);
      if (x.code in CODES) expect(x.stage).toBe(CODES[x.code as keyof typeof CODES].stage);
      const clusters = a.clusters.filter((c) => c.code === x.code);
      expect(x.evidence!.lines).toBe(clusters.reduce((n, c) => n + c.count, 0));
      expect(x.status).toBe(clusters.some((c) => c.status === 'fail') ? 'fail' : clusters.some((c) => c.status === 'warn') ? 'warn' : 'info');
    }
    // fail findings first
    const ranks = f.map((x) => ({ fail: 0, warn: 1, info: 2 })[x.status]);
    expect(ranks).toEqual([...ranks].sort((p, q) => p - q));

    // Two clusters (fail EOF, warn reset) become one fail finding.
    const dropped = f.find((x) => x.code === 'UPSTREAM_CONNECTION_DROPPED')!;
    expect(dropped.status).toBe('fail');
    expect(dropped.evidence!.lines).toBe(2);

    const noCh = f.find((x) => x.code === 'GROUP_HAS_NO_CHANNEL')!;
    expect(noCh.message).toMatch(/group default/);
    expect(noCh.message).toMatch(/cannot tell whether another group serves the model/);
    expect(noCh.subject).toEqual({ models: ['runway'], groups: ['default'] });
    expect(noCh.evidence!.requestIds).toEqual([RID.noChannel]);
    expect(noCh.remedy!.text).toMatch(/diagnose/);

    const tls = f.find((x) => x.code === 'UPSTREAM_TLS_FAILED')!;
    expect(tls.message).toMatch(/channel #8/);
    expect(tls.check).toBe('logs');
    expect(JSON.stringify(f)).not.toMatch(/hunter2|LEAK9|ptokSECRET/);
  });

  it('old-build lines next to context-canceled body reads: the outdated-build finding says so', async () => {
    const a = await analyzeLines([...bfCorpus().lines, ...oldBfCorpus()], { tz: 'utc' });
    const f = clustersToFindings(a.clusters);
    const old = f.find((x) => x.code === 'RELAY_BUILD_OUTDATED')!;
    expect(old.status).toBe('warn');
    expect(old.stage).toBe('cache');
    expect(old.message).toMatch(/2025-11-07/);
    expect(f.find((x) => x.code === 'UPSTREAM_SLOW')).toBeDefined();
  });

  it('no clusters, no findings', () => {
    expect(clustersToFindings([])).toEqual([]);
  });
});
