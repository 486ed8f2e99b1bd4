import { maskKey } from '../context/secret.js';

// A last line of defence on everything a renderer prints: the document should carry no secret,
// but a relay message or log excerpt may quote one. Keys keep at most sk-abcd…wxyz.
const RULES: [RegExp, (m: string, ...g: string[]) => string][] = [
  [/\bsk-[A-Za-z0-9_]{16,}/g, (m) => maskKey(m)],
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):(?!\*\*\*@)([^\s@/]+)@/gi, (_m, scheme, user) => `${scheme}${user}:***@`],
  [/([\w.-]+):(?!\*\*\*@)([^\s@:/()]+)@(tcp|unix)\(/g, (_m, user, _pw, proto) => `${user}:***@${proto}(`],
  [/\b(Bearer)\s+(?!\*\*\*)[A-Za-z0-9._~+/=-]{16,}/g, (_m, scheme) => `${scheme} ***`],
  [/\b(password|passwd|pwd)=(?!\*\*\*)[^\s&;,"']+/gi, (_m, k) => `${k}=***`],
  // Raw relay keys have no sk- prefix: long mixed alphanumeric runs (request ids start with 14 digits).
  [/\b(?![0-9]{14})(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{40,}\b/g, (m) => `${m.slice(0, 4)}…${m.slice(-4)}`],
];

const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Control characters (a terminal escape, a bell) never reach the output; tabs and newlines do. */
export function noControls(text: string): string {
  return text.replace(CONTROLS, '');
}

/** Mask secrets; `keepAnsi` keeps the renderer's own colour codes (text output on a TTY). */
export function scrub(text: string, keepAnsi = false): string {
  let out = keepAnsi ? text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f]/g, '') : noControls(text);
  // new-api's Redis token keys are an HMAC of the key, not the key: keep them whole so the
  // printed `redis-cli DEL token:<hex>` works (one-api's token:<raw key> stays masked).
  const kept: string[] = [];
  out = out.replace(/\btoken:[0-9a-f]{64}\b/g, (m) => `\u0000${kept.push(m) - 1}\u0000`);
  for (const [re, fn] of RULES) out = out.replace(re, fn as (m: string) => string);
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i) => kept[Number(i)]!);
}
