// Engine-neutral readers for raw row values.

export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function int(v: unknown, fallback = 0): number {
  const n = num(v);
  return n === null ? fallback : Math.trunc(n);
}

export function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return ['1', 't', 'true', 'y', 'yes'].includes(v.toLowerCase());
  if (Buffer.isBuffer(v)) return v.length > 0 && v[0] !== 0 && v.toString() !== '0';
  return false;
}

export function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v === 'object') return JSON.stringify(v); // MySQL json columns may arrive parsed
  return String(v);
}

/** A soft-delete column is set when it holds anything but NULL (or MySQL's zero date). */
export function isSet(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string' && (v === '' || v.startsWith('0000-00-00'))) return false;
  return true;
}
