import { Command, Option } from 'commander';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Options every command shares (fixed by the issue: CI scripts rely on them). */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--dsn <dsn>', 'database: postgres://…, mysql://…, user:pw@tcp(host:port)/db, sqlite:///path.db, a .db path, or local')
    .option('--env-file <path>', "the relay's .env file; its values are the relay's settings")
    .option('--env <KEY=VALUE>', 'one relay setting (repeatable); wins over the process env and the env file', collect)
    .option('--redis <url>', 'Redis URL; wins over REDIS_CONN_STRING')
    .option('--relay-url <url>', 'a running relay node (repeatable)', collect)
    .option('--json', "print the contract's JSON document on stdout")
    .addOption(new Option('--profile <profile>', 'route profile').choices(['new-api', 'one-api', 'bltcy']))
    .option('--verbose', 'show evidence rows')
    .option('--no-color', 'no colours');
}

/** Options describing the request under diagnosis. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--path <path>', 'request path, e.g. /runwayml/v1/image_to_video')
    .option('--method <method>', 'HTTP method (default POST)')
    .option('--model <model>', 'routing model (when no path, or to override)')
    .option('--body <json|@file>', 'request body, for routes that take the model from it')
    .option('--token <key>', 'the caller token (sk-…), parsed as the relay parses it; never printed')
    .option('--token-id <id>', 'the caller token by id')
    .option('--token-name <name>', 'the caller token by name')
    .option('--group <group>', 'the using group, when no token is given')
    .option('--header <name: value>', 'a header the client sends (repeatable; values never printed)', collect);
}
