import type { Command } from 'commander';
import { buildContext } from '../context/build.js';
import type { CommonOptions, TargetOptions } from '../context/types.js';
import type { Product } from '../context/dsn.js';
import { VERSION } from '../cli.js';
import { readSchema } from '../data/schema.js';
import { loadChannels } from '../data/load.js';
import { connect, DbOpenError } from '../diagnose/snapshot.js';
import { detectProductWithChannels } from '../relay/product.js';
import { describeModelSource, routeFor, routeTable, type RouteDef } from '../relay/routes.js';
import { RunError } from '../types.js';
import { addCommonOptions } from './options.js';
import { chalkFor, writeJson } from './output.js';


async function profileOf(ctx: ReturnType<typeof buildContext>): Promise<{ profile: Product; evidence: string[] }> {
  if (ctx.profile) return { profile: ctx.profile, evidence: ['--profile'] };
  let conn;
  try {
    conn = await connect(ctx);
  } catch (err) {
    if (err instanceof DbOpenError) throw new RunError(`cannot detect the relay's profile (database ${ctx.db.target.redacted}: ${err.message}); pass --profile new-api|one-api|bltcy`, 3);
    throw err;
  }
  try {
    const schema = await readSchema(conn.db);
    const channels = await loadChannels(conn.db, schema);
    const p = detectProductWithChannels(schema, channels);
    if (!p.recognized) throw new RunError(`${ctx.db.target.redacted} is not a relay database; pass --profile to list a profile's routes`, 3);
    return { profile: p.product, evidence: p.evidence };
  } finally {
    await conn.db.close().catch(() => undefined);
  }
}

export function register(program: Command): void {
  const cmd = program.command('routes').description("the relay's route table and path → routing model mapping in force");
  addCommonOptions(cmd);
  cmd
    .option('--path <path>', 'show how one path is routed')
    .option('--method <method>', 'method for --path (default POST)')
    .option('--body <json|@file>', 'body for --path')
    .action(async (opts: CommonOptions & TargetOptions) => {
      const ctx = buildContext({ common: opts, target: { path: opts.path, method: opts.method, body: opts.body } });
      const { profile, evidence } = await profileOf(ctx);
      const routes = routeTable(profile, ctx.config.routes);
      const t = ctx.target;
      const match = t.path ? routeFor(profile, t.method, t.path, t.body, ctx.config.routes) : undefined;
      if (ctx.output.json) {
        writeJson({ schemaVersion: 1, tool: { name: 'relay-doctor', version: VERSION }, profile, evidence, routes, ...(match ? { match } : {}) });
        return;
      }
      const c = await chalkFor(ctx);
      const { default: Table } = await import('cli-table3');
      // Compact: no rule between rows, so the table stays readable with a hundred routes.
      const chars = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
      const table = new Table({ head: ['methods', 'route', 'chain → handler', 'routing model'], chars, style: { head: ctx.output.color ? ['cyan'] : [], border: ctx.output.color ? ['gray'] : [], compact: true } });
      for (const r of routes as RouteDef[]) {
        table.push([Array.isArray(r.methods) ? r.methods.join(',') : 'ANY', r.pattern + (r.passthrough ? ' *' : ''), `${r.chain.join(' → ')}${r.chain.length ? ' → ' : ''}${r.handler}`, describeModelSource(r.model)]);
      }
      const out = [c.bold(`routes of the ${profile} profile`) + c.gray(` (${evidence.join('; ')})`), table.toString(), c.gray('* passthrough: forwarded to the channel base_url by RelayBltcy (directly, or via RelayTask for type-55 channels)')];
      if (match && t.path) {
        out.push('');
        if (match.matched) {
          out.push(`${t.method} ${t.path} → ${match.matched.pattern} → ${match.matched.handler}; routing model: ${match.model ?? c.red('none')}${match.modelProblem ? c.red(` (${match.problemStatus ?? 400} ${match.modelProblem})`) : ''}`);
        } else if (match.trailingSlash) {
          out.push(c.yellow(`${t.method} ${t.path}: ${match.trailingSlash.status} redirect to ${match.trailingSlash.redirectTo}`));
        } else {
          out.push(c.red(`${t.method} ${t.path}: no route${match.methodNotRegistered ? ' for this method' : ''}; the relay answers ${match.unmatchedAnswer === 'json-404' ? `404 ${match.notFoundMessage}` : '200 with its web page (HTML)'}`));
        }
      }
      process.stdout.write(out.join('\n') + '\n');
    });
}
