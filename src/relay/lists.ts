// Comma lists as the relay splits them: on ',' with no trimming (RB §3.2).

export function splitList(v: string | null | undefined): string[] {
  if (v === null || v === undefined) return [''];
  return v.split(',');
}

/** Entries routing will treat as different names than the admin UI shows. */
export function oddEntries(v: string | null | undefined): { empty: number; padded: string[] } {
  if (v === null || v === undefined) return { empty: 0, padded: [] };
  const parts = v.split(',');
  return {
    empty: parts.filter((p) => p === '').length,
    padded: parts.filter((p) => p !== '' && p !== p.trim()),
  };
}

export function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}
