import { parseGoDuration, relayTime, type TimeZoneSpec } from './clock.js';
import type { GinFields, ParsedLine } from './types.js';

// Longest line we look at: anything longer is cut (and marked partial) so regexes stay linear.
export const MAX_LINE = 16_384;

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;
// `docker logs -t` and `docker compose logs` prefixes.
const DOCKER_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) /;
const COMPOSE = /^[A-Za-z0-9][\w.-]*\s*\| /;

/** Strip colours, CR, BOM and container prefixes; returns the text and a container timestamp when present. */
export function cleanLine(raw: string): { text: string; dockerTime?: number } {
  const out: { dockerTime?: number } = {};
  const text = clean(raw, out);
  return out.dockerTime === undefined ? { text } : { text, dockerTime: out.dockerTime };
}

/** cleanLine without allocating a result: the container timestamp goes to `out` (reset each call). */
export function clean(raw: string, out: { dockerTime?: number }): string {
  out.dockerTime = undefined;
  let s = raw;
  if (s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.indexOf('\x1b') >= 0) s = s.replace(ANSI, '');
  const c0 = s.charCodeAt(0);
  if (c0 !== 91 /* [ */ && s.length > 0) {
    if (c0 >= 48 && c0 <= 57) {
      const m = DOCKER_TS.exec(s);
      if (m) {
        out.dockerTime = Date.parse(m[0].trim());
        s = s.slice(m[0].length);
      }
    }
    if (s.charCodeAt(0) !== 91) {
      const m = COMPOSE.exec(s);
      if (m) s = s.slice(m[0].length);
    }
  }
  return s;
}

