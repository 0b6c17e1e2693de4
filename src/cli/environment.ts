/**
 * The environment variables of the service's configuration (src/config.ts), as `--help`
 * describes them; the README's configuration table has the details. Commands pick theirs with
 * environmentOf; a variable of one command alone (DEMO_*) is described in that command's entry.
 */
export const ENVIRONMENT = {
  PORT: 'port to listen on (default 9393; 9494 for tool)',
  HOST: 'interface to listen on (default 0.0.0.0)',
  PUBLIC_URL: 'base URL users reach the service at (default http://localhost:$PORT)',
  DOMAIN: 'serve platform x at x.$DOMAIN as well (subdomain tenancy)',
  ISSUER: 'a fixed LTI issuer, for single-tenant setups',
  FORCE_SSL: 'redirect HTTP to HTTPS and send HSTS (default false)',
  TRUST_PROXY: 'behind a proxy: how many (1 for one load balancer) or their addresses/CIDRs (default false)',
  DATABASE_URL: 'postgres://user:password@host:5432/db (default: SQLite in $DATA_DIR)',
  DATA_DIR: 'where the SQLite file and a generated master secret live (default ./data)',
  ADMIN_USER: 'admin console and API user (default admin)',
  ADMIN_PASSWORD: 'admin password, 12+ characters (or ADMIN_PASSWORD_FILE, a file holding it); none = admin disabled',
  SECRET_KEY: 'master secret, openssl rand -hex 32 (or SECRET_KEY_FILE); default $DATA_DIR/secret.key',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent (default info)',
  KEY_ROTATION_DAYS: 'rotate the signing keys after this many days, 1-3650 (default 30)',
  LAUNCH_LOG_RETENTION_DAYS: 'delete launch-log entries older than this many days, 1-3650 (default 30)',
  LAUNCH_LOG_MAX_MB: 'keep the launch log under this many MB, oldest entries go first (default 512)',
  CONTEXT_MAX_LIFETIME_SECONDS: 'longest validity of a portal\'s context JWT, 60-86400 (default 3600)',
  LOGIN_STATE_TTL_SECONDS: 'how long a launch may wait at the IdP or the LMS, 30-3600 (default 600)',
  ID_TOKEN_LIFETIME_SECONDS: 'lifetime of the id_tokens signed for tools, 30-3600 (default 300)',
  CLOCK_SKEW_SECONDS: 'leeway for exp/nbf/iat of incoming tokens, 0-300 (default 10)',
  REQUEST_TIMEOUT_SECONDS: 'a request must arrive whole within this, 1-600 (default 20)',
  KEEP_ALIVE_TIMEOUT_SECONDS: 'close idle keep-alive connections after this, 1-3600 (default 65)',
  BODY_LIMIT_KB: 'largest request body accepted, 16-10240 KB (default 256)',
  METRICS_TOKEN: 'when set, /metrics needs Authorization: Bearer <token> (or METRICS_TOKEN_FILE)',
  ALLOW_PRIVATE_URLS: 'let admin-supplied URLs point at private/loopback addresses (default false)',
  ALLOW_INSECURE_IDP: 'plain http to any host, not only loopback; local testing only (default false)',
} as const;

export type EnvironmentVariable = keyof typeof ENVIRONMENT;

/** What the launcher and the gateway read when they serve. */
export const SERVER_ENVIRONMENT: EnvironmentVariable[] = [
  'PORT', 'HOST', 'PUBLIC_URL', 'FORCE_SSL', 'TRUST_PROXY', 'DATABASE_URL', 'DATA_DIR', 'ADMIN_USER',
  'ADMIN_PASSWORD', 'SECRET_KEY', 'LOG_LEVEL', 'KEY_ROTATION_DAYS', 'LAUNCH_LOG_RETENTION_DAYS',
  'LAUNCH_LOG_MAX_MB', 'LOGIN_STATE_TTL_SECONDS', 'CLOCK_SKEW_SECONDS',
  'REQUEST_TIMEOUT_SECONDS', 'KEEP_ALIVE_TIMEOUT_SECONDS', 'BODY_LIMIT_KB', 'METRICS_TOKEN',
  'ALLOW_PRIVATE_URLS', 'ALLOW_INSECURE_IDP',
];

/** What opening the database reads. */
export const DATABASE_ENVIRONMENT: EnvironmentVariable[] = ['DATABASE_URL', 'DATA_DIR'];

/** The descriptions of the named variables, in ENVIRONMENT's order so related ones stay together. */
export function environmentOf(names: EnvironmentVariable[]): Record<string, string> {
  return Object.fromEntries(Object.entries(ENVIRONMENT).filter(([name]) => names.includes(name as EnvironmentVariable)));
}
