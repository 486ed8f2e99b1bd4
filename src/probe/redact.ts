import { maskKey, type Secret } from '../context/secret.js';

// Upstream bodies and URLs may echo credentials back (a key in an error message, a token in a
// query string): everything shown from them passes through here first.

export function redactText(text: string, key?: Secret): string {
  let out = text;
  const k = key?.reveal();
  if (k && k.length >= 4) out = out.split(k).join(maskKey(k));
  return out
    .replace(/\bsk-[A-Za-z0-9_-]{6,}/g, (m) => maskKey(m))
    .replace(/\b(Bearer|Basic)\s+(?!\*\*\*)[A-Za-z0-9._~+/=-]+/gi, '$1 ***')
    .replace(/([?&](?:key|api_key|apikey|token|access_token|password|secret|sig|signature)=)[^&\s"']+/gi, '$1***');
}

/** One line of at most `max` characters, redacted. */
export function excerptOf(text: string, key?: Secret, max = 300): string {
  const one = redactText(text, key).replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** A URL without user info and with secret-looking query values masked. */
export function redactUrl(url: string, key?: Secret): string {
  return redactText(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1'), key);
}
