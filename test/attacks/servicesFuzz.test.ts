/**
 * The launcher's LTI Advantage services under attack, over real HTTP: forged client assertions at
 * POST /token (no signature, HMAC keyed with the tool's public key, a key of the attacker's named in
 * the header), then property-based fuzzing with fast-check of the token form, the AGS and NRPS
 * requests (bodies, queries, Authorization headers) and the portal's roster push. The properties:
 * never a 5xx; every refusal is JSON naming its code; and nothing is written by a refused request —
 * the scores table grows by exactly the scores that were accepted.
 * Runs are bounded (FUZZ_RUNS cases per property) and seeded per run; a failure prints its seed.
 */
import fc from 'fast-check';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { NRPS_SCOPE } from '../../src/lti/services/scopes.ts';
import { useLauncherWorld, type LauncherWorld } from '../platform/harness.ts';
import { AGS_MEDIA_TYPES, AGS_SCOPES, ags, createLineItem, firstTool, launch, tokenFor } from '../platform/services/agsWorld.ts';
import { portalToken, pushRoster } from '../platform/services/nrpsSupport.ts';
import { postToken, signClientAssertion, tokenForm } from '../platform/services/serviceTool.ts';
import { errorPage } from '../support/refused.ts';
import { FUZZ_RUNS, fuzzOptions } from './fuzzOptions.ts';

const RUNS = Math.max(20, Math.floor(FUZZ_RUNS / 4));
const options = { ...fuzzOptions, numRuns: RUNS };
const ALL = [AGS_SCOPES.lineItem, AGS_SCOPES.lineItemReadOnly, AGS_SCOPES.resultReadOnly, AGS_SCOPES.score, NRPS_SCOPE];
const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type', 'invalid_scope', 'temporarily_unavailable'];

