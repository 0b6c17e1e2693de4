import { randomUUID, createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { Fields, duplicateAs, gatewayRules, isObject } from '../../input/fields.ts';
import { privateKeyRefusal } from '../../keys/publicKeys.ts';
import type { Config } from '../../config.ts';
import { assertPublicUrl, urlPolicyOf } from '../../net/urlPolicy.ts';
import { notFound } from '../../lti/errors.ts';
import type { Db } from '../../store/db.ts';
import type { ReadCache } from '../../store/readCache.ts';
import type { RegistrationTable } from '../../store/schema.ts';
import { ALL_AGS_SCOPES, NRPS_SCOPE } from '../../lti/services/scopes.ts';
import { defaultCoursePageOrigins } from '../platformOrigins.ts';

/** An LMS platform registered with the gateway: iss + client_id, with its deployments and keys. */
export interface Registration {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  /** Allowed deployment ids; empty = any deployment of this client. */
  deploymentIds: string[];
  authorizationEndpoint: string;
  tokenEndpoint: string | null;
  jwksUrl: string | null;
  publicJwk: JWK | null;
  publicKey: string | null;
  /** Origins the LMS serves course pages from besides its issuer and authorization endpoint (see platformOrigins). */
  coursePageOrigins: string[];
  /** The `aud` of the gateway's client assertions; null = the token endpoint's URL (Security Framework §4.1.1). */
  tokenAudience: string | null;
  /** The AGS/NRPS scopes to ask the LMS for; empty = every one the launch offered. */
  serviceScopes: ServiceScope[];
  createdAt: number;
  updatedAt: number;
}

export interface RegistrationInput {
  name?: unknown;
  issuer?: unknown;
  client_id?: unknown;
  deployment_ids?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
  jwks_url?: unknown;
  public_jwk?: unknown;
  public_key?: unknown;
  course_page_origins?: unknown;
  token_audience?: unknown;
  service_scopes?: unknown;
}

/** The scopes a registration may ask an LMS for: the four of AGS and the one of NRPS. */
export const SERVICE_SCOPES = [...ALL_AGS_SCOPES, NRPS_SCOPE] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

export class Registrations {
  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'allowInsecureIdp' | 'allowPrivateUrls'>,
    private readonly cache: ReadCache,
  ) {}

  async list(): Promise<Registration[]> {
    const rows = await this.db.selectFrom('registrations').selectAll().orderBy('name').execute();
    return rows.map(toRegistration);
  }

  async get(id: string): Promise<Registration> {
    const row = await this.db.selectFrom('registrations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('registration_not_found', 'There is no platform registration with this id.');
    return toRegistration(row);
  }

  /** A registration on the launch path, or null (cached per instance: src/store/readCache.ts). */
  async find(id: string): Promise<Registration | null> {
    return this.cache.get(`registration:id:${id}`, async () => {
      const row = await this.db.selectFrom('registrations').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRegistration(row) : null;
    });
  }

  /**
   * Registrations of an issuer, optionally narrowed to one client_id (one issuer may have several).
   * Read on every login, so cached per instance (src/store/readCache.ts); an empty result is not.
   */
  async findByIssuer(issuer: string, clientId?: string): Promise<Registration[]> {
    const key = `registration:iss:${issuer}\n${clientId === undefined ? '*' : `=${clientId}`}`;
    const found = await this.cache.get(key, async () => {
      let q = this.db.selectFrom('registrations').selectAll().where('issuer', '=', issuer);
      if (clientId !== undefined) q = q.where('client_id', '=', clientId);
      const rows = (await q.execute()).map(toRegistration);
      return rows.length > 0 ? rows : null;
    });
    return found ?? [];
  }

  async create(input: RegistrationInput): Promise<Registration> {
    const values = await this.validate(input, null);
    const now = Date.now();
    const id = randomUUID();
    await this.write(() => this.db.insertInto('registrations').values({ id, ...values, created_at: now, updated_at: now } as RegistrationTable).execute());
    return this.get(id);
  }

  async update(id: string, input: RegistrationInput): Promise<Registration> {
    const existing = await this.get(id);
    const values = await this.validate(input, existing);
    await this.write(() => this.db.transaction().execute(async (trx) => {
      await trx.updateTable('registrations').set({ ...values, updated_at: Date.now() }).where('id', '=', id).execute();
      // A changed client id, token URL, audience or scope list makes the LMS's tokens the wrong
      // ones: every instance asks again (src/tool/clients/accessTokens.ts).
      await trx.deleteFrom('gateway_access_tokens').where('registration_id', '=', id).execute();
    }));
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.db.deleteFrom('registrations').where('id', '=', id).execute();
    this.cache.invalidate();
  }

  private async write(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      throw duplicateAs(err, { client_id: 'is already registered for this issuer' });
    } finally {
      this.cache.invalidate();
    }
  }

  /**
   * Validates a full create, or a partial update merged over the existing registration. The URLs
   * the gateway will fetch (the key set; the token endpoint for the services) are checked with the
   * policy of the fetch itself, so one that can never be fetched is refused here, naming the setting.
   */
  private async validate(input: RegistrationInput, existing: Registration | null): Promise<Omit<RegistrationTable, 'id' | 'created_at' | 'updated_at'>> {
    const f = Fields.merge(input, {
      name: existing?.name,
      issuer: existing?.issuer,
      client_id: existing?.clientId,
      deployment_ids: existing?.deploymentIds ?? [],
      authorization_endpoint: existing?.authorizationEndpoint,
      token_endpoint: existing?.tokenEndpoint ?? null,
      jwks_url: existing?.jwksUrl ?? null,
      public_jwk: existing?.publicJwk ?? null,
      public_key: existing?.publicKey ?? null,
      course_page_origins: existing?.coursePageOrigins ?? null,
      token_audience: existing?.tokenAudience ?? null,
      service_scopes: existing?.serviceScopes ?? [],
    }, gatewayRules(this.config.allowInsecureIdp));
    const name = f.text('name', { required: true, max: 200 });
    // LTI Core 1.3 §5.1.2: the issuer is an HTTPS URL, compared exactly (no normalising).
    const issuer = f.url('issuer', { required: true });
    const clientId = f.text('client_id', { required: true, max: 255 });
    const deploymentIds = f.rule('deployment_ids', deploymentIdsRule);
    const authorizationEndpoint = f.url('authorization_endpoint', { required: true });
    const tokenEndpoint = f.url('token_endpoint');
    const jwksUrl = f.url('jwks_url');
    const publicJwk = f.rule('public_jwk', publicJwkRule);
    const publicKey = f.rule('public_key', publicKeyRule);
    // Null or empty (a new registration, a cleared field): the LMS's usual course-page origins
    // (hosted Canvas, Blackboard), else none; `[]` says none.
    const givenOrigins = f.value('course_page_origins');
    const coursePageOrigins = (givenOrigins === null || givenOrigins === undefined || givenOrigins === '') && issuer !== null
      ? defaultCoursePageOrigins(issuer)
      : f.originList('course_page_origins', { max: 20 });
    // Security Framework §4.1.1: the aud is agreed out of band; some LMSs (Brightspace) want their own.
    const tokenAudience = f.text('token_audience', { max: 2000 });
    const serviceScopes = f.choiceList('service_scopes', SERVICE_SCOPES, []);
    const keySources = [f.value('jwks_url'), publicJwk, publicKey].filter((v) => v !== null && v !== undefined && v !== '');
    if (keySources.length !== 1) f.fail('jwks_url', 'give exactly one of jwks_url (recommended), public_jwk or public_key');
    for (const [name, url] of [['jwks_url', jwksUrl], ['token_endpoint', tokenEndpoint]] as const) {
      if (url === null || f.errors[name]) continue;
      try {
        await assertPublicUrl(url, urlPolicyOf(this.config));
      } catch (err) {
        f.fail(name, (err as Error).message);
      }
    }
    f.throwIfInvalid();
    return {
      name: name!,
      issuer: issuer!,
      client_id: clientId!,
      deployment_ids: JSON.stringify(deploymentIds),
      authorization_endpoint: authorizationEndpoint!,
      token_endpoint: tokenEndpoint,
      jwks_url: jwksUrl,
      public_jwk: publicJwk ? JSON.stringify(publicJwk) : null,
      public_key: (publicKey as string) || null,
      course_page_origins: JSON.stringify(coursePageOrigins),
      token_audience: tokenAudience,
      service_scopes: serviceScopes.length > 0 ? JSON.stringify(serviceScopes) : null,
    };
  }
}

