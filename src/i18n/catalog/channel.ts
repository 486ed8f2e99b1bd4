import type { Finding } from '../../types.js';
import { has, num, q, str, type Catalogue } from '../bag.js';

const JSON_EFFECT: Record<string, string> = {
  model_mapping: '500 channel:model_mapped_error（unmarshal_model_mapping_failed），并计为渠道错误：会重试，可能被自动禁用',
  status_code_mapping: '被悄悄忽略',
  setting: '记录日志后被置为 NULL，并把整个缓存中的渠道对象写回数据库，可能覆盖最近对这一行的 SQL 修改',
  settings: '被替换为 {} 并保存',
  param_override: '被忽略并记录一行日志（NA-2504：500 param_override_unmarshal_failed）',
  header_override: '被忽略并记录一行日志',
};

/** Why a stored base_url is malformed, in Chinese (same rules as the channel check). */
function malformedZh(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '不是绝对 URL（没有协议）：请求会以 unsupported protocol scheme 失败';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `协议是 ${u.protocol}`;
  if (url.endsWith('/')) return '以 "/" 结尾：中继原样拼接路径，得到 "//…"';
  if (u.pathname !== '/' && u.pathname !== '') return `带有路径 ${u.pathname}，中继会把它加在每个转发路径前面`;
  if (/^(localhost|127\.|0\.0\.0\.0|\[::1\])/.test(u.hostname)) return '指向 localhost：即中继所在的主机本身';
  return undefined;
}

const chan = (f: Finding) => num(f, 'channelId');
const viaPassthrough = (f: Finding) => /passthrough/.test(f.message);

