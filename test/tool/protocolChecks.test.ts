import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import {
  checkAlgorithm, checkAudience, checkDeploymentId, checkIssuer, checkMessageType, checkNonce, checkResourceLinkClaims,
  checkTimes, checkVersion, nonceRetentionUntil, type IdTokenExpectations,
} from '../../src/lti/idTokenChecks.ts';
import { authRequestUrl } from '../../src/lti/authRequest.ts';
import { readLoginRequest } from '../../src/lti/loginInitiation.ts';
import { gatewayLaunchTarget } from '../../src/tool/launchTarget.ts';
import { summarizeLaunch } from '../../src/tool/launchSummary.ts';
import { hashSecret } from '../../src/tool/apiKeys.ts';
import { DEFAULT_PERMISSIONS, permissionsFor } from '../../src/tool/permissions.ts';

const expected: IdTokenExpectations = {
  issuer: 'https://lms.example', clientId: 'c1', deploymentIds: ['d1'], nonceHash: hashSecret('n1'), nowSeconds: 1_700_000_000, clockSkewSeconds: 10,
};
const code = (fn: () => void) => {
  try {
    fn();
    return 'passed';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('id_token checks (Security Framework §5.1.3)', () => {
  it('allows RS256/384/512, PS256 and ES256 only', () => {
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'ES256']) expect(code(() => checkAlgorithm({ alg }))).toBe('passed');
    for (const alg of ['none', 'HS256', 'HS512', 'ES512', undefined]) expect(code(() => checkAlgorithm({ alg }))).toBe('alg_not_allowed');
  });

  it('compares the issuer exactly', () => {
    expect(code(() => checkIssuer({ iss: 'https://lms.example' }, expected))).toBe('passed');
    expect(code(() => checkIssuer({ iss: 'https://lms.example/' }, expected))).toBe('iss_mismatch');
  });

  it('wants our client id in aud, and azp with several audiences', () => {
    expect(code(() => checkAudience({ aud: 'c1' }, expected))).toBe('passed');
    expect(code(() => checkAudience({ aud: ['c1'] }, expected))).toBe('passed');
    expect(code(() => checkAudience({ aud: ['c1', 'c2'], azp: 'c1' }, expected))).toBe('passed');
    expect(code(() => checkAudience({ aud: ['c1', 'c2'] }, expected))).toBe('azp_missing');
    expect(code(() => checkAudience({ aud: ['c1', 'c2'], azp: 'c2' }, expected))).toBe('azp_mismatch');
    expect(code(() => checkAudience({ aud: 'c2' }, expected))).toBe('aud_mismatch');
  });

  it('applies the clock-skew leeway to exp and iat, at the boundaries', () => {
    const now = expected.nowSeconds;
    expect(code(() => checkTimes({ iat: now, exp: now - 9 }, expected))).toBe('passed');
    expect(code(() => checkTimes({ iat: now, exp: now - 10 }, expected))).toBe('token_expired');
    expect(code(() => checkTimes({ iat: now + 10, exp: now + 60 }, expected))).toBe('passed');
    expect(code(() => checkTimes({ iat: now + 11, exp: now + 60 }, expected))).toBe('iat_in_future');
    expect(code(() => checkTimes({ iat: now - 3611, exp: now + 60 }, expected))).toBe('token_too_old');
    expect(code(() => checkTimes({ exp: now + 60 }, expected))).toBe('claim_missing');
  });

  it('refuses times no date can hold (found by the fuzz suite: exp 8640000000000.001 gave a 500)', () => {
    const now = expected.nowSeconds;
    expect(code(() => checkTimes({ iat: now, exp: 8.64e12 }, expected))).toBe('passed');
    for (const exp of [8640000000000.001, 1e20, Infinity]) expect(code(() => checkTimes({ iat: now, exp }, expected))).toBe('claim_invalid');
    expect(code(() => checkTimes({ iat: now, exp: now + 60, nbf: 1e300 }, expected))).toBe('claim_invalid');
    expect(code(() => checkTimes({ iat: -1e13, exp: now + 60 }, expected))).toBe('claim_invalid');
  });

  it('remembers a used nonce only while its token could still be accepted', () => {
    const now = expected.nowSeconds;
    const nowMs = now * 1000;
    expect(nonceRetentionUntil({ iat: now, exp: now + 300 }, 10, nowMs)).toBe((now + 310) * 1000);
    expect(nonceRetentionUntil({ iat: now, exp: 8.64e12 }, 10, nowMs)).toBe((now + 3610) * 1000);
    expect(nonceRetentionUntil({ iat: now - 3600, exp: now + 1 }, 0, nowMs)).toBe(nowMs + 60_000);
  });

  it('wants the nonce sent at login', () => {
    expect(code(() => checkNonce({ nonce: 'n1' }, expected))).toBe('passed');
    expect(code(() => checkNonce({ nonce: 'n2' }, expected))).toBe('nonce_mismatch');
    // Only the hash is kept: the stored value itself is not the nonce, nor is a malformed hash.
    expect(code(() => checkNonce({ nonce: hashSecret('n1') }, expected))).toBe('nonce_mismatch');
    expect(code(() => checkNonce({ nonce: 'n1' }, { ...expected, nonceHash: 'zz' }))).toBe('nonce_mismatch');
    expect(code(() => checkNonce({}, expected))).toBe('nonce_missing');
  });

  it('supports LTI 1.3.0 resource link requests, and names deep linking as not supported yet', () => {
    expect(code(() => checkVersion({ [CLAIM.version]: '1.3.0' }))).toBe('passed');
    expect(code(() => checkVersion({ [CLAIM.version]: '1.3' }))).toBe('version_unsupported');
    expect(code(() => checkMessageType({ [CLAIM.messageType]: 'LtiResourceLinkRequest' }))).toBe('passed');
    expect(code(() => checkMessageType({ [CLAIM.messageType]: 'LtiDeepLinkingRequest' }))).toBe('deep_linking_not_supported');
    expect(code(() => checkMessageType({}))).toBe('message_type_unsupported');
  });

  it('checks the deployment against the allow-list, any deployment when it is empty', () => {
    expect(code(() => checkDeploymentId({ [CLAIM.deploymentId]: 'd1' }, expected))).toBe('passed');
    expect(code(() => checkDeploymentId({ [CLAIM.deploymentId]: 'D1' }, expected))).toBe('deployment_unknown');
    expect(code(() => checkDeploymentId({ [CLAIM.deploymentId]: 'any' }, { ...expected, deploymentIds: [] }))).toBe('passed');
    expect(code(() => checkDeploymentId({}, expected))).toBe('claim_missing');
  });

  it('wants the required resource-link claims, well typed', () => {
    const good = { sub: 'u', [CLAIM.targetLinkUri]: 'https://t', [CLAIM.resourceLink]: { id: 'r' }, [CLAIM.roles]: [] };
    expect(code(() => checkResourceLinkClaims(good))).toBe('passed');
    expect(code(() => checkResourceLinkClaims({ ...good, sub: '' }))).toBe('claim_missing');
    expect(code(() => checkResourceLinkClaims({ ...good, [CLAIM.resourceLink]: { id: 'x'.repeat(256) } }))).toBe('claim_invalid');
    expect(code(() => checkResourceLinkClaims({ ...good, [CLAIM.context]: 'course' }))).toBe('claim_invalid');
    expect(code(() => checkResourceLinkClaims({ ...good, [CLAIM.custom]: [] }))).toBe('claim_invalid');
  });
});

