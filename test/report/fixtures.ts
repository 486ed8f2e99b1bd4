// Fixed documents for the renderers: deterministic (durationMs fixed, no timestamps), with the
// awkward text renderers must escape (quotes, <, &, %, :, commas, newlines, control characters,
// CJK) and the parts other features add (probes, log lines).

import { buildDocument, type DiagnoseDocument } from '../../src/report/document.js';
import type { Finding, StageResult } from '../../src/types.js';
import { STAGES } from '../../src/types.js';

const CHECKS: DiagnoseDocument['checks'] = [
  { id: 'environment/db-speed', stage: 'environment' },
  { id: 'environment/redis', stage: 'environment' },
  { id: 'route/route-match', stage: 'route' },
  { id: 'token/token-state', stage: 'token' },
  { id: 'token/token-group', stage: 'token' },
  { id: 'distribute/channel-availability', stage: 'distribute' },
  { id: 'distribute/list-whitespace', stage: 'distribute' },
  { id: 'cache/cache-window', stage: 'cache' },
  { id: 'channel/base-url', stage: 'channel' },
  { id: 'channel/keys', stage: 'channel' },
  { id: 'channel/model-price', stage: 'channel' },
];

const ENV: DiagnoseDocument['relayEnv'] = [
  { key: 'MEMORY_CACHE_ENABLED', value: 'true', secret: false, source: 'env-file' },
  { key: 'SYNC_FREQUENCY', value: '60', secret: false, source: 'env-file' },
  { key: 'NODE_TYPE', value: 'unset', secret: false },
  { key: 'ERROR_LOG_ENABLED', value: 'unset', secret: false },
  { key: 'SQL_DSN', value: 'set (postgres)', secret: true, source: 'env-file' },
  { key: 'LOG_SQL_DSN', value: 'unset', secret: true },
  { key: 'REDIS_CONN_STRING', value: 'set', secret: true, source: '--env' },
  { key: 'REDIS_PASSWORD', value: 'unset', secret: true },
  { key: 'CRYPTO_SECRET', value: 'unset', secret: true },
  { key: 'SESSION_SECRET', value: 'unset', secret: true },
];

function stagesOf(findings: Finding[], extra: Partial<Record<string, Partial<StageResult>>> = {}): StageResult[] {
  const rank: Record<string, number> = { fail: 0, warn: 1, info: 2 };
  return STAGES.map((id) => {
    const fs = findings.filter((f) => f.stage === id).sort((a, b) => rank[a.status]! - rank[b.status]!);
    const status = fs.some((f) => f.status === 'fail') ? 'fail' : fs.some((f) => f.status === 'warn') ? 'warn' : 'pass';
    return { id, status, findings: fs, ...extra[id] } as StageResult;
  });
}

