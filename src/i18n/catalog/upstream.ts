import type { Finding } from '../../types.js';
import { num, str, type Catalogue, type Entry } from '../bag.js';

// The probe's findings name the channel and, where there was an answer, its status. The probe's
// own error text (Go-style network errors, TLS reasons) is kept as it is: it is what logs show.
function probeMessage(title: string): (f: Finding) => string | undefined {
  return (f) => {
    const id = num(f, 'channelId');
    if (id === undefined) return undefined;
    const status = num(f, 'status');
    const err = str(f, 'error');
    const extra = [status !== undefined ? `状态码 ${status}` : '', err ? err : ''].filter(Boolean).join('，');
    return `渠道 #${id}：${title}${extra ? `（${extra}）` : ''}`;
  };
}

function entry(title: string, remedy: string): Entry {
  return { title, message: probeMessage(title), remedy: () => remedy };
}

export const upstream: Catalogue = {
  UPSTREAM_DNS_FAILED: entry('上游主机名无法解析', '检查渠道 base_url 中的主机名，以及中继所在机器的 DNS。'),
  UPSTREAM_CONNECT_FAILED: entry('到上游的 TCP 连接被拒绝或超时', '检查上游的地址和端口、上游是否在运行，以及两者之间的防火墙。'),
  UPSTREAM_CONNECTION_DROPPED: entry(
    '连接已建立，但在交换过程中被关闭（unexpected EOF，或在上传、读取响应体时被重置）',
    '检查上游或中间代理的超时和请求体大小限制；确认重试是否成功。',
  ),
  UPSTREAM_TLS_FAILED: {
    ...entry('TLS 握手失败（证书无效、过期、主机名不符或握手超时）', '更新上游证书，或把 base_url 改为证书匹配的主机名。'),
    message: (f) => {
      const id = num(f, 'channelId');
      const tls = f.evidence?.tls as { daysLeft?: unknown; validTo?: unknown } | undefined;
      if (id !== undefined && f.status === 'warn' && typeof tls?.daysLeft === 'number') {
        return `渠道 #${id}：上游证书将在 ${tls.daysLeft} 天后过期${typeof tls.validTo === 'string' ? `（${tls.validTo.slice(0, 10)}）` : ''}：到期后中继的请求都会失败`;
      }
      return probeMessage('TLS 握手失败（证书无效、过期、主机名不符或握手超时）')(f);
    },
  },
  UPSTREAM_TIMEOUT: entry('在探测超时内没有收到响应头', '检查上游的负载；透传等待响应头最多 60 秒，超过即返回 500。'),
  UPSTREAM_SLOW: entry('首字节时间接近中继自身的响应头超时（透传为 60 秒）', '联系上游的运营者，或换用更快的上游；超过限制的请求会以 500 失败。'),
  UPSTREAM_5XX: entry('上游本身返回 5xx：故障在上游，不在中继', '把上游的响应（状态码和响应体）交给上游的运营者；中继这边无需修改。'),
  UPSTREAM_AUTH_REJECTED: entry('上游对渠道密钥返回 401/403', '在渠道设置中更新密钥（确认它属于这个上游、没有过期并且有余额）。'),
  UPSTREAM_HTML_RESPONSE: entry('上游在应当返回 JSON 的地方返回了 HTML 页面', '检查 base_url 是否指向 API 而不是网站首页，以及路径是否正确。'),
  UPSTREAM_NO_CHANNEL: entry('上游本身也是中继，并报告它没有该模型的可用渠道', '让上游的运营者为该模型配置渠道，或换用提供该模型的上游。'),
  UPSTREAM_CORS_DUPLICATE: entry('上游设置了 Access-Control-* 响应头，中继会重复添加', '在上游或中继前面的代理中去掉重复的 CORS 头。'),
  UPSTREAM_NOT_MODIFIED: entry('上游对转发的条件请求头返回 304', '不要转发 If-None-Match / If-Modified-Since，或让客户端处理 304。'),
  UPSTREAM_REJECTED_REQUEST: entry('上游对请求体返回 4xx（校验、参数或余额）', '按上游返回的错误修正请求参数，或给上游账户充值。'),
  UPSTREAM_REDIRECT: entry('上游返回重定向', '把 base_url 改成重定向的目标地址。'),
  UPSTREAM_PROTOCOL_ERROR: entry('上游的回答不是合法的 HTTP（协议错误）', '检查 base_url 的协议和端口（例如把 http 发到了 https 端口），以及中间代理。'),
  UPSTREAM_HEALTHY: {
    title: '上游对探测正常作答：请求失败的原因在中继这一侧',
    message: (f) => {
      const chs = f.subject?.channelIds;
      const probes = f.evidence?.probes;
      if (!Array.isArray(chs) || !chs.length || !Array.isArray(probes)) return undefined;
      const parts = probes.map((p) => {
        const o = (p ?? {}) as { channelId?: unknown; status?: unknown; phases?: { totalMs?: unknown } };
        const total = typeof o.phases?.totalMs === 'number' ? `，${Math.round(o.phases.totalMs)} ms` : '';
        return `#${String(o.channelId)} ${typeof o.status === 'number' ? o.status : '–'}${total}`;
      });
      return `渠道 ${chs.map((c) => `#${String(c)}`).join('、')} 的上游用渠道密钥正常作答（${parts.join('；')}）：这个请求的失败来自中继，而不是上游（这些探测是只读的；probe-upstream --live 会发送真实请求）`;
    },
    remedy: () => '查看流程图中上游之前的各个阶段（中继一侧），或把真实请求直接发给上游对比。',
  },
  UPSTREAM_PROBE_SKIPPED: entry('没有探测上游', '去掉 --offline，或运行 relay-doctor probe-upstream。'),
};
