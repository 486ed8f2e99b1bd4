import type { Db, Row } from '../db/types.js';
import { has } from '../data/schema.js';
import { int, isSet, num, str } from '../data/normalize.js';
import type { Snapshot } from '../diagnose/facts.js';
import { sweepGroups } from '../diagnose/sweep.js';
import { routingContext } from '../diagnose/target.js';
import { splitList } from '../relay/lists.js';
import type { ChannelRow } from '../relay/model.js';
import { numberMap, stringArray, stringMap } from '../relay/options.js';
import { routeModels } from '../relay/routes.js';
import { selectChannel } from '../relay/select.js';
import { usableGroups, usingGroup, type UsingGroup } from '../relay/token.js';
import type { Product } from '../context/dsn.js';
import { UsageError } from '../types.js';
import type { ColumnChange } from './apply-columns.js';
import { chunks, marks } from './db.js';
import { sqlPreview } from './sql-preview.js';
import type { PlanRow, Skipped } from './types.js';

// fix-groups: which active tokens (and, with --users, owners) route through a group that cannot
// serve the models in question, and what to set instead. Tokens are paged by id (keyset), so a
// table of a million tokens is never held in memory; only the rows to change are kept.

export interface GroupsOptions {
  models?: string[];
  to?: string;
  users: boolean;
  tokenIds?: number[];
  userIds?: number[];
  whereGroups?: string[];
  pageSize?: number;
}

export interface GroupsPlan {
  models: string[];
  modelsFrom: 'flag' | 'profile';
  target?: { group: string; why: string };
  rows: PlanRow[];
  changes: ColumnChange[];
  unfixable: Skipped[];
  warnings: string[];
  notes: string[];
  sql: string[];
  /** Active tokens looked at. */
  scanned: number;
}

/** --model, else the profile's fixed routing models that some enabled channel lists. */
export function chooseModels(product: Product, channels: readonly ChannelRow[], given?: string[]): { models: string[]; from: 'flag' | 'profile' } {
  if (given?.length) return { models: [...new Set(given)], from: 'flag' };
  const offered = new Set(channels.filter((c) => c.status === 1).flatMap((c) => splitList(c.models)));
  return { models: routeModels(product).fixed.filter((m) => offered.has(m)), from: 'profile' };
}

const q = (s: string | null) => JSON.stringify(s ?? '');
const list = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(', ');

type Decision =
  | { ok: true }
  | { ok: false; reason: string; token?: { before: string | null; after: string }; user?: { before: string; after: string }; unfixable?: string };

export class GroupsPlanner {
  private readonly servesMemo = new Map<string, string[]>();
  private readonly decisions = new Map<string, Decision>();
  private readonly ratio: Record<string, number>;
  private readonly usable: Record<string, string>;

  constructor(
    readonly snap: Snapshot,
    readonly models: string[],
    readonly opts: GroupsOptions,
  ) {
    this.ratio = numberMap(snap.options, 'GroupRatio');
    this.usable = stringMap(snap.options, 'UserUsableGroups');
  }

  /** Models the group cannot serve, as the relay routes (its mode, build and BF fallback). */
  missing(group: string): string[] {
    let m = this.servesMemo.get(group);
    if (!m) {
      const rc = routingContext(this.snap);
      m = this.models.filter((model) => {
        const sel = selectChannel(rc, group, model);
        return !sel.candidates.length || Boolean(sel.error);
      });
      this.servesMemo.set(group, m);
    }
    return m;
  }

  /** Why a group cannot be the target, or undefined when it can. */
  targetProblem(group: string): string | undefined {
    if (group === 'auto') return 'group "auto" selects among AutoGroups per request; name a concrete group';
    if (!(group in this.ratio)) return `group ${q(group)} is not in GroupRatio: a token in it is refused with 403 "分组 ${group} 已被弃用"`;
    const miss = this.missing(group);
    if (miss.length) return `group ${q(group)} itself has no channel for ${list(miss)}`;
    if (this.snap.product.family === 'new-api' && !this.opts.users && !(group in this.usable)) {
      return `group ${q(group)} is not in UserUsableGroups: users outside it may not use it (403); add it there or pass --users to move the owners`;
    }
    return undefined;
  }