/** A single request with failures in several stages, a crashed check and an unprobed stage. */
export function unhealthyDoc(): DiagnoseDocument {
  const findings: Finding[] = [
    {
      code: 'CACHE_FORCED_ON',
      status: 'warn',
      stage: 'environment',
      message: 'MEMORY_CACHE_ENABLED=false has no effect: REDIS_CONN_STRING is set, and Redis forces the memory cache on',
      evidence: { MEMORY_CACHE_ENABLED: 'false', REDIS_CONN_STRING: 'set', memoryCacheOn: true, syncFrequency: 60 },
      remedy: { text: 'Disabling the memory cache is not a fix on this deployment. Channel and option edits reach each node within SYNC_FREQUENCY (60 s).' },
      check: 'environment/cache-mode',
    },
    {
      code: 'TOKEN_EXPIRED',
      status: 'fail',
      stage: 'token',
      message: 'token #12: expired_time 1700000000 has passed; the relay answers 401 该令牌已过期',
      subject: { tokenId: 12 },
      evidence: { tokenId: 12, status: 1, expired_time: 1700000000, remain_quota: 500, unlimited_quota: false, now: 1760000000 },
      remedy: { text: 'Extend expired_time (or set -1 for never) in the admin UI.' },
      check: 'token/token-state',
    },
    {
      code: 'GROUP_HAS_NO_CHANNEL',
      status: 'fail',
      stage: 'distribute',
      message: 'enabled channels list runway, but none in group "default" (they serve " default", "vip"); note " default" differs only by spaces, which the relay does not trim; the relay answers 503 当前分组 default 下对于模型 runway 无可用渠道',
      subject: { group: 'default', model: 'runway' },
      evidence: { channels: [{ id: 8, group: ' default,vip' }], usingGroup: 'default', groupFrom: 'token' },
      remedy: { text: 'Add "default" to the group list of a channel serving runway (through the admin UI, so abilities follow), or route these callers to a group that has one.', commands: ["SELECT id, name, type, status, \"group\", models FROM channels WHERE models LIKE '%runway%';", 'relay-doctor fix-groups'] },
      check: 'distribute/channel-availability',
    },
    {
      code: 'LIST_ENTRY_WHITESPACE',
      status: 'warn',
      stage: 'distribute',
      message: 'channel #8 group " default,vip" has padded " default": the relay splits on \',\' without trimming, so these are different group names',
      subject: { channelId: 8, column: 'group' },
      evidence: { channelId: 8, column: 'group', value: ' default,vip', enabled: true },
      remedy: { text: 'Rewrite the group list without spaces or empty entries through the admin UI (so abilities follow).' },
      check: 'distribute/list-whitespace',
    },
    {
      code: 'CACHE_WINDOW_OPEN',
      status: 'info',
      stage: 'cache',
      message: 'no live relay was probed: this report is what the database says. each node caches channels and options in memory and rebuilds them every 60 s, so a database fix can take up to 60 s to reach each node',
      evidence: { memoryCacheOn: true, forcedByRedis: true, syncFrequency: 60, redis: true },
      remedy: { text: 'To see what each running node believes, run again with --relay-url <node> (repeatable) and --token.' },
      check: 'cache/cache-window',
    },
    {
      code: 'CHANNEL_BASE_URL_MALFORMED',
      status: 'warn',
      stage: 'channel',
      message: 'channel #8 base_url "https://api.example.com/v1/": it ends with "/": the relay appends the path as is, giving "//…"',
      subject: { channelId: 8 },
      evidence: { baseUrl: 'https://api.example.com/v1/' },
      remedy: { text: 'Store the bare origin, e.g. https://api.example.com' },
      check: 'channel/base-url',
    },
    {
      code: 'CHECK_CRASHED',
      status: 'fail',
      stage: 'channel',
      message: 'check channel/keys could not complete: unexpected <nil> & "quoted" value, 50% done: key=a,b\nsecond line\u0007',
      check: 'channel/keys',
    },
    {
      code: 'UPSTREAM_5XX',
      status: 'fail',
      stage: 'upstream',
      message: 'channel #8: the upstream itself answers 500 to the channel key: the fault is upstream',
      subject: { channelId: 8 },
      evidence: { status: 500, url: 'https://legacy.example.com/runwayml/v1/image_to_video', phases: { dnsMs: 12, connectMs: 30, tlsMs: 45, ttfbMs: 820, totalMs: 860 } },
      remedy: { text: "Send the upstream's answer to its operator; nothing to change in the relay." },
      check: 'upstream/probe',
    },
  ];
  const stages = stagesOf(findings, {
    environment: { summary: 'bltcy (BF) on postgres; memory cache on (forced by Redis), SYNC_FREQUENCY 60 s' },
    route: { summary: 'POST /runwayml/v1/image_to_video → RelayBltcy, routing model "runway"' },
    token: { summary: 'token #12 → using group "default" (from token)' },
    channel: { status: 'error' },
  });
  const doc = buildDocument({
    version: '9.9.9',
    target: { method: 'POST', path: '/runwayml/v1/image_to_video', model: 'runway', group: 'default', tokenId: 12 },
    verdict: { status: 'unhealthy', primary: { code: 'TOKEN_EXPIRED', stage: 'token', message: findings[1]!.message }, ranked: ['TOKEN_EXPIRED', 'GROUP_HAS_NO_CHANNEL', 'CHECK_CRASHED', 'UPSTREAM_5XX'] },
    stages,
    findings,
    durationMs: 1234,
    relay: { product: 'bltcy', build: 'BF', evidence: ['channels.type 55 serves runway'], database: 'postgres://relay:***@db.internal:5432/newapi', memoryCache: true, syncFrequency: 60 },
  });
  doc.relayEnv = ENV;
  doc.checks = CHECKS;
  // What the probe and logs features add (read defensively by the renderers).
  Object.assign(doc as object, {
    probes: [
      { channelId: 8, channelName: 'Bltcy 旧网关', type: 55, url: 'https://legacy.example.com/runwayml/v1/image_to_video', phases: { dnsMs: 12, connectMs: 30, tlsMs: 45, ttfbMs: 820, totalMs: 860 }, status: 500, bodyKind: 'json', findings: [{ code: 'UPSTREAM_5XX' }] },
    ],
    logs: {
      lines: 3,
      tail: [
        '[ERROR Bltcy] DoResponse failed: failed to read response body: unexpected EOF',
        '[ERR] 2025/11/26 - 10:31:08 | 20251126103108123456 | relay error (channel #8, status code: 500): upstream error',
        '[GIN] 2025/11/26 - 10:31:08 | 500 |  1m0s | 203.0.113.9 | POST "/runwayml/v1/image_to_video" ```',
      ],
    },
  });
  return doc;
}

