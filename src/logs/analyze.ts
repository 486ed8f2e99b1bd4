import type { FindingStatus } from '../types.js';
import { parseTimeZone, type TimeZoneSpec } from './clock.js';
import { logCodeInfo } from './codes.js';
import { clean, isDumpLine, parseLine } from './parse.js';
import { excerpt, redact } from './redact.js';
import { isCorrelationLine, Sessions, type Session } from './sessions.js';
import { classifyLine, classifyRow } from './signatures.js';
import type { Cluster, Hit, LogAnalysis, LogRow, ParsedLine, StoryLine, TimelineBucket } from './types.js';

export interface AnalyzeOptions {
  /** Epoch ms; lines before are skipped. */
  since?: number;
  /** Epoch ms; lines at or after are skipped. */
  until?: number;
  /** How to read the relay's zone-less timestamps: 'local' (default), 'utc', '+08:00'. */
  tz?: string | TimeZoneSpec;
  /** Keep the full story of these request ids (prefix match). */
  requestIds?: string[];
  /** Keep short stories for the clusters' sample request ids (default true). */
  sampleStories?: boolean;
  /** Request ids kept per cluster (default 5). */
  sampleIds?: number;
  /** Called for every counted hit, as lines arrive (follow mode). */
  onHit?: (ev: HitEvent) => void;
}

export interface HitEvent {
  time: number | undefined;
  code: string;
  stage: string;
  status: FindingStatus;
  signature: string;
  title: string;
  requestId?: string;
  /** The line, redacted and shortened. */
  text: string;
}

const CAP_SET = 50;
const CAP_REQUESTS = 2000;
const CAP_DETAILS = 20;
const CAP_PATHS = 10;
const RID_LRU = 4096;
const RING = 8192;
const SAMPLE_STORIES = 100;
const SAMPLE_STORY_LINES = 200;
const WANTED_STORY_LINES = 10_000;
const MAX_DUMP = 5000;

const RANK: Record<FindingStatus, number> = { fail: 0, warn: 1, info: 2 };

interface Acc {
  code: string;
  signature: string;
  title: string;
  status: FindingStatus;
  count: number;
  first?: number;
  last?: number;
  channels: Set<number>;
  models: Set<string>;
  groups: Set<string>;
  requestIds: string[];
  requests: Set<string>;
  example: string;
  paths: Set<string>;
  details: Map<string, number>;
}

const addCapped = <T>(set: Set<T>, v: T | undefined, cap: number) => {
  if (v !== undefined && set.size < cap) set.add(v);
};

/**
 * Streaming analyser: feed lines (and logs-table rows), then call result() once, at the end
 * (it closes the requests still waiting for their [GIN] line). Memory stays bounded.
 */
export class LogAnalyzer {
  private readonly tz: TimeZoneSpec;
  private readonly sampleIds: number;
  private readonly stories: boolean;
  private n = 0;
  private lines = 0;
  private unknown = 0;
  private partial = 0;
  private skipped = 0;
  private rows = 0;
  private lastTime: number | undefined;
  private firstTime: number | undefined;
  private maxTime: number | undefined;
  private dump = -1; // lines left in the current goroutine dump, -1 when none
  private readonly clusters = new Map<string, Acc>();
  private readonly timeline = new Map<number, TimelineBucket & { t: number }>();
  private readonly sessions: Sessions;
  private ridKeys = new Map<string, string>();
  private ridKeysOld = new Map<string, string>();
  // The last RING lines that carried a request id: a request's story is taken from here when
  // it becomes a cluster sample. Fixed-size arrays: no allocation per line.
  private readonly ringRid: (string | undefined)[] = new Array(RING).fill(undefined);
  private readonly ringText: string[] = new Array(RING).fill('');
  private readonly ringFile: (string | undefined)[] = new Array(RING).fill(undefined);
  private readonly ringN = new Float64Array(RING);
  private readonly ringT = new Float64Array(RING);
  private ringPos = 0;
  private readonly kept = new Map<string, StoryLine[]>();
  private readonly cleanOut: { dockerTime?: number } = {};
  private readonly statusClass = [0, 0, 0, 0, 0, 0];
  private lastMinute = NaN;
  private lastBucket: (TimelineBucket & { t: number }) | undefined;

