// The sandbox relay's own SQL: what GORM would run for the relay, written by hand (RB §2, §4, §5.4).
// Deliberately independent of src/data: the sandbox is the reference the real code is tested against.

import type { Db, Row } from '../db/types.js';

export const RECORD_NOT_FOUND = 'record not found';

/** A Go-style error carried as a JS Error (the message is what the relay would print). */
export class GoError extends Error {}

export interface ChannelInfo {
  isMultiKey: boolean;
  multiKeyMode: string;
  statusList: Record<string, number> | null;
  pollingIndex: number;
}

export interface ChannelRec {
  id: number;
  type: number;
  key: string;
  status: number;
  name: string;
  /** NULL read as 0 (GetWeight / GetPriority). */
  weight: number;
  priority: number;
  /** null = SQL NULL (no fallback to the type's default host). */
  baseUrl: string | null;
  models: string;
  group: string;
  setting: string | null;
  info: ChannelInfo;
  /** Raw copies for FixAbility, which writes them to abilities as they are (NULL stays NULL). */
  raw: { priority: number | null; weight: number | null; tag: string | null; channelRatio: number | null };
  /** Set when the row could not be scanned the way GORM scans it (SQLite channel_info stored as text). */
  scanError?: string;
}

export interface TokenRec {
  id: number;
  userId: number;
  key: string;
  status: number;
  name: string;
  createdTime: number;
  accessedTime: number;
  expiredTime: number;
  remainQuota: number;
  unlimitedQuota: boolean;
  modelLimitsEnabled: boolean;
  modelLimits: string;
  allowIps: string | null;
  usedQuota: number;
  group: string;
  externalUserId?: string;
}

export interface UserRec {
  id: number;
  group: string;
  email: string;
  quota: number;
  status: number;
  username: string;
  setting: string;
  role: number;
}

const num = (v: unknown, d = 0): number => {
  if (v === null || v === undefined || v === '') return d;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : d;
};
const str = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
/** GORM reads bool columns from 0/1, t/f, true/false. */
export const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't' || v === 'true' || v === 'TRUE' || v === 1n;

const EMPTY_INFO: ChannelInfo = { isMultiKey: false, multiKeyMode: '', statusList: null, pollingIndex: 0 };

function parseInfo(raw: unknown): ChannelInfo {
  // PostgreSQL and MySQL drivers hand json columns over already decoded.
  const o = (typeof raw === 'string' ? JSON.parse(raw) : Buffer.isBuffer(raw) ? JSON.parse(raw.toString('utf8')) : raw) as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return { ...EMPTY_INFO };
  const list = o.multi_key_status_list;
  return {
    isMultiKey: o.is_multi_key === true,
    multiKeyMode: typeof o.multi_key_mode === 'string' ? o.multi_key_mode : '',
    statusList: list && typeof list === 'object' ? (list as Record<string, number>) : null,
    pollingIndex: num(o.multi_key_polling_index),
  };
}

/** Map a `SELECT *` channel row the way the relay's struct scan would. */
export function toChannel(db: Db, row: Row): ChannelRec {
  const names = Object.keys(row);
  let info: ChannelInfo = { ...EMPTY_INFO };
  let scanError: string | undefined;
  const raw = row.channel_info;
  if (raw !== null && raw !== undefined) {
    // The relay's Scan takes []byte only: on SQLite a TEXT value reaches it as nil (RB §2.3, F47).
    if (db.engine === 'sqlite' && typeof raw === 'string') {
      scanError = `sql: Scan error on column index ${names.indexOf('channel_info')}, name "channel_info": unexpected end of JSON input`;
    } else {
      try {
        info = parseInfo(raw);
      } catch (e) {
        scanError = `sql: Scan error on column index ${names.indexOf('channel_info')}, name "channel_info": ${goJsonError(e)}`;
      }
    }
  }
  return {
    id: num(row.id),
    type: num(row.type),
    key: str(row.key),
    status: num(row.status, 1),
    name: str(row.name),
    weight: num(row.weight),
    priority: num(row.priority),
    baseUrl: row.base_url === null || row.base_url === undefined ? null : str(row.base_url),
    models: str(row.models),
    group: str(row.group),
    setting: row.setting === null || row.setting === undefined ? null : str(row.setting),
    info,
    raw: {
      priority: row.priority === null || row.priority === undefined ? null : num(row.priority),
      weight: row.weight === null || row.weight === undefined ? null : num(row.weight),
      tag: row.tag === null || row.tag === undefined ? null : str(row.tag),
      channelRatio: row.channel_ratio === null || row.channel_ratio === undefined ? null : Number(row.channel_ratio),
    },
    scanError,
  };
}

