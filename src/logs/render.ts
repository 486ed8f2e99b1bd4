import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { formatClock, type TimeZoneSpec } from './clock.js';
import type { HitEvent } from './analyze.js';
import type { Cluster, LogAnalysis, StoryLine, TimelineBucket } from './types.js';

export interface RenderOptions {
  color: boolean;
  verbose: boolean;
  tz: TimeZoneSpec;
  /** Terminal width, for the chart. */
  width?: number;
}

/** The contract's logs document (schemaVersion 1), plus the fields we add. */
export function logsDocument(a: LogAnalysis, version: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    tool: { name: 'relay-doctor', version },
    lines: a.lines,
    unknownLines: a.unknownLines,
    clusters: a.clusters,
    partialLines: a.partialLines,
    skippedLines: a.skippedLines,
    rows: a.rows,
    firstTime: a.firstTime,
    lastTime: a.lastTime,
    statusCounts: a.statusCounts,
    timeline: a.timeline,
    ...extra,
  };
}

const ICON = { fail: '✖', warn: '▲', info: 'ℹ' } as const;

function when(iso: string | null, tz: TimeZoneSpec, sameDay: boolean): string {
  if (!iso) return '–';
  const s = formatClock(Date.parse(iso), tz);
  return sameDay ? s.slice(11) : s.slice(5, 16);
}

function where(c: Cluster): string {
  const parts: string[] = [];
  if (c.channels.length) parts.push(c.channels.slice(0, 4).map((x) => `#${x}`).join(',') + (c.channels.length > 4 ? '…' : ''));
  if (c.models.length) parts.push(c.models.slice(0, 3).join(',') + (c.models.length > 3 ? '…' : ''));
  if (c.groups.length) parts.push(`g:${c.groups.slice(0, 3).map((g) => (g === '' ? '""' : g)).join(',')}${c.groups.length > 3 ? '…' : ''}`);
  if (!parts.length && c.paths.length) parts.push(c.paths[0]!);
  return parts.join(' ') || '–';
}

const BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + BLOCKS[eighths % 8];
}

/** Per-minute counts as a small bar chart; long spans are grouped so the chart stays short. */
export function timelineChart(timeline: TimelineBucket[], o: { color: boolean; tz: TimeZoneSpec; maxRows?: number; width?: number }): string[] {
  if (timeline.length === 0) return [];
  const ch = new Chalk({ level: o.color ? 1 : 0 });
  const start = Date.parse(timeline[0]!.minute);
  const end = Date.parse(timeline[timeline.length - 1]!.minute);
  const minutes = Math.round((end - start) / 60_000) + 1;
  const step = Math.max(1, Math.ceil(minutes / (o.maxRows ?? 24)));
  const rows: { t: number; problems: number; lines: number; http5xx: number; fail: number }[] = [];
  for (let i = 0; i < Math.ceil(minutes / step); i++) rows.push({ t: start + i * step * 60_000, problems: 0, lines: 0, http5xx: 0, fail: 0 });
  for (const b of timeline) {
    const r = rows[Math.floor((Date.parse(b.minute) - start) / 60_000 / step)]!;
    r.problems += b.fail + b.warn;
    r.fail += b.fail;
    r.lines += b.lines;
    r.http5xx += b.http5xx;
  }
  const plotProblems = rows.some((r) => r.problems > 0);
  const value = (r: (typeof rows)[number]) => (plotProblems ? r.problems : r.lines);
  const max = Math.max(...rows.map(value));
  const width = Math.max(10, Math.min(50, (o.width ?? 80) - 40));
  const sameDay = formatClock(start, o.tz).slice(0, 10) === formatClock(end, o.tz).slice(0, 10);
  const out = [
    ch.bold(`${plotProblems ? 'Failure lines' : 'Lines'} per ${step === 1 ? 'minute' : `${step} minutes`}`) + ch.dim(plotProblems ? '  (fail+warn; 5xx = access-log 5xx answers)' : ''),
  ];
  for (const r of rows) {
    const label = sameDay ? formatClock(r.t, o.tz).slice(11, 16) : formatClock(r.t, o.tz).slice(5, 16);
    const v = value(r);
    const b = bar(v, max, width);
    const colored = plotProblems ? (r.fail > 0 ? ch.red(b) : ch.yellow(b)) : ch.cyan(b);
    const tail = v > 0 ? ` ${v}` : ch.dim(' ·');
    out.push(`  ${label} ${colored}${tail}${r.http5xx ? ch.dim(`  5xx ${r.http5xx}`) : ''}`);
  }
  return out;
}

