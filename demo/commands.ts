/**
 * The demo's commands, `lti-launcher demo` and `lti-launcher idp`: a checkout's bin/lti-launcher.js
 * adds them to the service's command table (src/ never imports demo/, and a published package has
 * no demo). Each imports its implementation only when it runs, so help and usage errors load nothing.
 */
import { COMMANDS, UsageError, type Command } from '../src/cli/commands.ts';
import { environmentOf } from '../src/cli/environment.ts';

export const DEMO_COMMANDS: Command[] = [
  {
    name: 'demo',
    summary: 'Start a complete local demo (IdP, portal, launcher, gateway, chatbot)',
    description:
      'Starts the whole system on this machine, each part on its own *.localhost site, sets it up\n' +
      'through the admin APIs and prints the addresses and the admin password (generated at the\n' +
      'first start, or ADMIN_PASSWORD). Data lives in $DATA_DIR/demo; LOG_LEVEL defaults to warn;\n' +
      'Ctrl-C stops everything.',
    options: [{ name: 'reset', help: 'delete the demo data first and start from scratch' }],
    env: {
      ...environmentOf(['DATA_DIR', 'LOG_LEVEL']),
      DEMO_HOST: 'interface the demo listens on (default 127.0.0.1)',
      DEMO_PORTAL_PORT: 'port of the demo portal (default 9300)',
      DEMO_IDP_PORT: 'port of the demo IdP (default 9390)',
      DEMO_LAUNCHER_PORT: 'port of the launcher (default 9393)',
      DEMO_GATEWAY_PORT: 'port of the gateway (default 9494)',
      DEMO_CHAT_PORT: 'port of the demo chatbot (default 9595)',
    },
    run: async (options) => (await import('./demo.ts')).runDemo(options.reset ? ['--reset'] : []),
  },
  {
    name: 'idp',
    summary: 'Run the demo IdP alone, for trying the launcher locally (README walkthrough)',
    description:
      'Runs the demo OpenID Connect provider on its own (users ada, alan and grace; in memory;\n' +
      'plain http on loopback) until Ctrl-C, optionally with one client registered for the given\n' +
      'redirect URIs. For local setups and the README walkthrough, never for production.',
    options: [
      { name: 'port', value: 'N', help: 'port to listen on (default 9390)' },
      { name: 'host', value: 'ADDRESS', help: 'interface to listen on (default 127.0.0.1)' },
      { name: 'issuer', value: 'URL', help: 'public issuer URL (default http://HOST:PORT)' },
      { name: 'client-id', value: 'ID', help: 'register one client at start…' },
      { name: 'client-secret', value: 'SECRET', help: '…with this secret…' },
      { name: 'redirect-uri', value: 'URL', multiple: true, help: '…and this redirect URI (repeat for more)' },
    ],
    env: {
      IDP_PORT: 'the same as --port', IDP_HOST: 'the same as --host', IDP_ISSUER: 'the same as --issuer',
      IDP_CLIENT_ID: 'the same as --client-id', IDP_CLIENT_SECRET: 'the same as --client-secret',
      IDP_REDIRECT_URIS: 'the same as --redirect-uri, comma-separated',
    },
    run: async (values) => {
      const { IdpUsageError, idpOptionsOf, runIdp } = await import('./idp/command.ts');
      let options;
      try {
        options = idpOptionsOf(values, process.env);
      } catch (err) {
        throw err instanceof IdpUsageError ? new UsageError(err.message) : err;
      }
      await runIdp(options);
      return 0;
    },
  },
];

/** The service's commands with the demo's after the two role commands, as `lti-launcher --help` lists them. */
export function withDemoCommands(commands: readonly Command[] = COMMANDS): Command[] {
  const afterRoles = commands.findIndex((c) => c.name !== 'platform' && c.name !== 'tool');
  const at = afterRoles === -1 ? commands.length : afterRoles;
  return [...commands.slice(0, at), ...DEMO_COMMANDS, ...commands.slice(at)];
}
