import { commandsOf, type Command } from './commands.ts';

/** What a usage text is about: everything, the commands of a group (`keys`), or one command. */
export type UsageTarget = { kind: 'top' } | { kind: 'group'; group: string } | { kind: 'command'; command: Command };

const HELP_OPTION = '--help, -h';

/** The usage text of a target, from the command table, ending in a newline. */
export function usageOf(target: UsageTarget, commands: readonly Command[]): string {
  if (target.kind === 'command') return commandUsage(target.command);
  if (target.kind === 'group') return groupUsage(target.group, commands);
  return topUsage(commands);
}

function topUsage(commands: readonly Command[]): string {
  return `lti-launcher — LTI 1.3 launcher (platform role) and tool gateway (tool role)

Usage: lti-launcher <command> [options]

Commands:
${table(commands.map((c): [string, string] => [c.name, c.summary]))}

Options:
${table([[HELP_OPTION, 'show this help (after a command: what it does, its options and environment)']])}

Configuration comes from the environment (see the README); a bad value stops a command with one
line that names it.
`;
}

function groupUsage(group: string, all: readonly Command[]): string {
  const commands = commandsOf(group, all);
  const subcommands = commands.map((c) => c.name.slice(group.length + 1)).join('|');
  return `Usage: lti-launcher ${group} <${subcommands}> [options]

Commands:
${table(commands.map((c): [string, string] => [c.name, c.summary]))}

lti-launcher ${group} <command> --help shows a command's options and environment variables.
`;
}

function commandUsage(command: Command): string {
  // Spelled out while short; a longer list is what the Options section is for.
  const synopsis = command.options.length > 2
    ? ['[options]']
    : command.options.map((o) => (o.value ? `[--${o.name} ${o.value}]` : `[--${o.name}]`));
  const options: Array<[string, string]> = [
    ...command.options.map((o): [string, string] => [o.value ? `--${o.name} ${o.value}` : `--${o.name}`, o.help]),
    [HELP_OPTION, 'show this help'],
  ];
  return `Usage: lti-launcher ${[command.name, ...synopsis].join(' ')}

${command.description}

Options:
${table(options)}
${Object.keys(command.env).length > 0 ? `\nEnvironment:\n${table(Object.entries(command.env))}\n` : ''}`;
}

/** Two indented columns, the second aligned. */
function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n');
}