  chooseTarget(): { group: string; why: string } {
    const models = list(this.models);
    if (this.opts.to !== undefined) {
      const p = this.targetProblem(this.opts.to);
      if (p) throw new UsageError(`--to ${this.opts.to}: ${p}`);
      return { group: this.opts.to, why: `given with --to; it serves ${models}` };
    }
    const inUse = sweepGroups(this.snap.groupUse).filter((g) => g.tokens > 0);
    const best = inUse.find((g) => !this.targetProblem(g.group));
    if (best) {
      return { group: best.group, why: `${q(best.group)} serves ${models} and is the effective group of ${best.tokens} active token(s), more than any other group that serves them` };
    }
    const spare = Object.keys(this.ratio)
      .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a < b ? -1 : a > b ? 1 : 0))
      .find((g) => !this.targetProblem(g));
    if (spare) return { group: spare, why: `no group in use serves ${models}; ${q(spare)} is in GroupRatio and serves them` };
    const who = this.models.map((m) => {
      const groups = Object.keys(this.ratio).filter((g) => !this.missingOne(g, m));
      return `${m}: ${groups.length ? list(groups) : 'no group'}`;
    });
    throw new UsageError(`no usable group in GroupRatio serves all of ${models} (${who.join('; ')}); narrow with --model or name one with --to`);
  }

  private missingOne(group: string, model: string): boolean {
    const sel = selectChannel(routingContext(this.snap), group, model);
    return !sel.candidates.length || Boolean(sel.error);
  }

  private using(tg: string | null, ug: string): UsingGroup {
    return usingGroup({ group: tg }, { group: ug }, this.snap.options, this.snap.product.build, this.snap.product.family);
  }

  private why(tg: string | null, ug: string, eff: UsingGroup): string | undefined {
    if (eff.refused) {
      return eff.refused.code === 'GROUP_NOT_IN_RATIO'
        ? `token group ${q(tg)} is missing from GroupRatio: TokenAuth answers 403 "分组 ${tg} 已被弃用" (GROUP_NOT_IN_RATIO)`
        : `token group ${q(tg)} is not usable by the owner's group ${q(ug)}: TokenAuth answers 403 (GROUP_NOT_USABLE; ${eff.refused.detail})`;
    }
    if (eff.group === 'auto' && eff.from === 'token') return this.whyAuto(ug);
    const miss = this.missing(eff.group);
    if (!miss.length) return undefined;
    if (eff.from === 'user') {
      const head = this.snap.product.family === 'one-api' ? 'the token routes through its owner\'s group' : 'empty token group falls back to the owner\'s group';
      return ug === ''
        ? `${head}, which is empty too: no channel serves group "" for ${list(miss)} (F15)`
        : `${head} ${q(ug)}, which has no channel for ${list(miss)} (F15)`;
    }
    return `group ${q(eff.group)} has no channel for ${list(miss)}: 503 no available channel`;
  }

  /** Group "auto" tries AutoGroups in order (RB §5.7): a model is served when one of them serves it. */
  private whyAuto(ug: string): string | undefined {
    let groups = stringArray(this.snap.options, 'AutoGroups');
    // BF takes the list as it is; new-api keeps the groups the user may use that exist in GroupRatio.
    if (this.snap.product.build !== 'BF') {
      const usable = usableGroups(this.snap.options, ug, this.snap.product.build);
      groups = groups.filter((g) => usable.has(g) && g in this.ratio);
    }
    const miss = this.models.filter((m) => !groups.some((g) => !this.missingOne(g, m)));
    if (!miss.length) return undefined;
    return groups.length
      ? `token group "auto" tries ${list(groups)} and none has a channel for ${list(miss)}`
      : 'token group "auto" has no group to try (AutoGroups empty or none usable): "auto groups is not enabled"';
  }

  decide(tg: string | null, ug: string, target: string): Decision {
    const key = `${tg ?? '\u0001'}\u0000${ug}`;
    let d = this.decisions.get(key);
    if (d) return d;
    const eff = this.using(tg, ug);
    const reason = this.why(tg, ug, eff);
    if (!reason) d = { ok: true };
    else if (this.snap.product.family === 'one-api' || (!tg && this.opts.users)) {
      // The owner's group is what routes: change it (one-api has no token group at all).
      d = this.opts.users
        ? { ok: false, reason, user: { before: ug, after: target } }
        : { ok: false, reason, unfixable: "one-api has no token group: pass --users to change the owner's group" };
    } else {
      const after = tg === target ? eff : this.using(target, ug);
      const token = tg === target ? undefined : { before: tg, after: target };
      if (!after.refused && tg !== target) d = { ok: false, reason, token };
      else if (this.opts.users) d = { ok: false, reason, token, user: { before: ug, after: target } };
      else {
        const detail = after.refused?.detail ?? `the owner's group ${q(ug)} may not use it`;
        d = { ok: false, reason, unfixable: `group ${q(target)} would be refused for this owner (${detail}); pass --users to move the owner to ${q(target)}, or add it to UserUsableGroups` };
      }
    }
    this.decisions.set(key, d);
    return d;
  }
}