  constructor(private readonly opts: AnalyzeOptions = {}) {
    this.tz = typeof opts.tz === 'object' ? opts.tz : parseTimeZone(opts.tz);
    this.sampleIds = opts.sampleIds ?? 5;
    this.stories = opts.sampleStories !== false || (opts.requestIds?.length ?? 0) > 0;
    this.sessions = new Sessions(this.stories, (s) => this.settle(s, undefined));
  }

  private wanted(rid: string): boolean {
    const w = this.opts.requestIds;
    if (!w || w.length === 0) return false;
    for (const id of w) if (rid.startsWith(id)) return true;
    return false;
  }

  private inWindow(t: number | undefined): boolean {
    if (t === undefined) return true;
    if (this.opts.since !== undefined && t < this.opts.since) return false;
    if (this.opts.until !== undefined && t >= this.opts.until) return false;
    return true;
  }

  private bucket(t: number): TimelineBucket {
    const m = Math.floor(t / 60_000) * 60_000;
    if (m === this.lastMinute) return this.lastBucket!;
    let b = this.timeline.get(m);
    if (!b) {
      b = { t: m, minute: '', lines: 0, matched: 0, fail: 0, warn: 0, http5xx: 0 };
      this.timeline.set(m, b);
    }
    this.lastMinute = m;
    this.lastBucket = b;
    return b;
  }

  /** Feed one raw line (with or without its newline). */
  pushLine(raw: string, file?: string): void {
    this.n++;
    this.lines++;
    const text = clean(raw, this.cleanOut);
    const dockerTime = this.cleanOut.dockerTime;
    let p: ParsedLine;
    if (this.dump >= 0) {
      const q = text.charCodeAt(0) === 91 ? parseLine(text, this.tz) : undefined;
      if (q && q.kind !== 'unknown') {
        this.dump = -1;
        p = q;
      } else if (this.dump > 0 && isDumpLine(text)) {
        this.dump--;
        p = { kind: 'dump', message: text };
      } else {
        this.dump = -1;
        p = q ?? parseLine(text, this.tz);
      }
    } else {
      p = parseLine(text, this.tz);
    }
    const own = p.time ?? dockerTime;
    if (own !== undefined) this.lastTime = own;
    const t = own ?? this.lastTime;
    if (!this.inWindow(t)) {
      this.skipped++;
      return;
    }
    if (t !== undefined) {
      if (this.firstTime === undefined || t < this.firstTime) this.firstTime = t;
      if (this.maxTime === undefined || t > this.maxTime) this.maxTime = t;
    }
    if (p.kind === 'panic' || (p.kind !== 'dump' && (p.tag === 'Recovery' || p.message.startsWith('stacktrace from panic')))) this.dump = MAX_DUMP;
    if (p.partial) this.partial++;
    const b = t !== undefined ? this.bucket(t) : undefined;
    if (b) b.lines++;
    if (p.gin && !p.partial) {
      const cls = Math.floor(p.gin.status / 100);
      if (cls >= 1 && cls <= 5) this.statusClass[cls]!++;
      if (b && p.gin.status >= 500) b.http5xx++;
    }

    const rid = p.requestId;
    let session: Session | undefined;
    if (isCorrelationLine(p)) session = this.sessions.attach(p, this.n, { n: this.n, file, time: t, text });
    if (rid && p.kind === 'gin' && p.gin && !p.partial) {
      const claimed = this.sessions.claim(p.gin.method, p.gin.path);
      if (claimed) this.attribute(rid, claimed, t);
    }
    if (rid && this.stories) this.remember(rid, this.n, file, t, text);

    const hits = classifyLine(p);
    if (hits.length === 0) {
      if (p.kind === 'unknown') this.unknown++;
      return;
    }
    // Passthrough lines have no time: their hits are timed by the [GIN] line that claims them.
    const deferred = session !== undefined && own === undefined;
    if (b && !deferred) b.matched++;
    let ex: string | undefined;
    const example = () => (ex ??= excerpt(text));
    for (const h of hits) {
      if (session) {
        if (h.channel === undefined && session.channel !== undefined) h.channel = session.channel;
        if (h.model === undefined && session.model !== undefined) h.model = session.model;
        if (h.group === undefined && session.group !== undefined) h.group = session.group;
        if (h.path === undefined) h.path = session.path ?? session.targetPath;
      }
      const key = `${h.signature}|${h.code}`;
      if (rid && this.seenForRequest(rid, h.code)) {
        this.merge(key, h); // same failure of the same request: widen the cluster, do not count the line twice
        continue;
      }
      const status = this.count(key, h, deferred ? undefined : t, example, rid);
      if (session) this.sessions.addHit(session, { key, status, n: this.n, carried: t, deferred });
      if (b && !deferred) {
        if (status === 'fail') b.fail++;
        else if (status === 'warn') b.warn++;
      }
      this.opts.onHit?.({ time: t, code: h.code, stage: logCodeInfo(h.code).stage, status, signature: h.signature, title: h.title, requestId: rid, text: example() });
    }
  }