/** Go's encoding/json messages for the few shapes we meet. */
export function goJsonError(e: unknown): string {
  const msg = String((e as Error)?.message ?? e);
  if (/Unexpected end|end of (JSON|data)/i.test(msg)) return 'unexpected end of JSON input';
  const m = /Unexpected token '?(.)'?/.exec(msg);
  if (m) return `invalid character '${m[1]}' looking for beginning of value`;
  return 'invalid character looking for beginning of value';
}

export class Store {
  constructor(readonly db: Db) {}

  private get q() {
    return this.db.dialect.q;
  }

  /** `SELECT * FROM channels` (InitChannelCache): rows that fail to scan are kept, as GORM keeps them. */
  async allChannels(): Promise<ChannelRec[]> {
    const rows = await this.db.query(`SELECT * FROM ${this.q('channels')}`);
    return rows.map((r) => toChannel(this.db, r));
  }

  /** GetChannelById(id, true): `First` → record not found; a scan error fails the read. */
  async channelById(id: number): Promise<ChannelRec> {
    const rows = await this.db.query(`SELECT * FROM ${this.q('channels')} WHERE id = ? ORDER BY ${this.q('channels')}.id LIMIT 1`, [id]);
    if (!rows.length) throw new GoError(RECORD_NOT_FOUND);
    const ch = toChannel(this.db, rows[0]!);
    if (ch.scanError) throw new GoError(ch.scanError);
    return ch;
  }

  /** Distinct ability groups (InitChannelCache pre-creates one inner map per group). */
  async abilityGroups(): Promise<Set<string>> {
    const rows = await this.db.query(`SELECT ${this.q('group')} AS g FROM ${this.q('abilities')}`);
    return new Set(rows.map((r) => str(r.g)));
  }

  /** The abilities candidates of the DB path (RB §5.4), ordered by weight DESC. */
  async abilityCandidates(group: string, model: string, retry: number): Promise<{ channelId: number; weight: number }[]> {
    const q = this.q;
    const t = this.db.dialect.bool(true);
    const where = `${q('group')} = ? AND model = ? AND enabled = ${t}`;
    let sql: string;
    let params: unknown[];
    if (retry === 0) {
      sql = `SELECT channel_id, weight FROM ${q('abilities')} WHERE ${where} AND priority = (SELECT MAX(priority) FROM ${q('abilities')} WHERE ${where}) ORDER BY weight DESC`;
      params = [group, model, group, model];
    } else {
      const pr = await this.db.query(`SELECT DISTINCT(priority) AS p FROM ${q('abilities')} WHERE ${where} ORDER BY priority DESC`, [group, model]);
      if (!pr.length) throw new GoError('数据库一致性被破坏');
      const p = pr[Math.min(retry, pr.length - 1)]!.p;
      sql = `SELECT channel_id, weight FROM ${q('abilities')} WHERE ${where} AND priority = ? ORDER BY weight DESC`;
      params = [group, model, p];
    }
    const rows = await this.db.query(sql, params);
    return rows.map((r) => ({ channelId: num(r.channel_id), weight: num(r.weight) }));
  }

