import { DATABASE_ENVIRONMENT, SERVER_ENVIRONMENT, environmentOf } from './environment.ts';

/** An option of one command; `--help`/`-h` belongs to every command and is not listed. */
export interface CommandOption {
  /** The long name without its dashes: `role` is `--role`. */
  name: string;
  /** For an option that takes a value, how usage shows it (`platform|tool`); none = a switch. */
  value?: string;
  /** The values allowed, checked before the command runs. */
  choices?: readonly string[];
  /** May be given more than once (the values arrive as an array). */
  multiple?: boolean;
  help: string;
}

/** Thrown by a command's run for arguments it cannot use: printed with its usage, exit code 2. */
export class UsageError extends Error {}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  /** One word, or two for a command of a group: `keys rotate` belongs to `keys`. */
  name: string;
  /** The line of the command list in `lti-launcher --help`. */
  summary: string;
  /** What the command does, for its own `--help`. */
  description: string;
  options: CommandOption[];
  /** The environment variables it reads, each with what it does, in the order usage shows them. */
  env: Record<string, string>;
  /**
   * Runs the command once its arguments are parsed, returning the exit code; `args` are the
   * command's own arguments as given (help flags aside). The implementation is imported only
   * here, so that usage and argument errors load nothing that touches the disk.
   */
  run(options: OptionValues, args: string[]): Promise<number>;
}

const ROLE_OPTION: CommandOption = {
  name: 'role',
  value: 'platform|tool',
  choices: ['platform', 'tool'],
  help: "whose signing keys: the launcher's (platform, the default) or the gateway's (tool)",
};

const roleOf = (options: OptionValues) => (options.role === 'tool' ? 'tool' : 'platform');

/** Every command, in the order `lti-launcher --help` lists them: a new command is one more entry. */
export const COMMANDS: Command[] = [
  {
    name: 'platform',
    summary: 'Serve the launcher: platforms (tenants) launch LTI 1.3 tools for their users',
    description:
      'Serves the launcher (the LTI platform role) and its admin console and API until SIGTERM or\n' +
      'SIGINT. Migrates the database and creates the signing keys first when needed.',
    options: [],
    env: environmentOf([...SERVER_ENVIRONMENT, 'DOMAIN', 'ISSUER', 'ID_TOKEN_LIFETIME_SECONDS', 'CONTEXT_MAX_LIFETIME_SECONDS']),
    run: async () => (await import('./serveRole.ts')).serveRole('platform'),
  },
  {
    name: 'tool',
    summary: 'Serve the tool gateway: LMSs launch the apps behind it',
    description:
      'Serves the tool gateway (the LTI tool role) and its admin console and API until SIGTERM or\n' +
      'SIGINT. Migrates the database and creates the signing keys first when needed.',
    options: [],
    env: environmentOf(SERVER_ENVIRONMENT),
    run: async () => (await import('./serveRole.ts')).serveRole('tool'),
  },
  {
    name: 'migrate',
    summary: 'Create or update the database schema, then exit',
    description:
      'Creates or updates the database schema, then exits. Safe to run from several instances at\n' +
      'once; platform and tool also migrate at every start.',
    options: [],
    env: environmentOf(DATABASE_ENVIRONMENT),
    run: async () => (await import('./migrate.ts')).migrate(),
  },
  {
    name: 'keys rotate',
    summary: 'Rotate the signing keys (--role platform|tool, default platform)',
    description:
      'Rotates the signing keys of a role: the next key starts signing, the current key stays\n' +
      'published as the previous one until the tokens it signed have expired, and a new next key\n' +
      'is published. Running instances pick the change up within seconds.',
    options: [ROLE_OPTION],
    env: environmentOf([...DATABASE_ENVIRONMENT, 'SECRET_KEY', 'KEY_ROTATION_DAYS']),
    run: async (options) => (await import('./keys.ts')).keys('rotate', roleOf(options)),
  },
  {
    name: 'keys list',
    summary: 'Show the published signing keys (--role platform|tool)',
    description: 'Lists the published signing keys of a role (current, next, previous) with their key ids.',
    options: [ROLE_OPTION],
    env: environmentOf([...DATABASE_ENVIRONMENT, 'SECRET_KEY', 'KEY_ROTATION_DAYS']),
    run: async (options) => (await import('./keys.ts')).keys('list', roleOf(options)),
  },
];

/** Commands that belong to a group: `keys rotate` and `keys list` for `keys`. */
export function commandsOf(group: string, commands: readonly Command[]): Command[] {
  return commands.filter((c) => c.name.startsWith(`${group} `));
}
