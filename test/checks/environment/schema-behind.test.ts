import { describe, expect, it } from 'vitest';
import { buildFloor, schemaBehind } from '../../../src/checks/environment/schema-behind.js';
import type { LiveFacts } from '../../../src/live/types.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

function withSchema(cols: Record<string, string[]>, node: { version?: string; headerVersion?: string }, env: Record<string, string> = {}) {
  const snap = snapshot({ product: 'new-api', env });
  snap.schema.tables = new Map(Object.entries(cols).map(([t, c]) => [t, new Set(c)]));
  const live: LiveFacts = { relay: { nodes: [{ url: 'http://10.0.0.6:3000', label: 'http://10.0.0.6:3000', statusStart: { at: 0, ok: true, hints: [], ...node } }], notes: [] } };
  snap.live = live;
  return snap;
}

const v0916 = { channels: ['id', 'channel_info', 'header_override', 'remark', 'settings'], users: ['id'], tokens: ['id'], logs: ['id'] };
const newer = { ...v0916, users: ['id', 'discord_id'], tokens: ['id', 'cross_group_retry'] };

describe('environment/schema-behind', () => {
  checkTester(schemaBehind, [
    { name: 'v0.9.16 code on a v0.9.16 schema', snap: withSchema(v0916, { version: 'v0.9.16' }), expect: [] },
    { name: 'a 2026 build (X-New-Api-Version) on a v0.9.16 schema', snap: withSchema(v0916, { headerVersion: 'v0.11.2' }), expect: [{ code: 'SCHEMA_BEHIND_CODE', match: /users\.discord_id, tokens\.cross_group_retry/ }] },
    { name: 'slave node: explain that migrations run on the master', snap: withSchema(v0916, { headerVersion: 'v0.11.2' }, { NODE_TYPE: 'slave' }), expect: [{ code: 'SCHEMA_BEHIND_CODE', match: /lacks/ }] },
    { name: 'a 2026 build on a migrated schema', snap: withSchema(newer, { headerVersion: 'v0.11.2' }), expect: [] },
    { name: 'no version (BF builds report an empty one)', snap: withSchema(v0916, { version: '' }), expect: [] },
    { name: 'no live relay probed', snap: snapshot({ product: 'new-api' }), expect: [] },
  ]);
  it('reads the build floor from the version', () => {
    expect(buildFloor('v0.9.16', undefined)?.date).toBe('2025-11-04');
    expect(buildFloor('v0.9.8', undefined)).toBeUndefined();
    expect(buildFloor('', 'v1.0.0')?.date).toBe('2026-01-30');
  });
});
