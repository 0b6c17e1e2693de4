import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** Everything the service reads from its environment, validated once at start. */
export interface Config {
  port: number;
  host: string;
  /** Base URL of this service as users reach it, without a trailing slash. */
  publicUrl: string;
  /** Domain under which platforms are reachable as `<slug>.<domain>` (subdomain tenancy). */
  domain: string | null;
  forceSsl: boolean;
  /** Fixed LTI issuer for single-tenant setups; otherwise each platform's base URL. */
  issuer: string | null;
  databaseUrl: string | null;
  dataDir: string;
  adminUser: string;
  /** null = admin console and API are disabled. */
  adminPassword: string | null;
  /** Master secret (32 bytes) for encryption at rest, or null to generate one in the data dir. */
  secretKey: Buffer | null;
  /**
   * Which peers may tell the client's address and scheme in X-Forwarded-*: false (none), a hop
   * count (the nearest N peers, whatever their address), or a list of proxy addresses/CIDRs.
   */
  trustProxy: false | number | string;
  logLevel: string;
  keyRotationDays: number;
  /** Launch-log entries older than this many days are deleted by the housekeeping. */
  launchLogRetentionDays: number;
  /** The launch log is kept under this many megabytes; the housekeeping deletes the oldest rows first. */
  launchLogMaxMb: number;
  /** The longest a portal's course-context JWT may be valid (`exp` after `iat`, and after now). */
  contextMaxLifetimeSeconds: number;
  /** A request whose headers and body have not all arrived after this many seconds is answered 408. */
  requestTimeoutSeconds: number;
  /** An idle keep-alive connection is closed after this many seconds (above the load balancer's idle timeout). */
  keepAliveTimeoutSeconds: number;
  /** The largest request body accepted, in kilobytes (id_tokens, forms, admin JSON). */
  bodyLimitKb: number;
  /** When set, GET /metrics answers only with `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** Seconds a login state (tool side) or a pending launch (platform side) stays valid. */
  loginStateTtlSeconds: number;
  /** Lifetime of the id_tokens the launcher signs for tools (the `exp` it sets). */
  idTokenLifetimeSeconds: number;
  /** Clock-skew leeway in seconds when validating `exp`/`iat`/`nbf` of incoming tokens. */
  clockSkewSeconds: number;
  /** Allow admin-supplied URLs (discovery, JWKS, icons) to point at loopback/private addresses. */
  allowPrivateUrls: boolean;
  /** Allow plain-HTTP endpoints at the IdP (for local demos and tests only). */
  allowInsecureIdp: boolean;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env, defaults: Partial<Config> = {}): Config {
  const errors: ConfigError[] = [];
  const take = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ConfigError) errors.push(err);
      else throw err;
      return fallback;
    }
  };

  const port = take(() => integer(env, 'PORT', defaults.port ?? 9393, 0, 65535), 9393);
  const host = env.HOST ?? defaults.host ?? '0.0.0.0';
  const forceSsl = take(() => bool(env, 'FORCE_SSL', defaults.forceSsl ?? false), false);
  const domain = take(() => hostname(env, 'DOMAIN'), null) ?? defaults.domain ?? null;
  const publicUrl = take(
    () => url(env, 'PUBLIC_URL') ?? defaults.publicUrl ?? fallbackPublicUrl(domain, port, forceSsl),
    `http://localhost:${port}`,
  );
  if (forceSsl && publicUrl.startsWith('http:')) {
    errors.push(new ConfigError('PUBLIC_URL', `must be an https URL when FORCE_SSL is on (FORCE_SSL redirects to it), got "${publicUrl}"`));
  }
  const issuer = take(() => url(env, 'ISSUER'), null) ?? defaults.issuer ?? null;
  const databaseUrl = take(() => databaseUrlOf(env), null) ?? defaults.databaseUrl ?? null;
  const adminPassword = take(() => adminPasswordOf(env), null) ?? defaults.adminPassword ?? null;
  const secretKey = take(() => masterKeyOf(env), null) ?? defaults.secretKey ?? null;
  const logLevel = env.LOG_LEVEL ?? defaults.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    errors.push(new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`));
  }

  const config: Config = {
    port,
    host,
    publicUrl,
    domain,
    forceSsl,
    issuer,
    databaseUrl,
    dataDir: env.DATA_DIR ?? defaults.dataDir ?? './data',
    adminUser: env.ADMIN_USER ?? defaults.adminUser ?? 'admin',
    adminPassword,
    secretKey,
    trustProxy: env.TRUST_PROXY ? take(() => trustProxyOf(env), false) : defaults.trustProxy ?? false,
    logLevel,
    keyRotationDays: take(() => integer(env, 'KEY_ROTATION_DAYS', defaults.keyRotationDays ?? 30, 1, 3650), 30),
    launchLogRetentionDays: take(
      () => integer(env, 'LAUNCH_LOG_RETENTION_DAYS', defaults.launchLogRetentionDays ?? 30, 1, 3650),
      30,
    ),
    launchLogMaxMb: take(() => integer(env, 'LAUNCH_LOG_MAX_MB', defaults.launchLogMaxMb ?? 512, 1, 1_048_576), 512),
    contextMaxLifetimeSeconds: take(
      () => integer(env, 'CONTEXT_MAX_LIFETIME_SECONDS', defaults.contextMaxLifetimeSeconds ?? 3600, 60, 86_400),
      3600,
    ),
    requestTimeoutSeconds: take(() => integer(env, 'REQUEST_TIMEOUT_SECONDS', defaults.requestTimeoutSeconds ?? 20, 1, 600), 20),
    keepAliveTimeoutSeconds: take(
      () => integer(env, 'KEEP_ALIVE_TIMEOUT_SECONDS', defaults.keepAliveTimeoutSeconds ?? 65, 1, 3600),
      65,
    ),
    bodyLimitKb: take(() => integer(env, 'BODY_LIMIT_KB', defaults.bodyLimitKb ?? 256, 16, 10_240), 256),
    metricsToken: take(() => metricsTokenOf(env), null) ?? defaults.metricsToken ?? null,
    loginStateTtlSeconds: take(
      () => integer(env, 'LOGIN_STATE_TTL_SECONDS', defaults.loginStateTtlSeconds ?? 600, 30, 3600),
      600,
    ),
    idTokenLifetimeSeconds: take(
      () => integer(env, 'ID_TOKEN_LIFETIME_SECONDS', defaults.idTokenLifetimeSeconds ?? 300, 30, 3600),
      300,
    ),
    clockSkewSeconds: take(() => integer(env, 'CLOCK_SKEW_SECONDS', defaults.clockSkewSeconds ?? 10, 0, 300), 10),
    allowPrivateUrls: take(() => bool(env, 'ALLOW_PRIVATE_URLS', defaults.allowPrivateUrls ?? false), false),
    allowInsecureIdp: take(() => bool(env, 'ALLOW_INSECURE_IDP', defaults.allowInsecureIdp ?? false), false),
  };
  if (errors.length > 0) throw new AggregateConfigError(errors);
  return config;
}

export class AggregateConfigError extends Error {
  constructor(readonly errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
}

function fallbackPublicUrl(domain: string | null, port: number, forceSsl: boolean): string {
  if (domain) return `${forceSsl ? 'https' : 'http'}://${domain}${forceSsl || port === 80 ? '' : `:${port}`}`;
  return `http://localhost:${port}`;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // One message for "not a number" and "out of range": either way the reader needs the range.
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got ${/^-?\d+$/.test(raw) ? raw : JSON.stringify(raw)}`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL such as https://lti.example.edu, got "${raw}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(name, `must use http or https, got "${parsed.protocol}"`);
  }
  return raw.replace(/\/+$/, '');
}

function hostname(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d+)?$/i.test(raw)) {
    throw new ConfigError(name, `must be a host name such as lti.example.edu, got "${raw}"`);
  }
  return raw.toLowerCase();
}

function databaseUrlOf(env: Env): string | null {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return null;
  // The value is never echoed: it usually holds a password. Whether it parses and connects is
  // checked at start (src/store/checkConnection.ts), by the driver that will use it.
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL (leave it unset for the embedded SQLite database)');
  }
  return raw;
}

/** `NAME` or `NAME_FILE` (a file holding the value, for container secrets). */
function secretOf(env: Env, name: string): string | null {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct && file) throw new ConfigError(name, `set either ${name} or ${name}_FILE, not both`);
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim() || null;
    } catch (err) {
      throw new ConfigError(`${name}_FILE`, `cannot read ${file}: ${(err as Error).message}`);
    }
  }
  return direct || null;
}

function masterKeyOf(env: Env): Buffer | null {
  const raw = secretOf(env, 'SECRET_KEY');
  if (raw === null) return null;
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    throw new ConfigError('SECRET_KEY', 'must be 32 bytes, as 64 hex characters or base64 (openssl rand -hex 32)');
  }
  return key;
}

/** The names Fastify's trustProxy accepts for well-known ranges. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * false, a hop count, or a comma-separated list of proxy addresses, CIDRs and range names (checked
 * here because Fastify would otherwise throw a TypeError when the server is built). `true` is
 * refused: it trusts every peer, so any client picks its own address by sending X-Forwarded-For
 * and walks past the admin's failed-login limit.
 */
function trustProxyOf(env: Env): false | number | string {
  const raw = env.TRUST_PROXY?.trim();
  if (raw === undefined || raw === '') return false;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) {
    throw new ConfigError(
      'TRUST_PROXY',
      'true would let any client choose its own address: set the number of proxies in front of the service (1 for one load balancer) or their addresses/CIDRs',
    );
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops >= 1 && hops <= 10) return hops;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  if (!entries.every((entry) => PROXY_RANGES.includes(entry) || isAddressOrCidr(entry))) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be false, a number of proxies from 1 to 10, or a comma-separated list of IP addresses/CIDRs (or ${PROXY_RANGES.join(', ')}), got ${JSON.stringify(raw)}`,
    );
  }
  return entries.join(',');
}

/** Shorter admin passwords fall to a guessing run of a few days even at the rate limit. */
export const ADMIN_PASSWORD_MIN_LENGTH = 12;

function adminPasswordOf(env: Env): string | null {
  const password = secretOf(env, 'ADMIN_PASSWORD');
  if (password !== null && password.length < ADMIN_PASSWORD_MIN_LENGTH) {
    // Only the length is named: the value itself is never echoed.
    throw new ConfigError(
      'ADMIN_PASSWORD',
      `must be at least ${ADMIN_PASSWORD_MIN_LENGTH} characters long, got ${password.length} (openssl rand -base64 18 makes a good one)`,
    );
  }
  return password;
}

function metricsTokenOf(env: Env): string | null {
  const token = secretOf(env, 'METRICS_TOKEN');
  if (token !== null && (token.length < 16 || !/^[\x21-\x7e]+$/.test(token))) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 printable characters without spaces (openssl rand -hex 16)');
  }
  return token;
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  // Fastify refuses a /0 prefix as well as one longer than the address.
  return /^\d+$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}
