/** The token endpoint's pure checks (src/lti/services): each rule alone, at its edges. */
import { describe, expect, it } from 'vitest';
import {
  checkAssertionAlgorithm, checkAssertionAudience, checkAssertionExpiry, checkAssertionIssuedAt, checkAssertionIssuer, checkAssertionJti, jtiRetentionUntil,
} from '../../../src/lti/services/clientAssertion.ts';
import { checkClientAssertionType, checkGrantType, grantScopes, isFormEncoded, oauthErrorOf, readTokenRequest } from '../../../src/lti/services/tokenRequest.ts';

const NOW = 1_800_000_000;
const expected = { clientId: 'tool-1', audiences: ['https://lti.example/p/s/token', 'https://s.lti.example/token'], nowSeconds: NOW, clockSkewSeconds: 10 };
const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return null;
};

describe('the client assertion checks', () => {
  it('iss must be the client id', () => {
    expect(refused(() => checkAssertionIssuer({ iss: 'tool-1' }, expected))).toBeNull();
    for (const iss of [undefined, 'tool-2', 'TOOL-1']) expect(refused(() => checkAssertionIssuer({ iss }, expected))).toBe('client_assertion_iss');
  });

  it('exp and iat must be dates, exp not past the leeway', () => {
    expect(refused(() => checkAssertionExpiry({ iat: NOW, exp: NOW - 9 }, expected))).toBeNull();
    expect(refused(() => checkAssertionExpiry({ iat: NOW - 100, exp: NOW - 10 }, expected))).toBe('client_assertion_expired');
    for (const claims of [{ iat: NOW }, { exp: NOW + 60 }, { iat: NOW, exp: Infinity }, { iat: '1', exp: NOW + 60 }] as const) {
      expect(refused(() => checkAssertionExpiry(claims as never, expected))).toBe('client_assertion_exp');
    }
  });

  it('iat may be up to the leeway ahead, and exp at most an hour after it', () => {
    expect(refused(() => checkAssertionIssuedAt({ iat: NOW + 10, exp: NOW + 3610 }, expected))).toBeNull();
    expect(refused(() => checkAssertionIssuedAt({ iat: NOW + 11, exp: NOW + 300 }, expected))).toBe('client_assertion_iat_future');
    expect(refused(() => checkAssertionIssuedAt({ iat: NOW, exp: NOW + 3601 }, expected))).toBe('client_assertion_lifetime');
  });

  it('aud (string or array) must contain one of the endpoint’s URLs exactly', () => {
    for (const aud of ['https://lti.example/p/s/token', ['x', 'https://s.lti.example/token']]) expect(refused(() => checkAssertionAudience({ aud }, expected))).toBeNull();
    for (const aud of [undefined, 'https://lti.example/p/s/token/', 'https://lti.example:443/p/s/token', 'HTTPS://lti.example/p/s/token', [], [42]]) {
      expect(refused(() => checkAssertionAudience({ aud } as never, expected))).toBe('client_assertion_aud');
    }
  });

  it('jti must be a string of 1 to 255 characters; it is kept until exp plus the leeway', () => {
    expect(checkAssertionJti({ jti: 'j'.repeat(255) })).toBe('j'.repeat(255));
    for (const jti of [undefined, '', 'j'.repeat(256), 7]) expect(refused(() => checkAssertionJti({ jti } as never))).toBe('client_assertion_jti');
    expect(jtiRetentionUntil({ exp: NOW + 300 }, 10)).toBe((NOW + 310) * 1000);
  });

  it('the algorithm must be of the allow-list', () => {
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'ES256']) expect(refused(() => checkAssertionAlgorithm({ alg }))).toBeNull();
    for (const alg of [undefined, 'none', 'HS256', 'EdDSA', 'rs256']) expect(refused(() => checkAssertionAlgorithm({ alg }))).toBe('client_assertion_alg');
  });
});

describe('the token request checks', () => {
  it('reads a form body, refusing a parameter of the grant given twice and ignoring others', () => {
    expect(readTokenRequest('grant_type=client_credentials&scope=a+b&other=1&other=2')).toEqual({ grantType: 'client_credentials', clientAssertionType: null, clientAssertion: null, scope: 'a b' });
    expect(refused(() => readTokenRequest('scope=a&scope=b'))).toBe('token_request_invalid');
    expect(isFormEncoded('Application/X-WWW-Form-Urlencoded; charset=utf-8')).toBe(true);
    for (const type of [undefined, 'application/json', 'multipart/form-data', 'application/x-www-form-urlencodedx']) expect(isFormEncoded(type)).toBe(false);
  });

  it('takes only client_credentials and the JWT bearer assertion type', () => {
    const base = { grantType: 'client_credentials', clientAssertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', clientAssertion: 'a.b.c', scope: 's' };
    expect(refused(() => checkGrantType(base))).toBeNull();
    expect(refused(() => checkGrantType({ ...base, grantType: 'authorization_code' }))).toBe('token_grant_type_unsupported');
    expect(checkClientAssertionType(base)).toBe('a.b.c');
    expect(refused(() => checkClientAssertionType({ ...base, clientAssertion: '' }))).toBe('client_assertion_missing');
    expect(refused(() => checkClientAssertionType({ ...base, clientAssertionType: null }))).toBe('client_assertion_missing');
    expect(refused(() => checkClientAssertionType({ ...base, clientAssertionType: 'urn:x' }))).toBe('client_assertion_type_unsupported');
  });

  it('grants the scopes asked that are allowed, in the order asked, once each', () => {
    expect(grantScopes('c  a x a', ['a', 'b', 'c'])).toEqual(['c', 'a']);
    expect(refused(() => grantScopes(null, ['a']))).toBe('token_scope_missing');
    expect(refused(() => grantScopes('   ', ['a']))).toBe('token_scope_missing');
    expect(refused(() => grantScopes('x y', ['a']))).toBe('token_scope_invalid');
  });

  it('answers each failure with its OAuth error', () => {
    expect(oauthErrorOf({ code: 'client_assertion_aud', status: 401 })).toBe('invalid_client');
    expect(oauthErrorOf({ code: 'token_grant_type_unsupported', status: 400 })).toBe('unsupported_grant_type');
    expect(oauthErrorOf({ code: 'token_scope_invalid', status: 400 })).toBe('invalid_scope');
    expect(oauthErrorOf({ code: 'token_request_invalid', status: 400 })).toBe('invalid_request');
    expect(oauthErrorOf({ code: 'request_too_large', status: 413 })).toBe('invalid_request');
    expect(oauthErrorOf({ code: 'database_unavailable', status: 503 })).toBe('temporarily_unavailable');
    expect(oauthErrorOf({ code: 'internal_error', status: 500 })).toBe('server_error');
  });
});
