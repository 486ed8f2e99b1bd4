import { ipAllowList } from '../../relay/token.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const tokenIp: Check = {
  id: 'token/token-ip',
  stage: 'token',
  scope: 'target',
  codes: ['TOKEN_IP_RESTRICTED'],
  description: 'an IP allow list limits where the token works',
  run({ snap, target }) {
    const t = target.token?.token;
    if (!t || t.deleted) return [];
    if (snap.product.family === 'one-api') {
      if (!t.subnet) return [];
      return [finding('TOKEN_IP_RESTRICTED', `token #${t.id} only works from the subnets ${t.subnet}`, { subject: { tokenId: t.id }, evidence: { subnet: t.subnet }, remedy: { text: 'Make sure the client address the relay sees is inside these subnets, or clear the list.' } })];
    }
    if (!t.allowIps || !t.allowIps.trim()) return [];
    const list = ipAllowList(t.allowIps, snap.product.build);
    const cidrNote = list.ignoredCidrs.length
      ? `; this build ignores CIDR entries (${list.ignoredCidrs.join(', ')})${list.entries.length ? '' : ', so the list restricts nothing'}`
      : '';
    if (!list.entries.length) {
      return [finding('TOKEN_IP_RESTRICTED', `token #${t.id} has an IP allow list${cidrNote}`, { status: 'info', subject: { tokenId: t.id }, evidence: { entries: [], ignoredCidrs: list.ignoredCidrs } })];
    }
    return [
      finding('TOKEN_IP_RESTRICTED', `token #${t.id} only works from ${list.entries.length} address(es)${cidrNote}: other clients get 403 您的 IP 不在令牌允许访问的列表中`, {
        subject: { tokenId: t.id },
        evidence: { entries: list.entries, ignoredCidrs: list.ignoredCidrs },
        remedy: { text: 'relay-doctor cannot see the client address: compare it with the IP in the relay\'s [GIN] line for the request (behind a proxy it may be the proxy\'s).' },
      }),
    ];
  },
};
