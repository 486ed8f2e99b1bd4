import type { Secret } from '../context/secret.js';

// The relay's rows, normalised across engines (numbers are numbers, booleans are booleans,
// JSON columns stay raw text so that invalid JSON can be reported rather than lost).

export interface ChannelRow {
  id: number;
  type: number;
  name: string | null;
  status: number;
  key: Secret;
  baseUrl: string | null;
  models: string | null;
  group: string | null;
  priority: number | null;
  weight: number | null;
  tag: string | null;
  autoBan: number | null;
  modelMapping: string | null;
  statusCodeMapping: string | null;
  setting: string | null;
  settings: string | null;
  paramOverride: string | null;
  headerOverride: string | null;
  otherInfo: string | null;
  /** Decoded text of channel_info (BLOB or TEXT), or null. */
  channelInfo: string | null;
  /** SQLite storage class of channel_info: the relay can only read a BLOB (RB §2.3). */
  channelInfoStorage?: 'blob' | 'text' | 'null' | 'other';
  channelRatio: number | null;
  testModel: string | null;
  other: string | null;
}

export interface AbilityRow {
  group: string;
  model: string;
  channelId: number;
  enabled: boolean;
  priority: number | null;
  weight: number | null;
  tag: string | null;
}

export interface TokenRow {
  id: number;
  userId: number | null;
  /** The stored key (without sk-). Never printed. */
  key: Secret;
  status: number;
  name: string | null;
  expiredTime: number;
  remainQuota: number;
  unlimitedQuota: boolean;
  modelLimitsEnabled: boolean;
  modelLimits: string | null;
  allowIps: string | null;
  group: string | null;
  deleted: boolean;
  /** one-api: tokens.models (allowed models) and subnet. */
  models?: string | null;
  subnet?: string | null;
}

export interface UserRow {
  id: number;
  username: string | null;
  role: number;
  status: number;
  group: string | null;
  deleted: boolean;
  authVersion?: number | null;
  setting?: string | null;
}

export type OptionMap = ReadonlyMap<string, string>;
