import { constantTimeEqual } from '../keys/digest.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { LtiError } from '../lti/errors.ts';

/** Failed attempts allowed per client address in one window before the admin answers 429. */
const MAX_FAILURES = 10;
const WINDOW_MS = 5 * 60_000;
/**
 * Addresses remembered at most: a flood of failures from many (even spoofed) addresses costs a
 * bounded amount of memory. The least recently failed go first; a timer drops expired ones.
 */
const MAX_TRACKED = 10_000;

type AdminCredentials = Pick<Config, 'adminUser' | 'adminPassword'>;

/**
 * HTTP Basic authentication of the admin console and API. Credentials are compared in constant
 * time (both sides hashed first, so lengths leak nothing); failed attempts are counted per client
 * address and refused with 429 once over the limit. No ADMIN_PASSWORD = admin disabled (404-like 403).
 * Get it through `adminAuthFor(config)`: the console pages and the admin API of one running role
 * share one counter, so alternating between them gives no extra attempts. The counter lives in
 * the memory of each running instance: behind a load balancer of N instances an attacker gets N
 * times the budget, still far from enough to guess a real password.
 */
export class AdminAuth {
  /** Insertion order is recency order: an address is re-inserted on each failure. */
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly config: AdminCredentials,
    private readonly maxTracked = MAX_TRACKED,
  ) {
    setInterval(() => this.prune(Date.now()), WINDOW_MS).unref();
  }

  /** How many addresses are remembered now (for tests and the bound). */
  get tracked(): number {
    return this.failures.size;
  }

  /** Fastify preHandler: throws an LtiError the error handler renders (JSON for the API). */
  readonly check = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { adminPassword, adminUser } = this.config;
    if (!adminPassword) {
      throw new LtiError('admin_disabled', 403, 'The admin console is disabled: set ADMIN_PASSWORD (or ADMIN_PASSWORD_FILE) to enable it.');
    }
    const ip = request.ip;
    const now = Date.now();
    const record = this.failures.get(ip);
    if (record && now - record.since > WINDOW_MS) this.failures.delete(ip);
    const current = this.failures.get(ip);
    if (current && current.count >= MAX_FAILURES) {
      reply.header('retry-after', String(Math.ceil((current.since + WINDOW_MS - now) / 1000)));
      throw new LtiError('admin_rate_limited', 429, 'Too many failed sign-in attempts. Wait a few minutes and try again.');
    }
    const given = parseBasic(request.headers.authorization);
    const ok = given !== null && constantTimeEqual(given.user, adminUser) && constantTimeEqual(given.password, adminPassword);
    if (!ok) {
      if (given !== null) {
        const entry = this.failures.get(ip) ?? { count: 0, since: now };
        entry.count += 1;
        this.failures.delete(ip);
        this.failures.set(ip, entry);
        if (this.failures.size > this.maxTracked) this.failures.delete(this.failures.keys().next().value!);
        request.log.warn({ ip, failures: entry.count }, 'admin authentication failed');
      }
      reply.header('www-authenticate', 'Basic realm="LTI Launcher admin", charset="UTF-8"');
      throw new LtiError('admin_unauthorized', 401, 'Admin credentials are required.');
    }
  };

  private prune(now: number): void {
    for (const [ip, entry] of this.failures) if (now - entry.since > WINDOW_MS) this.failures.delete(ip);
  }
}

const byConfig = new WeakMap<AdminCredentials, AdminAuth>();

/**
 * The one AdminAuth of a running role, keyed by that role's Config object (each role loads its
 * own): the console scope and the admin API both take it from here, so they share one
 * failed-attempt budget per client address.
 */
export function adminAuthFor(config: AdminCredentials): AdminAuth {
  let auth = byConfig.get(config);
  if (!auth) {
    auth = new AdminAuth(config);
    byConfig.set(config, auth);
  }
  return auth;
}

function parseBasic(header: string | undefined): { user: string; password: string } | null {
  if (!header || !/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  if (at < 0) return null;
  return { user: decoded.slice(0, at), password: decoded.slice(at + 1) };
}

