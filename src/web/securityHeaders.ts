import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyReply {
    /** Per-response nonce for the page's own <style> and <script> elements (CSP without unsafe-inline). */
    cspNonce: string;
    /** Origins the page may POST a form to (the /auth response posts to the tool). */
    formAction: string[];
    /**
     * Origins that may frame the page, on the paths the role says are framable (the gateway's
     * /lti/ pages, in the LMS's iframe); null or empty: none may.
     */
    frameAncestors: string[] | null;
  }
}

const NONCE = Symbol('cspNonce');

/** A CSP host source that is a plain web origin: nothing a route hands over can add a directive. */
const ORIGIN_SOURCE = /^https?:\/\/(\*\.)?[a-z0-9.\-[\]:]+$/i;

/**
 * Security headers on every response. Pages carry a CSP with a per-response nonce and
 * `frame-ancestors 'none'` (the launcher and the admin are top-level only) unless the path is
 * framable and the route named the origins that may frame it (`reply.frameAncestors`); HSTS when FORCE_SSL.
 */
export const securityHeaders = fp(async function securityHeaders(app: FastifyInstance, opts: { forceSsl: boolean; framable?: (url: string) => boolean }) {
  // The nonce is made when a page first asks for it: redirects and JSON answers need none.
  app.decorateReply('cspNonce', {
    getter(this: FastifyReply & { [NONCE]?: string }) {
      return (this[NONCE] ??= randomBytes(16).toString('base64'));
    },
  });
  app.decorateReply('formAction', null as unknown as string[]);
  app.decorateReply('frameAncestors', null);
  app.addHook('onRequest', async (_request, reply) => {
    reply.formAction = [];
    reply.frameAncestors = null;
  });
  app.addHook('onSend', async (request, reply: FastifyReply, payload) => {
    // Never `*`: a page of a framable path that names no ancestors is framed by no one.
    const ancestors = (opts.framable?.(request.url) ?? false) ? (reply.frameAncestors ?? []).filter((o) => ORIGIN_SOURCE.test(o)) : [];
    const framable = ancestors.length > 0;
    // '*' in formAction: the page posts to an address whose own redirects are not ours to know
    // (the id_token form post to a tool), so the directive is left out rather than broken.
    const formAction = reply.formAction.includes('*') ? null : ["'self'", ...reply.formAction].join(' ');
    const nonce = (reply as FastifyReply & { [NONCE]?: string })[NONCE];
    const inline = nonce ? ` 'nonce-${nonce}'` : '';
    reply.header(
      'content-security-policy',
      `default-src 'none'; script-src 'self'${inline}; style-src 'self'${inline}; ` +
        `img-src 'self' https: data:; connect-src 'self'; ${formAction ? `form-action ${formAction}; ` : ''}base-uri 'none'; ` +
        `frame-ancestors ${framable ? ancestors.join(' ') : "'none'"}`,
    );
    if (!framable) reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin-allow-popups');
    if (opts.forceSsl) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    return payload;
  });
});
