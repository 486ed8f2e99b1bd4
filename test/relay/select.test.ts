import { describe, expect, it } from 'vitest';
import { selectChannel, selectFromAbilities, selectFromCache } from '../../src/relay/select.js';
import { buildAbilities, diffAbilities, panicGroups } from '../../src/relay/abilities.js';
import { channel } from '../support/snapshot.js';

const rowsOf = (chs: ReturnType<typeof channel>[]) => buildAbilities(chs).map((e) => ({ ...e }));

describe('channel selection as the relay does it', () => {
  const a = channel({ id: 1, models: 'gpt-4o', priority: 10, weight: 1 });
  const b = channel({ id: 2, models: 'gpt-4o', priority: 10, weight: 3 });
  const c = channel({ id: 3, models: 'gpt-4o', priority: 0, weight: 100 });

  it('retry 0 uses the highest priority tier; BF weighs weight + 10', () => {
    const s = selectFromCache([a, b, c], 'default', 'gpt-4o', 'BF');
    expect(s.candidates.map((x) => x.channel.id)).toEqual([1, 2]);
    expect(s.candidates.map((x) => x.share)).toEqual([11 / 24, 13 / 24]);
    expect(s.priorities).toEqual([10, 0]);
  });

  it('new-api ≥ 2025-10-29 weighs as given on the cache path', () => {
    const s = selectFromCache([a, b], 'default', 'gpt-4o', 'NA-0.9.16');
    expect(s.candidates.map((x) => x.share)).toEqual([0.25, 0.75]);
  });

  it('one-api picks uniformly among all candidates when the top priority is ≤ 0', () => {
    const s = selectFromCache([channel({ id: 1, models: 'm', priority: 0 }), channel({ id: 2, models: 'm', priority: -5 })], 'default', 'm', 'OA');
    expect(s.candidates.map((x) => x.channel.id)).toEqual([1, 2]);
  });

  it('the cache keeps duplicates: a model listed twice doubles its slot', () => {
    expect(selectFromCache([channel({ id: 1, models: 'm,m' })], 'default', 'm', 'BF').slot).toEqual([1, 1]);
  });

  it('untrimmed names: " pika" is not pika', () => {
    expect(selectFromCache([channel({ id: 1, models: 'runway, pika' })], 'default', 'pika', 'BF').slot).toEqual([]);
  });

  it('the DB path ignores channels.status and NULL priorities never win', () => {
    const disabled = channel({ id: 5, models: 'm', status: 2 });
    const rows = [{ group: 'default', model: 'm', channelId: 5, enabled: true, priority: 0, weight: 0, tag: null }];
    const s = selectFromAbilities(rows, new Map([[5, disabled]]), 'default', 'm', 'NA-0.9.16');
    expect(s.candidates.map((x) => x.channel.id)).toEqual([5]);
    const nul = selectFromAbilities([{ ...rows[0]!, priority: null }], new Map([[5, disabled]]), 'default', 'm', 'NA-0.9.16');
    expect(nul.candidates).toEqual([]);
  });

  it('BF falls back to abilities when the cache misses', () => {
    const ch = channel({ id: 7, models: 'sora-2', status: 1 });
    const rc = { mode: 'cache' as const, build: 'BF' as const, channels: [], channelsById: new Map([[7, ch]]), abilities: rowsOf([ch]) };
    const s = selectChannel(rc, 'default', 'sora-2');
    expect(s.fallback).toBe('abilities');
    expect(s.candidates.map((x) => x.channel.id)).toEqual([7]);
    expect(selectChannel({ ...rc, build: 'NA-0.9.16' }, 'default', 'sora-2').candidates).toEqual([]);
  });

  it('the second lookup uses the normalised model name', () => {
    const s = selectFromCache([channel({ id: 1, models: 'gpt-4-gizmo-*' })], 'default', 'gpt-4-gizmo-g-abc', 'NA-0.9.16');
    expect(s.normalizedTo).toBe('gpt-4-gizmo-*');
    expect(s.slot).toEqual([1]);
  });
});

describe('abilities as AddAbilities / FixAbility build them', () => {
  it('cross product of raw entries, duplicates skipped, enabled copies status', () => {
    const rows = buildAbilities([channel({ id: 8, models: ',runway,runway', group: 'default', status: 3, priority: 2, weight: 4 })]);
    expect(rows.map((r) => [r.group, r.model])).toEqual([['default', ''], ['default', 'runway']]);
    expect(rows.every((r) => r.enabled === false && r.priority === 2 && r.weight === 4)).toBe(true);
  });

  it('diff finds missing, extra and changed rows', () => {
    const ch = channel({ id: 8, models: 'runway', status: 1, priority: 1 });
    const d = diffAbilities(buildAbilities([ch]), [
      { group: 'default', model: 'runway', channelId: 8, enabled: false, priority: 1, weight: 0, tag: null },
      { group: 'default', model: 'sora-2', channelId: 6, enabled: true, priority: 0, weight: 0, tag: null },
    ]);
    expect(d.missing).toEqual([]);
    expect(d.changed[0]!.fields).toEqual(['enabled']);
    expect(d.extra.map((e) => e.channelId)).toEqual([6]);
  });

  it('panic groups: enabled channels only', () => {
    expect(panicGroups([channel({ id: 1, group: 'a,b' }), channel({ id: 2, group: 'c', status: 2 })], new Set(['a']))).toEqual([{ channelId: 1, group: 'b' }]);
  });
});
