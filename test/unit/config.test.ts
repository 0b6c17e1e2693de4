import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AggregateConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('has embedded defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 9393, databaseUrl: null, adminUser: 'admin', adminPassword: null, keyRotationDays: 30 });
    expect(c.publicUrl).toBe('http://localhost:9393');
  });

  it('reads the origin names', () => {
    const c = loadConfig({
      PORT: '8080', DOMAIN: 'lti.example.edu', FORCE_SSL: 'true', ISSUER: 'https://lti.example.edu/',
      DATABASE_URL: 'postgres://u@db/lti', ADMIN_USER: 'root', ADMIN_PASSWORD: 'a-long-password', TRUST_PROXY: '1',
      SECRET_KEY: 'ab'.repeat(32), LOG_LEVEL: 'warn',
    });
    expect(c).toMatchObject({
      port: 8080, domain: 'lti.example.edu', forceSsl: true, issuer: 'https://lti.example.edu',
      databaseUrl: 'postgres://u@db/lti', adminUser: 'root', adminPassword: 'a-long-password', trustProxy: 1, logLevel: 'warn',
      publicUrl: 'https://lti.example.edu',
    });
    expect(c.secretKey?.length).toBe(32);
  });

  it('names every bad value at once', () => {
    try {
      loadConfig({ PORT: 'eighty', FORCE_SSL: 'maybe', DATABASE_URL: 'mysql://x', SECRET_KEY: 'short', LOG_LEVEL: 'loud', PUBLIC_URL: 'not a url' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AggregateConfigError);
      const names = (err as AggregateConfigError).errors.map((e) => e.variable);
      expect(names).toEqual(expect.arrayContaining(['PORT', 'FORCE_SSL', 'DATABASE_URL', 'SECRET_KEY', 'LOG_LEVEL', 'PUBLIC_URL']));
    }
  });

  it('reads the id_token lifetime within its bounds', () => {
    expect(loadConfig({}).idTokenLifetimeSeconds).toBe(300);
    expect(loadConfig({ ID_TOKEN_LIFETIME_SECONDS: '120' }).idTokenLifetimeSeconds).toBe(120);
    expect(() => loadConfig({ ID_TOKEN_LIFETIME_SECONDS: '5' })).toThrow('ID_TOKEN_LIFETIME_SECONDS: must be a whole number from 30 to 3600, got 5');
  });

  it('names the allowed range for a number that is negative, fractional or not a number', () => {
    expect(() => loadConfig({ KEY_ROTATION_DAYS: '-1' })).toThrow('KEY_ROTATION_DAYS: must be a whole number from 1 to 3650, got -1');
    expect(() => loadConfig({ KEY_ROTATION_DAYS: '1.5' })).toThrow('KEY_ROTATION_DAYS: must be a whole number from 1 to 3650, got "1.5"');
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT: must be a whole number from 0 to 65535, got "eighty"');
  });

  it('accepts for TRUST_PROXY a hop count or what Fastify accepts as a list, and names anything else', () => {
    for (const value of ['false', '0', '1', '3', '10.0.0.1', '10.0.0.0/8, 192.168.1.1', '::1', 'fd00::/8', 'loopback,uniquelocal', '::ffff:10.0.0.1']) {
      const { trustProxy } = loadConfig({ TRUST_PROXY: value });
      expect(() => Fastify({ trustProxy: typeof trustProxy === 'number' ? () => true : trustProxy }), value).not.toThrow();
    }
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).trustProxy).toBe('10.0.0.0/8,192.168.1.1');
    for (const value of ['banana', '11', '10.0.0.1,', '10.0.0.0/33', '10.0.0.0/0', '::1/129', '10.0.0.1/8/8', '10.0.0.0/255.0.0.0', 'localhost']) {
      expect(() => loadConfig({ TRUST_PROXY: value }), value).toThrow(
        `TRUST_PROXY: must be false, a number of proxies from 1 to 10, or a comma-separated list of IP addresses/CIDRs (or loopback, linklocal, uniquelocal), got ${JSON.stringify(value)}`,
      );
    }
  });

  it('refuses TRUST_PROXY=true (issue 14 item 3): it lets every client pick its address', () => {
    for (const value of ['true', 'yes', 'on', 'TRUE']) {
      expect(() => loadConfig({ TRUST_PROXY: value }), value).toThrow(/TRUST_PROXY: true would let any client choose its own address: set the number of proxies/);
    }
  });

  it('refuses an ADMIN_PASSWORD under 12 characters, naming the length and not the value (issue 14 item 3)', () => {
    expect(() => loadConfig({ ADMIN_PASSWORD: 'change-me' })).toThrow('ADMIN_PASSWORD: must be at least 12 characters long, got 9');
    expect(() => loadConfig({ ADMIN_PASSWORD: 'change-me' })).not.toThrow(/change-me/);
    expect(loadConfig({ ADMIN_PASSWORD: 'twelve-chars' }).adminPassword).toBe('twelve-chars');
  });

  it('reads the hardening settings within their bounds (issue 14 items 1, 4, 13, 15)', () => {
    expect(loadConfig({})).toMatchObject({
      contextMaxLifetimeSeconds: 3600, launchLogMaxMb: 512, requestTimeoutSeconds: 20, keepAliveTimeoutSeconds: 65, bodyLimitKb: 256, metricsToken: null,
    });
    expect(loadConfig({ CONTEXT_MAX_LIFETIME_SECONDS: '300', LAUNCH_LOG_MAX_MB: '64', REQUEST_TIMEOUT_SECONDS: '5', KEEP_ALIVE_TIMEOUT_SECONDS: '120', BODY_LIMIT_KB: '64', METRICS_TOKEN: 'a'.repeat(32) }))
      .toMatchObject({ contextMaxLifetimeSeconds: 300, launchLogMaxMb: 64, requestTimeoutSeconds: 5, keepAliveTimeoutSeconds: 120, bodyLimitKb: 64, metricsToken: 'a'.repeat(32) });
    expect(() => loadConfig({ CONTEXT_MAX_LIFETIME_SECONDS: '10' })).toThrow('CONTEXT_MAX_LIFETIME_SECONDS: must be a whole number from 60 to 86400, got 10');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16 printable characters/);
  });

  it('refuses FORCE_SSL with a plain-http PUBLIC_URL: the redirect goes to PUBLIC_URL (issue 14 item 9)', () => {
    expect(() => loadConfig({ FORCE_SSL: 'true', PUBLIC_URL: 'http://lti.example.edu' })).toThrow('PUBLIC_URL: must be an https URL when FORCE_SSL is on');
    expect(loadConfig({ FORCE_SSL: 'true', PUBLIC_URL: 'https://lti.example.edu' }).forceSsl).toBe(true);
  });

  it('never repeats DATABASE_URL in its message: it holds a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/lti' })).toThrow(/^(?!.*hunter2).*DATABASE_URL: must be a postgres:\/\/ URL/s);
  });

  it('refuses both a secret and its _FILE form', () => {
    expect(() => loadConfig({ ADMIN_PASSWORD: 'a-long-password', ADMIN_PASSWORD_FILE: '/nonexistent' })).toThrow(/either/);
    expect(() => loadConfig({ ADMIN_PASSWORD_FILE: '/nonexistent/file' })).toThrow(/cannot read/);
  });
});
