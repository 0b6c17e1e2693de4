import type { Generated } from 'kysely';

/**
 * Tables of both roles. Times are epoch milliseconds; booleans are 0/1; JSON is stored as text,
 * so the same migrations run on SQLite and Postgres.
 */
export interface Database {
  platforms: PlatformTable;
  tools: ToolTable;
  signing_keys: SigningKeyTable;
  nonces: NonceTable;
  pending_launches: PendingLaunchTable;
  login_hints: LoginHintTable;
  launch_log: LaunchLogTable;
  registrations: RegistrationTable;
  apps: AppTable;
  login_states: LoginStateTable;
  handoffs: HandoffTable;
  access_tokens: AccessTokenTable;
  line_items: LineItemTable;
  results: ResultTable;
  scores: ScoreTable;
  resource_links: ResourceLinkTable;
  members: MemberTable;
  webhook_deliveries: WebhookDeliveryTable;
  gateway_access_tokens: GatewayAccessTokenTable;
  service_endpoints: ServiceEndpointTable;
  service_line_items: ServiceLineItemTable;
  service_endpoint_apps: ServiceEndpointAppTable;
  score_timestamps: ScoreTimestampTable;
}

export interface PlatformTable {
  id: string;
  name: string;
  slug: string;
  openid_configuration_url: string;
  /** The IdP's discovery document as fetched and checked on save (JSON). */
  idp_metadata: string;
  client_id: string;
  client_secret_enc: string | null;
  context_jwks_url: string | null;
  context_public_jwk: string | null;
  context_public_key: string | null;
  role_claim: string | null;
  role_map: string | null;
  /** Where every accepted score is POSTed as a signed JWT (migration 0012); null: no webhook. */
  score_webhook_url: string | null;
  created_at: number;
  updated_at: number;
}

export interface ToolTable {
  id: string;
  platform_id: string;
  name: string;
  description: string | null;
  icon_url: string | null;
  client_id: string;
  deployment_id: string;
  open_id_connect_initiation_url: string;
  target_link_uri: string;
  redirect_uris: string;
  public_key: string | null;
  public_jwk: string | null;
  public_key_url: string | null;
  custom: string;
  /** JSON list of `custom` keys a portal's context JWT may override (admin values win for the rest). */
  context_overridable_custom: string;
  /** How the launcher sends third-party initiated login to the tool: 'post' (a form) or 'get' (a redirect). */
  login_initiation_method: string;
  share_name: number;
  share_email: number;
  share_picture: number;
  /** JSON list of the AGS scopes the tool may be granted at the token endpoint (migration 0008). */
  ags_scopes: string;
  /** 1: the tool may read the context's memberships (NRPS). */
  nrps: number;
  created_at: number;
  updated_at: number;
}

/** Access tokens of the launcher's token endpoint (Security Framework §4.1.1), stored as their SHA-256. */
export interface AccessTokenTable {
  token_hash: string;
  platform_id: string;
  tool_id: string;
  /** The granted scopes, space-separated (as the token endpoint answered them). */
  scopes: string;
  expires_at: number;
  created_at: number;
}

/** AGS 2.0 line items: a tool's gradebook columns in one context of a platform. */
export interface LineItemTable {
  /** Short random id, the last segment of the line item's URL. */
  id: string;
  platform_id: string;
  /** The `id` of the LTI context claim of the launches in that course. */
  context_id: string;
  tool_id: string;
  label: string;
  score_maximum: number;
  resource_link_id: string | null;
  resource_id: string | null;
  tag: string | null;
  start_date_time: string | null;
  end_date_time: string | null;
  created_at: number;
  updated_at: number;
}

/** The latest score of a user on a line item (AGS 2.0 §5): one row per (line item, user). */
export interface ResultTable {
  line_item_id: string;
  user_id: string;
  score_given: number | null;
  score_maximum: number | null;
  comment: string | null;
  activity_progress: string;
  grading_progress: string;
  /** The score's timestamp exactly as the tool sent it (sub-second precision kept). */
  timestamp: string;
  /** The same instant in microseconds since the epoch: what orders scores. */
  timestamp_us: number;
  updated_at: number;
}

