import type { ParsedLine } from './types.js';

// BF passthrough lines carry no time and no request id; they precede the request's [GIN] line,
// which is printed when the request completes (RB §14.3). Under concurrency the only correlation
// is order and path, so lines are grouped into "sessions" (one per in-flight request, as far as
// the lines tell) and a [GIN] line claims the oldest session whose path matches its own.

export interface SessionLine {
  n: number;
  file?: string;
  time?: number;
  text: string;
}

export interface Session {
  path?: string;
  /** Path seen by Distribute after a converter rewrote the request (Kling, Jimeng). */
  altPath?: string;
  /** Path of the passthrough's target URL (base_url path + request path). */
  targetPath?: string;
  method?: string;
  group?: string;
  model?: string;
  channel?: number;
  converter?: boolean;
  distributed?: boolean;
  bltcy?: boolean;
  opened: number;
  lines: SessionLine[];
  /** Hits of this session's lines: attributed to a request id, and timed, when a [GIN] line claims the session. */
  hits: SessionHit[];
}

export interface SessionHit {
  key: string;
  status: 'fail' | 'warn' | 'info';
  /** Line number of the hit. */
  n: number;
  /** Time carried from the last timed line (a lower bound), used if no [GIN] line claims the session. */
  carried?: number;
  /** Not yet timed: the line had no timestamp of its own. */
  deferred: boolean;
}

const MAX_SESSIONS = 256;
const MAX_LINES = 64;
const MAX_AGE_LINES = 20_000;

const FIELDS: Record<string, RegExp> = { group: /\bgroup=([^,\s]*)/, model: /\bmodel=([^,\s]*)/, path: /\bpath=([^,\s]*)/ };
const field = (msg: string, name: 'group' | 'model' | 'path'): string | undefined => FIELDS[name]!.exec(msg)?.[1];

function urlPath(u: string): string | undefined {
  try {
    return new URL(u).pathname;
  } catch {
    return undefined;
  }
}

/** Is this a line that only correlation can tie to a request? */
export function isCorrelationLine(p: ParsedLine): boolean {
  if (p.requestId || !p.tag) return false;
  const t = p.tag;
  return t.includes('Bltcy') || t === 'Distributor' || t === 'CacheRetry' || t === 'CacheFallback' || t === 'DEBUG RelayTask' || t.startsWith('DEBUG Kling');
}

// How far back a line looks for its request: order-based correlation cannot tell more concurrent
// requests apart anyway, and a bounded scan keeps every line O(1).
const SCAN_DEPTH = 64;
const MAX_HITS = 256;

export class Sessions {
  private list: Session[] = [];
  /** path, altPath and targetPath → sessions, for the [GIN] line's lookup. */
  private readonly byPath = new Map<string, Session[]>();
  /** Sessions whose target path carries a base_url path prefix: matched by suffix. */
  private suffixed: Session[] = [];

  constructor(
    private readonly keepLines: boolean,
    private readonly onDrop: (s: Session) => void = () => undefined,
  ) {}

  get size(): number {
    return this.list.length;
  }

  private index(s: Session, key: string | undefined): void {
    if (!key) return;
    const l = this.byPath.get(key);
    if (!l) this.byPath.set(key, [s]);
    else if (!l.includes(s)) l.push(s);
  }

  private unindex(s: Session): void {
    this.unkey(s, s.path);
    this.unkey(s, s.altPath);
    this.unkey(s, s.targetPath);
    if (this.suffixed.length) this.suffixed = this.suffixed.filter((x) => x !== s);
  }

