import { describe, expect, it } from 'vitest';
import { ipAllowList, modelAllowed, parseTokenKey, storedKeyUnusable, tokenProblems, usableGroups, usingGroup } from '../../src/relay/token.js';
import { token } from '../support/snapshot.js';

describe('TokenAuth as functions', () => {
  it('parses keys like the relay: sk- stripped, split on -', () => {
    expect(parseTokenKey('sk-abc')).toEqual({ lookup: 'abc', pin: undefined, hadPrefix: true });
    expect(parseTokenKey('Bearer sk-abc-12')).toEqual({ lookup: 'abc', pin: '12', hadPrefix: true });
    expect(parseTokenKey('abc')).toEqual({ lookup: 'abc', pin: undefined, hadPrefix: false });
    expect(storedKeyUnusable('sk-abc')).toMatch(/sk-/);
    expect(storedKeyUnusable('ab-c')).toMatch(/-/);
    expect(storedKeyUnusable('abc')).toBeUndefined();
  });

  it('usable groups: UserUsableGroups + own group (+ default when the user group is empty)', () => {
    const o = new Map([['UserUsableGroups', '{"vip":"v"}']]);
    expect([...usableGroups(o, 'partner', 'BF').keys()].sort()).toEqual(['partner', 'vip']);
    expect([...usableGroups(o, '', 'BF').keys()].sort()).toEqual(['default', 'vip']);
    const special = new Map([...o, ['group_ratio_setting.group_special_usable_group', '{"partner":{"-:vip":"","+:gold":"g"}}']]);
    expect([...usableGroups(special, 'partner', 'NA-0.9.16').keys()].sort()).toEqual(['gold', 'partner']);
    expect([...usableGroups(special, 'partner', 'BF').keys()].sort()).toEqual(['partner', 'vip']); // BF predates the option
  });

  it('using group: empty token group → user group without checks; auto skips GroupRatio', () => {
    const o = new Map([['GroupRatio', '{"default":1}'], ['UserUsableGroups', '{"default":"d","auto":"a"}']]);
    expect(usingGroup({ group: '' }, { group: 'nowhere' }, o, 'BF', 'new-api')).toEqual({ group: 'nowhere', from: 'user' });
    expect(usingGroup({ group: 'auto' }, { group: 'default' }, o, 'BF', 'new-api').refused).toBeUndefined();
    expect(usingGroup({ group: 'x' }, { group: 'default' }, o, 'BF', 'one-api')).toEqual({ group: 'default', from: 'user' });
  });

  it('token problems follow the numbers, not only status', () => {
    expect(tokenProblems(token({ id: 1, expiredTime: 100 }), 200).map((p) => p.code)).toEqual(['TOKEN_EXPIRED']);
    expect(tokenProblems(token({ id: 1, expiredTime: -1, unlimitedQuota: false, remainQuota: 0 }), 200).map((p) => p.code)).toEqual(['TOKEN_EXHAUSTED']);
  });

  it('model limits are untrimmed; one-api uses tokens.models', () => {
    expect(modelAllowed({ modelLimitsEnabled: true, modelLimits: 'a, b', models: null }, 'b', 'new-api').allowed).toBe(false);
    expect(modelAllowed({ modelLimitsEnabled: true, modelLimits: 'a,b', models: null }, 'b', 'new-api').allowed).toBe(true);
    expect(modelAllowed({ modelLimitsEnabled: false, modelLimits: '', models: 'x' }, 'b', 'one-api').allowed).toBe(false);
  });

  it('IP allow lists: CIDRs dropped before NA-main', () => {
    expect(ipAllowList('10.0.0.0/8\n1.2.3.4', 'BF')).toEqual({ entries: ['1.2.3.4'], ignoredCidrs: ['10.0.0.0/8'] });
    expect(ipAllowList('10.0.0.0/8', 'NA-main').entries).toEqual(['10.0.0.0/8']);
  });
});