/** A 2xx, or a 4xx JSON answer naming its code; never a 5xx, never a stack trace. */
async function expectHandledJson(response: Response): Promise<number> {
  const page = await errorPage(response);
  expect(page.status, `${page.status} ${page.body.slice(0, 300)}`).toBeLessThan(500);
  expect(page.body).not.toMatch(/at .*\.ts:\d+|node_modules/);
  if (page.status >= 400) {
    expect(page.contentType, page.body.slice(0, 300)).toMatch(/^application\/json/);
    expect(page.code, page.body.slice(0, 300)).toMatch(/^[a-z_]+$/);
  }
  return page.status;
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', '\u0000', '%00', '../', '<script>', '__proto__', 'constructor', ' '.repeat(3)));

describe('the launcher’s services under attack', () => {
  let world: LauncherWorld;
  useLauncherWorld('sqlite', (w) => (world = w));
  const tokenUrl = () => world.platform.token_url as string;
  const tool = () => firstTool(world);

  describe('forged client assertions at POST /token', () => {
    const refusedAsClient = async (assertion: string) => {
      const answer = await postToken(tokenUrl(), tokenForm(assertion, AGS_SCOPES.score));
      expect(answer.status, JSON.stringify(answer.body)).toBe(401);
      expect(answer.body.error).toBe('invalid_client');
      return answer.body.failure_code as string;
    };
    const claims = () => {
      const now = Math.floor(Date.now() / 1000);
      const id = world.tool.clientId;
      return { iss: id, sub: id, aud: tokenUrl(), iat: now, exp: now + 300, jti: crypto.randomUUID() };
    };

    it('refuses an unsigned assertion (alg none)', async () => {
      const unsigned = `${b64(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64(JSON.stringify(claims()))}.`;
      expect(await refusedAsClient(unsigned)).toMatch(/^client_assertion_/);
    });

    it('refuses an HMAC assertion keyed with the tool’s own public key (algorithm confusion)', async () => {
      const secret = new TextEncoder().encode(JSON.stringify(world.tool.jwk));
      const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: String(world.tool.jwk.kid) }).sign(secret);
      expect(await refusedAsClient(forged)).toMatch(/^client_assertion_/);
    });

    it('ignores a key the assertion brings itself (jwk, jku, x5u headers) and refuses the attacker’s signature', async () => {
      const attacker = await generateKeyPair('RS256');
      const jwk = { ...(await exportJWK(attacker.publicKey)), kid: String(world.tool.jwk.kid) };
      for (const header of [{ jwk }, { jku: 'http://127.0.0.1:9/attacker-jwks' }, { x5u: 'http://127.0.0.1:9/attacker.pem' }]) {
        const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: String(world.tool.jwk.kid), ...header }).sign(attacker.privateKey);
        expect(await refusedAsClient(forged)).toMatch(/^client_assertion_/);
      }
    });

    it('refuses an assertion signed by the tool for another token endpoint', async () => {
      const assertion = await signClientAssertion(world.tool.signer, 'https://elsewhere.example/token');
      expect(await refusedAsClient(assertion)).toBe('client_assertion_aud');
    });
  });

  describe('fuzzing', () => {
    it('random token requests: a token only for a valid assertion, OAuth JSON for everything else', async () => {
      const valid = await signClientAssertion(world.tool.signer, tokenUrl());
      const mutated = fc.tuple(fc.nat(valid.length - 1), fc.string({ maxLength: 3 }), fc.nat(5)).map(([at, insert, drop]) => valid.slice(0, at) + insert + valid.slice(at + drop));
      const header = fc.record({ alg: fc.oneof(fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'PS256', ''), fc.string({ maxLength: 6 })), kid: fc.option(text) });
      const structured = fc.tuple(header, fc.jsonValue({ maxDepth: 2 })).map(([h, p]) => `${b64(JSON.stringify(h))}.${b64(JSON.stringify(p))}.${b64('sig')}`);
      const field = fc.oneof(text, fc.constantFrom('client_credentials', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', ...ALL));
      const form = fc.record({
        grant_type: fc.option(field, { nil: null }),
        client_assertion_type: fc.option(field, { nil: null }),
        client_assertion: fc.option(fc.oneof(mutated, structured, text), { nil: null }),
        scope: fc.option(fc.oneof(field, fc.array(fc.constantFrom(...ALL), { maxLength: 4 }).map((s) => s.join(' '))), { nil: null }),
      });
      const contentType = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x');
      await fc.assert(
        fc.asyncProperty(form, contentType, async (fields, type) => {
          const body = new URLSearchParams();
          for (const [k, v] of Object.entries(fields)) if (v !== null) body.set(k, v);
          const response = await fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': type }, body: body.toString() });
          const status = await expectHandledJson(response.clone());
          if (status >= 400) expect(OAUTH_ERRORS).toContain(((await response.json()) as { error: string }).error);
        }),
        options,
      );
    });

    it('random Authorization headers on every service: 401 or 403 JSON with a challenge, never a 5xx', async () => {
      await launch(world, tool(), 'ada', 'fuzz-course');
      const real = await tokenFor(world, tool(), ALL);
      const base = `${world.platform.base_url}/api/lti/contexts/fuzz-course`;
      const urls = [`${base}/lineitems`, `${base}/memberships`, `${base}/lineitems/unknown-item/results`];
      const authorization = fc.oneof(
        text,
        text.map((t) => `Bearer ${t}`),
        fc.constantFrom('Bearer', 'Bearer ', `bearer  ${real}x`, `Basic ${b64('a:b')}`, `Bearer ${real.slice(0, -1)}`, `Bearer ${real} ${real}`),
      );
      await fc.assert(
        // fetch sends only visible ASCII in a header value: the rest never reaches a server this way.
        fc.asyncProperty(fc.constantFrom(...urls), authorization.map((v) => v.replace(/[^\x20-\x7e]/g, '')), async (url, value) => {
          const response = await fetch(url, { headers: { authorization: value } });
          const status = await expectHandledJson(response.clone());
          expect([401, 403], `${value}: ${status}`).toContain(status);
          expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
        }),
        options,
      );
    });

    it('random line item and score bodies: accepted or refused with a code, and only accepted scores are stored', async () => {
      await launch(world, tool(), 'alan', 'fuzz-grades');
      const token = await tokenFor(world, tool(), ALL);
      const container = `${world.platform.base_url}/api/lti/contexts/fuzz-grades/lineitems`;
      const item = await createLineItem(container, token, { label: 'Fuzz', scoreMaximum: 10 });
      const itemId = String(item.id).split('/').pop()!;
      const scoresStored = async () => Number((await world.launcher.services.db.selectFrom('scores').select((eb) => eb.fn.countAll().as('n')).where('line_item_id', '=', itemId).executeTakeFirstOrThrow()).n);
      const before = await scoresStored();
      let accepted = 0;
      const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), text, fc.double(), fc.integer(), fc.constantFrom('Completed', 'FullyGraded', 'alan', new Date().toISOString(), '2099-01-01T00:00:00.123456Z'));
      const score = fc.record(
        { userId: fc.oneof(fc.constant('alan'), value), scoreGiven: value, scoreMaximum: value, comment: value, timestamp: value, activityProgress: value, gradingProgress: value },
        { requiredKeys: [] },
      );
      const lineItem = fc.record({ label: value, scoreMaximum: value, resourceLinkId: value, resourceId: value, tag: value, startDateTime: value, endDateTime: value }, { requiredKeys: [] });
      // Some valid scores among the random ones (a fresh timestamp each), so both outcomes are counted.
      const validScore = fc.constant(null).map(() => JSON.stringify({ userId: 'alan', scoreGiven: 3, scoreMaximum: 10, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: new Date().toISOString() }));
      const raw = fc.oneof(validScore, score.map((s) => JSON.stringify(s)), fc.string({ maxLength: 80 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('score', 'create', 'update'), raw, lineItem, async (kind, scoreBody, itemBody) => {
          if (kind === 'score') {
            const response = await ags(`${item.id}/scores`, token, { contentType: AGS_MEDIA_TYPES.score, rawBody: scoreBody });
            if ((await expectHandledJson(response)) === 200) accepted += 1;
          } else {
            const url = kind === 'create' ? container : item.id;
            const response = await ags(url, token, { method: kind === 'create' ? 'POST' : 'PUT', contentType: AGS_MEDIA_TYPES.lineItem, accept: AGS_MEDIA_TYPES.lineItem, body: itemBody });
            await expectHandledJson(response);
          }
        }),
        options,
      );
      expect(accepted).toBeGreaterThan(0);
      expect(await scoresStored()).toBe(before + accepted);
    });

    it('random queries on the containers, results and memberships: never a 5xx', async () => {
      await launch(world, tool(), 'grace', 'fuzz-query');
      const token = await tokenFor(world, tool(), ALL);
      const base = `${world.platform.base_url}/api/lti/contexts/fuzz-query`;
      const item = await createLineItem(`${base}/lineitems`, token, { label: 'Query', scoreMaximum: 5 });
      const params = fc.dictionary(fc.oneof(fc.constantFrom('limit', 'role', 'rlid', 'since', 'user_id', 'resource_link_id', 'resource_id', 'tag', 'after'), text), fc.oneof(text, fc.integer().map(String)), { maxKeys: 5 });
      const target = fc.constantFrom(
        { url: `${base}/lineitems`, accept: AGS_MEDIA_TYPES.lineItemContainer },
        { url: `${item.id}/results`, accept: AGS_MEDIA_TYPES.resultContainer },
        { url: `${base}/memberships`, accept: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' },
      );
      await fc.assert(
        fc.asyncProperty(target, params, async ({ url, accept }, query) => {
          const u = new URL(url);
          for (const [k, v] of Object.entries(query)) u.searchParams.append(k, v);
          await expectHandledJson(await ags(u.href, token, { accept }));
        }),
        options,
      );
    });

    it('random roster pushes from the portal: counts for a valid roster, 400 naming the field otherwise', async () => {
      const member = fc.record(
        { sub: fc.oneof(text, fc.constant('ada')), name: fc.oneof(text, fc.jsonValue({ maxDepth: 1 })), email: fc.oneof(text, fc.constant('a@b.example')), roles: fc.oneof(fc.array(fc.oneof(text, fc.constantFrom('Learner', 'Instructor')), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })) },
        { requiredKeys: [] },
      );
      const body = fc.oneof(fc.record({ members: fc.oneof(fc.array(member, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })) }), fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 60 }));
      await fc.assert(
        fc.asyncProperty(body, async (value) => {
          const response = await pushRoster(world, 'fuzz-roster', typeof value === 'string' ? value : JSON.stringify(value), await portalToken(world));
          const status = await expectHandledJson(response);
          expect([200, 400, 413, 415]).toContain(status);
        }),
        options,
      );
    });
  });
});