/** A whole-relay sweep: servable, failing and not-offered cells; group names that need escaping. */
export function sweepDoc(): DiagnoseDocument {
  const findings: Finding[] = [
    {
      code: 'GROUP_NOT_IN_RATIO',
      status: 'fail',
      stage: 'token',
      message: '3 active token(s) use group "vip \\"gold\\"", which TokenAuth refuses: not in GroupRatio',
      subject: { group: 'vip "gold"' },
      evidence: { tokens: 3, ownerGroups: ['default'] },
      remedy: { text: 'Add "vip \\"gold\\"" to GroupRatio, or move these tokens to a group that is in it.', commands: ['relay-doctor fix-groups'] },
      check: 'token/population',
    },
    {
      code: 'CHANNELS_ALL_DISABLED',
      status: 'fail',
      stage: 'distribute',
      message: 'every channel listing suno in group "default" is disabled (#3 automatically disabled: upstream 401); the relay answers 503 当前分组 default 下对于模型 suno 无可用渠道',
      subject: { model: 'suno', group: 'default' },
      evidence: { channels: [{ id: 3, name: 'suno', status: 3, statusName: 'automatically disabled', reason: 'upstream 401' }] },
      remedy: { text: 'Fix the cause in the recorded reason, then enable the channel through the admin UI or API (so abilities and every node follow).' },
      check: 'distribute/channel-availability',
    },
    {
      code: 'NO_CHANNEL_FOR_MODEL',
      status: 'info',
      stage: 'distribute',
      message: 'no channel lists pika at all: this relay does not offer it',
      subject: { model: 'pika', group: 'default' },
      check: 'distribute/channel-availability',
    },
    {
      code: 'NO_CHANNEL_FOR_MODEL',
      status: 'info',
      stage: 'distribute',
      message: 'no channel lists pika at all: this relay does not offer it',
      subject: { model: 'pika', group: 'vip "gold"' },
      check: 'distribute/channel-availability',
    },
  ];
  const stages = stagesOf(findings, {
    route: { summary: 'sweep: 3 routing model(s)' },
    token: {},
    distribute: { summary: '3 model(s) × 2 group(s)' },
    cache: { status: 'pass' },
    channel: { status: 'pass' },
    upstream: { status: 'skip', note: 'upstream not probed by this build (relay-doctor probe-upstream)' },
  });
  const doc = buildDocument({
    version: '9.9.9',
    target: { method: 'POST' },
    verdict: { status: 'unhealthy', primary: { code: 'GROUP_NOT_IN_RATIO', stage: 'token', message: findings[0]!.message }, ranked: ['GROUP_NOT_IN_RATIO', 'CHANNELS_ALL_DISABLED'] },
    stages,
    findings,
    durationMs: 50,
    relay: { product: 'bltcy', build: 'BF', evidence: ['channels.type 55 serves runway'], database: 'sqlite:/data/one-api.db', memoryCache: false, syncFrequency: 60 },
    sweep: {
      models: ['runway', 'suno', 'pika'],
      groups: [
        { group: 'default', tokens: 60 },
        { group: 'vip "gold"', tokens: 3 },
      ],
      cells: {
        runway: { default: '', 'vip "gold"': '' },
        suno: { default: 'CHANNELS_ALL_DISABLED', 'vip "gold"': '' },
        pika: { default: 'not-offered', 'vip "gold"': 'not-offered' },
      },
    },
  });
  doc.checks = CHECKS;
  return doc;
}

/** A run that could not start (exit 3): the database is unreachable. */
export function stoppedDoc(): DiagnoseDocument {
  const f: Finding = {
    code: 'DB_UNREACHABLE',
    status: 'fail',
    stage: 'environment',
    message: "cannot open the relay's database postgres://relay:***@127.0.0.1:1/newapi (chosen by --dsn): connect ECONNREFUSED 127.0.0.1:1",
    evidence: { database: 'postgres://relay:***@127.0.0.1:1/newapi', engine: 'postgres', chosenBy: '--dsn', error: 'connect ECONNREFUSED 127.0.0.1:1' },
    remedy: { text: "Check the DSN (host, port, database, user, password) and that this machine can reach it; pass --dsn or --env-file with the relay's settings." },
  };
  return buildDocument({
    version: '9.9.9',
    target: { method: 'POST', path: '/v1/chat/completions' },
    verdict: { status: 'unhealthy', primary: { code: f.code, stage: f.stage, message: f.message }, ranked: [f.code] },
    stages: STAGES.map((id) => (id === 'environment' ? { id, status: 'fail', findings: [f] } : { id, status: 'skip', findings: [], note: 'not run: the environment stage failed' })),
    findings: [f],
    durationMs: 7,
  });
}

export const FIXTURES = { unhealthy: unhealthyDoc, sweep: sweepDoc, stopped: stoppedDoc };