  /** Give a session's untimed hits a time: the claiming [GIN] line's, else the carried one. */
  private settle(s: Session, t: number | undefined): void {
    let lastLine = -1;
    for (const h of s.hits) {
      if (!h.deferred) continue;
      h.deferred = false;
      const when = t ?? h.carried;
      if (when === undefined) continue;
      const c = this.clusters.get(h.key);
      if (c) {
        if (c.first === undefined || when < c.first) c.first = when;
        if (c.last === undefined || when > c.last) c.last = when;
      }
      const b = this.bucket(when);
      if (h.n !== lastLine) b.matched++;
      lastLine = h.n;
      if (h.status === 'fail') b.fail++;
      else if (h.status === 'warn') b.warn++;
    }
  }

  /** Feed one logs-table row. */
  pushRow(r: LogRow): void {
    this.n++;
    this.lines++;
    this.rows++;
    const t = r.createdAt * 1000;
    if (!this.inWindow(t)) {
      this.skipped++;
      return;
    }
    if (this.firstTime === undefined || t < this.firstTime) this.firstTime = t;
    if (this.maxTime === undefined || t > this.maxTime) this.maxTime = t;
    const b = this.bucket(t);
    b.lines++;
    const parts = [`logs #${r.id}`, `type=${r.type}`];
    if (r.channelId !== undefined) parts.push(`channel=${r.channelId}`);
    if (r.model) parts.push(`model=${r.model}`);
    if (r.group !== undefined) parts.push(`group=${r.group}`);
    if (r.statusCode !== undefined) parts.push(`status=${r.statusCode}`);
    if (r.errorCode) parts.push(`error_code=${r.errorCode}`);
    if (r.requestPath) parts.push(`path=${r.requestPath}`);
    const text = `${parts.join(' ')} | ${r.content}`;
    const rid = r.requestId || undefined;
    if (rid && this.stories) this.remember(rid, this.n, undefined, t, text);
    const hits = classifyRow(r);
    if (hits.length === 0) {
      if (r.type === 5) this.unknown++;
      return;
    }
    b.matched++;
    const ex = excerpt(text);
    for (const h of hits) {
      const key = `${h.signature}|${h.code}`;
      const status = this.count(key, h, t, () => ex, rid);
      if (status === 'fail') b.fail++;
      else if (status === 'warn') b.warn++;
      this.opts.onHit?.({ time: t, code: h.code, stage: logCodeInfo(h.code).stage, status, signature: h.signature, title: h.title, requestId: rid, text: ex });
    }
  }

