import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../web/html.ts';
import { sendLanding } from '../web/landing.ts';
import type { Launcher } from './launcher.ts';
import { platformBaseUrl, platformIssuer, slugOf } from './tenancy.ts';

/**
 * `GET /` of the launcher and of each platform's base URL: a short page saying what this is and
 * where its parts are. A platform is shown only when the address names one (its slug or host);
 * an unknown one gets the launcher's page, so the root never writes or says more than the links.
 */
export async function landing(launcher: Launcher, request: FastifyRequest, reply: FastifyReply) {
  const { services } = launcher;
  const slug = slugOf(request, services.config);
  const platform = slug ? await launcher.platforms.findBySlug(slug) : undefined;
  if (platform) {
    const base = platformBaseUrl(services.config, platform.slug);
    return sendLanding(reply, {
      title: `${platform.name} · LTI Launcher`,
      intro: html`<p>This is the LTI 1.3 platform of <strong>${platform.name}</strong>: its portal's links launch tools from here. Its issuer is <span class="code">${platformIssuer(services.config, platform.slug)}</span>.</p>`,
      links: [
        { label: 'Tools', href: `${base}/api/v1/tools`, note: 'the tool links this platform offers (JSON, for the portal).' },
        { label: 'OpenID configuration', href: `${base}/.well-known/openid-configuration`, note: 'what tools need to know about this platform.' },
        { label: 'Key set', href: `${base}/.well-known/jwks.json`, note: 'the public keys its launches are signed with.' },
      ],
    });
  }
  const root = services.config.publicUrl;
  return sendLanding(reply, {
    title: 'LTI Launcher',
    intro: html`<p>This service launches LTI 1.3 tools for web platforms that are not an LMS (the LTI <em>platform</em> role). Each platform has its own address under <span class="code">${root}/p/&lt;platform&gt;</span>.</p>`,
    links: [
      { label: 'Admin console', href: '/admin', note: 'platforms, tools, keys and the launch log (for administrators).' },
      { label: 'Health', href: '/healthz', note: 'the process is up;' },
      { label: 'Readiness', href: '/readyz', note: 'the database answers;' },
      { label: 'Metrics', href: '/metrics', note: 'Prometheus metrics.' },
    ],
  });
}