/** Every score a tool posted and the launcher accepted, in the transaction that wrote its result. */
export interface ScoreTable {
  id: string;
  line_item_id: string;
  user_id: string;
  score_given: number | null;
  score_maximum: number | null;
  comment: string | null;
  activity_progress: string;
  grading_progress: string;
  timestamp: string;
  timestamp_us: number;
  received_at: number;
}

/** A resource link a tool was launched from in a context (AGS: what a line item's resourceLinkId may name). */
export interface ResourceLinkTable {
  platform_id: string;
  context_id: string;
  tool_id: string;
  resource_link_id: string;
  created_at: number;
}

export interface ContextLaunchTable {
  platform_id: string;
  context_id: string;
  tool_id: string;
  resource_link_id: string;
  /** The launch's `sub`. */
  user_id: string;
  created_at: number;
}

/** The members of a context (migration 0011): the portal's pushed roster and every user who launched there. */
export interface MemberTable {
  platform_id: string;
  /** The `id` of the LTI context claim. */
  context_id: string;
  /** The user's `sub`. */
  user_id: string;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  middle_name: string | null;
  email: string | null;
  picture: string | null;
  /** JSON list of LTI role URIs. */
  roles: string;
  /** 'Active', 'Inactive' or 'Deleted' (NRPS 2.0). */
  status: string;
  /** 1: the portal's roster push has named this user (the next push that leaves them out makes them Inactive). */
  pushed: number;
  /** 1: the user has launched a tool in this context. */
  launched: number;
  /** The context claim's label and title at the user's latest launch. */
  context_label: string | null;
  context_title: string | null;
  launched_at: number | null;
  /** When what NRPS shows of the member last changed (the differences link reads it). */
  updated_at: number;
}

/**
 * The score webhook's outbox (migration 0012): one row per accepted score of a platform with a
 * webhook URL, written with the score; what the JWT carries is copied here, so it reads the same
 * on every retry.
 */
