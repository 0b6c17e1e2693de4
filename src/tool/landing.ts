import type { FastifyReply } from 'fastify';
import { html } from '../web/html.ts';
import { sendLanding } from '../web/landing.ts';
import type { Services } from '../server/services.ts';

/** `GET /` of the gateway: what it is, and the addresses an LMS administrator registers. */
export function landing(services: Services, reply: FastifyReply) {
  const root = services.config.publicUrl;
  return sendLanding(reply, {
    title: 'LTI tool gateway',
    intro: html`<p>This service lets apps that know no LTI be launched from any LMS (the LTI <em>tool</em> role). An LMS registers it with the addresses below; each app has its launch URL <span class="code">${root}/lti/launch/&lt;app&gt;</span>.</p>`,
    links: [
      { label: 'Login initiation URL', href: `${root}/lti/login`, note: 'where the LMS starts each launch (GET or POST);' },
      { label: 'Key set', href: `${root}/.well-known/jwks.json`, note: 'the gateway\'s public keys;' },
      { label: 'Admin console', href: '/admin', note: 'LMS registrations, apps, keys and the launch log (for administrators);' },
      { label: 'Health', href: '/healthz', note: 'the process is up; readiness at /readyz, metrics at /metrics.' },
    ],
  });
}