  /** One request id, one code: a request's several lines about the same failure count once. */
  private seenForRequest(rid: string, code: string): boolean {
    // Two generations instead of an LRU: O(1) without iterating a Map that has seen many deletions.
    let seen = this.ridKeys.get(rid);
    if (seen === undefined) {
      seen = this.ridKeysOld.get(rid);
      if (seen !== undefined) this.ridKeys.set(rid, seen);
    }
    if (seen === undefined) {
      this.ridKeys.set(rid, code);
      if (this.ridKeys.size >= RID_LRU / 2) {
        this.ridKeysOld = this.ridKeys;
        this.ridKeys = new Map();
      }
      return false;
    }
    if (seen === code || seen.split(' ').includes(code)) return true;
    this.ridKeys.set(rid, `${seen} ${code}`);
    return false;
  }

  private merge(key: string, h: Hit): void {
    const c = this.clusters.get(key);
    if (!c) return;
    addCapped(c.channels, h.channel, CAP_SET);
    addCapped(c.models, h.model, CAP_SET);
    addCapped(c.groups, h.group, CAP_SET);
  }

  private count(key: string, h: Hit, t: number | undefined, example: () => string, rid: string | undefined): FindingStatus {
    const status = h.status ?? logCodeInfo(h.code).status;
    let c = this.clusters.get(key);
    if (!c) {
      c = {
        code: h.code,
        signature: h.signature,
        title: h.title,
        status,
        count: 0,
        channels: new Set(),
        models: new Set(),
        groups: new Set(),
        requestIds: [],
        requests: new Set(),
        example: example(),
        paths: new Set(),
        details: new Map(),
      };
      this.clusters.set(key, c);
    }
    c.count++;
    if (RANK[status] < RANK[c.status]) c.status = status;
    if (t !== undefined) {
      if (c.first === undefined || t < c.first) c.first = t;
      if (c.last === undefined || t > c.last) c.last = t;
    }
    addCapped(c.channels, h.channel, CAP_SET);
    addCapped(c.models, h.model, CAP_SET);
    addCapped(c.groups, h.group, CAP_SET);
    addCapped(c.paths, h.path, CAP_PATHS);
    if (h.detail !== undefined) {
      // Raw text as the key (redacted once, on output).
      const d = h.detail;
      const n = c.details.get(d);
      if (n !== undefined) c.details.set(d, n + 1);
      else if (c.details.size < CAP_DETAILS) c.details.set(d, 1);
    }
    if (rid) this.addRequest(c, rid);
    return status;
  }

  private addRequest(c: Acc, rid: string): void {
    if (c.requests.size < CAP_REQUESTS) c.requests.add(rid);
    if (c.requestIds.length < this.sampleIds && !c.requestIds.includes(rid)) {
      c.requestIds.push(rid);
      this.keep(rid);
    }
  }

  /** A [GIN] line claimed a session: its passthrough lines belong to this request. */
  private attribute(rid: string, s: Session, t: number | undefined): void {
    this.settle(s, t);
    for (const { key } of s.hits) {
      const c = this.clusters.get(key);
      if (!c) continue;
      this.addRequest(c, rid);
      this.seenForRequest(rid, c.code);
    }
    if (!this.stories) return;
    for (const l of s.lines) this.remember(rid, l.n, l.file, l.time, l.text);
  }

  private remember(rid: string, n: number, file: string | undefined, t: number | undefined, text: string): void {
    const kept = this.kept.get(rid) ?? (this.wanted(rid) ? this.keep(rid) : undefined);
    if (kept) {
      if (kept.length < (this.wanted(rid) ? WANTED_STORY_LINES : SAMPLE_STORY_LINES)) kept.push(storyLine(n, file, t, text));
      return;
    }
    const i = this.ringPos;
    this.ringRid[i] = rid;
    this.ringText[i] = text;
    this.ringFile[i] = file;
    this.ringN[i] = n;
    this.ringT[i] = t ?? NaN;
    this.ringPos = (i + 1) % RING;
  }

