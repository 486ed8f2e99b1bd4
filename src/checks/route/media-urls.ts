import type { Check } from '../types.js';
import { finding } from '../report.js';

const PRIVATE = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.0\.0\.0|\[?::1\]?|.*\.local$|.*\.internal$)/i;

function urls(v: unknown, path: string, out: { path: string; url: string }[]): void {
  if (typeof v === 'string') {
    if (/^https?:\/\//i.test(v)) out.push({ path, url: v });
  } else if (Array.isArray(v)) v.forEach((x, i) => urls(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) urls(x, path ? `${path}.${k}` : k, out);
}

export const mediaUrls: Check = {
  id: 'route/media-urls',
  stage: 'route',
  scope: 'target',
  codes: ['REQUEST_MEDIA_URL_PRIVATE'],
  description: 'media URLs in the body are reachable for the upstream',
  run({ snap }) {
    const body = snap.run.target.body?.json;
    if (body === undefined) return [];
    const found: { path: string; url: string }[] = [];
    urls(body, '', found);
    const bad = found.filter((f) => {
      try {
        return PRIVATE.test(new URL(f.url).hostname);
      } catch {
        return false;
      }
    });
    return bad.map((b) =>
      finding('REQUEST_MEDIA_URL_PRIVATE', `body field ${b.path} hands the upstream ${new URL(b.url).host}, a local or private address it cannot fetch`, {
        subject: { field: b.path },
        evidence: { field: b.path, host: new URL(b.url).host },
        remedy: { text: 'Upload the media to a public or CDN URL the upstream can reach.' },
      }),
    );
  },
};
