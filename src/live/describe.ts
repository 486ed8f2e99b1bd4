import type { Exchange, NodeFacts } from './types.js';

// Short, secret-free descriptions of what a node answered, for messages and evidence.

export function answerText(x: Exchange | undefined): string {
  if (!x) return 'nothing';
  if (x.failure) return x.failure.error;
  const c = x.classification;
  const code = c?.errorCode ? ` ${c.errorCode}` : '';
  const msg = c?.message ? `: ${c.message.length > 140 ? `${c.message.slice(0, 140)}…` : c.message}` : c?.envelope === 'html' ? ' (an HTML page)' : '';
  return `${x.status}${code}${msg}`;
}

export function exchangeEvidence(x: Exchange | undefined): Record<string, unknown> | undefined {
  if (!x) return undefined;
  const c = x.classification;
  const out: Record<string, unknown> = { request: `${x.method} ${x.path}`, ms: x.ms };
  if (x.model !== undefined) out.model = x.model;
  if (x.failure) {
    out.error = x.failure.error;
    return out;
  }
  out.status = x.status;
  if (c) {
    out.kind = c.kind;
    if (c.errorCode) out.code = c.errorCode;
    if (c.message) out.message = c.message;
    if (c.requestIds.headers.length) out.requestIds = c.requestIds.headers;
  }
  return out;
}

export function nodeList(nodes: NodeFacts[]): string {
  return nodes.map((n) => n.label).join(', ');
}
