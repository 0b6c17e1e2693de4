import { generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { useNonce } from '../../src/store/nonces.ts';
import { hashSecret } from '../../src/tool/apiKeys.ts';
import { DIALECTS } from '../support/db.ts';
import { Browser } from '../support/browser.ts';
import { expectRefused } from '../support/refused.ts';
import { FakeLms, type TokenTweaks } from './support/fakeLms.ts';
import { launch, registerLms, useGateway } from './support/gatewaySetup.ts';

const now = () => Math.floor(Date.now() / 1000);

describe.each(DIALECTS)('every rejection has its status, code and launch-log entry, or its refused-request count (%s)', (dialect) => {
  const world = useGateway({ dialect, apps: { chatbot: { slug: 'chatbot' }, other: { name: 'Other', slug: 'other' } } });

  const failures = async (code: string) =>
    (await world.gateway.admin('GET', `/launches?failure_code=${code}&limit=1000`)).body.launches.length as number;

  /** How many requests the gateway refused with this code without writing them (lti_refused_requests_total). */
  const refusedCount = async (code: string) => {
    const metrics = await (await fetch(`${world.gateway.url}/metrics`)).text();
    const line = new RegExp(`^lti_refused_requests_total\\{role="tool",code="${code}"\\} (\\d+)$`, 'm').exec(metrics);
    return line ? Number(line[1]) : 0;
  };

  /**
   * Runs an attempt and checks the answer's status and code, and that the launch log recorded one
   * more failure with that code — or, for a request tied to no known registration (anyone can send
   * those; `logged: false`), that the launch log is unchanged and the refused-request counter counted it.
   */
  async function expectRejection(code: string, status: number, attempt: () => Promise<Response>, options: { logged?: boolean } = {}): Promise<string> {
    const before = await failures(code);
    const refusedBefore = await refusedCount(code);
    const body = await expectRefused(await attempt(), status, code);
    if (options.logged === false) {
      expect(await failures(code), `no launch log entry for ${code}`).toBe(before);
      expect(await refusedCount(code), `refused-request count of ${code}`).toBe(refusedBefore + 1);
    } else {
      expect(await failures(code)).toBe(before + 1);
      expect(await refusedCount(code)).toBe(refusedBefore);
    }
    return body;
  }

  const UNLOGGED = { logged: false } as const;

  describe('login initiation', () => {
    const login = (params: Record<string, string>) => new Browser().get(`${world.gateway.url}/lti/login?${new URLSearchParams({
      iss: world.lms.issuer, login_hint: 'h', target_link_uri: world.apps.chatbot.launch_url, client_id: world.lms.clientId, ...params,
    })}`);

    // Read before a registration is found: tied to none, so counted, not written.
    it.each(['iss', 'login_hint', 'target_link_uri'])('refuses a login without %s (400 login_param_missing)', async (name) => {
      await expectRejection('login_param_missing', 400, () => login({ [name]: '' }), UNLOGGED);
    });

    it('refuses an unknown issuer and an unknown client id (404 registration_unknown, not written)', async () => {
      await expectRejection('registration_unknown', 404, () => login({ iss: 'https://unknown.example' }), UNLOGGED);
      await expectRejection('registration_unknown', 404, () => login({ client_id: 'someone-else' }), UNLOGGED);
    });

    it('asks for the client id when an issuer has several registrations (400 client_id_required)', async () => {
      const second = await world.gateway.admin('POST', '/registrations', {
        name: 'Fake LMS, second client', issuer: world.lms.issuer, client_id: 'client-2', deployment_ids: [],
        authorization_endpoint: world.lms.authorizationEndpoint, jwks_url: world.lms.jwksUrl,
      });
      expect(second.status).toBe(201);
      // Several registrations match, so the request is tied to none of them: counted, not written.
      await expectRejection('client_id_required', 400, () => login({ client_id: '' }), UNLOGGED);
      expect((await world.gateway.admin('DELETE', `/registrations/${second.body.id}`)).status).toBe(204);
      expect((await login({ client_id: '' })).status).toBe(302);
    });

    it('never redirects to a target that is not one of its launch URLs (400 target_link_uri_invalid)', async () => {
      for (const target of ['https://evil.example/lti/launch/chatbot', `${world.gateway.url}/admin/api/v1/apps`, `${world.gateway.url}/lti/launch/chatbot?x=1`]) {
        await expectRejection('target_link_uri_invalid', 400, () => login({ target_link_uri: target }));
      }
    });

    it('refuses a launch URL of an app that does not exist (404 app_unknown, not written)', async () => {
      await expectRejection('app_unknown', 404, () => login({ target_link_uri: `${world.gateway.url}/lti/launch/nope` }), UNLOGGED);
    });

    it('refuses a deployment the registration does not allow (403 deployment_unknown)', async () => {
      await expectRejection('deployment_unknown', 403, () => login({ lti_deployment_id: 'deployment-9' }));
    });
  });

  describe('launch', () => {
    const launchWith = (tweaks: TokenTweaks, target = () => world.apps.chatbot.launch_url) => async () =>
      (await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: target(), tweaks })).launch!;

    // Without a state this gateway issued, a launch is tied to no registration: counted, not written.
    it('refuses a form without id_token or state, and a platform error (400)', async () => {
      await expectRejection('id_token_missing', 400, () => new Browser().post(world.apps.chatbot.launch_url, { state: 'x' }), UNLOGGED);
      await expectRejection('state_missing', 400, () => new Browser().post(world.apps.chatbot.launch_url, { id_token: 'x' }), UNLOGGED);
      await expectRejection('platform_error', 400, () => new Browser().post(world.apps.chatbot.launch_url, { error: 'login_required', error_description: 'Not signed in' }), UNLOGGED);
    });

    it('refuses a state it never issued (401 state_unknown, not written)', async () => {
      await expectRejection('state_unknown', 401, launchWith({ state: 'forged-state' }), UNLOGGED);
    });

    it('refuses a replayed launch: the state is single-use (401 state_used)', async () => {
      const browser = new Browser();
      const loginHint = 'replay';
      const login = await browser.get(`${world.gateway.url}/lti/login?${new URLSearchParams({ iss: world.lms.issuer, login_hint: loginHint, target_link_uri: world.apps.chatbot.launch_url, client_id: world.lms.clientId })}`);
      const auth = await browser.get(login.headers.get('location')!);
      const form = await auth.text();
      expect((await browser.submitForm(form, world.lms.url)).status).toBe(303);
      await expectRejection('state_used', 401, () => browser.submitForm(form, world.lms.url));
    });

    it('refuses an expired state (401 state_expired)', async () => {
      await expectRejection('state_expired', 401, async () => (await launch(new Browser(), world.lms, world.gateway, {
        targetLinkUri: world.apps.chatbot.launch_url,
        beforeAuth: async (auth) => {
          await world.gateway.services.db.updateTable('login_states').set({ expires_at: Date.now() - 1 }).where('state', '=', hashSecret(auth.searchParams.get('state')!)).execute();
        },
      })).launch!);
    });

    it('refuses a state that comes back in another browser (401 state_browser_mismatch)', async () => {
      await expectRejection('state_browser_mismatch', 401, async () => {
        const browser = new Browser();
        return (await launch(browser, world.lms, world.gateway, {
          targetLinkUri: world.apps.chatbot.launch_url,
          beforeAuth: async () => {
            const name = browser.cookieNames().find((n) => n.startsWith('lti_state_'))!;
            browser.setCookie(world.gateway.url, name, 'a-cookie-of-another-browser', '/lti/');
          },
        })).launch!;
      });
    });

    it('refuses a cookie-less launch that took longer than the short unbound window (401 state_unbound_expired)', async () => {
      await expectRejection('state_unbound_expired', 401, async () => {
        const browser = new Browser();
        browser.cookiesEnabled = false;
        return (await launch(browser, world.lms, world.gateway, {
          targetLinkUri: world.apps.chatbot.launch_url,
          beforeAuth: async (auth) => {
            // Started 3 minutes ago: still inside the login TTL, past the unbound window.
            const ttl = world.gateway.services.config.loginStateTtlSeconds * 1000;
            await world.gateway.services.db.updateTable('login_states').set({ expires_at: Date.now() + ttl - 180_000 })
              .where('state', '=', hashSecret(auth.searchParams.get('state')!)).execute();
          },
        })).launch!;
      });
    });

    it('refuses a token that is not a JWT (400 id_token_malformed)', async () => {
      await expectRejection('id_token_malformed', 400, launchWith({ sign: async () => 'not-a-jwt' }));
    });

    it('refuses alg none and HMAC (401 alg_not_allowed)', async () => {
      await expectRejection('alg_not_allowed', 401, launchWith({ sign: async (p: JWTPayload) => new UnsecuredJWT(p).encode() }));
      await expectRejection('alg_not_allowed', 401, launchWith({
        sign: (p: JWTPayload) => new SignJWT(p).setProtectedHeader({ alg: 'HS256', kid: 'k1-RS256' }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!')),
      }));
    });

    it('refuses a signature by another key under a published kid (401 signature_invalid)', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      await expectRejection('signature_invalid', 401, launchWith({
        sign: (p: JWTPayload) => new SignJWT(p).setProtectedHeader({ alg: 'RS256', kid: 'k1-RS256' }).sign(privateKey),
      }));
    });

    it('refuses a key the platform does not publish, after one refresh (401 key_unknown)', async () => {
      const kid = await world.lms.addKey('RS256', { published: false });
      await expectRejection('key_unknown', 401, launchWith({ kid }));
    });

    const claimCases: Array<[string, number, string, () => TokenTweaks['claims']]> = [
      ['another issuer', 401, 'iss_mismatch', () => ({ iss: 'https://impostor.example' })],
      ['another audience', 401, 'aud_mismatch', () => ({ aud: 'client-9', azp: undefined })],
      ['several audiences without azp', 401, 'azp_missing', () => ({ aud: [world.lms.clientId, 'client-9'], azp: undefined })],
      ['an azp that is not us', 401, 'azp_mismatch', () => ({ aud: [world.lms.clientId, 'client-9'], azp: 'client-9' })],
      ['an expired token', 401, 'token_expired', () => ({ iat: now() - 120, exp: now() - 60 })],
      ['a token issued in the future', 401, 'iat_in_future', () => ({ iat: now() + 120, exp: now() + 600 })],
      ['a token issued too long ago', 401, 'token_too_old', () => ({ iat: now() - 7200, exp: now() + 300 })],
      ['no nonce', 400, 'nonce_missing', () => ({ nonce: undefined })],
      ['another nonce', 401, 'nonce_mismatch', () => ({ nonce: 'a-nonce-we-never-sent' })],
      ['another LTI version', 400, 'version_unsupported', () => ({ [CLAIM.version]: '1.1' })],
      ['an unknown message type', 400, 'message_type_unsupported', () => ({ [CLAIM.messageType]: 'LtiSubmissionReviewRequest' })],
      ['a deployment not allowed', 403, 'deployment_unknown', () => ({ [CLAIM.deploymentId]: 'deployment-9' })],
      ['no deployment id', 400, 'claim_missing', () => ({ [CLAIM.deploymentId]: undefined })],
      ['no sub', 400, 'claim_missing', () => ({ sub: undefined })],
      ['no resource link', 400, 'claim_missing', () => ({ [CLAIM.resourceLink]: undefined })],
      ['roles as a string', 400, 'claim_invalid', () => ({ [CLAIM.roles]: 'Instructor' })],
      ['a resource link without id', 400, 'claim_invalid', () => ({ [CLAIM.resourceLink]: { title: 'x' } })],
      ['a target that is not ours', 400, 'target_link_uri_invalid', () => ({ [CLAIM.targetLinkUri]: 'https://evil.example/x' })],
      ['a target naming another app', 400, 'target_link_uri_mismatch', () => ({ [CLAIM.targetLinkUri]: world.apps.other.launch_url })],
    ];
    it.each(claimCases)('refuses %s (%i %s)', async (_what, status, code, claims) => {
      await expectRejection(code, status, launchWith({ claims: claims() }));
    });

    it('accepts short role names and a token a few seconds ahead of our clock (leeway)', async () => {
      const run = await launch(new Browser(), world.lms, world.gateway, {
        targetLinkUri: world.apps.chatbot.launch_url,
        tweaks: { claims: { iat: now() + 5, exp: now() + 300, [CLAIM.roles]: ['Instructor'] } },
      });
      expect(run.launch!.status).toBe(303);
    });

    it('refuses a nonce already used elsewhere (401 nonce_replayed)', async () => {
      await expectRejection('nonce_replayed', 401, async () => (await launch(new Browser(), world.lms, world.gateway, {
        targetLinkUri: world.apps.chatbot.launch_url,
        beforeAuth: async (auth) => {
          await useNonce(world.gateway.services.db, `tool:${world.registration.id}`, auth.searchParams.get('nonce')!, Date.now() + 60_000);
        },
      })).launch!);
    });

    it('answers a deep-linking request with a clear "not supported yet" page (501 deep_linking_not_supported)', async () => {
      const body = await expectRejection('deep_linking_not_supported', 501, launchWith({
        claims: { [CLAIM.messageType]: 'LtiDeepLinkingRequest', [CLAIM.resourceLink]: undefined, [CLAIM.deepLinkingSettings]: { deep_link_return_url: 'https://lms/dl', accept_types: ['ltiResourceLink'], accept_presentation_document_targets: ['iframe'] } },
      }));
      expect(body).toContain('Not supported yet');
    });

    it('refuses a launch when the platform JWKS cannot be fetched and nothing is cached (502 jwks_unavailable)', async () => {
      const dead = await FakeLms.start();
      await registerLms(world.gateway, dead);
      dead.jwksDown = true;
      await expectRejection('jwks_unavailable', 502, async () => (await launch(new Browser(), dead, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url })).launch!);
      await dead.close();
    });
  });

  describe('hand-off redemption', () => {
    const codeOf = async () => {
      const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url });
      return new URL(run.launch!.headers.get('location')!).searchParams.get('launch_code')!;
    };
    const redeem = (code: string, key: string | null) =>
      fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

    // Without a valid API key the request names no app: counted, not written.
    it('refuses a missing or wrong API key (401 api_key_invalid, not written) without burning the code', async () => {
      const code = await codeOf();
      await expectRejection('api_key_invalid', 401, () => redeem(code, null), UNLOGGED);
      await expectRejection('api_key_invalid', 401, () => redeem(code, 'lgw_not-a-real-key'), UNLOGGED);
      expect((await redeem(code, world.apps.chatbot.api_key)).status).toBe(200);
    });

    it('refuses the key of another app as if the code did not exist (404 handoff_unknown)', async () => {
      const code = await codeOf();
      const body = await expectRejection('handoff_unknown', 404, () => redeem(code, world.apps.other.api_key));
      expect(JSON.parse(body)).toEqual({ error: 'handoff_unknown', message: expect.any(String), request_id: expect.any(String) });
      await expectRejection('handoff_unknown', 404, () => redeem('no-such-code', world.apps.chatbot.api_key));
      expect((await redeem(code, world.apps.chatbot.api_key)).status).toBe(200);
    });

    it('refuses a second redemption (410 handoff_used) and an expired code (410 handoff_expired)', async () => {
      const code = await codeOf();
      expect((await redeem(code, world.apps.chatbot.api_key)).status).toBe(200);
      await expectRejection('handoff_used', 410, () => redeem(code, world.apps.chatbot.api_key));
      const late = await codeOf();
      await world.gateway.services.db.updateTable('handoffs').set({ expires_at: Date.now() - 1 }).where('used_at', 'is', null).execute();
      await expectRejection('handoff_expired', 410, () => redeem(late, world.apps.chatbot.api_key));
    });

    it('stops accepting an API key once it is regenerated', async () => {
      const code = await codeOf();
      const regenerated = await world.gateway.admin('POST', `/apps/${world.apps.chatbot.id}/api-key`);
      expect(regenerated.status).toBe(200);
      expect(regenerated.body.api_key).not.toBe(world.apps.chatbot.api_key);
      await expectRejection('api_key_invalid', 401, () => redeem(code, world.apps.chatbot.api_key), UNLOGGED);
      expect((await redeem(code, regenerated.body.api_key)).status).toBe(200);
      world.apps.chatbot.api_key = regenerated.body.api_key;
    });
  });
});
