import { answers, num, q, str, type Catalogue } from '../bag.js';

function modelSourceZh(kind: string | undefined): string {
  switch (kind) {
    case 'json-body':
      return '请求体中的 model 字段';
    case 'form-field':
    case 'multipart-or-default':
      return '表单字段';
    case 'query':
      return '查询参数';
    case 'path-segment':
      return '路径中的模型段';
    case 'unresolvable':
      return '请求中没有任何内容指明的模型';
    default:
      return kind ? `${kind} 模型` : '模型';
  }
}

export const route: Catalogue = {
  ROUTE_UNKNOWN: {
    title: '没有中继路由匹配该路径：中继返回它的网页（HTML，状态 200）或 404',
    message: (f) => {
      const method = str(f, 'method');
      const path = str(f, 'path');
      const product = str(f, 'product');
      if (!method || !path || !product) return undefined;
      const answer =
        str(f, 'answer') === 'json-404'
          ? '404 {"error":{"message":"Invalid URL (…)"}}'
          : 'HTTP 200 和它的网页（text/html），JSON 客户端会报 "Unexpected token \'<\'"';
      const why = f.message.includes('other methods only')
        ? `该路径只为其他方法注册，gin 不会返回 405：${method} 会落到兜底路由`
        : `没有 ${product} 路由匹配 ${path}`;
      return `${method} ${path}：${why}；中继返回 ${answer}`;
    },
    remedy: (f) => {
      const product = str(f, 'product');
      if (product === 'bltcy') return '调用已注册的路径（relay-doctor routes 可以列出），或在中继中注册该路由。';
      return `这个 ${product ?? ''} 中继没有该路由。透传路径（/runway、/runwayml、/pika、/kling、/minimax）只存在于 Bltcy 分支；如果这个中继就是该分支，请加上 --profile bltcy。`;
    },
  },
  ROUTE_TRAILING_SLASH: {
    title: '路径与某个路由只差一个结尾斜杠：中继返回重定向（307）',
    message: (f) => {
      const status = num(f, 'status');
      const location = str(f, 'location');
      if (status === undefined || !location) return undefined;
      return `路径与某个路由只差一个结尾斜杠：中继返回 ${status} 重定向到 ${location}，客户端跟随重定向时可能丢掉请求体或 Authorization`;
    },
    remedy: (f) => `请准确调用 ${str(f, 'location') ?? '路由登记的路径'}。`,
  },
  MODEL_UNRESOLVED: {
    title: '该路由按请求体中的模型选择渠道，但没有给出也无法推导出模型',
    message: (f) => {
      const kind = str(f, 'modelSource');
      if (!kind) return undefined;
      const unreadable = f.message.includes('cannot be read');
      return `该路由按${modelSourceZh(kind)}选择渠道，但${unreadable ? '这个请求无法读取' : '无法从这个请求推导出模型'}${answers(f)}`;
    },
    remedy: () => '发送该路由读取的模型（Content-Type: application/json 时为 JSON 请求体的 "model"，multipart 时为表单字段），或用 --model 诊断。',
  },
  ROUTE_NOT_DEPLOYED: {
    title: '运行中的中继对 profile 已知的路由返回 HTML 或 404：该代码没有部署在那里',
    message: (f) => {
      const path = str(f, 'path') ?? str(f, 'route');
      const url = str(f, 'relayUrl') ?? str(f, 'url');
      if (!path || !url) return undefined;
      return `${url} 对 ${path} 返回 HTML 或 404：运行中的中继没有部署这个路由`;
    },
    remedy: () => '部署包含该路由的版本（核对镜像标签或提交），或把请求发到已经部署该版本的节点。',
  },
  REQUEST_INVALID: {
    title: '中继拒绝了请求体本身（例如 500 invalid_request）：不是中继故障',
    remedy: () => '按接口要求修正请求体（字段名、类型和 Content-Type）。',
  },
  REQUEST_MEDIA_URL_PRIVATE: {
    title: '请求体中的媒体 URL 指向上游无法访问的本地或内网地址',
    message: (f) => {
      const field = str(f, 'field');
      const host = str(f, 'host');
      if (!field || !host) return undefined;
      return `请求体字段 ${field} 交给上游的是 ${host}，这是上游无法访问的本地或内网地址`;
    },
    remedy: () => '把媒体上传到上游可以访问的公网或 CDN 地址。',
  },
  POLL_ROUTING_AMBIGUOUS: {
    title: '轮询路由推导出的是后备模型（如 sora-2），而提交可能由多个渠道提供：查询可能被分到另一个上游或密钥',
    message: (f) => {
      const model = str(f, 'model');
      if (!model) return undefined;
      return `轮询请求按后备模型 ${q(model)} 选择渠道，而提供它的渠道不止一个：查询可能被分到与提交时不同的上游或密钥`;
    },
    remedy: () => '让提交和查询走同一个渠道（只让一个渠道提供该模型，或把任务 id 带上模型前缀）。',
  },
};
