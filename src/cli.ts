import { AggregateConfigError, loadConfig, type Config } from './config.ts';
import { createServices, serve, startHousekeeping } from './http/runtime.ts';
import { buildServer } from './http/server.ts';
import type { KeyRole } from './keys/keyring.ts';
import { createDb } from './store/db.ts';
import { migrateToLatest } from './store/migrations.ts';

const HELP = `lti-launcher — LTI 1.3 launcher (platform role) and tool gateway (tool role)

Usage: lti-launcher <command> [options]

Commands:
  platform            Serve the launcher: platforms (tenants) launch LTI 1.3 tools for their users
  tool                Serve the tool gateway: LMSs launch the apps behind it
  demo                Start a complete local demo (IdP, portal, launcher, gateway, chatbot)
  migrate             Create or update the database schema, then exit
  keys rotate         Rotate the signing keys (--role platform|tool, default platform)
  keys list           Show the published signing keys (--role platform|tool)
  --help, -h          Show this help

Configuration comes from the environment; see the README (PORT, PUBLIC_URL, DOMAIN, ISSUER,
DATABASE_URL, ADMIN_USER, ADMIN_PASSWORD[_FILE], SECRET_KEY[_FILE], FORCE_SSL, TRUST_PROXY, LOG_LEVEL).
`;

function readConfig(defaults: Partial<Config> = {}): Config | null {
  try {
    return loadConfig(process.env, defaults);
  } catch (err) {
    if (err instanceof AggregateConfigError) {
      process.stderr.write(`lti-launcher: the configuration is not valid:\n${err.errors.map((e) => `  - ${e.message}`).join('\n')}\n`);
      return null;
    }
    throw err;
  }
}

function roleOption(args: string[]): KeyRole | null {
  const i = args.indexOf('--role');
  const value = i >= 0 ? args[i + 1] : 'platform';
  return value === 'platform' || value === 'tool' ? value : null;
}

async function serveRole(role: KeyRole): Promise<number> {
  const config = readConfig(role === 'tool' ? { port: 9494 } : {});
  if (!config) return 1;
  const services = await createServices(config, { role });
  const routes =
    role === 'platform'
      ? { routes: (await import('./platform/routes.ts')).platformRoutes }
      : await (async () => {
          const mod = await import('./tool/routes.ts');
          return { routes: mod.toolRoutes, framable: mod.toolFramable };
        })();
  const app = await buildServer(services, routes);
  const stop = startHousekeeping(services);
  await serve(app, services, stop);
  services.log.info({ url: config.publicUrl, role }, role === 'platform' ? 'launcher ready' : 'tool gateway ready');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  switch (command) {
    case 'platform':
      return serveRole('platform');
    case 'tool':
      return serveRole('tool');
    case 'demo': {
      const { runDemo } = await import('../demo/demo.ts');
      return runDemo(argv.slice(1));
    }
    case 'migrate': {
      const config = readConfig();
      if (!config) return 1;
      const db = createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        await migrateToLatest(db);
        process.stdout.write(`migrations applied (${config.databaseUrl ? 'postgres' : `sqlite in ${config.dataDir}`})\n`);
      } finally {
        await db.destroy();
      }
      return 0;
    }
    case 'keys': {
      const role = roleOption(argv);
      if ((sub !== 'rotate' && sub !== 'list') || !role) {
        process.stderr.write('usage: lti-launcher keys rotate|list [--role platform|tool]\n');
        return 2;
      }
      const config = readConfig({ logLevel: 'warn' });
      if (!config) return 1;
      const services = await createServices({ ...config, logLevel: 'warn' }, { role });
      try {
        const keys = sub === 'rotate' ? await services.keys.rotate() : await services.keys.list();
        for (const k of keys) process.stdout.write(`${k.status.padEnd(8)} ${k.kid}  created ${new Date(k.createdAt).toISOString()}\n`);
        if (sub === 'rotate') process.stdout.write(`rotated the ${role} keys; running instances pick them up within seconds\n`);
      } finally {
        await services.db.destroy();
      }
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`lti-launcher: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}
