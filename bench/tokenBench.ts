import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { startBenchLauncher } from './benchLauncher.ts';
import { expectStatus, request, timed, type StepTimes } from './driver.ts';
import type { Child } from './procStats.ts';
import type { Dialect, RunningRole } from './services.ts';

/** The one step of a token request, as the table shows it. */
export const TOKEN_STEPS = ['token'];

export interface TokenWorld {
  role: RunningRole;
  idp: Child;
  /** One token request with a fresh client assertion (signed here, in the bench client); `check` reads the answer. */
  iteration(check?: boolean): Promise<StepTimes>;
  close(): Promise<void>;
}

const SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/score https://purl.imsglobal.org/spec/lti-ags/scope/lineitem';

/**
 * The launcher in its own process with a platform and a tool whose key is a JWK (the bench IdP
 * only serves the platform's discovery document). The bench client plays the tool: each request
 * signs a new RS256 assertion (new jti), so the launcher verifies one signature, checks the claims,
 * records the jti and issues a token per request — the whole of its work for a token.
 */
export async function startTokenWorld(dialect: Dialect): Promise<TokenWorld> {
  const launcher = await startBenchLauncher(dialect, { tool: { name: 'Bench Service Tool', client_id: 'bench-service-tool' } });
  const { role, idp, toolKey } = launcher;
  const tokenUrl = launcher.platform.token_url as string;

  async function iteration(check = false): Promise<StepTimes> {
    const t: StepTimes = {};
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ iss: 'bench-service-tool', sub: 'bench-service-tool', aud: tokenUrl, iat: now, exp: now + 300, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: 'tool-1', typ: 'JWT' })
      .sign(toolKey.privateKey);
    const body = new URLSearchParams({
      grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, scope: SCOPE,
    }).toString();
    const answer = await timed(t, 'token', () => request(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
    expectStatus(answer, 200, 'token');
    if (check) {
      const parsed = JSON.parse(answer.body) as { access_token?: string; token_type?: string; scope?: string };
      if (!parsed.access_token || parsed.token_type !== 'Bearer' || parsed.scope !== SCOPE) throw new Error(`token: unexpected answer ${answer.body}`);
    }
    return t;
  }

  return { role, idp, iteration, close: () => launcher.close() };
}
