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
      DATABASE_URL: 'postgres://u@db/lti', ADMIN_USER: 'root', ADMIN_PASSWORD: 'pw', TRUST_PROXY: 'true',
      SECRET_KEY: 'ab'.repeat(32), LOG_LEVEL: 'warn',
    });
    expect(c).toMatchObject({
      port: 8080, domain: 'lti.example.edu', forceSsl: true, issuer: 'https://lti.example.edu',
      databaseUrl: 'postgres://u@db/lti', adminUser: 'root', adminPassword: 'pw', trustProxy: true, logLevel: 'warn',
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

  it('accepts for TRUST_PROXY exactly what Fastify accepts, and names anything else', () => {
    for (const value of ['true', 'false', '1', '0', '10.0.0.1', '10.0.0.0/8, 192.168.1.1', '::1', 'fd00::/8', 'loopback,uniquelocal', '::ffff:10.0.0.1']) {
      const { trustProxy } = loadConfig({ TRUST_PROXY: value });
      expect(() => Fastify({ trustProxy }), value).not.toThrow();
    }
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).trustProxy).toBe('10.0.0.0/8,192.168.1.1');
    for (const value of ['banana', '2', '10.0.0.1,', '10.0.0.0/33', '10.0.0.0/0', '::1/129', '10.0.0.1/8/8', '10.0.0.0/255.0.0.0', 'localhost']) {
      expect(() => loadConfig({ TRUST_PROXY: value }), value).toThrow(
        `TRUST_PROXY: must be true, false or a comma-separated list of IP addresses/CIDRs (or loopback, linklocal, uniquelocal), got ${JSON.stringify(value)}`,
      );
    }
  });

  it('never repeats DATABASE_URL in its message: it holds a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/lti' })).toThrow(/^(?!.*hunter2).*DATABASE_URL: must be a postgres:\/\/ URL/s);
  });

  it('refuses both a secret and its _FILE form', () => {
    expect(() => loadConfig({ ADMIN_PASSWORD: 'a', ADMIN_PASSWORD_FILE: '/nonexistent' })).toThrow(/either/);
    expect(() => loadConfig({ ADMIN_PASSWORD_FILE: '/nonexistent/file' })).toThrow(/cannot read/);
  });
});