  /** Enabled ability models of a group (GET /v1/models reads abilities, not the cache). */
  async enabledModels(group: string): Promise<string[]> {
    const q = this.q;
    const rows = await this.db.query(
      `SELECT DISTINCT model FROM ${q('abilities')} WHERE ${q('group')} = ? AND enabled = ${this.db.dialect.bool(true)} ORDER BY model`,
      [group],
    );
    return rows.map((r) => str(r.model));
  }

  /** channel_ratio of (group, model, channel) in BF; 1 when absent. */
  async channelRatio(group: string, model: string, channelId: number): Promise<number> {
    try {
      const q = this.q;
      const rows = await this.db.query(`SELECT channel_ratio FROM ${q('abilities')} WHERE ${q('group')} = ? AND model = ? AND channel_id = ?`, [group, model, channelId]);
      const v = rows[0]?.channel_ratio;
      return v === null || v === undefined ? 1 : Number(v);
    } catch {
      return 1;
    }
  }

  /** GetTokenByKey(key, fromDB): soft-deleted rows are invisible. */
  async tokenByKey(key: string): Promise<TokenRec> {
    const q = this.q;
    const rows = await this.db.query(`SELECT * FROM ${q('tokens')} WHERE ${q('key')} = ? AND deleted_at IS NULL ORDER BY ${q('tokens')}.id LIMIT 1`, [key]);
    if (!rows.length) throw new GoError(RECORD_NOT_FOUND);
    const r = rows[0]!;
    return {
      id: num(r.id),
      userId: num(r.user_id),
      key: str(r.key),
      status: num(r.status, 1),
      name: str(r.name),
      createdTime: num(r.created_time),
      accessedTime: num(r.accessed_time),
      expiredTime: num(r.expired_time, -1),
      remainQuota: num(r.remain_quota),
      unlimitedQuota: bool(r.unlimited_quota),
      modelLimitsEnabled: bool(r.model_limits_enabled),
      modelLimits: str(r.model_limits),
      allowIps: r.allow_ips === null || r.allow_ips === undefined ? null : str(r.allow_ips),
      usedQuota: num(r.used_quota),
      group: str(r.group),
      externalUserId: r.external_user_id === undefined ? undefined : str(r.external_user_id),
    };
  }

  /** GetUserById(id, false): soft-deleted users are invisible → record not found. */
  async userById(id: number): Promise<UserRec> {
    const q = this.q;
    const rows = await this.db.query(`SELECT * FROM ${q('users')} WHERE id = ? AND deleted_at IS NULL ORDER BY ${q('users')}.id LIMIT 1`, [id]);
    if (!rows.length) throw new GoError(RECORD_NOT_FOUND);
    const r = rows[0]!;
    return {
      id: num(r.id),
      group: str(r.group),
      email: str(r.email),
      quota: num(r.quota),
      status: num(r.status, 1),
      username: str(r.username),
      setting: str(r.setting),
      role: num(r.role, 1),
    };
  }

  async options(): Promise<Map<string, string>> {
    const q = this.q;
    const rows = await this.db.query(`SELECT ${q('key')} AS k, ${q('value')} AS v FROM ${q('options')}`);
    return new Map(rows.map((r) => [str(r.k), str(r.v)]));
  }

  // ---------------------------------------------------------------- writes (skipped when read-only)

  /** ValidateUserToken without Redis writes the computed status back (RB §3.1). */
  async setTokenStatus(id: number, status: number): Promise<void> {
    await this.db.query(`UPDATE ${this.q('tokens')} SET status = ? WHERE id = ?`, [status, id]);
  }

