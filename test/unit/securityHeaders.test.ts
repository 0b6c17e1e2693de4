import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/web/securityHeaders.ts';

describe('security headers', () => {
  it('gives a page that asks for it one nonce per response, and other answers none', async () => {
    const app = Fastify();
    await app.register(securityHeaders, { forceSsl: false });
    app.get('/page', async (_request, reply) => {
      const first = reply.cspNonce;
      expect(reply.cspNonce).toBe(first);
      return reply.type('text/html').send(`<script nonce="${first}"></script>`);
    });
    app.get('/api', async () => ({ ok: true }));
    try {
      const pages = await Promise.all([1, 2].map(() => app.inject('/page')));
      const nonces = pages.map((page) => /nonce="([^"]+)"/.exec(page.body)![1]);
      expect(nonces[0]).not.toBe(nonces[1]);
      pages.forEach((page, i) => {
        expect(page.headers['content-security-policy']).toContain(`script-src 'self' 'nonce-${nonces[i]}'; style-src 'self' 'nonce-${nonces[i]}'`);
      });
      const api = await app.inject('/api');
      expect(api.headers['content-security-policy']).toContain("script-src 'self'; style-src 'self';");
      expect(api.headers['content-security-policy']).not.toContain('nonce-');
      expect(api.headers['x-frame-options']).toBe('DENY');
    } finally {
      await app.close();
    }
  });
});
