import { describe } from 'vitest';
import { tokenIp } from '../../../src/checks/token/token-ip.js';
import { checkTester, snapshot, target, token, user } from '../../support/snapshot.js';

const ip = (allowIps: string, build?: 'NA-main') => {
  const s = snapshot(build ? { product: 'new-api', build } : {});
  return { snap: s, target: target(s, { token: token({ id: 1, allowIps }), user: user({ id: 1 }) }) };
};

describe('token/token-ip', () => {
  checkTester(tokenIp, [
    { name: 'no list', ...ip(''), expect: [] },
    { name: 'exact IPs restrict', ...ip('203.0.113.7\n198.51.100.2'), expect: [{ code: 'TOKEN_IP_RESTRICTED', status: 'warn', match: /2 address/ }] },
    { name: 'CIDR-only list restricts nothing on BF', ...ip('10.0.0.0/8'), expect: [{ code: 'TOKEN_IP_RESTRICTED', status: 'info', match: /restricts nothing/ }] },
    { name: 'NA-main understands CIDRs', ...ip('10.0.0.0/8', 'NA-main'), expect: [{ code: 'TOKEN_IP_RESTRICTED', status: 'warn' }] },
  ]);
});
