import type { FastifyReply } from 'fastify';
import { html, page, type SafeHtml } from './html.ts';

export interface LandingLink {
  label: string;
  href: string;
  /** What is there, in a few words. */
  note: string;
}

/**
 * The root page of a role or of a platform's host: what this service is and where its parts are,
 * instead of a "not found" error that sends people to IT support.
 */
export function sendLanding(reply: FastifyReply, content: { title: string; intro: SafeHtml; links: LandingLink[] }): FastifyReply {
  const body = html`<h1>${content.title}</h1>
${content.intro}
<dl>${content.links.map((l) => html`<dt><a href="${l.href}">${l.label}</a></dt><dd>${l.note} <span class="code">${l.href}</span></dd>`)}</dl>
<p class="muted">Teachers and students do not start here: they open a tool from their course page.</p>`;
  reply.header('cache-control', 'no-cache');
  return reply.type('text/html; charset=utf-8').send(page(content.title, body, { styleNonce: reply.cspNonce }));
}

/** The icon every page and browser asks for: an SVG mark, so no page logs a 404 for it. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b5fff"/><path d="M9 8v16h6M18 8h8M22 8v16" stroke="#fff" stroke-width="3.2" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
