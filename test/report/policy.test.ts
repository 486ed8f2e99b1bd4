import { describe, expect, it } from 'vitest';
import { applyPolicy, exitCodeOf, parsePolicy } from '../../src/report/policy.js';
import { UsageError } from '../../src/types.js';
import { stoppedDoc, sweepDoc, unhealthyDoc } from './fixtures.js';

describe('exit policy', () => {
  it('parses --fail-on, --only and --skip, refusing unknown values with a usage error', () => {
    expect(parsePolicy({})).toEqual({ failOn: 'fail' });
    expect(parsePolicy({ failOn: 'warn', only: 'token, distribute', skip: 'token_expired,CACHE_FORCED_ON' })).toEqual({ failOn: 'warn', only: ['token', 'distribute'], skip: ['TOKEN_EXPIRED', 'CACHE_FORCED_ON'] });
    expect(() => parsePolicy({ failOn: 'info' })).toThrow(UsageError);
    expect(() => parsePolicy({ only: 'tokens' })).toThrow(/unknown stage "tokens"/);
    expect(() => parsePolicy({ skip: 'NOT_A_CODE' })).toThrow(/unknown finding code "NOT_A_CODE"/);
  });

  it('--skip drops codes before the verdict and recomputes it, the stages and the exit code', () => {
    const doc = unhealthyDoc();
    const p = parsePolicy({ skip: 'TOKEN_EXPIRED' });
    const out = applyPolicy(doc, p);
    expect(out.findings.map((f) => f.code)).not.toContain('TOKEN_EXPIRED');
    expect(out.stages.find((s) => s.id === 'token')!.status).toBe('pass');
    expect(out.verdict.primary!.code).toBe('GROUP_HAS_NO_CHANNEL');
    expect(out.verdict.ranked).not.toContain('TOKEN_EXPIRED');
    expect(exitCodeOf(out, p, 1)).toBe(1);
    // The input document is left as it was.
    expect(doc.findings.map((f) => f.code)).toContain('TOKEN_EXPIRED');
    const all = applyPolicy(doc, parsePolicy({ skip: 'TOKEN_EXPIRED,GROUP_HAS_NO_CHANNEL,UPSTREAM_5XX,CHECK_CRASHED' }));
    // channel stays "error": a crashed check is not a finding one can skip away.
    expect(all.stages.find((s) => s.id === 'channel')!.status).toBe('error');
    expect(all.verdict.status).toBe('inconclusive');
    expect(exitCodeOf(all, parsePolicy({}), 1)).toBe(0);
  });

  it('--only keeps the chosen stages; the others are skipped; the sweep goes with distribute', () => {
    const out = applyPolicy(unhealthyDoc(), parsePolicy({ only: 'environment,distribute' }));
    expect(out.stages.map((s) => s.status)).toEqual(['warn', 'skip', 'skip', 'fail', 'skip', 'skip', 'skip']);
    expect(out.stages[1]!.note).toBe('not selected (--only)');
    expect(new Set(out.findings.map((f) => f.stage))).toEqual(new Set(['environment', 'distribute']));
    expect(out.verdict.primary!.code).toBe('GROUP_HAS_NO_CHANNEL');
    expect(applyPolicy(sweepDoc(), parsePolicy({ only: 'token' })).sweep).toBeUndefined();
    const sw = applyPolicy(sweepDoc(), parsePolicy({ skip: 'CHANNELS_ALL_DISABLED' }));
    expect(sw.sweep!.cells.suno!.default).toBe('');
    expect(sw.sweep!.cells.pika!.default).toBe('not-offered');
  });

  it('--fail-on warn exits 1 on a warning alone; exit 3 stays 3', () => {
    const doc = applyPolicy(unhealthyDoc(), parsePolicy({ only: 'environment' }));
    expect(doc.verdict.status).toBe('healthy');
    expect(exitCodeOf(doc, parsePolicy({ only: 'environment' }), 1)).toBe(0);
    expect(exitCodeOf(doc, parsePolicy({ only: 'environment', failOn: 'warn' }), 1)).toBe(1);
    expect(exitCodeOf(stoppedDoc(), parsePolicy({ skip: 'DB_UNREACHABLE' }), 3)).toBe(3);
  });
});
