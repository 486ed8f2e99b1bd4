import { dialectFor } from '../../db/dialect.js';
import { noChannelAnswer } from '../../relay/answers.js';
import { CHANNEL_STATUS, statusReason } from '../../relay/channel.js';
import { splitList } from '../../relay/lists.js';
import { channelsListing } from '../../relay/indexes.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const channelAvailability: Check = {
  id: 'distribute/channel-availability',
  stage: 'distribute',
  scope: 'target',
  codes: ['NO_CHANNEL_FOR_MODEL', 'GROUP_HAS_NO_CHANNEL', 'CHANNELS_ALL_DISABLED', 'ABILITY_DANGLING'],
  description: 'the routing view has an enabled channel for (using group, routing model)',
  run({ snap, target }) {
    const sel = target.selection;
    const { group, model } = target;
    if (!sel || group === undefined || model === undefined) return [];
    const build = snap.product.build;
    const d = dialectFor(snap.db.engine);
    const subject = { group, model };
    if (sel.error) {
      return [
        finding('ABILITY_DANGLING', `the ${sel.mode === 'abilities' || sel.fallback ? 'abilities table' : 'routing view'} picks a channel that does not exist for ${model} × ${JSON.stringify(group)}: ${sel.error}; the relay answers ${noChannelAnswer(build, group, model, 'record not found')}`, {
          status: 'fail',
          subject,
          evidence: { mode: sel.mode, slot: sel.slot },
          remedy: { text: 'Rebuild abilities from channels (relay-doctor fix-abilities, or POST /api/channel/fix).', commands: ['relay-doctor fix-abilities'] },
        }),
      ];
    }
    if (sel.candidates.length) {
      // The abilities path (memory cache off, or BF's fallback) never re-checks channels.status.
      const off = sel.candidates.filter((c) => c.channel.status !== 1);
      if (!off.length) return [];
      const all = off.length === sel.candidates.length;
      const ids = off.map((c) => `#${c.channel.id}`).join(', ');
      const effect = target.passthrough
        ? 'the passthrough re-reads the row and answers 403 channel_disabled (渠道已禁用)'
        : 'requests keep going to a channel the operator disabled';
      return [
        finding('CHANNELS_ALL_DISABLED', `the relay still selects ${ids} for ${model} × ${JSON.stringify(group)} from abilities (enabled there), but channels.status says ${off.map((c) => CHANNEL_STATUS[c.channel.status] ?? c.channel.status).join(', ')}: ${effect}`, {
          status: all && target.passthrough ? 'fail' : 'warn',
          subject,
          evidence: { mode: sel.mode, fallback: sel.fallback ?? null, channels: off.map((c) => ({ id: c.channel.id, status: c.channel.status, ...statusReason(c.channel) })), share: off.reduce((a, c) => a + c.share, 0) },
          remedy: { text: 'Change channel status through the admin UI or API (POST /api/channel/:id/status) so abilities follow, or rebuild abilities.', commands: ['relay-doctor fix-abilities'] },
        }),
      ];
    }

    const listing = channelsListing(snap.channels, model).map((c) => ({ c, groups: splitList(c.group) }));
    const inGroup = listing.filter((x) => x.groups.includes(group));
    const enabledInGroup = inGroup.filter((x) => x.c.status === 1);
    const answer = noChannelAnswer(build, group, model);
    const viewNote = sel.mode === 'abilities' ? ' (the relay routes from the abilities table: memory cache off)' : '';
    const sql = `SELECT id, name, type, status, ${d.q('group')}, models FROM channels WHERE models LIKE ${d.lit(`%${model}%`)};`;

    if (enabledInGroup.length) {
      // Channels say yes, the routing view says no: abilities (DB path) lag behind channels.
      return [
        finding('GROUP_HAS_NO_CHANNEL', `channels ${enabledInGroup.map((x) => `#${x.c.id}`).join(', ')} list ${model} in group ${JSON.stringify(group)}, but the relay's routing view has none${viewNote}; the relay answers ${answer}`, {
          subject,
          evidence: { mode: sel.mode, channels: enabledInGroup.map((x) => x.c.id), abilitiesRows: sel.slot.length },
          remedy: { text: 'Rebuild abilities from channels so the routing view matches (relay-doctor fix-abilities, or POST /api/channel/fix).', commands: ['relay-doctor fix-abilities'] },
        }),
      ];
    }
    if (inGroup.length) {
      const rows = inGroup.slice(0, 10).map((x) => ({ id: x.c.id, name: x.c.name, status: x.c.status, statusName: CHANNEL_STATUS[x.c.status] ?? String(x.c.status), ...statusReason(x.c) }));
      return [
        finding('CHANNELS_ALL_DISABLED', `every channel listing ${model} in group ${JSON.stringify(group)} is disabled (${rows.map((r) => `#${r.id} ${r.statusName}${r.reason ? `: ${r.reason}` : ''}`).join('; ')}); the relay answers ${answer}`, {
          subject,
          evidence: { channels: rows },
          remedy: { text: 'Fix the cause in the recorded reason, then enable the channel through the admin UI or API (so abilities and every node follow).' },
        }),
      ];
    }
    const enabledListing = listing.filter((x) => x.c.status === 1);
    if (enabledListing.length) {
      const allGroups = [...new Set(enabledListing.flatMap((x) => x.groups))];
      const groups = allGroups.slice(0, 12);
      const near = allGroups.filter((g) => g.trim() === group.trim() && g !== group);
      return [
        finding('GROUP_HAS_NO_CHANNEL', `enabled channels list ${model}, but none in group ${JSON.stringify(group)} (they serve ${groups.map((g) => JSON.stringify(g)).join(', ')}${allGroups.length > groups.length ? `, and ${allGroups.length - groups.length} more` : ''})${near.length ? `; note ${near.map((g) => JSON.stringify(g)).join(', ')} differs only by spaces, which the relay does not trim` : ''}; the relay answers ${answer}`, {
          subject,
          evidence: { channels: enabledListing.slice(0, 20).map((x) => ({ id: x.c.id, group: x.c.group })), channelCount: enabledListing.length, usingGroup: group, groupFrom: target.groupFrom },
          remedy: {
            text: `Add "${group}" to the group list of a channel serving ${model} (through the admin UI, so abilities follow), or route these callers to a group that has one${target.groupFrom === 'user' ? ' (their token group is empty, so the user group decides)' : ''}.`,
            commands: [sql, ...(target.groupFrom === 'user' || target.groupFrom === 'token' || target.cell ? ['relay-doctor fix-groups'] : [])],
          },
        }),
      ];
    }
    const anyListing = listing.length > 0;
    if (target.cell && !anyListing) {
      return [finding('NO_CHANNEL_FOR_MODEL', `no channel lists ${model} at all: this relay does not offer it`, { status: 'info', subject })];
    }
    return [
      finding('NO_CHANNEL_FOR_MODEL', `no enabled channel lists the model ${model} in any group${anyListing ? ' (only disabled ones, in other groups)' : ''}; the relay answers ${answer}`, {
        subject,
        evidence: { disabledListing: listing.slice(0, 20).map((x) => ({ id: x.c.id, status: x.c.status, group: x.c.group })) },
        remedy: { text: `Add exactly "${model}" (no spaces) to the models of the channel that should serve it, through the admin UI or API so abilities follow.`, commands: [sql] },
      }),
    ];
  },
};