const LEVEL_RE = /^\[(INFO|WARN|ERR|ERROR|DEBUG|SYS|FATAL)\] (\d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d)(?: \| ?| ?$)/;
const TAGGED_RE = /^\[(DEBUG|ERROR|WARN|INFO) ([A-Za-z][^\]]*)\] ?/;
const BARE_TAG_RE = /^\[(Distributor|CacheRetry|CacheFallback|Bltcy Refund|GIN-debug|WARNING|Recovery|GIN-debug\] \[WARNING)\] ?/;
const ONEAPI_SRC = /^([\w./-]+\.go:\d+) \[([^\]]*)\] ?/;
const USER_PREFIX = /^user (\d+) \| /;
const GOLOG_RE = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)? /;
const GORM_SQL = /^\[\d+(?:\.\d+)?ms\] \[rows:/;
const PANIC_RE = /^(panic: |fatal error: |goroutine \d+ \[)/;
const REQUEST_ID = /^[A-Za-z0-9][\w.-]{5,}$/;

function splitTag(message: string): { tag?: string; rest: string } {
  if (message.charCodeAt(0) !== 91) return { rest: message };
  const end = message.indexOf(']');
  if (end < 2 || end > 40) return { rest: message };
  return { tag: message.slice(1, end), rest: message.slice(end + 1).trimStart() };
}

function parseLevel(s: string, m: RegExpExecArray, tz: TimeZoneSpec): ParsedLine {
  const level = m[1]!;
  const time = relayTime(s, level.length + 3, 3, tz);
  let rest = s.slice(m[0].length).trimEnd();
  const out: ParsedLine = { kind: 'level', level, time, message: rest };
  if (rest === '') {
    out.partial = true;
    return out;
  }
  // one-api: `| file.go:12 [func] msg` or `| <id> | file.go:12 [func] msg`
  let src = ONEAPI_SRC.exec(rest);
  if (src) {
    out.kind = 'oneapi';
    out.source = src[1];
    out.message = rest.slice(src[0].length);
    return out;
  }
  if (level === 'FATAL') {
    // `[FATAL] <time> | [<message>]`, then the process exits.
    if (rest.startsWith('[') && rest.endsWith(']')) out.message = rest.slice(1, -1);
    return out;
  }
  if (level === 'SYS') {
    const t = splitTag(rest);
    if (t.tag) out.tag = t.tag;
    return out;
  }
  const bar = rest.indexOf(' | ');
  const first = bar < 0 ? rest : rest.slice(0, bar);
  if (!REQUEST_ID.test(first)) return out; // a message without the id column
  if (first !== 'SYSTEM') out.requestId = first;
  if (bar < 0) {
    // `[ERR] time | <id>` and nothing else: a cut line.
    out.partial = true;
    out.message = '';
    return out;
  }
  rest = rest.slice(bar + 3);
  src = ONEAPI_SRC.exec(rest);
  if (src) {
    out.kind = 'oneapi';
    out.source = src[1];
    rest = rest.slice(src[0].length);
  }
  const u = USER_PREFIX.exec(rest);
  if (u) {
    out.userId = Number(u[1]);
    rest = rest.slice(u[0].length);
  }
  out.message = rest;
  const t = splitTag(rest);
  if (t.tag) out.tag = t.tag;
  return out;
}

const isStatus = (f: string | undefined) => f !== undefined && f.length === 3 && f >= '100' && f <= '599';

/** `[GIN] …` in the NA-0.9.x/BF/one-api, NA-main and gin-default layouts; padding allowed. */
function parseGin(s: string, tz: TimeZoneSpec): ParsedLine {
  // Split on '|' by hand (up to 7 fields, the last keeps any further '|'): this is the hottest line kind.
  const parts: string[] = [];
  let from = 6;
  for (let k = 0; k < 6; k++) {
    const bar = s.indexOf('|', from);
    if (bar < 0) break;
    parts.push(s.slice(from, bar).trim());
    from = bar + 1;
  }
  parts.push(s.slice(from).trim());
  const out: ParsedLine = { kind: 'gin', message: s.slice(6), time: relayTime(parts[0]!, 0, 3, tz) };
  let rid: string | undefined;
  let scope: string | undefined;
  let at: number;
  if (isStatus(parts[2])) {
    rid = parts[1];
    at = 2;
  } else if (isStatus(parts[3])) {
    scope = parts[1];
    rid = parts[2];
    at = 3;
  } else if (isStatus(parts[1])) {
    at = 1; // gin's default formatter: no request id
  } else {
    out.partial = true;
    if (parts[1] && REQUEST_ID.test(parts[1])) out.requestId = parts[1];
    return out;
  }
  if (rid) out.requestId = rid;
  const latencyText = parts[at + 1] ?? '';
  const latencyMs = parseGoDuration(latencyText);
  let ip = parts[at + 2] ?? '';
  if (ip.startsWith('client_ip=')) ip = ip.slice(10);
  const mp = parts.slice(at + 3).join('|').trim();
  const sp = mp.indexOf(' ');
  const status = Number(parts[at]);
  if (latencyMs === undefined || sp < 0) {
    out.partial = true;
    out.gin = { status, latencyMs: latencyMs ?? 0, latencyText, ip, method: sp < 0 ? mp : mp.slice(0, sp), path: '' };
    return out;
  }
  let path = mp.slice(sp + 1).trim();
  if (path.startsWith('"') && path.endsWith('"') && path.length > 1) path = path.slice(1, -1);
  const gin: GinFields = { status, latencyMs, latencyText, ip, method: mp.slice(0, sp), path };
  if (scope) gin.scope = scope;
  out.gin = gin;
  return out;
}

/** Parse one cleaned line (see cleanLine). Dump lines are recognised by the analyser, which knows the state. */
export function parseLine(text: string, tz: TimeZoneSpec): ParsedLine {
  let s = text;
  let cut = false;
  if (s.length > MAX_LINE) {
    s = s.slice(0, MAX_LINE);
    cut = true;
  }
  const out = parseUncut(s, tz);
  if (cut) out.partial = true;
  return out;
}

function parseUncut(s: string, tz: TimeZoneSpec): ParsedLine {
  if (s.length === 0 || s.trim() === '') return { kind: 'blank', message: '' };
  if (s.charCodeAt(0) === 91) {
    if (s.startsWith('[GIN] ')) return parseGin(s, tz);
    const m = LEVEL_RE.exec(s);
    if (m) return parseLevel(s, m, tz);
    const t = TAGGED_RE.exec(s);
    if (t) return { kind: 'tagged', level: t[1], tag: `${t[1]} ${t[2]}`, message: s.slice(t[0].length).trimEnd() };
    const b = BARE_TAG_RE.exec(s);
    if (b) {
      const tag = b[1]!;
      const message = s.slice(b[0].length).trimEnd();
      const out: ParsedLine = { kind: 'tagged', tag, message };
      if (tag === 'Recovery') out.time = relayTime(message, 0, 3, tz);
      return out;
    }
    if (GORM_SQL.test(s)) return { kind: 'golog', message: s };
    // `[ERR] 2025/1` and similar: a level prefix cut short.
    if (/^\[(INFO|WARN|ERR|ERROR|DEBUG|SYS|FATAL|GIN)\]/.test(s)) return { kind: 'level', message: s, partial: true };
    return { kind: 'unknown', message: s };
  }
  if (PANIC_RE.test(s)) return { kind: 'panic', message: s.trimEnd() };
  const g = GOLOG_RE.exec(s);
  if (g) return { kind: 'golog', time: relayTime(s, 0, 1, tz), message: s.slice(g[0].length).trimEnd() };
  return { kind: 'unknown', message: s };
}

const DUMP_RE = /^(\t|\s{2,}|goroutine \d+ \[|created by |exit status \d+|\.\.\.additional frames|\[signal |panic\(|main\.|runtime\.|github\.com\/|net\/http\.|gopkg\.in\/|golang\.org\/|[\w./-]+\.[\w]+\(.*\)$|[\w./-]+\.go:\d+|[A-Z][\w-]*: |HTTP\/|(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) \/)/;

/** Is this line part of a goroutine dump (or recovery dump) that started on an earlier line? */
export function isDumpLine(text: string): boolean {
  return text.trim() === '' || DUMP_RE.test(text);
}
