// The logs module's API for other commands (diagnose integrates it): pure analysis, no printing.
export { analyzeLines, analyzeRows, LogAnalyzer, type AnalyzeOptions, type HitEvent } from './analyze.js';
export { clustersToFindings } from './findings.js';
export { detectLogsTable, readLogsTable, buildLogsPageQuery, toLogRow, LogsTableError, type LogsTableInfo, type LogsQueryOptions } from './table.js';
export { classifyLine, classifyRow, classifyMessage, isPassthroughPath } from './signatures.js';
export { parseLine, cleanLine } from './parse.js';
export { parseGoDuration, parseSince, parseTimeZone, type TimeZoneSpec } from './clock.js';
export { redact } from './redact.js';
export { fileLines, followFile } from './input.js';
export { LOG_EXTRA_CODES, logCodeInfo } from './codes.js';
export type { Cluster, Hit, LogAnalysis, LogRow, ParsedLine, StoryLine, TimelineBucket } from './types.js';