  /** PostConsumeQuota + consume log (RB §10.9): token, user, channel counters and one type-2 row. */
  async charge(c: {
    tokenId: number;
    userId: number;
    channelId: number;
    quota: number;
    log?: { username: string; tokenName: string; model: string; content: string; group: string; other: Record<string, unknown> };
  }): Promise<void> {
    const q = this.q;
    await this.db.query(`UPDATE ${q('tokens')} SET remain_quota = remain_quota - ?, used_quota = used_quota + ? WHERE id = ?`, [c.quota, c.quota, c.tokenId]);
    await this.db.query(`UPDATE ${q('users')} SET quota = quota - ?, used_quota = used_quota + ?, request_count = request_count + 1 WHERE id = ?`, [
      c.quota,
      c.quota,
      c.userId,
    ]);
    await this.db.query(`UPDATE ${q('channels')} SET used_quota = used_quota + ? WHERE id = ?`, [c.quota, c.channelId]);
    if (!c.log) return;
    const now = Math.floor(Date.now() / 1000);
    await this.db.query(
      `INSERT INTO ${q('logs')} (user_id, created_at, ${q('type')}, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens, use_time, is_stream, channel_id, token_id, ${q('group')}, other) VALUES (?, ?, 2, ?, ?, ?, ?, ?, 1, 1, 0, ?, ?, ?, ?, ?)`,
      [c.userId, now, c.log.content, c.log.username, c.log.tokenName, c.log.model, c.quota, false, c.channelId, c.tokenId, c.log.group, JSON.stringify(c.log.other)],
    );
  }

  /**
   * FixAbility (RB §4.1): empty abilities, then every channel's rows from its untrimmed lists
   * (enabled = status 1, priority, weight (NULL → 0), tag, BF channel_ratio (NULL → 1)), without a
   * transaction, like the relay. Returns `{success, fails}` counted per channel.
   */
  async fixAbilities(): Promise<{ success: number; fails: number }> {
    const q = this.q;
    await this.db.query(this.db.engine === 'sqlite' ? `DELETE FROM ${q('abilities')}` : `TRUNCATE TABLE ${q('abilities')}`);
    const channels = await this.allChannels();
    const cols = await this.abilityColumns();
    let success = 0;
    let fails = 0;
    for (const ch of channels) {
      try {
        const seen = new Set<string>();
        for (const model of ch.models.split(',')) {
          for (const group of ch.group.split(',')) {
            const k = `${group}|${model}`;
            if (seen.has(k)) continue;
            seen.add(k);
            const row: Record<string, unknown> = { group, model, channel_id: ch.id, enabled: ch.status === 1, priority: ch.raw.priority, weight: ch.raw.weight ?? 0 };
            if (cols.has('tag')) row.tag = ch.raw.tag;
            if (cols.has('channel_ratio')) row.channel_ratio = ch.raw.channelRatio ?? 1;
            const names = Object.keys(row).map(q).join(', ');
            const marks = Object.keys(row).map(() => '?').join(', ');
            const ins =
              this.db.engine === 'mysql'
                ? `INSERT IGNORE INTO ${q('abilities')} (${names}) VALUES (${marks})`
                : `INSERT INTO ${q('abilities')} (${names}) VALUES (${marks}) ON CONFLICT DO NOTHING`;
            await this.db.query(ins, Object.values(row));
          }
        }
        success++;
      } catch {
        fails++;
      }
    }
    return { success, fails };
  }

  /** ValidateAccessToken: the user whose access_token equals the header (first `Bearer ` removed). */
  async userByAccessToken(token: string): Promise<UserRec | null> {
    if (token === '') return null;
    const q = this.q;
    const rows = await this.db.query(`SELECT * FROM ${q('users')} WHERE access_token = ? AND deleted_at IS NULL ORDER BY ${q('users')}.id LIMIT 1`, [token.replace('Bearer ', '')]);
    const r = rows[0];
    if (!r) return null;
    return { id: num(r.id), group: str(r.group), email: str(r.email), quota: num(r.quota), status: num(r.status, 1), username: str(r.username), setting: str(r.setting), role: num(r.role, 1) };
  }

  private async abilityColumns(): Promise<Set<string>> {
    const sql =
      this.db.engine === 'postgres'
        ? "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'abilities'"
        : this.db.engine === 'mysql'
          ? "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'abilities'"
          : "SELECT name FROM pragma_table_info('abilities')";
    const rows = await this.db.query(sql);
    return new Set(rows.map((r) => str(r.name ?? r.NAME)));
  }
}
