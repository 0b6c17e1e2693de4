import { COMMANDS, UsageError, type Command } from './cli/commands.ts';
import { invocationOf } from './cli/invocation.ts';
import { usageOf, type UsageTarget } from './cli/usage.ts';
import { AggregateConfigError, ConfigError } from './config.ts';

/**
 * `lti-launcher <command> [options]`, returning the exit code: 0 done (or serving), 1 a bad
 * setting (one line per problem, naming the variable), 2 a command line that cannot run. Help
 * and argument errors are answered from the command table before any command code is loaded,
 * so they never create a file. `commands` is the service's own table unless the caller adds to it:
 * a checkout's bin/lti-launcher.js adds the demo's commands (demo/commands.ts), which src/ never imports.
 */
export async function main(argv: string[], commands: readonly Command[] = COMMANDS): Promise<number> {
  const invocation = invocationOf(argv, commands);
  if (invocation.kind === 'help') {
    process.stdout.write(usageOf(invocation.target, commands));
    return 0;
  }
  if (invocation.kind === 'usage_error') return usageError(invocation.problem, invocation.target, commands);
  const { command } = invocation;
  try {
    return await command.run(invocation.options, invocation.args);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, { kind: 'command', command }, commands);
    // A bad setting is one line per value, naming it: a stack trace would bury what to change.
    const problems = err instanceof AggregateConfigError ? err.errors : err instanceof ConfigError ? [err] : null;
    if (!problems) throw err;
    process.stderr.write(problems.map((problem) => `lti-launcher: ${problem.message}\n`).join(''));
    return 1;
  }
}

function usageError(problem: string, target: UsageTarget, commands: readonly Command[]): number {
  const where = target.kind === 'command' ? `lti-launcher ${target.command.name}` : 'lti-launcher';
  process.stderr.write(`${where}: ${problem}\n\n${usageOf(target, commands)}`);
  return 2;
}
