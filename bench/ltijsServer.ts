/**
 * ltijs (the peer the gateway is compared with) serving LTI 1.3 launches in its own process:
 * login initiation at /login, the launch at / (id_token validation, then a redirect with an
 * `ltik`), and the app's request with that ltik answered with the launch's token (as the gateway's
 * hand-off redeem answers with the launch). Storage: ltijs-sequelize on Postgres (a schema of its
 * own through search_path) or SQLite (needs the sqlite3 package). Prints `{"url": ...}` when ready.
 *
 * Env: PORT, LTIJS_DB (postgres URL with options=-c search_path=..., or sqlite:<file>), LMS_ISSUER,
 * LMS_CLIENT_ID, LMS_JWK (the LMS's public JWK, JSON).
 */
import ltijs from 'ltijs';
import Database from 'ltijs-sequelize';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const target = env('LTIJS_DB');
let plugin;
if (target.startsWith('sqlite:')) {
  plugin = new Database('ltijs', '', '', { dialect: 'sqlite', storage: target.slice('sqlite:'.length), logging: false });
} else {
  const url = new URL(target);
  const options = url.searchParams.get('options') ?? undefined;
  // ltijs-sequelize's migration names "public"."platforms" unless Sequelize is told the schema.
  const schema = options ? /search_path=(\w+)/.exec(options)?.[1] : undefined;
  plugin = new Database(url.pathname.slice(1), decodeURIComponent(url.username), decodeURIComponent(url.password), {
    dialect: 'postgres', host: url.hostname, port: Number(url.port || 5432), logging: false,
    dialectOptions: { options },
    ...(schema ? { schema } : {}),
    pool: { max: 10 },
  });
}

const lti = ltijs.Provider;
lti.setup('bench-ltijs-encryption-key', { plugin }, {
  appRoute: '/', loginRoute: '/login', keysetRoute: '/keys',
  cookies: { secure: false, sameSite: 'Lax' },
  devMode: false,
  tokenMaxAge: 60,
});
lti.onConnect((token: Record<string, unknown>, _req: unknown, res: { locals: Record<string, unknown>; send(body: unknown): void }) => {
  res.send({ token, context: res.locals.context });
});
await lti.deploy({ port: Number(env('PORT')), silent: true });
await lti.registerPlatform({
  url: env('LMS_ISSUER'),
  name: 'Bench LMS',
  clientId: env('LMS_CLIENT_ID'),
  authenticationEndpoint: `${env('LMS_ISSUER')}/auth`,
  accesstokenEndpoint: `${env('LMS_ISSUER')}/token`,
  authConfig: { method: 'JWK_KEY', key: env('LMS_JWK') },
});
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${env('PORT')}` })}\n`);
process.on('SIGTERM', () => process.exit(0));
