import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendAutoPostForm } from '../web/autoPostForm.ts';
import type { UserClaims } from '../lti/claims.ts';
import type { ContextClaims } from '../lti/claims.ts';
import type { Launcher } from './launcher.ts';
import type { Platform } from './model/platforms.ts';
import type { LoginInitiationMethod, Tool } from './model/tools.ts';
import { browserHash, ensureBrowserId } from './browser.ts';
import { hashToken } from './hashToken.ts';
import { platformIssuer } from './tenancy.ts';

/**
 * A login hint lives long enough for the tool's login redirect (5 minutes, or the login-state
 * lifetime when that is shorter), and is single-use.
 */
export const LOGIN_HINT_TTL_MS = 5 * 60_000;

export function loginHintTtlMs(loginStateTtlSeconds: number): number {
  return Math.min(LOGIN_HINT_TTL_MS, loginStateTtlSeconds * 1000);
}

export interface SignedInUser {
  launchId: string;
  user: UserClaims;
  roles: string[];
  contextClaims: ContextClaims;
  test?: boolean;
}

/** Where the browser goes next and how: the tool's initiation URL and its parameters. */
export interface ToolLogin {
  url: string;
  method: LoginInitiationMethod;
  params: Record<string, string>;
  toolName: string;
}

/**
 * Third-party initiated login (LTI Core 1.3 §4.1, Security Framework §5.1.1): a login hint —
 * random, stored hashed, bound to this browser, single use — carries the signed-in user to /auth,
 * and the browser goes to the tool's initiation URL with iss, login_hint, target_link_uri,
 * lti_message_hint (the launch id), client_id and lti_deployment_id (sent by sendToolLogin).
 */
export async function startToolLogin(
  launcher: Launcher,
  request: FastifyRequest,
  reply: FastifyReply,
  platform: Platform,
  tool: Tool,
  signedIn: SignedInUser,
): Promise<ToolLogin> {
  const { config, box } = launcher.services;
  const hint = randomBytes(32).toString('base64url');
  await launcher.loginHints.create({
    hintHash: hashToken(hint),
    launchId: signedIn.launchId,
    platformId: platform.id,
    toolId: tool.id,
    user: signedIn.user,
    roles: signedIn.roles,
    contextClaims: signedIn.contextClaims,
    browserHash: browserHash(ensureBrowserId(request, reply, box)),
    test: signedIn.test === true,
    expiresAt: Date.now() + loginHintTtlMs(config.loginStateTtlSeconds),
  });
  return {
    url: tool.initiationUrl,
    method: tool.loginInitiationMethod,
    toolName: tool.name,
    params: {
      iss: platformIssuer(config, platform.slug),
      login_hint: hint,
      target_link_uri: tool.targetLinkUri,
      lti_message_hint: signedIn.launchId,
      client_id: tool.clientId,
      lti_deployment_id: tool.deploymentId,
    },
  };
}

/**
 * Sends the browser to the tool's login: an auto-submitting form for `post`, a 303 redirect with
 * the parameters added to the URL's own query for `get`. Neither may be cached.
 */
export function sendToolLogin(reply: FastifyReply, login: ToolLogin): FastifyReply {
  if (login.method === 'post') {
    return sendAutoPostForm(reply, {
      action: login.url, fields: login.params, heading: `Opening ${login.toolName}…`, button: `Continue to ${login.toolName}`,
    });
  }
  const target = new URL(login.url);
  for (const [name, value] of Object.entries(login.params)) target.searchParams.set(name, value);
  reply.header('cache-control', 'no-store');
  return reply.redirect(target.href, 303);
}
