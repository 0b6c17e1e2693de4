/**
 * `lti-launcher idp` refuses a command line it cannot run with the problem, its usage and exit 2,
 * before it starts anything (`--help` is covered with every command in test/cliHelp.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

describe('lti-launcher idp with bad input', () => {
  for (const [args, env, problem] of [
    [['idp', '--port', 'x'], {}, '--port (IDP_PORT) must be a port number from 0 to 65535, got "x"'],
    [['idp'], { IDP_PORT: '70000' }, 'got "70000"'],
    [['idp', '--client-id', 'c'], {}, '--client-id needs --client-secret and at least one --redirect-uri'],
    [['idp', '--client-secret', 's'], {}, '--client-secret and --redirect-uri need --client-id'],
    [['idp', '--client-id', 'c', '--client-secret', 's', '--redirect-uri', 'not a url'], {}, '--redirect-uri must be an absolute URL, got "not a url"'],
    [['idp', '--bogus'], {}, '--bogus'],
  ] as Array<[string[], Record<string, string>, string]>) {
    it(`${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...args].join(' ')}: exit 2, the problem and the usage`, () => {
      const result = runCli(args, { env });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(problem);
      expect(result.stderr).toContain('Usage: lti-launcher idp');
      expect(result.stdout).not.toContain('Demo IdP listening');
    });
  }
});