export interface WebhookDeliveryTable {
  /** Random; the JWT's `jti`, the receiver's idempotency id. */
  id: string;
  platform_id: string;
  context_id: string;
  /** The line item's short id (the portal API's `id`) and its label when the score came. */
  line_item_id: string;
  line_item_label: string;
  user_id: string;
  score_given: number | null;
  score_maximum: number | null;
  comment: string | null;
  activity_progress: string;
  grading_progress: string;
  timestamp: string;
  /** 'pending', 'delivered' or 'failed'. */
  status: string;
  attempts: number;
  /** When a worker may next send it (a claimed row: when the claim lapses); null once delivered or failed. */
  next_attempt_at: number | null;
  /** The receiver's HTTP status at the latest attempt, or null when there was no answer. */
  last_status: number | null;
  /** Why the latest attempt failed, in a line (never the JWT). */
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface SigningKeyTable {
  kid: string;
  /** 'platform' (the launcher) or 'tool' (the gateway): each role has its own key set. */
  role: string;
  alg: string;
  public_jwk: string;
  private_jwk_enc: string;
  created_at: number;
  activated_at: number | null;
  retired_at: number | null;
}

export interface NonceTable {
  scope: string;
  nonce: string;
  expires_at: number;
}

export interface PendingLaunchTable {
  /** The OAuth `state` sent to the IdP. */
  state: string;
  launch_id: string;
  platform_id: string;
  tool_id: string;
  context_claims: string;
  /** The user the context JWT was made for (its `sub`), checked against the IdP's at the callback. */
  context_sub: string | null;
  code_verifier: string;
  nonce: string;
  browser_hash: string;
  expires_at: number;
  used_at: number | null;
}

export interface LoginHintTable {
  hint: string;
  launch_id: string;
  platform_id: string;
  tool_id: string;
  user_claims: string;
  roles: string;
  context_claims: string;
  browser_hash: string;
  test: number;
  expires_at: number;
  used_at: number | null;
}

export interface LaunchLogTable {
  id: string;
  role: string;
  /** Platform id (launcher) or registration id (gateway). */
  platform_id: string | null;
  /** Tool id (launcher) or app id (gateway). */
  tool_id: string | null;
  outcome: string;
  failure_code: string | null;
  failure_message: string | null;
  steps: string;
  request_id: string | null;
  user_sub: string | null;
  storage: string | null;
  test: number;
  created_at: number;
  updated_at: number;
  /** A launch that succeeded but needs an admin's eye, e.g. `no_role_mapped`; null otherwise. */
  warning: string | null;
  /**
   * The row's size in bytes as written (its values in UTF-8, grown with each appended step): an
   * estimate the housekeeping sums to hold the log under LAUNCH_LOG_MAX_MB without reading rows.
   */
  size_bytes: Generated<number>;
}

export interface RegistrationTable {
  id: string;
  name: string;
  issuer: string;
  client_id: string;
  deployment_ids: string;
  authorization_endpoint: string;
  token_endpoint: string | null;
  jwks_url: string | null;
  public_jwk: string | null;
  public_key: string | null;
  /** JSON list of origins the LMS serves course pages from besides its issuer and authorization endpoint (may be `https://*.domain`). */
  course_page_origins: string;
  /** The `aud` of the gateway's client assertions when not the token URL (migration 0013). */
  token_audience: string | null;
  /** JSON list of the AGS/NRPS scopes to ask the LMS for; null = every one the launch offered (migration 0013). */
  service_scopes: string | null;
  created_at: number;
  updated_at: number;
}

/** Access tokens the gateway got from an LMS's token endpoint (Security Framework §4.1.1), one per registration and scope set. */
export interface GatewayAccessTokenTable {
  registration_id: string;
  /** The scopes asked for, sorted, space-separated. */
  scope_key: string;
  /** The access token, sealed with the SecretBox. */
  access_token_enc: string;
  /** Its SHA-256, so a caller that saw it refused can drop exactly that token. */
  token_hash: string;
  /** The scopes the LMS granted, space-separated. */
  granted_scopes: string;
  expires_at: number;
  created_at: number;
}

export interface AppTable {
  id: string;
  name: string;
  slug: string;
  app_url: string;
  permissions: string;
  api_key_hash: string;
  api_key_prefix: string;
  handoff: string;
  created_at: number;
  updated_at: number;
}

export interface LoginStateTable {
  /** SHA-256 (hex) of the state: the state itself is a single-use secret, never stored. */
  state: string;
  launch_id: string;
  /** SHA-256 (hex) of the nonce sent in the authentication request. */
  nonce: string;
  registration_id: string;
  target_link_uri: string;
  browser_hash: string | null;
  storage: string;
  /** Frame name of the platform's storage (lti_storage_target), when the login offered it. */
  storage_target: string | null;
  expires_at: number;
  used_at: number | null;
}

export interface HandoffTable {
  code_hash: string;
  app_id: string;
  payload: string;
  expires_at: number;
  used_at: number | null;
}


/** The newest LMS service endpoints per (registration, deployment, context) (migration 0014). */
export interface ServiceEndpointTable {
  /** Random: the opaque id of the context in the app's service URLs. */
  id: string;
  registration_id: string;
  deployment_id: string;
  context_id: string;
  /** AGS `lineitems`, or null when no launch in the context carried AGS. */
  line_items_url: string | null;
  /** JSON list of the AGS scopes the newest AGS launch offered. */
  ags_scopes: string | null;
  /** NRPS `context_memberships_url`. */
  members_url: string | null;
  created_at: number;
  updated_at: number;
}

/** An LMS line item under a random id: `link:<resource link id>` for a launch's `lineitem`, `url:<sha-256 of its URL>` else. */
export interface ServiceLineItemTable {
  id: string;
  endpoint_id: string;
  item_key: string;
  lms_url: string;
  created_at: number;
  updated_at: number;
}

/** An app launched in a context (the newest launch's time): the contexts whose services the app may call. */
export interface ServiceEndpointAppTable {
  endpoint_id: string;
  app_id: string;
  launched_at: number;
}

/** The last score timestamp sent, per SHA-256 of (LMS line item URL, user id), in epoch ms. */
export interface ScoreTimestampTable {
  key_hash: string;
  last_ms: number;
}
