import type { Command } from 'commander';
import { buildContext } from '../context/build.js';
import { Secret } from '../context/secret.js';
import type { CommonOptions } from '../context/types.js';
import { VERSION } from '../cli.js';
import { UsageError } from '../types.js';
import { runFixAbilities } from '../fix/abilities-run.js';
import { DEFAULT_BACKUP_DIR } from '../fix/backup.js';
import { askYesNo, interactive, requireConsent } from '../fix/confirm.js';
import { renderFixText } from '../fix/text.js';
import { addCommonOptions } from './options.js';
import { chalkFor, writeJson } from './output.js';

interface FixAbilitiesFlags extends CommonOptions {
  apply?: boolean;
  yes?: boolean;
  undo?: string;
  backupDir?: string;
  adminToken?: string;
  adminUser?: string;
  direct?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('fix-abilities')
    .description("make the abilities table what the relay's own rebuild (POST /api/channel/fix) writes from channels; dry run unless --apply");
  addCommonOptions(cmd);
  cmd
    .option('--apply', 'write the diff (one transaction, backup first), or call the relay\'s rebuild when --relay-url and --admin-token are given')
    .option('--yes', 'do not ask (needed for --apply/--undo when not on a terminal)')
    .option('--undo <backup.json>', 'restore the rows a backup recorded (rows still holding its after-values)')
    .option('--backup-dir <dir>', 'where backups are written', DEFAULT_BACKUP_DIR)
    .option('--admin-token <token>', "an admin's users.access_token, for POST /api/channel/fix on the first --relay-url; never printed")
    .option('--admin-user <id>', 'that admin\'s user id (New-Api-User header)')
    .option('--direct', 'apply by SQL even when the relay endpoint could be used')
    .action(async (opts: FixAbilitiesFlags) => {
      if (opts.undo !== undefined && opts.apply) throw new UsageError('--undo and --apply are exclusive');
      if (opts.adminUser !== undefined && !/^\d+$/.test(opts.adminUser)) throw new UsageError('--admin-user expects a user id (an integer)');
      if (opts.adminToken !== undefined && !opts.adminToken.trim()) throw new UsageError('--admin-token is empty');
      const mode = opts.undo !== undefined ? 'undo' : opts.apply ? 'apply' : 'dry-run';
      if (mode !== 'dry-run') requireConsent(Boolean(opts.yes), mode === 'undo' ? '--undo' : '--apply');
      const ctx = buildContext({ common: opts, flags: { ...opts, adminToken: opts.adminToken !== undefined ? '***' : undefined } });
      if (opts.adminToken !== undefined && !ctx.relayUrls.length) throw new UsageError('--admin-token needs --relay-url (the node whose POST /api/channel/fix to call)');
      const verbose = ctx.output.verbose;
      const outcome = await runFixAbilities(ctx, {
        mode,
        undo: opts.undo,
        backupDir: opts.backupDir ?? DEFAULT_BACKUP_DIR,
        version: VERSION,
        adminToken: opts.adminToken !== undefined ? new Secret(opts.adminToken.trim()) : undefined,
        adminUser: opts.adminUser,
        direct: Boolean(opts.direct),
        confirm: !opts.yes && interactive() ? askYesNo : undefined,
        progress: verbose ? (s) => process.stderr.write(`relay-doctor: ${s}\n`) : undefined,
      });
      const { doc } = outcome;
      if (ctx.output.json) writeJson(doc);
      else if (!doc.error) {
        const next = doc.mode === 'dry-run' && doc.plan.length ? 'relay-doctor fix-abilities --apply' : undefined;
        process.stdout.write(renderFixText(doc, { chalk: await chalkFor(ctx), verbose, nextCommand: next }));
      }
      if (doc.error) process.stderr.write(`relay-doctor: ${doc.error.message}\n`);
      process.exitCode = outcome.exitCode;
    });
}