/** The text report: a table of clusters and the timeline. */
export function renderText(a: LogAnalysis, o: RenderOptions, heading?: string): string {
  const ch = new Chalk({ level: o.color ? 1 : 0 });
  const out: string[] = [];
  const span =
    a.firstTime && a.lastTime
      ? `, ${formatClock(Date.parse(a.firstTime), o.tz)} … ${formatClock(Date.parse(a.lastTime), o.tz).slice(a.firstTime.slice(0, 10) === a.lastTime.slice(0, 10) ? 11 : 0)}`
      : '';
  const extras = [`${a.unknownLines} unknown`];
  if (a.partialLines) extras.push(`${a.partialLines} cut`);
  if (a.skippedLines) extras.push(`${a.skippedLines} outside the time window`);
  if (a.rows) extras.push(`${a.rows} from the logs table`);
  out.push(ch.bold(heading ?? `relay-doctor logs: ${a.lines.toLocaleString('en-US')} lines`) + ` (${extras.join(', ')})${span}`);
  const sc = Object.entries(a.statusCounts).sort(([x], [y]) => x.localeCompare(y));
  if (sc.length) out.push(`Access log answers: ${sc.map(([k, v]) => `${k} ${v}`).join(' · ')}`);
  out.push('');
  if (a.clusters.length === 0) {
    out.push(ch.green(`No known failure signature in ${a.lines} lines.`));
  } else {
    const sameDay = (a.firstTime ?? '').slice(0, 10) === (a.lastTime ?? '').slice(0, 10);
    const width = o.width ?? 120;
    const whatWidth = Math.max(30, Math.min(60, width - 86));
    const table = new Table({
      head: ['', 'code / stage', 'lines', 'seen', 'where', 'what'],
      style: { head: o.color ? ['bold'] : [], border: o.color ? ['grey'] : [] },
      colWidths: [3, null, null, null, 22, whatWidth] as unknown as number[],
      wordWrap: true,
    });
    for (const c of a.clusters) {
      const icon = c.status === 'fail' ? ch.red(ICON.fail) : c.status === 'warn' ? ch.yellow(ICON.warn) : ch.blue(ICON.info);
      const d = c.details[0]?.text;
      const detail = d && !c.title.includes(d) ? ` [${d}${c.details.length > 1 ? ` +${c.details.length - 1}` : ''}]` : '';
      const first = when(c.firstSeen, o.tz, sameDay);
      const last = when(c.lastSeen, o.tz, sameDay);
      table.push([icon, `${c.code}\n${ch.dim(c.stage)}`, String(c.count), first === last ? first : `${first}\n${last}`, where(c), `${c.title}${detail}`]);
    }
    out.push(table.toString());
    if (o.verbose) {
      for (const c of a.clusters) {
        out.push('', `${ch.bold(c.code)} ${ch.dim(`(${c.signature})`)}`, `  example: ${c.example}`);
        if (c.requestIds.length) out.push(`  request ids: ${c.requestIds.join(', ')}${c.requests > c.requestIds.length ? ` (${c.requests} requests)` : ''}`);
        if (c.paths.length) out.push(`  paths: ${c.paths.join(', ')}`);
        for (const d of c.details.slice(0, 5)) out.push(`  ${d.count} × ${d.text}`);
      }
    }
  }
  const chart = timelineChart(a.timeline, { color: o.color, tz: o.tz, width: o.width });
  if (chart.length > 1) out.push('', ...chart);
  const fails = a.clusters.filter((c) => c.status === 'fail').length;
  out.push('', fails ? ch.red(`${fails} fail cluster${fails === 1 ? '' : 's'}.`) : ch.green('No fail cluster.'));
  return out.join('\n') + '\n';
}

/** One request's lines, in order. */
export function renderStory(rid: string, lines: StoryLine[], o: RenderOptions): string {
  const ch = new Chalk({ level: o.color ? 1 : 0 });
  const out = [ch.bold(`Request ${rid}: ${lines.length} line${lines.length === 1 ? '' : 's'}`)];
  for (const l of lines) out.push(`  ${ch.dim(`${l.file ? `${l.file}:` : ''}${l.line}`)}  ${l.text}`);
  return out.join('\n') + '\n';
}

/** One live event (follow mode). */
export function renderEvent(ev: HitEvent, o: RenderOptions): string {
  const ch = new Chalk({ level: o.color ? 1 : 0 });
  const t = ev.time !== undefined ? formatClock(ev.time, o.tz).slice(11) : '--:--:--';
  const st = ev.status === 'fail' ? ch.red('FAIL') : ev.status === 'warn' ? ch.yellow('WARN') : ch.blue('INFO');
  const text = ev.text.length > 160 ? `${ev.text.slice(0, 159)}…` : ev.text;
  return `${t} ${st} ${ch.bold(ev.code)}  ${ev.title}\n         ${ch.dim(text)}\n`;
}
