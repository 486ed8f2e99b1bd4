import { arr, detailOf, num, str, type Catalogue } from '../bag.js';

// Chinese effects of an option the relay could not decode (mirrors option-json.ts).
const OPTION_EFFECT: Record<string, string> = {
  GroupRatio: '每个带分组的令牌都会被拒绝，返回 403 "分组 … 已被弃用"',
  UserUsableGroups: '令牌分组会被拒绝，返回 403（分组不可用）',
  AutoGroups: 'auto 分组的令牌会得到 503（auto groups is not enabled）',
  ModelPrice: '固定价格全部丢失：透传调用退回按固定基础额度计费',
  ModelRatio: '模型倍率全部丢失：普通路由返回 500 model_price_error',
};

export const environment: Catalogue = {
  DB_UNREACHABLE: {
    title: '无法连接或认证中继的数据库',
    message: (f) => {
      const db = str(f, 'database');
      const err = str(f, 'error');
      if (!db || !err) return undefined;
      const by = str(f, 'chosenBy');
      return `无法打开中继的数据库 ${db}${by ? `（由 ${by} 选定）` : ''}：${err}`;
    },
    remedy: () => '检查 DSN（主机、端口、库名、用户、密码）以及本机能否访问该数据库；用 --dsn 或 --env-file 传入中继的配置。',
  },
  SCHEMA_UNRECOGNIZED: {
    title: '数据库中的表不是 new-api 或 one-api 的表',
    message: (f) => {
      const db = str(f, 'database');
      if (!db) return undefined;
      const missing = arr(f, 'missingTables');
      return `${db} 中的表不是 new-api 或 one-api 的表${missing?.length ? `（缺少 ${missing.join('、')}）` : ''}`;
    },
    remedy: () => '请指向中继实际使用的数据库（它的 SQL_DSN 或 SQLITE_PATH；Docker 镜像把 SQLite 放在 /data/one-api.db）。',
  },
  OPTION_JSON_INVALID: {
    title: '中继按 JSON 解析的某个选项不是合法 JSON：中继会悄悄清空该映射',
    message: (f) => {
      const option = str(f, 'option');
      const problem = str(f, 'problem');
      if (!option || !problem) return undefined;
      const empties = problem.startsWith('not valid');
      const effect = OPTION_EFFECT[option];
      return `选项 ${option} ${empties ? '不是合法 JSON' : '的结构不对'}（${problem}）：中继${empties ? '会清空' : '只会部分填充'}这个映射${effect ? `，因此${effect}` : ''}`;
    },
    remedy: (f) => `在管理后台（或 options 表）修复 ${str(f, 'option') ?? '该选项'} 的 JSON；各节点会在 SYNC_FREQUENCY 秒内读到新值。`,
  },
  CACHE_FORCED_ON: {
    title: '设置了 MEMORY_CACHE_ENABLED=false，但 REDIS_CONN_STRING 会强制开启内存缓存',
    message: (f) => {
      const v = str(f, 'MEMORY_CACHE_ENABLED');
      if (v === undefined) return undefined;
      return `MEMORY_CACHE_ENABLED=${v} 不起作用：设置了 REDIS_CONN_STRING，而 Redis 会强制开启内存缓存`;
    },
    remedy: (f) => {
      const s = num(f, 'syncFrequency');
      return `在这个部署上关闭内存缓存不是解决办法。渠道和选项的修改会在 SYNC_FREQUENCY${s !== undefined ? `（${s} 秒）` : ''}内到达每个节点；要立即生效，请通过管理 API 保存，或在每个节点上调用 POST /api/channel/fix。`;
    },
  },
  REDIS_UNREACHABLE: {
    title: '设置了 REDIS_CONN_STRING，但 Redis 无法连接（中继无法启动；/api/* 返回空的 500）',
    message: (f) => {
      const redis = str(f, 'redis');
      const err = str(f, 'error');
      if (!redis || !err) return undefined;
      return `Redis（${redis}）无响应（${err}）：中继无法启动，正在运行的中继对 /api/* 返回空的 500`;
    },
    remedy: () => '恢复 Redis，或在每个节点上取消 REDIS_CONN_STRING（中继随后不使用 Redis 缓存运行）。',
  },
  SECRET_EPHEMERAL: {
    title: '既没有设置 CRYPTO_SECRET 也没有设置 SESSION_SECRET：Redis 中的令牌键每次启动都会变，且各节点不同',
    message: () => '既没有设置 CRYPTO_SECRET 也没有设置 SESSION_SECRET：Redis 中的令牌键是用每次启动时随机生成的密钥做的 HMAC，所以每次重启都会变，并且各节点互不相同',
    remedy: () => '在每个节点上把 CRYPTO_SECRET（或 SESSION_SECRET）设为相同的值，然后重启它们。',
  },
  DSN_MISPARSED: {
    title: '中继的 SQL_DSN 会选中与预期不同的数据库引擎',
    message: (f) => {
      const d = detailOf(f);
      if (!d || !f.message.startsWith('the relay cannot use its SQL_DSN')) return undefined;
      return `中继无法按原样使用它的 SQL_DSN：${d}`;
    },
    remedy: () => '按中继接受的格式改写 SQL_DSN：postgres://user:pass@host:5432/db，MySQL 则写成 user:pass@tcp(host:3306)/db。',
  },
  SCHEMA_BEHIND_CODE: {
    title: '数据库结构缺少当前运行版本需要的列（例如从节点运行的代码比最近一次迁移新）',
    message: (f) => {
      const cols = arr(f, 'missingColumns') ?? arr(f, 'missing');
      if (!cols?.length) return undefined;
      return `数据库结构缺少当前运行版本需要的列：${cols.map(String).join('、')}`;
    },
    remedy: () => '让主节点（NODE_TYPE 不是 slave）用同一版本启动一次以完成迁移，或把节点退回到与数据库一致的版本。',
  },
  DB_SLOW: {
    title: '连接数据库或执行一条简单查询的时间超过阈值',
    message: (f) => {
      const c = num(f, 'connectMs');
      const p = num(f, 'pingMs');
      const t = num(f, 'thresholdMs');
      if (c === undefined || p === undefined || t === undefined) return undefined;
      return `数据库很慢：连接耗时 ${c} ms，SELECT 1 耗时 ${p} ms（阈值 ${t} ms）`;
    },
    remedy: () => '每次令牌查询和透传对渠道的重新读取都要等这个数据库。请把中继部署到数据库附近、恢复已暂停的实例，或调整连接池（SQL_MAX_IDLE_CONNS、SQL_MAX_OPEN_CONNS、SQL_MAX_LIFETIME）。',
  },
  CHECK_CRASHED: {
    title: '一项检查未能完成，该阶段的结果不完整',
    message: (f) => {
      const m = /^(?:check )?(\S+) could not complete: (.*)$/s.exec(f.message);
      if (!m) return undefined;
      return `检查 ${m[1]} 未能完成：${m[2]}`;
    },
    remedy: () => '请带 RELAY_DOCTOR_DEBUG=1 重新运行并把输出附在问题报告里。',
  },
  RUN_TIMEOUT: {
    title: '运行时间超过 --timeout，已中止',
    message: (f) => {
      const s = num(f, 'timeoutSeconds');
      if (s === undefined) return undefined;
      return `运行时间超过 --timeout ${s} 秒，已中止：报告不完整`;
    },
    remedy: () => '检查数据库、Redis 和中继 URL 是否可以访问（慢的那一个会拖住整次运行），或调大 --timeout。',
  },
};