  /** Start keeping a request's story, with its lines still in the ring. */
  private keep(rid: string): StoryLine[] | undefined {
    if (!this.stories) return undefined;
    let k = this.kept.get(rid);
    if (k) return k;
    if (!this.wanted(rid) && this.kept.size >= SAMPLE_STORIES + (this.opts.requestIds?.length ?? 0) * 10) return undefined;
    k = [];
    for (let i = 0; i < RING; i++) {
      if (this.ringRid[i] !== rid) continue;
      k.push(storyLine(this.ringN[i]!, this.ringFile[i], Number.isNaN(this.ringT[i]) ? undefined : this.ringT[i], this.ringText[i]!));
      this.ringRid[i] = undefined;
    }
    k.sort((a, b) => a.line - b.line);
    this.kept.set(rid, k);
    return k;
  }

  result(): LogAnalysis {
    for (const s of this.sessions.drain()) this.settle(s, undefined);
    const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    const clusters: Cluster[] = [...this.clusters.values()]
      .map((c) => ({
        code: c.code,
        stage: logCodeInfo(c.code).stage,
        status: c.status,
        signature: c.signature,
        title: c.title,
        count: c.count,
        firstSeen: iso(c.first),
        lastSeen: iso(c.last),
        channels: [...c.channels].sort((a, b) => a - b),
        models: [...c.models],
        groups: [...c.groups],
        requestIds: [...c.requestIds],
        example: c.example,
        requests: c.requests.size,
        paths: [...c.paths],
        details: [...c.details].map(([text, count]) => ({ text: redact(text), count })).sort((a, b) => b.count - a.count),
      }))
      .sort((a, b) => RANK[a.status] - RANK[b.status] || b.count - a.count || a.code.localeCompare(b.code));
    const stories: Record<string, StoryLine[]> = {};
    const wantedOnly = (this.opts.requestIds?.length ?? 0) > 0;
    for (const [rid, lines] of this.kept) {
      if (wantedOnly && !this.wanted(rid)) continue;
      stories[rid] = [...lines].sort((a, b) => a.line - b.line).map((l) => ({ ...l, text: redact(l.text) }));
    }
    return {
      lines: this.lines,
      unknownLines: this.unknown,
      partialLines: this.partial,
      skippedLines: this.skipped,
      rows: this.rows,
      clusters,
      timeline: [...this.timeline.values()]
        .sort((a, b) => a.t - b.t)
        .map(({ t, ...rest }) => ({ ...rest, minute: new Date(t).toISOString() })),
      stories,
      statusCounts: Object.fromEntries(this.statusClass.map((n, i) => [`${i}xx`, n]).filter(([, n]) => (n as number) > 0)),
      firstTime: iso(this.firstTime),
      lastTime: iso(this.maxTime),
    };
  }
}

const storyLine = (n: number, file: string | undefined, t: number | undefined, text: string): StoryLine => ({
  line: n,
  file,
  time: t !== undefined ? new Date(t).toISOString() : null,
  text,
});

function isAsync<T>(x: AsyncIterable<T> | Iterable<T>): x is AsyncIterable<T> {
  return typeof (x as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
}

/** Analyse a stream of log lines with constant memory. */
export async function analyzeLines(lines: AsyncIterable<string> | Iterable<string>, opts: AnalyzeOptions = {}): Promise<LogAnalysis> {
  const a = new LogAnalyzer(opts);
  if (isAsync(lines)) for await (const l of lines) a.pushLine(l);
  else for (const l of lines) a.pushLine(l);
  return a.result();
}

/** Analyse logs-table rows (see readLogsTable). */
export async function analyzeRows(rows: AsyncIterable<LogRow> | Iterable<LogRow>, opts: AnalyzeOptions = {}): Promise<LogAnalysis> {
  const a = new LogAnalyzer(opts);
  if (isAsync(rows)) for await (const r of rows) a.pushRow(r);
  else for (const r of rows) a.pushRow(r);
  return a.result();
}
