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
    expect(() => loadConfig({ ID_TOKEN_LIFETIME_SECONDS: '5' })).toThrow(/ID_TOKEN_LIFETIME_SECONDS: must be between 30 and 3600/);
  });

  it('refuses both a secret and its _FILE form', () => {
    expect(() => loadConfig({ ADMIN_PASSWORD: 'a', ADMIN_PASSWORD_FILE: '/nonexistent' })).toThrow(/either/);
    expect(() => loadConfig({ ADMIN_PASSWORD_FILE: '/nonexistent/file' })).toThrow(/cannot read/);
  });
});
