import type { Services } from '../server/services.ts';
import { Nonces } from '../store/nonces.ts';
import { AccessTokens } from './clients/accessTokens.ts';
import { Apps } from './model/apps.ts';
import { Handoffs } from './model/handoffs.ts';
import { LmsTokens } from './model/lmsTokens.ts';
import { LoginStates } from './model/loginStates.ts';
import { PlatformKeys, type PlatformKeysOptions } from './platformKeys.ts';
import { Registrations } from './model/registrations.ts';
import { ScoreTimestamps } from './model/scoreTimestamps.ts';
import { ServiceEndpoints } from './model/serviceEndpoints.ts';

/** The gateway's own services, built once per process on top of the shared ones. */
export interface Gateway {
  services: Services;
  registrations: Registrations;
  apps: Apps;
  loginStates: LoginStates;
  handoffs: Handoffs;
  platformKeys: PlatformKeys;
  nonces: Nonces;
  /** The LMSs' access tokens for their services (src/tool/clients/accessTokens.ts). */
  accessTokens: AccessTokens;
  serviceEndpoints: ServiceEndpoints;
  scoreTimestamps: ScoreTimestamps;
}

export function createGateway(services: Services, options: { jwks?: PlatformKeysOptions } = {}): Gateway {
  return {
    services,
    registrations: new Registrations(services.db, services.config, services.cache),
    apps: new Apps(services.db, services.config, services.cache),
    loginStates: new LoginStates(services.db),
    handoffs: new Handoffs(services.db, services.box),
    platformKeys: new PlatformKeys(services.fetch, services.log, options.jwks),
    nonces: new Nonces(services.db),
    accessTokens: new AccessTokens(services, new LmsTokens(services.db, services.box)),
    serviceEndpoints: new ServiceEndpoints(services.db),
    scoreTimestamps: new ScoreTimestamps(services.db),
  };
}
