import { maskKey } from '../context/secret.js';

// Order matters: specific token forms first, then generic header/parameter forms.
const RULES: [RegExp, (m: string, ...g: string[]) => string][] = [
  [/\bsk-[A-Za-z0-9_-]{6,}/g, (m) => maskKey(m)],
  [/\b(Bearer|Basic)\s+(?!\*\*\*)[A-Za-z0-9._~+/=-]+/gi, (_m, scheme) => `${scheme} ***`],
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]+):([^\s@/]+)@/gi, (_m, scheme, user) => `${scheme}${user}:***@`],
  [/\b([\w.-]+):([^\s@:/()]+)@(tcp|unix)\(/g, (_m, user, _pw, proto) => `${user}:***@${proto}(`],
  [
    /([?&](?:key|api_key|apikey|token|access_token|password|secret|sig|signature)=)[^&\s"']+/gi,
    (_m, p) => `${p}***`,
  ],
  [
    /\b((?:authorization|proxy-authorization|x-api-key|x-goog-api-key|x-ptoken|x-vtoken|x-ctoken|mj-api-secret|cookie|set-cookie)["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|\*\*\*)[^\s"',;]+/gi,
    (_m, p) => `${p}***`,
  ],
  [/\b(password|passwd|pwd|secret)=(?!\*\*\*)[^\s&;,]+/gi, (_m, k) => `${k}=***`],
  // Raw relay keys have no sk- prefix: long mixed alphanumeric runs (request ids start with 14 digits).
  [/\b(?![0-9]{14})(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{40,}\b/g, (m) => `${m.slice(0, 4)}…${m.slice(-4)}`],
];

/** Mask keys, bearer tokens, URL passwords and credential headers in a log line. */
export function redact(text: string): string {
  let out = text;
  for (const [re, fn] of RULES) out = out.replace(re, fn as (m: string) => string);
  return out;
}

/** One line of at most `max` characters, redacted. */
export function excerpt(text: string, max = 400): string {
  const r = redact(text);
  return r.length > max ? `${r.slice(0, max - 1)}…` : r;
}
