import { SignJWT, compactVerify, generateKeyPair } from 'jose';

export interface FloorResult {
  signatures: number;
  cpuMs: number;
  /** RS256 signatures per CPU-second, one at a time. */
  signsPerCpuSec: number;
  /** CPU-ms for one RS256 signature. */
  cpuMsPerSign: number;
}

/**
 * The crypto floor of a launch: the launcher must sign one RS256 id_token per launch. Signs a
 * payload of an LTI id_token's size with jose and an RSA-2048 key, one signature at a time,
 * and counts this process's CPU time (user + system, all threads) with process.cpuUsage.
 */
export async function measureFloor(cpuBudgetMs: number): Promise<FloorResult> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const payload = {
    iss: 'http://127.0.0.1:9393/p/bench', aud: 'bench-tool', azp: 'bench-tool', sub: 'student-1', nonce: 'n'.repeat(22),
    name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.edu',
    'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiResourceLinkRequest',
    'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
    'https://purl.imsglobal.org/spec/lti/claim/deployment_id': '6f1b2c0e-8d9a-4f57-9b0e-3c2d1a0f4e5b',
    'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': 'http://127.0.0.1:9/launch',
    'https://purl.imsglobal.org/spec/lti/claim/resource_link': { id: 'chat-1', title: 'Course chat' },
    'https://purl.imsglobal.org/spec/lti/claim/roles': ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    'https://purl.imsglobal.org/spec/lti/claim/context': { id: 'course-1', label: 'BIO101', title: 'Biology' },
    'https://purl.imsglobal.org/spec/lti/claim/custom': { level: 'intro' },
  };
  const sign = () => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
  for (let i = 0; i < 50; i++) await sign(); // warm-up
  const before = process.cpuUsage();
  let signatures = 0;
  let cpuMs = 0;
  while (cpuMs < cpuBudgetMs) {
    for (let i = 0; i < 20; i++) await sign();
    signatures += 20;
    const used = process.cpuUsage(before);
    cpuMs = (used.user + used.system) / 1000;
  }
  return { signatures, cpuMs, signsPerCpuSec: (signatures * 1000) / cpuMs, cpuMsPerSign: cpuMs / signatures };
}

export interface VerifyFloorResult {
  verifications: number;
  cpuMs: number;
  /** RS256 verifications per CPU-second, one at a time. */
  verifiesPerCpuSec: number;
}

/**
 * The crypto floor of a token request: the launcher verifies one RS256 client assertion per token.
 * Verifies an assertion of the usual size (iss, sub, aud, iat, exp, jti) with jose and an RSA-2048
 * key, one at a time, counting this process's CPU time as measureFloor does.
 */
export async function measureVerifyFloor(cpuBudgetMs: number): Promise<VerifyFloorResult> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ iss: 'bench-service-tool', sub: 'bench-service-tool', aud: 'http://127.0.0.1:9393/p/bench/token', iat: now, exp: now + 3600, jti: '3f1e0b5c-6a2d-4c8e-9f7a-1b2c3d4e5f60' })
    .setProtectedHeader({ alg: 'RS256', kid: 'tool-1', typ: 'JWT' })
    .sign(privateKey);
  const verify = () => compactVerify(assertion, publicKey, { algorithms: ['RS256'] });
  for (let i = 0; i < 200; i++) await verify(); // warm-up
  const before = process.cpuUsage();
  let verifications = 0;
  let cpuMs = 0;
  while (cpuMs < cpuBudgetMs) {
    for (let i = 0; i < 100; i++) await verify();
    verifications += 100;
    const used = process.cpuUsage(before);
    cpuMs = (used.user + used.system) / 1000;
  }
  return { verifications, cpuMs, verifiesPerCpuSec: (verifications * 1000) / cpuMs };
}
