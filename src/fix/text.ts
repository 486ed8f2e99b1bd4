import type { ChalkInstance } from 'chalk';
import type { FixDocument, PlanRow, RowId } from './types.js';

// Text rendering of a fix document: rows grouped by what changes and why, then SQL, warnings,
// notes and the next command. The JSON document carries the same facts in full.

const SHOWN_GROUPS = 30;
const SHOWN_IDS = 24;

export function idText(id: RowId): string {
  if (typeof id === 'number') return `#${id}`;
  return `(${JSON.stringify(id.group)}, ${JSON.stringify(id.model)}, channel #${id.channelId})`;
}

function valueText(v: unknown): string {
  if (v === undefined) return '—';
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = ['enabled', 'priority', 'weight', 'tag', 'channel_ratio'].filter((k) => k in o);
    return keys.length ? `{${keys.map((k) => `${k}: ${JSON.stringify(o[k])}`).join(', ')}}` : 'row';
  }
  return JSON.stringify(v);
}

function grouped(rows: PlanRow[]): { head: string; reason: string; ids: RowId[] }[] {
  const out = new Map<string, { head: string; reason: string; ids: RowId[] }>();
  for (const r of rows) {
    const change = r.column === '*' ? (r.before === null ? 'add row' : r.after === null ? 'remove row' : 'replace row') : `${r.column} ${valueText(r.before)} → ${valueText(r.after)}`;
    const head = `${r.table}: ${change}`;
    const k = `${head}\u0000${r.reason}`;
    const g = out.get(k) ?? { head, reason: r.reason, ids: [] };
    g.ids.push(r.id);
    out.set(k, g);
  }
  return [...out.values()];
}

export function renderFixText(doc: FixDocument, opts: { chalk: ChalkInstance; verbose: boolean; nextCommand?: string }): string {
  const c = opts.chalk;
  const lines: string[] = [];
  const modeText = doc.mode === 'dry-run' ? 'dry run' : doc.mode;
  lines.push(c.bold(`relay-doctor ${doc.command} — ${modeText}${doc.database ? ` on ${doc.database}` : ''}`));
  if (doc.error) {
    lines.push(c.red(`stopped: ${doc.error.message}`));
    return `${lines.join('\n')}\n`;
  }
  if (doc.undoOf) lines.push(`undoing ${doc.undoOf}`);
  if (doc.models) lines.push(`models: ${doc.models.list.join(', ') || '(none)'} ${c.dim(doc.models.from === 'flag' ? '(--model)' : '(routing models of the profile that a channel lists)')}`);
  if (doc.target) lines.push(`target group: ${JSON.stringify(doc.target.group)} ${c.dim(`— ${doc.target.why}`)}`);
  if (doc.counts) lines.push(c.dim(Object.entries(doc.counts).map(([k, v]) => `${k} ${v}`).join(', ')));
  if (doc.panicGroups?.length) {
    lines.push(c.red(`cache-rebuild panic risk: ${doc.panicGroups.map((p) => `channel #${p.channelId} group ${JSON.stringify(p.group)}`).join(', ')} (no abilities row has that group)`));
  }
  lines.push('');
  if (!doc.plan.length) lines.push(c.green('nothing to change'));
  else {
    lines.push(c.bold(`${doc.plan.length} planned change(s):`));
    const groups = grouped(doc.plan);
    const shown = opts.verbose ? groups : groups.slice(0, SHOWN_GROUPS);
    for (const g of shown) {
      const ids = opts.verbose ? g.ids : g.ids.slice(0, SHOWN_IDS);
      const more = g.ids.length > ids.length ? `, … (${g.ids.length} in all)` : '';
      lines.push(`  ${c.cyan(g.head)} ${c.dim(`[${g.ids.length}]`)}`);
      lines.push(`    ${ids.map(idText).join(', ')}${more}`);
      lines.push(`    ${c.dim(`why: ${g.reason}`)}`);
    }
    if (shown.length < groups.length) lines.push(c.dim(`  … ${groups.length - shown.length} more kind(s) of change; --verbose or --json lists all`));
  }
  if (doc.unfixable?.length) {
    lines.push('', c.yellow(`${doc.unfixable.length} row(s) this plan cannot fix:`));
    for (const u of doc.unfixable.slice(0, opts.verbose ? undefined : 10)) lines.push(`  ${u.table ?? ''} ${idText(u.id)}: ${u.reason}`);
  }
  if (doc.sql?.length && doc.mode === 'dry-run') {
    lines.push('', c.bold('SQL (run in one transaction, each row only if it still holds the planned before-value):'));
    for (const s of doc.sql.slice(0, opts.verbose ? undefined : 12)) lines.push(`  ${s}`);
    if (!opts.verbose && doc.sql.length > 12) lines.push(c.dim(`  … ${doc.sql.length - 12} more statement(s)`));
  }
  if (doc.mode !== 'dry-run') {
    lines.push('', `${doc.skipped.length ? c.yellow('applied') : c.green('applied')} ${doc.applied} of ${doc.plan.length} planned change(s)${doc.skipped.length ? `; ${doc.skipped.length} skipped` : ''}`);
    for (const s of doc.skipped.slice(0, opts.verbose ? undefined : 20)) lines.push(`  ${c.yellow('skipped')} ${s.table ?? ''} ${idText(s.id)}: ${s.reason}`);
    if (doc.backup) lines.push(`backup: ${doc.backup}  ${c.dim(`(undo: relay-doctor ${doc.command} --undo ${doc.backup})`)}`);
    if (doc.cacheInvalidated.length) lines.push(`Redis keys deleted: ${doc.cacheInvalidated.join(', ')}`);
  }
  if (doc.warnings.length) {
    lines.push('');
    for (const w of doc.warnings) lines.push(`${c.yellow('warning:')} ${w}`);
  }
  if (doc.notes.length) {
    lines.push('');
    for (const n of doc.notes) lines.push(`${c.dim('note:')} ${n}`);
  }
  if (opts.nextCommand) lines.push('', `next: ${opts.nextCommand}`);
  return `${lines.join('\n')}\n`;
}
