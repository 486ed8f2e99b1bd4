import type { Command } from 'commander';
import { buildContext } from '../context/build.js';
import type { CommonOptions } from '../context/types.js';
import { VERSION } from '../cli.js';
import { UsageError } from '../types.js';
import { DEFAULT_BACKUP_DIR } from '../fix/backup.js';
import { askYesNo, interactive, requireConsent } from '../fix/confirm.js';
import { runFixGroups } from '../fix/groups-run.js';
import { renderFixText } from '../fix/text.js';
import { addCommonOptions } from './options.js';
import { chalkFor, writeJson } from './output.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface FixGroupsFlags extends CommonOptions {
  model?: string[];
  to?: string;
  users?: boolean;
  tokenId?: string[];
  userId?: string[];
  whereGroup?: string[];
  apply?: boolean;
  yes?: boolean;
  undo?: string;
  backupDir?: string;
}

function ids(list: string[] | undefined, flag: string): number[] | undefined {
  if (!list?.length) return undefined;
  return list.flatMap((v) => v.split(',')).map((v) => {
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} expects a non-negative integer, got "${v}"`);
    return n;
  });
}

export function register(program: Command): void {
  const cmd = program
    .command('fix-groups')
    .description("move active tokens (and, with --users, their owners) whose effective group cannot serve the routing models to a group that can; dry run unless --apply");
  addCommonOptions(cmd);
  cmd
    .option('--model <model>', 'a routing model the groups must serve (repeatable; default: the profile\'s routing models some channel lists)', collect)
    .option('--to <group>', 'the group to move them to (default: the serving group most tokens already use)')
    .option('--users', "move the owners (users.group) of tokens with an empty group, instead of those tokens")
    .option('--token-id <id>', 'only this token (repeatable)', collect)
    .option('--user-id <id>', "only this user's tokens (repeatable)", collect)
    .option('--where-group <group>', 'only tokens whose effective group (token group, else the owner\'s) is this (repeatable)', collect)
    .option('--apply', 'write the plan (one transaction, backup first)')
    .option('--yes', 'do not ask (needed for --apply/--undo when not on a terminal)')
    .option('--undo <backup.json>', 'restore the before-values of a backup (rows still holding its after-values)')
    .option('--backup-dir <dir>', 'where backups are written', DEFAULT_BACKUP_DIR)
    .action(async (opts: FixGroupsFlags) => {
      if (opts.undo !== undefined && opts.apply) throw new UsageError('--undo and --apply are exclusive');
      if (opts.undo !== undefined && (opts.model || opts.to !== undefined || opts.tokenId || opts.userId || opts.whereGroup || opts.users)) {
        throw new UsageError('--undo restores a backup as recorded; --model, --to, --users and the filters do not apply');
      }
      if (opts.to !== undefined && opts.to.trim() === '') throw new UsageError('--to needs a group name');
      const mode = opts.undo !== undefined ? 'undo' : opts.apply ? 'apply' : 'dry-run';
      if (mode !== 'dry-run') requireConsent(Boolean(opts.yes), mode === 'undo' ? '--undo' : '--apply');
      const ctx = buildContext({ common: opts, flags: opts as Record<string, unknown> });
      const verbose = ctx.output.verbose;
      const outcome = await runFixGroups(ctx, {
        mode,
        undo: opts.undo,
        backupDir: opts.backupDir ?? DEFAULT_BACKUP_DIR,
        version: VERSION,
        models: opts.model,
        to: opts.to,
        users: Boolean(opts.users),
        tokenIds: ids(opts.tokenId, '--token-id'),
        userIds: ids(opts.userId, '--user-id'),
        whereGroups: opts.whereGroup,
        confirm: !opts.yes && interactive() ? askYesNo : undefined,
        progress: verbose ? (s) => process.stderr.write(`relay-doctor: ${s}\n`) : undefined,
      });
      const { doc } = outcome;
      if (ctx.output.json) writeJson(doc);
      else if (!doc.error) {
        let next: string | undefined;
        if (doc.mode === 'dry-run' && doc.plan.length) next = `relay-doctor fix-groups${(opts.model ?? []).map((m) => ` --model ${m}`).join('')}${doc.target ? ` --to ${doc.target.group}` : ''}${opts.users ? ' --users' : ''} --apply`;
        process.stdout.write(renderFixText(doc, { chalk: await chalkFor(ctx), verbose, nextCommand: next }));
      }
      if (doc.error) process.stderr.write(`relay-doctor: ${doc.error.message}\n`);
      process.exitCode = outcome.exitCode;
    });
}
