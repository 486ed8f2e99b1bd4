// A strict parser for the Prometheus text exposition format (0.0.4), as node_exporter's textfile
// collector reads it: HELP/TYPE at most once per family and before its samples, a family's lines
// together, valid metric and label names, only \\ \" \n escapes in label values, Go float values,
// no duplicate series, a final newline. Used when no exposition-format parser package is
// installed; the tests also run Python's prometheus_client parser when it is on the machine.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help?: string;
  type: string;
  samples: Sample[];
}

export class PromError extends Error {}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(s: string, line: number): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new PromError(`line ${line}: bad value ${JSON.stringify(s)}`);
  return Number(s);
}

function familyOf(sample: string, families: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_count', '_sum']) {
    if (sample.endsWith(suffix)) {
      const base = sample.slice(0, -suffix.length);
      const f = families.get(base);
      if (f && (f.type === 'histogram' || f.type === 'summary')) return base;
    }
  }
  return sample;
}

export function parseExposition(text: string): Family[] {
  if (text.length && !text.endsWith('\n')) throw new PromError('the last line has no newline');
  const families = new Map<string, Family>();
  const order: string[] = [];
  const closed = new Set<string>();
  let current: string | undefined;
  const series = new Set<string>();
  const enter = (name: string, n: number) => {
    if (current !== name) {
      if (closed.has(name)) throw new PromError(`line ${n}: lines of ${name} are not together`);
      if (current) closed.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
      order.push(name);
    }
    return f;
  };
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((line, idx) => {
    const n = idx + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC.test(name!) || METRIC.exec(name!)![0] !== name) throw new PromError(`line ${n}: bad metric name ${name}`);
      const f = enter(name!, n);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new PromError(`line ${n}: second HELP for ${name}`);
        if (/\\(?![\\n])/.test(rest)) throw new PromError(`line ${n}: bad escape in HELP`);
        f.help = rest.replace(/\\(\\|n)/g, (_x, c: string) => (c === 'n' ? '\n' : '\\'));
      } else {
        if (!TYPES.has(rest)) throw new PromError(`line ${n}: bad type ${rest}`);
        if (f.samples.length) throw new PromError(`line ${n}: TYPE after samples of ${name}`);
        if ((f as Family & { typed?: boolean }).typed) throw new PromError(`line ${n}: second TYPE for ${name}`);
        (f as Family & { typed?: boolean }).typed = true;
        f.type = rest;
      }
      return;
    }
    let i = 0;
    const nm = METRIC.exec(line);
    if (!nm) throw new PromError(`line ${n}: bad metric name`);
    const name = nm[0];
    i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      for (;;) {
        if (line[i] === '}') {
          i++;
          break;
        }
        const ln = LABEL.exec(line.slice(i));
        if (!ln) throw new PromError(`line ${n}: bad label name at ${i}`);
        if (ln[0].startsWith('__')) throw new PromError(`line ${n}: reserved label name ${ln[0]}`);
        if (ln[0] in labels) throw new PromError(`line ${n}: duplicate label ${ln[0]}`);
        i += ln[0].length;
        if (line.slice(i, i + 2) !== '="') throw new PromError(`line ${n}: expected =" after ${ln[0]}`);
        i += 2;
        let v = '';
        for (;;) {
          const c = line[i];
          if (c === undefined) throw new PromError(`line ${n}: unterminated label value`);
          if (c === '"') {
            i++;
            break;
          }
          if (c === '\\') {
            const e = line[i + 1];
            if (e === '\\') v += '\\';
            else if (e === '"') v += '"';
            else if (e === 'n') v += '\n';
            else throw new PromError(`line ${n}: bad escape \\${e} in label value`);
            i += 2;
            continue;
          }
          v += c;
          i++;
        }
        labels[ln[0]] = v;
        if (line[i] === ',') i++;
        else if (line[i] !== '}') throw new PromError(`line ${n}: expected , or } at ${i}`);
      }
    }
    const rest = line.slice(i);
    const vm = /^[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/.exec(rest);
    if (!vm) throw new PromError(`line ${n}: expected a value after the labels`);
    const value = parseValue(vm[1]!, n);
    const fam = enter(familyOf(name, families), n);
    if ((fam.type === 'gauge' || fam.type === 'counter' || fam.type === 'untyped') && name !== fam.name) throw new PromError(`line ${n}: sample ${name} in family ${fam.name}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new PromError(`line ${n}: duplicate series ${key}`);
    series.add(key);
    fam.samples.push({ name, labels, value });
  });
  return order.map((k) => families.get(k)!);
}