interface TokenPageRow {
  id: number;
  userId: number | null;
  tg: string | null;
  ug: string;
  userState: 'ok' | 'missing' | 'banned';
}

async function* tokenPages(db: Db, snap: Snapshot, opts: GroupsOptions): AsyncGenerator<TokenPageRow[]> {
  const q = db.dialect.q;
  const s = snap.schema;
  const tg = has(s, 'tokens', 'group') ? `t.${q('group')}` : 'NULL';
  const where: string[] = ['t.id > ?', 't.status = 1'];
  if (has(s, 'tokens', 'deleted_at')) where.push('t.deleted_at IS NULL');
  const fixed: unknown[] = [];
  if (opts.tokenIds?.length) {
    where.push(`t.id IN (${marks(opts.tokenIds.length)})`);
    fixed.push(...opts.tokenIds);
  }
  if (opts.userIds?.length) {
    where.push(`t.user_id IN (${marks(opts.userIds.length)})`);
    fixed.push(...opts.userIds);
  }
  const userDeleted = has(s, 'users', 'deleted_at') ? 'u.deleted_at' : 'NULL';
  const size = opts.pageSize ?? 1000;
  const sql =
    `SELECT t.id AS id, t.user_id AS uid, ${tg} AS tg, u.id AS found, u.${q('group')} AS ug, u.status AS us, ${userDeleted} AS ud ` +
    `FROM tokens t LEFT JOIN users u ON u.id = t.user_id WHERE ${where.join(' AND ')} ORDER BY t.id LIMIT ${size}`;
  let last = -1;
  for (;;) {
    const rows = await db.query(sql, [last, ...fixed]);
    if (!rows.length) return;
    last = int(rows[rows.length - 1]!.id);
    yield rows.map((r) => {
      const status = int(r.us, 1);
      // one-api marks deleted users with status 3 instead of deleted_at.
      const missing = r.found === null || r.found === undefined || isSet(r.ud) || (snap.product.family === 'one-api' && status === 3);
      return {
        id: int(r.id),
        userId: num(r.uid),
        tg: has(s, 'tokens', 'group') ? str(r.tg) : null,
        ug: str(r.ug) ?? '',
        userState: missing ? 'missing' : status !== 1 ? 'banned' : 'ok',
      } satisfies TokenPageRow;
    });
    if (rows.length < size) return;
  }
}

/** Tokens of the owners the plan moves whose own (non-empty) group the new owner group may not use. */
async function ownerSideEffects(db: Db, snap: Snapshot, users: Map<number, { after: string }>, changing: Set<number>): Promise<string[]> {
  if (!users.size || !has(snap.schema, 'tokens', 'group')) return [];
  const q = db.dialect.q;
  const live = has(snap.schema, 'tokens', 'deleted_at') ? ' AND deleted_at IS NULL' : '';
  const hurt: string[] = [];
  const check = (r: Row) => {
    const id = int(r.id);
    if (changing.has(id)) return;
    const g = str(r.g);
    const eff = usingGroup({ group: g }, { group: users.get(int(r.user_id))!.after }, snap.options, snap.product.build, snap.product.family);
    if (eff.refused) hurt.push(`#${id} (${JSON.stringify(g ?? '')})`);
  };
  for (const ids of chunks([...users.keys()], 500)) {
    // Keyset pages: an owner may have any number of tokens.
    let last = -1;
    for (;;) {
      const rows = await db.query(
        `SELECT id, user_id, ${q('group')} AS g FROM tokens WHERE id > ? AND user_id IN (${marks(ids.length)}) AND status = 1${live} AND ${q('group')} <> '' ORDER BY id LIMIT 1000`,
        [last, ...ids],
      );
      rows.forEach(check);
      if (rows.length < 1000) break;
      last = int(rows[rows.length - 1]!.id);
    }
  }
  if (!hurt.length) return [];
  const shown = hurt.slice(0, 10).join(', ');
  return [`moving owners changes what their other tokens may use: ${hurt.length} token(s) keep a group the new owner group may not use and would answer 403: ${shown}${hurt.length > 10 ? ', …' : ''}`];
}