  private unkey(s: Session, key: string | undefined): void {
    if (!key) return;
    const l = this.byPath.get(key);
    if (!l) return;
    const i = l.indexOf(s);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) this.byPath.delete(key);
  }

  private set(s: Session, f: Partial<Pick<Session, 'path' | 'altPath' | 'targetPath' | 'method' | 'group' | 'model' | 'distributed' | 'bltcy'>>): void {
    Object.assign(s, f);
    this.index(s, f.path);
    this.index(s, f.altPath);
    if (f.targetPath) {
      this.index(s, f.targetPath);
      if (f.targetPath !== s.path && f.targetPath !== s.altPath) this.suffixed.push(s);
    }
  }

  private drop(s: Session): void {
    this.unindex(s);
    this.onDrop(s);
  }

  private open(n: number, init: Partial<Session> = {}): Session {
    const { path, altPath, targetPath, ...rest } = init;
    const s: Session = { opened: n, lines: [], hits: [], ...rest };
    this.set(s, { path, altPath, targetPath });
    this.list.push(s);
    if (this.list.length > MAX_SESSIONS) this.drop(this.list.shift()!);
    while (this.list.length > 0 && this.list[0]!.opened < n - MAX_AGE_LINES) this.drop(this.list.shift()!);
    return s;
  }

  private newest(pred: (s: Session) => boolean): Session | undefined {
    const stop = Math.max(0, this.list.length - SCAN_DEPTH);
    for (let i = this.list.length - 1; i >= stop; i--) if (pred(this.list[i]!)) return this.list[i];
    return undefined;
  }

  /** Record a hit of one of the session's lines (bounded). */
  addHit(s: Session, h: SessionHit): void {
    if (s.hits.length < MAX_HITS) s.hits.push(h);
    else this.onDrop({ ...s, hits: [h] }); // too many to keep: time it now
  }

  /** Put a correlation line into its session; returns that session. */
  attach(p: ParsedLine, n: number, line: SessionLine): Session {
    const s = this.place(p, n);
    if (this.keepLines && s.lines.length < MAX_LINES) s.lines.push(line);
    return s;
  }

  private place(p: ParsedLine, n: number): Session {
    const tag = p.tag!;
    const msg = p.message.charCodeAt(0) === 91 ? p.message.slice(p.message.indexOf(']') + 1).trimStart() : p.message;
    let m: RegExpExecArray | null;
    if (tag === 'Distributor') {
      const group = field(msg, 'group');
      const model = field(msg, 'model');
      if (msg.startsWith('请求渠道')) {
        const path = field(msg, 'path');
        const conv = this.newest((s) => s.converter === true && !s.distributed && s.opened > n - 50);
        if (conv) {
          this.set(conv, { altPath: path, group, model, distributed: true });
          return conv;
        }
        return this.open(n, { path, group, model, distributed: true });
      }
      const s = this.newest((x) => x.distributed === true && x.group === group && x.model === model && x.channel === undefined) ?? this.newest(() => true);
      if (s && (m = /channel_id=(\d+)/.exec(msg))) s.channel = Number(m[1]);
      return s ?? this.open(n, { group, model });
    }
    if (tag === 'CacheRetry' || tag === 'CacheFallback') {
      const group = field(msg, 'group');
      const model = field(msg, 'model');
      const s = group !== undefined ? this.newest((x) => x.group === group && x.model === model) : this.newest((x) => x.distributed === true && x.channel === undefined);
      if (s && (m = /channel_id=(\d+)/.exec(msg))) s.channel = Number(m[1]);
      return s ?? this.open(n, { group, model });
    }
    if (tag.startsWith('DEBUG Kling')) {
      const path = /Path: (\S+?)(?:,|$)/.exec(msg)?.[1];
      if (path && (msg.startsWith('START') || tag === 'DEBUG Kling GET')) {
        const method = /Method: (\w+)/.exec(msg)?.[1] ?? (tag === 'DEBUG Kling GET' ? 'GET' : undefined);
        return this.open(n, { path, method, converter: true });
      }
      return this.newest((x) => x.converter === true) ?? this.open(n, { converter: true });
    }
    if (tag === 'DEBUG RelayTask') {
      if ((m = /^Method: (\w+), Path: (\S+?),/.exec(msg))) {
        const path = m[2]!;
        return this.newest((x) => x.path === path || x.altPath === path) ?? this.open(n, { path, method: m[1] });
      }
      return this.newest(() => true) ?? this.open(n);
    }
    // Bltcy family
    if (/^Using (GET|POST\/PUT) request timeout/.test(msg)) {
      const s = this.newest((x) => x.distributed === true && !x.bltcy) ?? this.open(n);
      s.bltcy = true;
      return s;
    }
    if ((m = /^Method: (\w+), targetURL: (\S+), bodyLen/.exec(msg))) {
      const up = urlPath(m[2]!) ?? '';
      const s =
        this.newest((x) => x.targetPath === undefined && ((x.path !== undefined && up.endsWith(x.path)) || (x.altPath !== undefined && up.endsWith(x.altPath)))) ??
        this.newest((x) => x.targetPath === undefined && x.bltcy === true && x.path === undefined) ??
        this.open(n);
      this.set(s, { targetPath: up, method: s.method ?? m[1], bltcy: true });
      return s;
    }
    const url = /\burl=(\S+?),?(?:\s|$)/.exec(msg)?.[1] ?? /\bPath: (\S+?),/.exec(msg)?.[1];
    if (url) {
      const up = url.startsWith('/') ? url : urlPath(url);
      if (up) {
        const s = this.newest((x) => x.targetPath === up || (x.targetPath !== undefined && x.targetPath.endsWith(up)) || x.path === up);
        if (s) return s;
      }
    }
    return this.newest((x) => x.bltcy === true) ?? this.open(n, { bltcy: true });
  }

  /** Remove and return every open session (end of input). */
  drain(): Session[] {
    const all = this.list;
    this.list = [];
    return all;
  }

  /** The oldest open session of a request that completed with this method and path. */
  claim(method: string, path: string): Session | undefined {
    const q = path.indexOf('?');
    const p = q < 0 ? path : path.slice(0, q);
    if (this.list.length === 0) return undefined;
    const ok = (s: Session) => s.method === undefined || s.method === method;
    let found = this.byPath.get(p)?.find(ok);
    if (!found && this.suffixed.length) found = this.suffixed.find((s) => s.targetPath!.endsWith(p) && ok(s));
    if (!found) return undefined;
    const i = this.list.indexOf(found);
    if (i >= 0) this.list.splice(i, 1);
    this.unindex(found);
    return found;
  }
}