describe('login initiation', () => {
  it('reads the platform’s parameters and names a missing one', () => {
    expect(readLoginRequest({ iss: 'i', login_hint: 'h', target_link_uri: 't', lti_storage_target: '_parent' })).toMatchObject({ storageTarget: '_parent', clientId: null });
    expect(code(() => readLoginRequest({ iss: 'i', target_link_uri: 't' }))).toBe('login_param_missing');
    expect(code(() => readLoginRequest({ iss: ['a', 'b'], login_hint: 'h', target_link_uri: 't' }))).toBe('login_param_invalid');
  });

  it('keeps the authorization endpoint’s own query and adds every required parameter', () => {
    const url = new URL(authRequestUrl('https://lms.example/auth?tenant=5', {
      client_id: 'c', redirect_uri: 'https://gw/lti/launch/a', login_hint: 'h', state: 's', nonce: 'n',
    }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: '5', scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
      client_id: 'c', redirect_uri: 'https://gw/lti/launch/a', login_hint: 'h', state: 's', nonce: 'n',
    });
  });

  it('recognises only its own launch URLs', () => {
    expect(gatewayLaunchTarget('https://gw', 'https://gw/lti/launch')).toEqual({ slug: null });
    expect(gatewayLaunchTarget('https://gw', 'https://gw/lti/launch/chat-bot')).toEqual({ slug: 'chat-bot' });
    for (const bad of ['https://gw.evil/lti/launch/a', 'https://gw/lti/launch/a/b', 'https://gw/lti/launch/a?x', 'https://gw/lti/launchx', 'https://gw/lti/launch/../admin']) {
      expect(gatewayLaunchTarget('https://gw', bad)).toBeNull();
    }
  });
});

describe('permissions and the launch summary', () => {
  it('grants the default permissions by context role', () => {
    expect(permissionsFor(['Instructor'], DEFAULT_PERMISSIONS)).toEqual(['chat', 'configure', 'view_reports', 'grade']);
    expect(permissionsFor(['http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper'], DEFAULT_PERMISSIONS)).toEqual(['chat', 'configure']);
    expect(permissionsFor(['http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor'], DEFAULT_PERMISSIONS)).toEqual(['chat']);
    expect(permissionsFor(['http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator'], DEFAULT_PERMISSIONS)).toEqual(['chat']);
  });

  it('summarises a launch without LTI vocabulary', () => {
    const summary = summarizeLaunch(
      { iss: 'https://lms', aud: 'c1', sub: 'u1', exp: 1_700_000_300, name: 'Ada', [CLAIM.roles]: ['Instructor'], [CLAIM.deploymentId]: 'd1', [CLAIM.resourceLink]: { id: 'r' } },
      { registrationName: 'LMS', clientId: 'c1', permissions: ['chat'], now: 1_700_000_000_000 },
    );
    expect(summary).toMatchObject({
      user: { sub: 'u1', name: 'Ada', email: null }, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
      role_names: ['Instructor'], platform: { issuer: 'https://lms', name: 'LMS', client_id: 'c1', deployment_id: 'd1' },
      context: null, launched_at: '2023-11-14T22:13:20.000Z', expires_at: '2023-11-14T22:18:20.000Z',
    });
    // A launch without services hands off no `services` at all.
    expect(summary).not.toHaveProperty('services');
  });
});