export async function planGroups(db: Db, snap: Snapshot, models: { models: string[]; from: 'flag' | 'profile' }, opts: GroupsOptions): Promise<GroupsPlan> {
  const plan: GroupsPlan = { models: models.models, modelsFrom: models.from, rows: [], changes: [], unfixable: [], warnings: [], notes: [], sql: [], scanned: 0 };
  if (!has(snap.schema, 'tokens') || !has(snap.schema, 'users')) throw new UsageError('this database has no tokens/users tables');
  if (!plan.models.length) {
    plan.notes.push(`no routing model of the ${snap.product.product} profile is listed by an enabled channel: name the models with --model`);
    return plan;
  }
  const planner = new GroupsPlanner(snap, plan.models, opts);
  const target = planner.chooseTarget();
  plan.target = target;
  const where = opts.whereGroups?.length ? new Set(opts.whereGroups) : undefined;
  const users = new Map<number, { before: string; after: string; reasons: Set<string>; tokens: number }>();
  let ownerMissing = 0;
  let ownerBanned = 0;
  for await (const page of tokenPages(db, snap, opts)) {
    for (const row of page) {
      plan.scanned++;
      if (row.userState === 'missing') {
        ownerMissing++;
        continue;
      }
      if (row.userState === 'banned') {
        ownerBanned++;
        continue;
      }
      if (where) {
        const eff = row.tg ? row.tg : row.ug;
        if (!where.has(eff)) continue;
      }
      const d = planner.decide(row.tg, row.ug, target.group);
      if (d.ok) continue;
      if (d.unfixable) {
        plan.unfixable.push({ table: 'tokens', id: row.id, reason: `${d.reason}; ${d.unfixable}` });
        continue;
      }
      if (d.token) {
        plan.changes.push({ table: 'tokens', id: row.id, column: 'group', before: d.token.before, after: d.token.after });
        plan.rows.push({ table: 'tokens', id: row.id, column: 'group', before: d.token.before, after: d.token.after, reason: d.reason });
      }
      if (d.user && row.userId !== null) {
        const u = users.get(row.userId) ?? { before: d.user.before, after: d.user.after, reasons: new Set<string>(), tokens: 0 };
        u.tokens++;
        u.reasons.add(d.reason);
        users.set(row.userId, u);
      }
    }
  }
  const userRows: PlanRow[] = [];
  const userChanges: ColumnChange[] = [];
  for (const [id, u] of [...users].sort((a, b) => a[0] - b[0])) {
    const reason = `${u.tokens} active token(s) of this user cannot be served: ${[...u.reasons].join('; ')}`;
    userChanges.push({ table: 'users', id, column: 'group', before: u.before, after: u.after });
    userRows.push({ table: 'users', id, column: 'group', before: u.before, after: u.after, reason });
  }
  // Users first: an owner move is what makes most of their tokens work.
  plan.rows = [...userRows, ...plan.rows];
  plan.changes = [...userChanges, ...plan.changes];
  plan.warnings.push(...(await ownerSideEffects(db, snap, users, new Set(plan.changes.filter((c) => c.table === 'tokens').map((c) => c.id)))));
  if (ownerMissing) plan.notes.push(`${ownerMissing} active token(s) belong to a missing or deleted user: the relay answers 500 for them whatever the group (USER_MISSING)`);
  if (ownerBanned) plan.notes.push(`${ownerBanned} active token(s) belong to a banned user: 403 whatever the group (USER_BANNED)`);
  if (plan.unfixable.length) plan.notes.push(`${plan.unfixable.length} token(s) need a change this plan cannot make (see unfixable)`);
  plan.sql = sqlPreview(db, plan.changes);
  return plan;
}
