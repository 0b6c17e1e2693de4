import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { pickContextClaims } from '../../src/platform/context/claims.ts';
import { buildResourceLinkPayload, type LaunchTool } from '../../src/lti/resourceLinkMessage.ts';
import { ROLE, roleName, roleUri } from '../../src/lti/roles.ts';

const tool: LaunchTool = {
  id: 't1', name: 'Quiz', clientId: 'client-1', deploymentId: 'dep-1', targetLinkUri: 'https://tool.example/launch',
  custom: { a: '1' }, contextOverridableCustom: [], shareName: true, shareEmail: false, sharePicture: true,
};

describe('context claims', () => {
  it('keeps context-type claims and ignores the envelope and unknown claims', () => {
    const picked = pickContextClaims({
      iss: 'portal', aud: 'launcher', exp: 1, [CLAIM.context]: { id: 'c1', title: 'Math' }, foo: 'bar',
      [CLAIM.custom]: { k: 'v' },
    });
    expect(picked).toEqual({ [CLAIM.context]: { id: 'c1', title: 'Math' }, [CLAIM.custom]: { k: 'v' } });
  });

  it.each(['nonce', 'email', 'name', CLAIM.deploymentId, CLAIM.messageType, CLAIM.version, CLAIM.targetLinkUri])(
    'refuses %s with context_claim_forbidden',
    (name) => {
      expect(() => pickContextClaims({ [name]: 'x' })).toThrow(expect.objectContaining({ code: 'context_claim_forbidden', status: 400 }));
    },
  );

  it('refuses badly shaped claims', () => {
    for (const bad of [{ [CLAIM.context]: 'c1' }, { [CLAIM.roles]: 'Learner' }, { [CLAIM.custom]: { n: 1 } }, { [CLAIM.resourceLink]: {} }]) {
      expect(() => pickContextClaims(bad)).toThrow(expect.objectContaining({ code: 'context_claim_invalid' }));
    }
  });
});

describe('resource link message', () => {
  const base = {
    issuer: 'https://lti.example/p/school', tool, nonce: 'n1', now: 1_700_000_000_000,
    user: { sub: 'u1', name: 'Ada', email: 'ada@example.edu', picture: 'https://x/p.png', locale: 'en' },
    roles: [ROLE.Learner], platform: { guid: 'g', name: 'School' },
  };

  it('sets every required claim, and the launcher claims win over the context', () => {
    const p = buildResourceLinkPayload({ ...base, contextClaims: { [CLAIM.context]: { id: 'c1' }, [CLAIM.custom]: { b: '2' } } });
    expect(p).toMatchObject({
      iss: base.issuer, aud: 'client-1', azp: 'client-1', sub: 'u1', nonce: 'n1', iat: 1_700_000_000, exp: 1_700_000_300,
      [CLAIM.messageType]: 'LtiResourceLinkRequest', [CLAIM.version]: '1.3.0', [CLAIM.deploymentId]: 'dep-1',
      [CLAIM.targetLinkUri]: 'https://tool.example/launch', [CLAIM.roles]: [ROLE.Learner],
      [CLAIM.custom]: { a: '1', b: '2' }, [CLAIM.context]: { id: 'c1' },
      [CLAIM.launchPresentation]: { document_target: 'window', locale: 'en' }, name: 'Ada', picture: 'https://x/p.png',
    });
    expect(p.email).toBeUndefined(); // sharing switched off
    expect((p[CLAIM.resourceLink] as { id: string }).id).toHaveLength(32);
  });

  it('keeps the admin-set custom values unless the tool lets the context override them', () => {
    const fromContext = { [CLAIM.custom]: { a: 'from-link', b: '2', __proto__x: 'p' } };
    expect(buildResourceLinkPayload({ ...base, contextClaims: fromContext })[CLAIM.custom]).toEqual({ a: '1', b: '2', __proto__x: 'p' });
    const lenient = { ...tool, contextOverridableCustom: ['a'] };
    expect(buildResourceLinkPayload({ ...base, tool: lenient, contextClaims: fromContext })[CLAIM.custom]).toEqual({ a: 'from-link', b: '2', __proto__x: 'p' });
    // A key named __proto__ stays a plain key, never the object's prototype.
    const proto = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    const merged = buildResourceLinkPayload({ ...base, contextClaims: { [CLAIM.custom]: proto } })[CLAIM.custom] as Record<string, string>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['a', '__proto__']);
  });

  it('gives the same default resource link to the same tool in the same course', () => {
    const a = buildResourceLinkPayload({ ...base, contextClaims: { [CLAIM.context]: { id: 'c1' } } });
    const b = buildResourceLinkPayload({ ...base, contextClaims: { [CLAIM.context]: { id: 'c1' } } });
    const c = buildResourceLinkPayload({ ...base, contextClaims: { [CLAIM.context]: { id: 'c2' } } });
    expect(a[CLAIM.resourceLink]).toEqual(b[CLAIM.resourceLink]);
    expect(a[CLAIM.resourceLink]).not.toEqual(c[CLAIM.resourceLink]);
  });

  it('maps short role names and back', () => {
    expect(roleUri('Instructor')).toBe(ROLE.Instructor);
    expect(roleName(ROLE.Instructor)).toBe('Instructor');
  });
});