function deploymentIdsRule(value: unknown): string | null {
  if (!Array.isArray(value)) return 'must be a list of deployment ids (empty = any deployment of this client)';
  // LTI Core 1.3 §5.3.3: deployment_id is a case-sensitive string of at most 255 characters.
  if (!value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 255)) {
    return 'each deployment id must be text of 1 to 255 characters';
  }
  return null;
}

function publicJwkRule(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (!isObject(value) || typeof value.kty !== 'string') return 'must be a JWK object with "kty"';
  const refusal = privateKeyRefusal(value);
  if (refusal) return refusal;
  try {
    createPublicKey({ key: value as any, format: 'jwk' });
  } catch {
    return 'is not a usable public key';
  }
  return null;
}

function publicKeyRule(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string' || !value.includes('-----BEGIN PUBLIC KEY-----')) return 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)';
  try {
    createPublicKey(value);
  } catch {
    return 'is not a usable public key';
  }
  return null;
}

function toRegistration(row: RegistrationTable): Registration {
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    deploymentIds: JSON.parse(row.deployment_ids) as string[],
    authorizationEndpoint: row.authorization_endpoint,
    tokenEndpoint: row.token_endpoint,
    jwksUrl: row.jwks_url,
    publicJwk: row.public_jwk ? (JSON.parse(row.public_jwk) as JWK) : null,
    publicKey: row.public_key,
    coursePageOrigins: JSON.parse(row.course_page_origins) as string[],
    tokenAudience: row.token_audience,
    serviceScopes: row.service_scopes ? (JSON.parse(row.service_scopes) as string[]).filter(isServiceScope) : [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function isServiceScope(value: string): value is ServiceScope {
  return (SERVICE_SCOPES as readonly string[]).includes(value);
}
