import fs from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../context/types.js';
import { UsageError } from '../types.js';
import type { SeenFacts } from './types.js';

// --seen-status, --seen-body, --seen-headers: the answer the user already got. Text or @file;
// headers as "Name: value" lines (curl -i / -D output, the status line included) or a JSON object.

function readSpec(spec: string, flag: string, cwd: string): { text: string; from: string } {
  if (!spec.startsWith('@')) return { text: spec, from: flag };
  const file = spec.slice(1);
  try {
    return { text: fs.readFileSync(path.resolve(cwd, file), 'utf8'), from: `${flag} @${path.basename(file)}` };
  } catch {
    throw new UsageError(`${flag}: cannot read ${file}`);
  }
}

export function parseHeaders(text: string): { headers: Record<string, string[]>; status?: number } {
  const headers: Record<string, string[]> = {};
  const add = (k: string, v: string) => (headers[k.trim().toLowerCase()] ??= []).push(v.trim());
  const t = text.trim();
  if (t.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      throw new UsageError('--seen-headers: not valid JSON (give "Name: value" lines or a JSON object)');
    }
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (Array.isArray(val)) for (const x of val) add(k, String(x));
      else if (val !== null && val !== undefined) add(k, String(val));
    }
    return { headers };
  }
  let status: number | undefined;
  for (const line of t.split(/\r?\n/)) {
    const s = /^HTTP\/[\d.]+\s+(\d{3})\b/.exec(line.trim());
    if (s) {
      // curl -i after a redirect or 100-continue prints several blocks: the last one counts.
      status = Number(s[1]);
      for (const k of Object.keys(headers)) delete headers[k];
      continue;
    }
    const i = line.indexOf(':');
    if (i > 0) add(line.slice(0, i), line.slice(i + 1));
  }
  return { headers, status };
}

const cache = new WeakMap<RunContext, SeenFacts | null>();

/** The answer the user saw, or undefined when no --seen-* flag was given. Throws UsageError. */
export function seenFromFlags(ctx: RunContext): SeenFacts | undefined {
  if (cache.has(ctx)) return cache.get(ctx) ?? undefined;
  const f = ctx.flags;
  const st = f.seenStatus as string | undefined;
  const body = f.seenBody as string | undefined;
  const hdr = f.seenHeaders as string | undefined;
  if (st === undefined && body === undefined && hdr === undefined) {
    cache.set(ctx, null);
    return undefined;
  }
  const out: SeenFacts = { headers: {}, from: [] };
  if (hdr !== undefined) {
    const r = readSpec(hdr, '--seen-headers', ctx.cwd);
    const p = parseHeaders(r.text);
    out.headers = p.headers;
    if (p.status !== undefined) out.status = p.status;
    out.from.push(r.from);
  }
  if (st !== undefined) {
    const n = Number(String(st).trim());
    if (!Number.isInteger(n) || n < 100 || n > 599) throw new UsageError(`--seen-status expects an HTTP status such as 500, got "${st}"`);
    out.status = n;
    out.from.push('--seen-status');
  }
  if (body !== undefined) {
    const r = readSpec(body, '--seen-body', ctx.cwd);
    out.body = r.text;
    out.from.push(r.from);
  }
  if (out.status === undefined) throw new UsageError('--seen-body and --seen-headers need the status too: add --seen-status <code> (or a status line in the headers)');
  cache.set(ctx, out);
  return out;
}
