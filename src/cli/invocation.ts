import { parseArgs } from 'node:util';
import { commandsOf, type Command, type OptionValues } from './commands.ts';
import type { UsageTarget } from './usage.ts';

/** What the command line asks for, decided before anything runs. */
export type Invocation =
  /** `--help`/`-h` anywhere (or the word `help` first): the usage of the target, exit 0. */
  | { kind: 'help'; target: UsageTarget }
  /** A command line that cannot run: the problem and the usage to print on stderr, exit 2. */
  | { kind: 'usage_error'; problem: string; target: UsageTarget }
  | { kind: 'run'; command: Command; options: OptionValues; args: string[] };

const HELP_FLAGS = new Set(['--help', '-h']);

export function invocationOf(argv: string[], commands: readonly Command[]): Invocation {
  // Anything after `--` is not an option of ours, so a help flag there does not count.
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  let help = argv.slice(0, end).some((arg) => HELP_FLAGS.has(arg));
  let args = argv.filter((arg, i) => i >= end || !HELP_FLAGS.has(arg));
  if (args[0] === 'help') {
    help = true;
    args = args.slice(1);
  }

  const resolved = resolveCommand(args, commands);
  const { target } = resolved;
  if ('problem' in resolved) return { kind: 'usage_error', problem: resolved.problem, target };
  if (help) return { kind: 'help', target };
  if (target.kind !== 'command') {
    return { kind: 'usage_error', problem: target.kind === 'group' ? `"${target.group}" needs a command` : 'no command given', target };
  }
  const parsed = parseOptions(target.command, resolved.rest);
  if (typeof parsed === 'string') return { kind: 'usage_error', problem: parsed, target };
  return { kind: 'run', command: target.command, options: parsed, args: resolved.rest };
}

type Resolved = { target: UsageTarget; rest: string[] } | { problem: string; target: UsageTarget };

/** The command named by the first word (two for a group's command); the rest are its arguments. */
function resolveCommand(args: string[], commands: readonly Command[]): Resolved {
  const [first, second] = args;
  if (first === undefined || first.startsWith('-')) {
    return first === undefined ? { target: { kind: 'top' }, rest: [] } : { problem: `unknown option "${first}"`, target: { kind: 'top' } };
  }
  const single = commands.find((c) => c.name === first);
  if (single) return { target: { kind: 'command', command: single }, rest: args.slice(1) };
  if (commandsOf(first, commands).length === 0) return { problem: `unknown command "${first}"`, target: { kind: 'top' } };
  const group: UsageTarget = { kind: 'group', group: first };
  if (second === undefined || second.startsWith('-')) {
    return second === undefined ? { target: group, rest: [] } : { problem: `unknown option "${second}"`, target: group };
  }
  const command = commands.find((c) => c.name === `${first} ${second}`);
  if (!command) return { problem: `unknown command "${first} ${second}"`, target: group };
  return { target: { kind: 'command', command }, rest: args.slice(2) };
}

/** The command's options, or the problem with them. */
function parseOptions(command: Command, args: string[]): OptionValues | string {
  let values: OptionValues;
  try {
    const options = Object.fromEntries(
      command.options.map((o) => [o.name, { type: o.value ? ('string' as const) : ('boolean' as const), multiple: o.multiple ?? false }]),
    );
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as OptionValues;
  } catch (err) {
    return argumentProblem(err, args);
  }
  for (const option of command.options) {
    const given = values[option.name];
    for (const value of Array.isArray(given) ? given : [given]) {
      if (option.choices && typeof value === 'string' && !option.choices.includes(value)) {
        return `--${option.name} must be ${option.choices.join(' or ')}, got "${value}"`;
      }
    }
  }
  return values;
}

/** node:util's messages, in this command line's words (they are several lines long in some versions). */
function argumentProblem(err: unknown, args: string[]): string {
  const { code, message = '' } = err as { code?: string; message?: string };
  const quoted = /'(-*[^' ]+)/.exec(message)?.[1] ?? args.find((a) => a.startsWith('-'));
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option "${quoted}"`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument "${quoted}"`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /does not take/.test(message) ? `${quoted} takes no value` : `${quoted} needs a value`;
  }
  throw err;
}
