import type { Finding } from '../../types.js';
import { answers, arr, has, num, q, str, type Catalogue } from '../bag.js';

const tokenOf = (f: Finding) => num(f, 'tokenId');

export const token: Catalogue = {
  TOKEN_NOT_FOUND: {
    title: '没有与该密钥对应的令牌行（或它已被软删除）',
    message: (f) => {
      const id = tokenOf(f);
      if (has(f, 'deleted_at') && id !== undefined) return `令牌 #${id} 已被软删除：中继的查询会跳过它并返回 401`;
      const by = str(f, 'lookup');
      if (!by) return undefined;
      const how = by === 'key' ? '该密钥' : by === 'id' ? '该 id' : '该名称';
      return `没有令牌行与${how}匹配：中继返回 401（无效的令牌 / Invalid token）`;
    },
    remedy: (f) =>
      has(f, 'deleted_at')
        ? '签发新令牌；或者清空 deleted_at 恢复这个令牌。'
        : '确认客户端发送的是已存在令牌的 Authorization: Bearer sk-<key>，并且查的是这个中继使用的数据库；否则请签发新令牌。',
  },
  TOKEN_KEY_MALFORMED: {
    title: '按现在的写法该密钥永远无法认证（存储的密钥含有 - 或 sk-），或它的 -<id> 后缀为非管理员指定了渠道',
    message: (f) => {
      const suffix = str(f, 'suffix') ?? (num(f, 'suffix') !== undefined ? String(num(f, 'suffix')) : undefined);
      if (suffix !== undefined) return `密钥带有 "-${suffix}" 后缀，这会指定渠道；令牌所有者不是管理员，所以中继返回 403 普通用户不支持指定渠道`;
      const count = num(f, 'count');
      if (count !== undefined) return `${count} 个令牌存储的密钥含有 '-' 或 sk- 前缀：中继的密钥解析永远匹配不到它们`;
      const id = tokenOf(f);
      const m = /can never authenticate: (.*)$/.exec(f.message);
      if (id === undefined || !m) return undefined;
      return `令牌 #${id} 永远无法通过认证：${m[1]}`;
    },
    remedy: (f) => {
      if (has(f, 'suffix')) return '发送不带 -<id> 后缀的密钥（只有管理员可以指定渠道）。';
      if (has(f, 'count')) return '从中继重新签发这些令牌；密钥存储时不带 sk-，并且从不包含 -。';
      return '从中继重新签发令牌（密钥是 48 位 [0-9a-zA-Z]，存储时不带 sk-）。';
    },
  },
  TOKEN_DISABLED: {
    title: '令牌状态不是已启用',
    message: (f) => {
      const id = tokenOf(f);
      const status = num(f, 'status');
      if (id === undefined || status === undefined) return undefined;
      return `令牌 #${id} 的状态为 ${status}（未启用）${answers(f)}`;
    },
    remedy: () => '在管理后台重新启用该令牌。',
  },
  TOKEN_EXPIRED: {
    title: '令牌的 expired_time 已过',
    message: (f) => {
      const id = tokenOf(f);
      const t = num(f, 'expired_time');
      if (id === undefined || t === undefined) return undefined;
      return `令牌 #${id} 已于 ${new Date(t * 1000).toISOString().replace('.000Z', 'Z')} 过期${answers(f)}`;
    },
    remedy: () => '在管理后台延长 expired_time（或设为 -1 表示永不过期）。',
  },
  TOKEN_EXHAUSTED: {
    title: '令牌 remain_quota ≤ 0 且不是无限额度',
    message: (f) => {
      const id = tokenOf(f);
      const remain = num(f, 'remain_quota');
      if (id === undefined || remain === undefined) return undefined;
      return `令牌 #${id} 的剩余额度为 ${remain}，且不是无限额度${answers(f)}`;
    },
    remedy: () => '在管理后台给令牌充值（或设为无限额度）。使用 Redis 时，缓存的令牌数据最多 SYNC_FREQUENCY 秒内仍保留旧额度。',
  },
  TOKEN_MODEL_FORBIDDEN: {
    title: '令牌开启了模型限制，且限制中没有该模型',
    message: (f) => {
      const id = tokenOf(f);
      const model = str(f, 'model');
      if (id === undefined || model === undefined) return undefined;
      return `令牌 #${id} 不允许使用模型 ${q(model)}：中继返回 403 该令牌无权访问模型 ${model}`;
    },
    remedy: (f) => {
      const model = str(f, 'model');
      const passthrough = f.remedy?.text.includes('passthrough') ? '在透传路由上，检查的是路径对应的路由模型，而不是请求体里的模型。' : '';
      return `把 ${model !== undefined ? q(model) : '该模型'} 原样（不带空格）加入令牌的模型限制，或关闭限制。${passthrough}`;
    },
  },
  TOKEN_IP_RESTRICTED: {
    title: '令牌设置了 IP 白名单',
    message: (f) => {
      const id = tokenOf(f);
      if (id === undefined) return undefined;
      const subnet = str(f, 'subnet');
      if (subnet) return `令牌 #${id} 只能从这些子网使用：${subnet}`;
      const entries = arr(f, 'entries');
      const ignored = arr(f, 'ignoredCidrs') ?? [];
      if (!entries) return undefined;
      const cidr = ignored.length ? `；此版本会忽略 CIDR 条目（${ignored.join(', ')}）${entries.length ? '' : '，所以这个名单什么也不限制'}` : '';
      if (!entries.length) return `令牌 #${id} 设置了 IP 白名单${cidr}`;
      return `令牌 #${id} 只能从 ${entries.length} 个地址使用${cidr}：其他客户端会收到 403 您的 IP 不在令牌允许访问的列表中`;
    },
    remedy: (f) =>
      has(f, 'subnet')
        ? '确保中继看到的客户端地址在这些子网内，或清空该名单。'
        : 'relay-doctor 看不到客户端地址：请与中继日志里该请求的 [GIN] 行中的 IP 比较（在代理后面时可能是代理的地址）。',
  },
  USER_MISSING: {
    title: '令牌的所有者已被删除或软删除（中继返回 500）',
    message: (f) => {
      const id = tokenOf(f);
      const row = str(f, 'userRow');
      if (id === undefined || !row) return undefined;
      const uid = num(f, 'userId');
      return `令牌 #${id} 属于用户 #${uid ?? 'NULL'}，该用户${row === 'soft-deleted' ? '已被软删除' : '不存在'}：TokenAuth 查询用户失败${answers(f)}`;
    },
    remedy: () => '恢复该用户（清空 deleted_at），或把令牌转给一个存在的用户。使用 Redis 时，之后删除 user:<id> 或等待 SYNC_FREQUENCY。',
  },
  USER_BANNED: {
    title: '令牌所有者的状态不是已启用',
    message: (f) => {
      const uid = num(f, 'userId');
      const status = num(f, 'status');
      if (uid === undefined || status === undefined) return undefined;
      return `用户 #${uid} 的状态为 ${status}${f.message.includes('(deleted)') ? '（已删除）' : ''}：中继返回 403 用户已被封禁`;
    },
    remedy: () => '在管理后台重新启用该用户（使用 Redis 时，用户缓存最多 SYNC_FREQUENCY 秒内仍保留旧状态）。',
  },
  GROUP_NOT_USABLE: {
    title: '令牌的分组不在用户可用分组中（403）',
    message: (f) => {
      const group = str(f, 'group');
      if (group === undefined) return undefined;
      const tokens = num(f, 'tokens');
      if (tokens !== undefined) return `${tokens} 个活跃令牌使用分组 ${q(group)}，TokenAuth 会拒绝：该分组不在 UserUsableGroups 中`;
      const id = tokenOf(f);
      if (id === undefined) return undefined;
      return `令牌 #${id} 请求分组 ${q(group)}，但该分组不在用户可用分组（UserUsableGroups）中${answers(f) || '；中继返回 403'}`;
    },
    remedy: (f) => `把 ${q(str(f, 'group') ?? '')} 加入 UserUsableGroups，或把令牌改到可用的分组（relay-doctor fix-groups 会生成修改计划）。`,
  },
  GROUP_NOT_IN_RATIO: {
    title: '令牌的分组不在 GroupRatio 中（403 "分组已被弃用"）',
    message: (f) => {
      const group = str(f, 'group');
      if (group === undefined) return undefined;
      const tokens = num(f, 'tokens');
      if (tokens !== undefined) return `${tokens} 个活跃令牌使用分组 ${q(group)}，TokenAuth 会拒绝：该分组不在 GroupRatio 中`;
      const id = tokenOf(f);
      if (id === undefined) return undefined;
      return `令牌 #${id} 请求分组 ${q(group)}，但该分组不在 GroupRatio 中${answers(f) || '；中继返回 403'}`;
    },
    remedy: (f) => `把 ${q(str(f, 'group') ?? '')} 加入 GroupRatio，或把令牌改到 GroupRatio 中已有的分组。`,
  },
  GROUP_FALLBACK_TO_USER: {
    title: '令牌的分组为空，因此使用用户的分组',
    message: (f) => {
      const id = tokenOf(f);
      const ug = str(f, 'userGroup');
      if (id === undefined || ug === undefined) return undefined;
      return `令牌 #${id} 的分组为空，所以中继使用其所有者的分组 ${q(ug)}（不做 UserUsableGroups 或 GroupRatio 检查）`;
    },
    remedy: () => '只改令牌的 group 列不会改变路由，除非新分组可用且在 GroupRatio 中；目前由用户分组决定。',
  },
};