export const channel: Catalogue = {
  CHANNEL_BASE_URL_MISSING: {
    title: '透传需要 base_url 而渠道没有（fail）；其他类型的空 base_url 会回退到该类型的默认地址（warn）',
    message: (f) => {
      const id = chan(f);
      const type = num(f, 'type');
      if (id === undefined || type === undefined) return undefined;
      const host = str(f, 'defaultHost');
      if (host) return `渠道 #${id} 的 base_url 为空，中继会把请求发到类型 ${type} 的默认地址 ${host}${f.message.includes('passthrough route') ? '——在透传路由上还会带着旧网关的密钥' : ''}`;
      if (!has(f, 'baseUrl')) return undefined;
      const empty = f.evidence?.baseUrl === null ? '为 NULL' : '为空';
      return `渠道 #${id} 的 base_url ${empty}，且类型 ${type} 没有默认地址：${f.message.includes('invalid_base_url') ? '透传返回 500 invalid_base_url（渠道 BaseURL 未配置…）' : '请求无处可发'}`;
    },
    remedy: (f) => (has(f, 'defaultHost') ? '如果默认地址不是预期的上游，请显式设置 base URL。' : '在渠道设置中填写上游的源地址（https://host，不带结尾斜杠，不带路径）。'),
  },
  CHANNEL_BASE_URL_MALFORMED: {
    title: 'base_url 不是绝对的 http(s) URL、以斜杠结尾、带有路径，或指向 localhost',
    message: (f) => {
      const id = chan(f);
      const url = str(f, 'baseUrl');
      if (id === undefined || url === undefined) return undefined;
      const why = malformedZh(url);
      if (!why) return undefined;
      return `渠道 #${id} 的 base_url ${q(url)}：${why}`;
    },
    remedy: () => '只存源地址，例如 https://api.example.com',
  },
  CHANNEL_KEY_MISSING: {
    title: '渠道没有密钥，或多密钥渠道的每个密钥都已禁用（no_available_key）',
    message: (f) => {
      const id = chan(f);
      const keys = num(f, 'keys');
      if (id === undefined || keys === undefined) return undefined;
      if (has(f, 'enabledKeys')) {
        const tail = f.status === 'warn' ? '；此版本随后会继续使用第一个密钥，上游很可能拒绝它（401/403）' : '：中继返回 500 channel:no_available_key';
        return `渠道 #${id}：全部 ${keys} 个密钥都已禁用${tail}`;
      }
      const multi = f.evidence?.multiKey === true;
      const answer = viaPassthrough(f) ? '透传返回 500 no_available_key（该渠道没有可用的密钥）' : '中继返回 500 channel:no_available_key，或上游拒绝空密钥';
      return `渠道 #${id} ${multi ? '开启了多密钥模式但没有任何密钥' : '的密钥为空'}：${answer}`;
    },
    remedy: (f) => (has(f, 'enabledKeys') ? '在渠道设置中重新启用或替换密钥（状态按序号记录：不要用 SQL 调整密钥顺序）。' : '在渠道设置中填写上游密钥。'),
  },
  CHANNEL_MULTIKEY_UNFLAGGED: {
    title: '密钥有多行，但多密钥模式关闭：整段文本被当作一个密钥发送',
    message: (f) => {
      const id = chan(f);
      const lines = num(f, 'lines');
      if (id === undefined || lines === undefined) return undefined;
      return `渠道 #${id}：密钥有 ${lines} 行，但多密钥模式关闭，所以整段文本（包括换行）会被当作一个密钥发送；上游返回 401`;
    },
    remedy: () => '在管理后台开启多密钥模式，或每个渠道只放一个密钥。',
  },
  CHANNEL_TYPE_MISMATCH: {
    title: '路由的处理器期望另一种渠道类型，或该类型编号在此产品中有别的含义（55 在透传分支中是 Bltcy，在上游是 Sora）',
    message: (f) => {
      const id = chan(f);
      const type = num(f, 'type');
      if (id === undefined || type === undefined) return undefined;
      if (str(f, 'model') === 'jimeng') return `渠道 #${id}（类型 55）提供 jimeng：即梦的结果查询会以带请求体的 GET 转发，旧网关会拒绝`;
      if (str(f, 'product') === 'new-api') return `渠道 #${id} 的类型是 55，上游 new-api 把它当作 Sora，而不是 Bltcy 透传`;
      const handler = str(f, 'handler');
      if (!handler) return undefined;
      const name = str(f, 'typeName') ?? 'unknown';
      const why =
        handler === 'RelayTask'
          ? 'RelayTask 只对类型 55 切换到透传，所以这个路由会改走原生的任务适配器'
          : 'RelayBltcy 仍会通过它转发，而 base_url 为空时会回退到该类型的默认地址';
      return `渠道 #${id} 的类型是 ${type}（${name}），不是 55（Bltcy）：${why}`;
    },
    remedy: (f) => {
      if (str(f, 'model') === 'jimeng') return '用原生的即梦渠道（类型 51）提供 jimeng。';
      if (str(f, 'product') === 'new-api') return '确认运行的是哪个版本：透传只存在于 Bltcy 分支（--profile bltcy）。';
      return '透传渠道请使用类型 55（旧网关 Bltcy），并显式设置 base URL。';
    },
  },
  CHANNEL_JSON_INVALID: {
    title: '渠道的 model_mapping、status_code_mapping、setting、param_override 或 header_override 不是合法 JSON',
    message: (f) => {
      const id = chan(f);
      if (id === undefined) return undefined;
      const cycle = str(f, 'cycle');
      if (cycle) return `渠道 #${id} 的 model_mapping 存在循环（${cycle}）：500 model_mapping_contains_cycle`;
      const column = str(f, 'column');
      if (!column) return undefined;
      return `渠道 #${id} 的 ${column} 不是合法 JSON：${JSON_EFFECT[column] ?? '该字段无法使用'}`;
    },
    remedy: (f) => (has(f, 'cycle') ? '打破 model_mapping 中的循环。' : `通过管理后台修复 ${str(f, 'column') ?? '该字段'}。`),
  },
  STATUS_CODE_MAPPED_TO_5XX: {
    title: 'status_code_mapping 把上游的回答变成 5xx',
    message: (f) => {
      const id = chan(f);
      const mapping = f.evidence?.mapping;
      if (id === undefined || !mapping || typeof mapping !== 'object') return undefined;
      const bad = Object.entries(mapping as Record<string, unknown>).filter(([from, to]) => Number(from) < 500 && Number(to) >= 500);
      if (!bad.length) return undefined;
      return `渠道 #${id} 的 status_code_mapping 把上游的 ${bad.map(([a, b]) => `${a} 变成 ${String(b)}`).join('、')}：上游的校验或额度错误看起来像网关的 5xx`;
    },
    remedy: () => '除非确实需要 5xx，否则删除这些条目。',
  },
  MODEL_PRICE_MISSING: {
    title: '计费模型没有 ModelPrice 或 ModelRatio（new-api 返回 500 model_price_error；透传按固定基础额度计费）',
    message: (f) => {
      const billing = str(f, 'billingModel');
      if (billing !== undefined) {
        return `ModelPrice 中没有 ${q(billing)} 的价格，而透传按这个模型为此路由计费：每次调用都按固定基础额度收费（passthrough_quota，默认 1000 × 分组倍率 × 渠道倍率），不论请求体里的 model 是什么`;
      }
      const model = str(f, 'model');
      if (model === undefined) return undefined;
      const status = /answers (\d{3})/.exec(f.message)?.[1] ?? '500';
      return `ModelPrice 和 ModelRatio 中都没有 ${q(model)}：中继在选中渠道后返回 ${status} model_price_error`;
    },
    remedy: (f) => {
      const billing = str(f, 'billingModel');
      if (billing !== undefined) return `把 ${q(billing)} 加入 ModelPrice（每次调用的美元价格，中继按 1 美元 = 500 000 额度换算），或在渠道设置中设置 passthrough_quota。`;
      return `在管理设置中为 ${q(str(f, 'model') ?? '')} 定价（ModelRatio 或 ModelPrice），或开启自用模式。`;
    },
  },
  CHANNEL_ROW_UNREADABLE: {
    title: '按 id 读取渠道行失败（例如中继无法扫描手写的值），而路由仍会选中它',
    message: (f) => {
      const id = chan(f);
      if (id === undefined || str(f, 'storage') !== 'text') return undefined;
      return `渠道 #${id} 的 channel_info 以 TEXT 存储（由 SQL 写入）：中继按 id 读取单行时失败（"Scan error on column … channel_info"），而缓存仍会路由到它${f.message.includes('get_channel_failed') ? '；透传返回 500 get_channel_failed（获取渠道失败: sql: Scan error …）' : ''}`;
    },
    remedy: () => '在管理后台重新保存该渠道，或把这个值改写为 BLOB。',
  },
  CHANNEL_TYPE_OUT_OF_RANGE: {
    title: '渠道类型超出当前版本的类型表，且 base_url 为空：每个请求都会 panic',
    message: (f) => {
      const id = chan(f);
      const type = num(f, 'type');
      const len = num(f, 'tableLength');
      if (id === undefined || type === undefined || len === undefined) return undefined;
      return `渠道 #${id} 的类型 ${type} 超出此版本的类型表（${len} 项），且 base_url 为空：经过它的每个请求都会 panic（500 new_api_panic，index out of range）`;
    },
    remedy: () => '显式设置 base URL，或改用此版本认识的渠道类型。',
  },
  PASSTHROUGH_FORWARDS_CREDENTIALS: {
    title: '透传把客户端的凭据（x-ptoken、cookie）复制给上游',
    remedy: () => '在中继或前置代理中去掉这些请求头，或只让透传指向可信的上游。',
  },
  PASSTHROUGH_BILLS_FAILURES: {
    title: '透传在读取上游响应体后对请求计费，不论上游状态如何（包括 4xx 和 5xx）',
    message: () => '透传在读取上游响应体后对这个请求计费，不论上游状态如何（包括 4xx 和 5xx）',
    remedy: () => '如果不希望失败的调用被计费，请在上游确认请求可用后再发送，或在 ModelPrice 中为该模型设置合适的价格。',
  },
};
