import { bool, num, str, type Catalogue } from '../bag.js';

export const cache: Catalogue = {
  CACHE_PROBE_MAY_HEAL: {
    title: '在这个分支（BF ≥ 2025-11-25）上，缓存未命中的探测会在请求内重建缓存并回退到 abilities：探测时能路由，不能证明之前的缓存是新的',
    remedy: () => '若用户之前看到的是 503 model_not_found，请以当时的日志（[CacheRetry] / [CacheFallback] 行）为准；用 --log-file 附上日志。',
  },
  CACHE_STALE_CHANNELS: {
    title: '运行中的中继的路由与数据库不一致（例如数据库能提供的分组和模型，它却报告没有渠道）',
    remedy: () => '在每个节点上调用 POST /api/channel/fix（或在管理后台保存一次渠道）刷新缓存，或重启节点；否则缓存最多 SYNC_FREQUENCY 秒后才会重建。',
  },
  CACHE_STALE_TOKEN: {
    title: 'Redis 中的令牌缓存与 tokens 表不一致（分组、状态、限制或额度）',
    remedy: () => '删除 Redis 中对应的 token:* 键（或等待 SYNC_FREQUENCY 秒），并通过管理后台而不是 SQL 修改令牌。',
  },
  CACHE_STALE_USER: {
    title: 'Redis 中的用户缓存与 users 表不一致（分组或状态）',
    remedy: () => '删除 Redis 中对应的 user:<id> 键（或等待 SYNC_FREQUENCY 秒），并通过管理后台修改用户。',
  },
  AUTH_VERSION_FENCE: {
    title: 'Redis 中的 auth:user:version:<id> 大于 users.auth_version：该用户的每个请求都会以 500 失败',
    message: (f) => {
      const uid = num(f, 'userId');
      const redis = num(f, 'redisVersion');
      const db = num(f, 'dbVersion');
      if (uid === undefined || redis === undefined || db === undefined) return undefined;
      return `Redis 中 auth:user:version:${uid} 为 ${redis}，大于 users.auth_version（${db}）：用户 #${uid} 的每个请求都会以 500 失败`;
    },
    remedy: () => '删除 Redis 键 auth:user:version:<id>，或让 users.auth_version 追上它。',
  },
  CACHE_WINDOW_OPEN: {
    title: '没有探测运行中的中继；内存缓存开启时，数据库中的修改最多需要 SYNC_FREQUENCY 秒才能到达每个节点',
    message: (f) => {
      const s = num(f, 'syncFrequency');
      const on = bool(f, 'memoryCacheOn');
      const redis = bool(f, 'redis');
      if (s === undefined || on === undefined || redis === undefined) return undefined;
      const parts: string[] = [];
      if (on) parts.push(`每个节点在内存中缓存渠道和选项，每 ${s} 秒重建一次`);
      if (redis) parts.push(`Redis 中的令牌和用户缓存在写入后最多保留 ${s} 秒`);
      const window = parts.length
        ? `${parts.join('；')}，所以数据库中的修复最多需要 ${s} 秒才能到达每个节点`
        : `内存缓存关闭，渠道和令牌的修改立即生效；选项修改（GroupRatio、ModelPrice…）每 ${s} 秒重新加载`;
      return `没有探测运行中的中继：本报告反映的是数据库的状态。${window}`;
    },
    remedy: () => '要看每个运行中节点的实际状态，请加上 --relay-url <节点>（可重复）和 --token 再运行。',
  },
  RELAY_UNREACHABLE: {
    title: '无法连接给定的中继 URL',
    message: (f) => {
      const url = str(f, 'url') ?? str(f, 'relayUrl');
      const err = str(f, 'error');
      if (!url || !err) return undefined;
      return `无法连接中继 ${url}：${err}`;
    },
    remedy: () => '检查 URL、端口和网络，以及中继进程是否在运行。',
  },
  RELAY_NODES_DISAGREE: {
    title: '探测了多个中继节点，它们的路由结果不同',
    remedy: () => '对落后的节点调用 POST /api/channel/fix 或重启它，并确认所有节点连接同一个数据库、使用相同的 SYNC_FREQUENCY。',
  },
  RELAY_CRASH_LOOP: {
    title: '中继反复重启（/api/status 的 start_time 在两次探测之间变化，或日志显示启动或同步时 panic）',
    remedy: () => '查看每次重启前最后的日志（panic 堆栈），先修复导致 panic 的数据（例如 abilities 中缺少的分组），再重启。',
  },
  CACHE_STALE_OPTIONS: {
    title: '运行中的中继的选项与 options 表不同',
    remedy: () => '通过管理后台保存选项，或等待 SYNC_FREQUENCY 秒让各节点重新加载。',
  },
  RELAY_BUILD_OUTDATED: {
    title: '运行中的中继表现得像比 profile 更旧的版本（缺少已知路由，已修复的 bug 仍然存在）',
    remedy: () => '把该节点更新到当前版本并重新部署。',
  },
  RELAY_OVERLOADED: {
    title: '运行中的中继返回 503 system_*_overloaded',
    remedy: () => '降低负载、增加资源，或调整中继的性能保护阈值（SystemPerformanceCheck）。',
  },
};
