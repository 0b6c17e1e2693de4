import { describe, expect, it } from 'vitest';
import { withDemoCommands } from '../demo/commands.ts';
import { listing, runCli } from './support/cli.ts';
import { tempDir } from './support/db.ts';

/** The commands of a checkout: the service's and the demo's (bin/lti-launcher.js joins them). */
const COMMANDS = withDemoCommands();

/**
 * `--help`/`-h` on any command prints its usage and does nothing else; a command line that
 * cannot run prints usage on stderr and exits 2. Each runs in an empty directory that is also
 * DATA_DIR: whatever a command would create (data dir, secret key, SQLite file) would show there.
 */
function inEmptyDir(args: string[]) {
  const dir = tempDir('lti-cli-help-');
  const before = listing(dir);
  const result = runCli(args, { cwd: dir, env: { DATA_DIR: dir } });
  return { ...result, changed: listing(dir).join('\n') !== before.join('\n'), after: listing(dir) };
}

const HELP_CASES: Array<{ args: string[]; usage: string }> = [
  { args: [], usage: 'Usage: lti-launcher <command>' },
  { args: ['keys'], usage: 'Usage: lti-launcher keys <rotate|list>' },
  ...COMMANDS.map((c) => ({ args: c.name.split(' '), usage: `Usage: lti-launcher ${c.name}` })),
];

describe('lti-launcher --help', () => {
  for (const { args, usage } of HELP_CASES) {
    for (const flag of ['--help', '-h']) {
      it(`${['lti-launcher', ...args, flag].join(' ')} prints its usage, exits 0 and creates nothing`, () => {
        const r = inEmptyDir([...args, flag]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain(usage);
        expect(r.stderr).toBe('');
        expect(r.changed, r.after.join('\n')).toBe(false);
      });
    }
  }

  it('counts a help flag anywhere on the command line, even after options the command does not know', () => {
    for (const args of [['keys', 'rotate', '--role', 'tool', '-h'], ['--help', 'keys', 'rotate'], ['platform', '--frob', '--help'], ['help', 'migrate']]) {
      const r = inEmptyDir(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.changed).toBe(false);
    }
    expect(inEmptyDir(['--help', 'keys', 'rotate']).stdout).toContain('Usage: lti-launcher keys rotate');
  });

  it('lists every command at the top, and each command its options and environment variables', () => {
    const top = inEmptyDir(['--help']).stdout;
    for (const command of COMMANDS) {
      expect(top).toContain(command.name);
      const own = inEmptyDir([...command.name.split(' '), '--help']).stdout;
      expect(own).toContain(command.description.split('\n')[0]);
      for (const option of command.options) expect(own).toContain(`--${option.name}`);
      for (const variable of Object.keys(command.env)) expect(own).toMatch(new RegExp(`^  ${variable} +\\S`, 'm'));
    }
  });
});

describe('a command line that cannot run', () => {
  const cases: Array<{ args: string[]; problem: string; usage: string }> = [
    { args: [], problem: 'lti-launcher: no command given', usage: 'Usage: lti-launcher <command>' },
    { args: ['frobnicate'], problem: 'lti-launcher: unknown command "frobnicate"', usage: 'Usage: lti-launcher <command>' },
    { args: ['--frob'], problem: 'lti-launcher: unknown option "--frob"', usage: 'Usage: lti-launcher <command>' },
    { args: ['keys'], problem: 'lti-launcher: "keys" needs a command', usage: 'Usage: lti-launcher keys <rotate|list>' },
    { args: ['keys', 'bogus'], problem: 'lti-launcher: unknown command "keys bogus"', usage: 'Usage: lti-launcher keys <rotate|list>' },
    { args: ['platform', '--frob'], problem: 'lti-launcher platform: unknown option "--frob"', usage: 'Usage: lti-launcher platform' },
    { args: ['tool', '-x'], problem: 'lti-launcher tool: unknown option "-x"', usage: 'Usage: lti-launcher tool' },
    { args: ['migrate', 'now'], problem: 'lti-launcher migrate: unexpected argument "now"', usage: 'Usage: lti-launcher migrate' },
    { args: ['demo', '--reset=yes'], problem: 'lti-launcher demo: --reset takes no value', usage: 'Usage: lti-launcher demo' },
    { args: ['keys', 'rotate', '--role', 'admin'], problem: 'lti-launcher keys rotate: --role must be platform or tool, got "admin"', usage: 'Usage: lti-launcher keys rotate' },
    { args: ['keys', 'list', '--role'], problem: 'lti-launcher keys list: --role needs a value', usage: 'Usage: lti-launcher keys list' },
  ];
  for (const { args, problem, usage } of cases) {
    it(`lti-launcher ${args.join(' ')} exits 2 with the problem and usage on stderr, creating nothing`, () => {
      const r = inEmptyDir(args);
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(problem);
      expect(r.stderr).toContain(usage);
      expect(r.stdout).toBe('');
      expect(r.changed, r.after.join('\n')).toBe(false);
    });
  }
});
