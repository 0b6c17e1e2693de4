import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  checkNoncePresent, checkPrompt, checkRedirectUri, checkResponseMode, checkResponseType, checkScope, parseAuthRequest,
} from '../../src/lti/authRequest.ts';
import { CLAIM } from '../../src/lti/claims.ts';
import { verifyContextToken } from '../../src/platform/context/token.ts';
import { mapIdpRoles } from '../../src/platform/roleMapping.ts';
import { ROLE } from '../../src/lti/roles.ts';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return null;
};

describe('the /auth checks', () => {
  const good = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', nonce: 'n', redirect_uri: 'https://t/launch' };

  it('pass a conformant request', () => {
    for (const check of [checkScope, checkResponseType, checkResponseMode, checkPrompt, checkNoncePresent]) expect(code(() => check(good))).toBeNull();
    expect(checkRedirectUri(good, ['https://t/launch'])).toBe('https://t/launch');
  });

  it.each([
    [checkScope, { scope: 'profile email' }, 'auth_scope_invalid'],
    [checkScope, { scope: undefined }, 'auth_scope_invalid'],
    [checkResponseType, { response_type: 'code' }, 'auth_response_type_invalid'],
    [checkResponseMode, { response_mode: 'fragment' }, 'auth_response_mode_invalid'],
    [checkPrompt, { prompt: 'login' }, 'auth_prompt_invalid'],
    [checkNoncePresent, { nonce: '' }, 'nonce_missing'],
  ] as const)('refuse a bad value (%#)', (check, patch, expected) => {
    expect(code(() => check({ ...good, ...patch }))).toBe(expected);
  });

  it('match redirect URIs exactly, never by prefix', () => {
    expect(code(() => checkRedirectUri({ redirect_uri: 'https://t/launch/../evil' }, ['https://t/launch']))).toBe('auth_redirect_uri_invalid');
    expect(code(() => checkRedirectUri({ redirect_uri: 'https://t/launch?x=1' }, ['https://t/launch']))).toBe('auth_redirect_uri_invalid');
    expect(code(() => checkRedirectUri({}, ['https://t/launch']))).toBe('auth_redirect_uri_invalid');
  });

  it('refuse repeated parameters', () => {
    expect(code(() => parseAuthRequest({ nonce: ['a', 'b'] }))).toBe('auth_request_invalid');
    expect(parseAuthRequest({ nonce: 'a', other: 'ignored' })).toEqual({ nonce: 'a' });
  });
});

describe('the context token', () => {
  it('verifies and returns only context claims; maps jose errors to codes', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] });
    const sign = (claims: Record<string, unknown>, exp: number | string = '5m') =>
      new SignJWT({ aud: 'https://launcher/p/a', ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setExpirationTime(exp).sign(privateKey);
    const options = { clockTolerance: 5, audiences: ['https://launcher/p/a'] };
    const { claims } = await verifyContextToken(await sign({ [CLAIM.context]: { id: '42' } }), keys, options);
    expect(claims).toEqual({ [CLAIM.context]: { id: '42' } });
    await expect(verifyContextToken(await sign({}, Math.floor(Date.now() / 1000) - 60), keys, options)).rejects.toMatchObject({ code: 'context_expired' });
    // Within the clock-skew leeway an expired token still passes.
    await expect(verifyContextToken(await sign({}, Math.floor(Date.now() / 1000) - 2), keys, options)).resolves.toBeTruthy();
    await expect(verifyContextToken(await sign({ aud: 'https://elsewhere' }), keys, options)).rejects.toMatchObject({ code: 'context_audience_invalid' });
    await expect(verifyContextToken('x'.repeat(20_000), keys, options)).rejects.toMatchObject({ code: 'context_malformed' });
    // aud is required: without it, a link would be accepted by every launcher trusting the portal's key.
    await expect(verifyContextToken(await sign({ aud: undefined }), keys, options)).rejects.toMatchObject({ code: 'context_audience_missing', status: 401 });
  });

  it('binds privileges to a named user, and bounds the lifetime from iat', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] });
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ aud: 'https://launcher/p/a', iat: now, exp: now + 300, ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).sign(privateKey);
    const options = { clockTolerance: 5, audiences: ['https://launcher/p/a'], maxLifetimeSeconds: 600 };
    for (const claim of [CLAIM.roles, CLAIM.roleScopeMentor, CLAIM.lis]) {
      const value = claim === CLAIM.lis ? { person_sourcedid: 'x' } : ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'];
      await expect(verifyContextToken(await sign({ [claim]: value }), keys, options)).rejects.toMatchObject({ code: 'context_privilege_unbound', status: 400 });
      const bound = await verifyContextToken(await sign({ [claim]: value, sub: 'u-1', jti: 'j-1' }), keys, options);
      expect(bound).toMatchObject({ forUser: 'u-1', jti: 'j-1', exp: now + 300 });
      expect(bound.claims[claim]).toEqual(value);
    }
    // An old iat with a near exp is still a long-lived token: exp - iat counts, not only exp - now.
    await expect(verifyContextToken(await sign({ iat: now - 3000, exp: now + 60 }), keys, options)).rejects.toMatchObject({ code: 'context_lifetime_too_long' });
    await expect(verifyContextToken(await sign({ exp: now + 900 }), keys, options)).rejects.toMatchObject({ code: 'context_lifetime_too_long' });
    await expect(verifyContextToken(await sign({ sub: '' }), keys, options)).rejects.toMatchObject({ code: 'context_claim_invalid' });
    await expect(verifyContextToken(await sign({ jti: 7 }), keys, options)).rejects.toMatchObject({ code: 'context_claim_invalid' });
  });

  it('accepts only http(s) URLs anywhere in the context but custom', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] });
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ aud: 'https://launcher/p/a', ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setExpirationTime('5m').sign(privateKey);
    const options = { clockTolerance: 5, audiences: ['https://launcher/p/a'] };
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'https://user:pw@portal.example/', 'not a url']) {
      await expect(verifyContextToken(await sign({ [CLAIM.launchPresentation]: { return_url: bad } }), keys, options))
        .rejects.toMatchObject({ code: 'context_url_invalid', status: 400 });
      await expect(verifyContextToken(await sign({ [CLAIM.ext]: { portal: { help_url: bad } } }), keys, options))
        .rejects.toMatchObject({ code: 'context_url_invalid' });
    }
    const ok = await verifyContextToken(await sign({ [CLAIM.launchPresentation]: { return_url: 'https://portal.example/course/42' }, [CLAIM.custom]: { note_url: 'anything' } }), keys, options);
    expect(ok.claims[CLAIM.launchPresentation]).toEqual({ return_url: 'https://portal.example/course/42' });
  });
});

describe('IdP role mapping', () => {
  const map = { teacher: [ROLE.Instructor], student: [ROLE.Learner], staff: [ROLE.Instructor, ROLE.Administrator] };
  it('maps lists, strings and nested claims, dropping unmapped values', () => {
    expect(mapIdpRoles({ groups: ['student', 'chess-club'] }, 'groups', map)).toEqual([ROLE.Learner]);
    expect(mapIdpRoles({ groups: 'teacher staff' }, 'groups', map)).toEqual([ROLE.Instructor, ROLE.Administrator]);
    expect(mapIdpRoles({ realm_access: { roles: ['teacher'] } }, 'realm_access.roles', map)).toEqual([ROLE.Instructor]);
    expect(mapIdpRoles({ groups: ['teacher'] }, null, map)).toEqual([]);
    expect(mapIdpRoles({}, 'groups', map)).toEqual([]);
  });
});
