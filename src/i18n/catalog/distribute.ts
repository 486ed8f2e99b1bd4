import { answers, arr, bool, ids, num, q, str, type Catalogue } from '../bag.js';

const STATUS_ZH: Record<string, string> = {
  unknown: '未知',
  enabled: '已启用',
  'manually disabled': '手动禁用',
  'automatically disabled': '自动禁用',
};

type Row = Record<string, unknown>;
const rows = (v: unknown[] | undefined): Row[] | undefined => (v && v.every((x) => x && typeof x === 'object') ? (v as Row[]) : undefined);

export const distribute: Catalogue = {
  NO_CHANNEL_FOR_MODEL: {
    title: '没有已启用的渠道在任何分组中列出该模型',
    message: (f) => {
      const model = str(f, 'model');
      if (model === undefined) return undefined;
      if (f.status === 'info') return `没有任何渠道列出 ${model}：这个中继不提供该模型`;
      const disabled = arr(f, 'disabledListing') ?? [];
      return `没有已启用的渠道在任何分组中列出模型 ${model}${disabled.length ? '（只有其他分组中已禁用的渠道）' : ''}${answers(f)}`;
    },
    remedy: (f) => `通过管理后台或 API 把 ${q(str(f, 'model') ?? '')}（原样，不带空格）加入应当提供它的渠道的模型列表，这样 abilities 会同步更新。`,
  },
  GROUP_HAS_NO_CHANNEL: {
    title: '有已启用的渠道列出该模型，但都不在生效的分组中',
    message: (f) => {
      const model = str(f, 'model');
      const group = str(f, 'group');
      const channels = arr(f, 'channels');
      if (model === undefined || group === undefined || !channels) return undefined;
      const objects = rows(channels);
      if (!objects || !channels.length) {
        const view = str(f, 'mode') === 'abilities' ? '（内存缓存关闭，中继从 abilities 表路由）' : '';
        return `渠道 ${ids(channels)} 在分组 ${q(group)} 中列出了 ${model}，但中继的路由视图里没有${view}${answers(f)}`;
      }
      const groups = [...new Set(objects.flatMap((c) => String(c.group ?? '').split(',')))];
      const near = groups.filter((g) => g.trim() === group.trim() && g !== group);
      const nearNote = near.length ? `；注意 ${near.map(q).join('、')} 与它只差空格，中继不会去掉空格` : '';
      return `已启用的渠道列出了 ${model}，但分组 ${q(group)} 中没有（它们服务于 ${groups.map(q).join('、')}）${nearNote}${answers(f)}`;
    },
    remedy: (f) => {
      const objects = rows(arr(f, 'channels'));
      if (!objects?.length) return '从渠道表重建 abilities，让路由视图与之一致（relay-doctor fix-abilities，或 POST /api/channel/fix）。';
      const group = str(f, 'group') ?? '';
      const model = str(f, 'model') ?? '';
      const byUser = str(f, 'groupFrom') === 'user' ? '（它们的令牌分组为空，由用户分组决定）' : '';
      return `把 ${q(group)} 加入某个提供 ${model} 的渠道的分组列表（通过管理后台，这样 abilities 会同步），或把这些调用方改到有渠道的分组${byUser}。`;
    },
  },
  CHANNELS_ALL_DISABLED: {
    title: '在该分组中列出该模型的渠道全部被禁用',
    message: (f) => {
      const model = str(f, 'model');
      const group = str(f, 'group');
      const channels = rows(arr(f, 'channels'));
      if (model === undefined || group === undefined || !channels) return undefined;
      const list = channels
        .map((c) => {
          const st = String(c.statusName ?? c.status ?? '');
          return `#${String(c.id)} ${STATUS_ZH[st] ?? st}${typeof c.reason === 'string' && c.reason ? `：${c.reason}` : ''}`;
        })
        .join('；');
      return `在分组 ${q(group)} 中列出 ${model} 的渠道全部被禁用（${list}）${answers(f)}`;
    },
    remedy: () => '先按记录的原因修复问题，再通过管理后台或 API 启用渠道（这样 abilities 和每个节点都会同步）。',
  },
  ABILITIES_OUT_OF_SYNC: {
    title: '(group, model) 的 abilities 行与渠道表不一致（缺少、多出、启用标记、优先级或权重不同）',
    message: (f) => {
      const model = str(f, 'model');
      const group = str(f, 'group');
      const missing = rows(arr(f, 'missing'));
      const extra = rows(arr(f, 'extra'));
      const changed = rows(arr(f, 'changed'));
      if (model === undefined || group === undefined || !missing || !extra || !changed) return undefined;
      const parts = [
        missing.length && `缺少渠道 ${ids(missing.map((m) => m.channelId))} 的行`,
        extra.length && `多出渠道 ${ids(extra.map((e) => e.channelId))} 的行（没有渠道会产生它们）`,
        changed.length && `渠道 ${changed.map((c) => `#${String(c.channelId)}（${Array.isArray(c.fields) ? c.fields.join(', ') : ''}）`).join('、')} 的行不同`,
      ].filter(Boolean);
      const cacheOn = bool(f, 'memoryCacheOn');
      const why =
        f.status === 'fail'
          ? cacheOn
            ? '该分支在缓存未命中时回退到 abilities，所以这些行会参与路由'
            : '内存缓存关闭，中继从 abilities 路由'
          : '路由跟随渠道表（内存缓存开启），但 /v1/models、计费和之后的 FixAbility 跟随 abilities';
      return `${model} × ${q(group)} 的 abilities 行与渠道表不一致：${parts.join('；')}；${why}`;
    },
    remedy: () => '按中继的方式从渠道表重建 abilities（不要手工插入 abilities 行）。',
  },
  ABILITY_GROUP_PANIC_RISK: {
    title: '某个已启用渠道的分组不出现在任何 abilities 行中：中继重建缓存时会 panic',
    message: (f) => {
      const groups = arr(f, 'groups');
      const on = bool(f, 'memoryCacheOn');
      if (!groups || on === undefined) return undefined;
      const effect = on
        ? '下一次缓存重建（SYNC_FREQUENCY 之内）会 panic（assignment to entry in nil map），进程退出'
        : '内存缓存已关闭，目前不会重建；一旦开启它（或设置 REDIS_CONN_STRING），第一次重建就会 panic';
      return `分组 ${groups.map((g) => q(String(g))).join('、')} 不出现在任何 abilities 行中：${effect}`;
    },
    remedy: () => '从渠道表重建 abilities（同时消除崩溃风险），或在管理后台重新保存该渠道；先修正空的或带空格的分组条目。',
  },
  ABILITY_DANGLING: {
    title: 'abilities 行指向不存在的渠道',
    message: (f) => {
      const count = num(f, 'count');
      const chIds = arr(f, 'channelIds');
      if (count !== undefined && chIds) return `${count} 条 abilities 行指向已不存在的渠道（${ids(chIds)}）：走 abilities 路径时查找选中的渠道会失败（record not found，503）`;
      const model = str(f, 'model');
      const group = str(f, 'group');
      const mode = str(f, 'mode');
      if (model === undefined || group === undefined || !mode) return undefined;
      return `${mode === 'abilities' ? 'abilities 表' : '路由视图'}为 ${model} × ${q(group)} 选中了一个不存在的渠道${answers(f)}`;
    },
    remedy: () => '从渠道表重建 abilities（relay-doctor fix-abilities，或 POST /api/channel/fix），已删除渠道的行会被去掉。',
  },
  ABILITY_PRIORITY_NULL: {
    title: 'abilities 行的 priority 为 NULL：abilities 路径永远不会选中它们',
    message: (f) => {
      const count = num(f, 'count');
      if (count === undefined) return undefined;
      return `${count} 条 abilities 行的 priority 为 NULL（手工插入）：NULL 永远不等于 MAX(priority)，所以 abilities 路径永远不会选中它们`;
    },
    remedy: () => '从渠道表重建 abilities。',
  },
  LIST_ENTRY_WHITESPACE: {
    title: '模型或分组列表中有空条目或带空格的条目（" runway" 是另一个模型）',
    message: (f) => {
      const column = str(f, 'column');
      if (!column) return undefined;
      const tokenId = num(f, 'tokenId');
      if (tokenId !== undefined) return `令牌 #${tokenId} 的 model_limits 含有空条目或带空格的条目，中继不会去掉空格`;
      const id = num(f, 'channelId');
      const value = str(f, 'value');
      if (id === undefined || value === undefined) return undefined;
      return `渠道 #${id} 的 ${column} 列 ${q(value)} 含有空条目或带空格的条目：中继按 ',' 切分且不去空格，所以它们是不同的${column === 'models' ? '模型' : '分组'}名`;
    },
    remedy: (f) => (num(f, 'tokenId') !== undefined ? '重写令牌的模型限制，去掉空格。' : `通过管理后台重写 ${str(f, 'column') ?? ''} 列表，去掉空格和空条目（这样 abilities 会同步）。`),
  },
  WEIGHT_ZERO_STARVED: {
    title: '权重为 0 的渠道与有权重的渠道处于同一优先级，永远不会被选中',
    message: (f) => {
      const id = num(f, 'channelId');
      const model = str(f, 'model');
      const group = str(f, 'group');
      if (id === undefined || model === undefined || group === undefined) return undefined;
      return `渠道 #${id} 权重为 0，且与有权重的渠道处于同一优先级：此版本永远不会为 ${model} × ${q(group)} 选中它`;
    },
    remedy: () => '给该渠道设置权重，或把它移到单独的优先级。',
  },
};
