import { createHash } from 'node:crypto';
import { type Kysely, type Migration, type MigrationProvider, Migrator, PostgresAdapter, sql } from 'kysely';

// One list of migrations for SQLite and Postgres: only portable column types are used.
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('platforms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('openid_configuration_url', 'text', (c) => c.notNull())
        .addColumn('idp_metadata', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('client_secret_enc', 'text')
        .addColumn('context_jwks_url', 'text')
        .addColumn('context_public_jwk', 'text')
        .addColumn('context_public_key', 'text')
        .addColumn('role_claim', 'text')
        .addColumn('role_map', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('icon_url', 'text')
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('deployment_id', 'text', (c) => c.notNull())
        .addColumn('open_id_connect_initiation_url', 'text', (c) => c.notNull())
        .addColumn('target_link_uri', 'text', (c) => c.notNull())
        .addColumn('redirect_uris', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text')
        .addColumn('public_jwk', 'text')
        .addColumn('public_key_url', 'text')
        .addColumn('custom', 'text', (c) => c.notNull())
        .addColumn('share_name', 'integer', (c) => c.notNull())
        .addColumn('share_email', 'integer', (c) => c.notNull())
        .addColumn('share_picture', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('tools_platform_client_unique', ['platform_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk_enc', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('activated_at', 'bigint')
        .addColumn('retired_at', 'bigint')
        .execute();
      await db.schema
        .createTable('nonces')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('nonces_pk', ['scope', 'nonce'])
        .execute();
      await db.schema.createIndex('nonces_expires').on('nonces').column('expires_at').execute();
      await db.schema
        .createTable('pending_launches')
        .addColumn('state', 'text', (c) => c.primaryKey())
        .addColumn('launch_id', 'text', (c) => c.notNull())
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('tool_id', 'text', (c) => c.notNull())
        .addColumn('context_claims', 'text', (c) => c.notNull())
        .addColumn('code_verifier', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('browser_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema
        .createTable('login_hints')
        .addColumn('hint', 'text', (c) => c.primaryKey())
        .addColumn('launch_id', 'text', (c) => c.notNull())
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('tool_id', 'text', (c) => c.notNull())
        .addColumn('user_claims', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('context_claims', 'text', (c) => c.notNull())
        .addColumn('browser_hash', 'text', (c) => c.notNull())
        .addColumn('test', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema
        .createTable('launch_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('platform_id', 'text')
        .addColumn('tool_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('failure_code', 'text')
        .addColumn('failure_message', 'text')
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('user_sub', 'text')
        .addColumn('storage', 'text')
        .addColumn('test', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('launch_log_role_created').on('launch_log').columns(['role', 'created_at']).execute();
      await db.schema
        .createTable('registrations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('deployment_ids', 'text', (c) => c.notNull())
        .addColumn('authorization_endpoint', 'text', (c) => c.notNull())
        .addColumn('token_endpoint', 'text')
        .addColumn('jwks_url', 'text')
        .addColumn('public_jwk', 'text')
        .addColumn('public_key', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('registrations_issuer_client_unique', ['issuer', 'client_id'])
        .execute();
      await db.schema
        .createTable('apps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('app_url', 'text', (c) => c.notNull())
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('api_key_hash', 'text', (c) => c.notNull())
        .addColumn('api_key_prefix', 'text', (c) => c.notNull())
        .addColumn('handoff', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('login_states')
        .addColumn('state', 'text', (c) => c.primaryKey())
        .addColumn('launch_id', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('registration_id', 'text', (c) => c.notNull())
        .addColumn('target_link_uri', 'text', (c) => c.notNull())
        .addColumn('browser_hash', 'text')
        .addColumn('storage', 'text', (c) => c.notNull())
        .addColumn('storage_target', 'text')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema
        .createTable('handoffs')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      for (const table of ['pending_launches', 'login_hints', 'login_states', 'handoffs']) {
        await db.schema.createIndex(`${table}_expires`).on(table).column('expires_at').execute();
      }
    },
    async down(db: Kysely<any>) {
      for (const table of [
        'handoffs', 'login_states', 'apps', 'registrations', 'launch_log', 'login_hints',
        'pending_launches', 'nonces', 'signing_keys', 'tools', 'platforms',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  },
  '0002_login_initiation_and_hashed_states': {
    async up(db: Kysely<any>) {
      // Tools choose how the launcher sends login initiation (LTI Core §4.1 allows GET or POST);
      // existing tools get the form POST that Canvas and Moodle send.
      await db.schema
        .alterTable('tools')
        .addColumn('login_initiation_method', 'text', (c) => c.notNull().defaultTo('post'))
        .execute();
      // The gateway's login states and nonces are single-use secrets: from now on stored as their
      // SHA-256 (hex, as src/tool/model/loginStates.ts writes them). Rows in flight keep working once hashed.
      const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
      const rows = await db.selectFrom('login_states').select(['state', 'nonce']).execute();
      for (const { state, nonce } of rows as Array<{ state: string; nonce: string }>) {
        await db.updateTable('login_states').set({ state: sha256(state), nonce: sha256(nonce) }).where('state', '=', state).execute();
      }
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('tools').dropColumn('login_initiation_method').execute();
      // Hashed states cannot be turned back: the logins in flight are dropped.
      await db.deleteFrom('login_states').execute();
    },
  },
  '0003_launch_log_warning': {
    async up(db: Kysely<any>) {
      // A launch can succeed and still need an admin's eye (an IdP whose roles mapped to none).
      await db.schema.alterTable('launch_log').addColumn('warning', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('launch_log').dropColumn('warning').execute();
    },
  },
  '0005_launch_log_size': {
    async up(db: Kysely<any>) {
      // LAUNCH_LOG_MAX_MB: each row keeps its size, and an index on (created_at, size_bytes) gives
      // both the total and the oldest rows without reading the rows themselves.
      await db.schema.alterTable('launch_log').addColumn('size_bytes', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db
        .updateTable('launch_log')
        .set({
          size_bytes: sql`200 + length(steps) + coalesce(length(failure_message), 0) + coalesce(length(user_sub), 0)`,
        })
        .execute();
      await db.schema.createIndex('launch_log_created_size').on('launch_log').columns(['created_at', 'size_bytes']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('launch_log_created_size').execute();
      await db.schema.alterTable('launch_log').dropColumn('size_bytes').execute();
    },
  },
  '0006_context_binding': {
    async up(db: Kysely<any>) {
      // Issue 14: a context JWT may name its user (sub), checked at the callback against the IdP's
      // sub; and a tool says which of its custom parameters a context may override (none by default).
      await db.schema.alterTable('pending_launches').addColumn('context_sub', 'text').execute();
      await db.schema.alterTable('tools').addColumn('context_overridable_custom', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('tools').dropColumn('context_overridable_custom').execute();
      await db.schema.alterTable('pending_launches').dropColumn('context_sub').execute();
    },
  },
  '0007_course_page_origins': {
    async up(db: Kysely<any>) {
      // Issue 14 items 2 and 8: a registration's platform origins frame the gateway's pages and post
      // its cookie-less launches. Hosted Canvas and Blackboard show courses on each school's own
      // subdomain, not on their shared issuer's origin: their registrations get that pattern.
      await db.schema.alterTable('registrations').addColumn('course_page_origins', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      for (const [issuers, origins] of [
        [['https://canvas.instructure.com', 'https://canvas.beta.instructure.com', 'https://canvas.test.instructure.com'], ['https://*.instructure.com']],
        [['https://blackboard.com'], ['https://*.blackboard.com']],
      ]) {
        await db.updateTable('registrations').set({ course_page_origins: JSON.stringify(origins) }).where('issuer', 'in', issuers).execute();
      }
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('registrations').dropColumn('course_page_origins').execute();
    },
  },
  '0008_service_tokens': {
    async up(db: Kysely<any>) {
      // Issue 16: which LTI Advantage services each tool may use (all four AGS scopes and NRPS by
      // default), and the access tokens of the platform's token endpoint: stored as their SHA-256,
      // bound to one tool of one platform, valid on every instance until they expire.
      await db.schema
        .alterTable('tools')
        .addColumn('ags_scopes', 'text', (c) => c.notNull().defaultTo(JSON.stringify([
          'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
          'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
          'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
          'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        ])))
        .execute();
      await db.schema.alterTable('tools').addColumn('nrps', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      await db.schema
        .createTable('access_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('tool_id', 'text', (c) => c.notNull().references('tools.id').onDelete('cascade'))
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('access_tokens_expires').on('access_tokens').column('expires_at').execute();
      await db.schema.createIndex('access_tokens_tool').on('access_tokens').column('tool_id').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('access_tokens').execute();
      await db.schema.alterTable('tools').dropColumn('nrps').execute();
      await db.schema.alterTable('tools').dropColumn('ags_scopes').execute();
    },
  },
  '0010_grades': {
    async up(db: Kysely<any>) {
      // Issue 16: Assignment and Grade Services. Line items belong to one tool in one context
      // (platform_id, context_id: the LTI context claim's id) of one platform.
      await db.schema
        .createTable('line_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('context_id', 'text', (c) => c.notNull())
        .addColumn('tool_id', 'text', (c) => c.notNull().references('tools.id').onDelete('cascade'))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('score_maximum', 'double precision', (c) => c.notNull())
        .addColumn('resource_link_id', 'text')
        .addColumn('resource_id', 'text')
        .addColumn('tag', 'text')
        .addColumn('start_date_time', 'text')
        .addColumn('end_date_time', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The container's pages (in creation order) and the launch's lookup of the link's items.
      await db.schema.createIndex('line_items_context').on('line_items').columns(['platform_id', 'context_id', 'tool_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('line_items_link').on('line_items').columns(['platform_id', 'context_id', 'tool_id', 'resource_link_id']).execute();
      // The latest score per (line item, user); a score older than it changes nothing.
      await db.schema
        .createTable('results')
        .addColumn('line_item_id', 'text', (c) => c.notNull().references('line_items.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('score_given', 'double precision')
        .addColumn('score_maximum', 'double precision')
        .addColumn('comment', 'text')
        .addColumn('activity_progress', 'text', (c) => c.notNull())
        .addColumn('grading_progress', 'text', (c) => c.notNull())
        .addColumn('timestamp', 'text', (c) => c.notNull())
        .addColumn('timestamp_us', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('results_pk', ['line_item_id', 'user_id'])
        .execute();
      // Every accepted score, written with its result (the gradebook's history, the webhook's source).
      await db.schema
        .createTable('scores')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('line_item_id', 'text', (c) => c.notNull().references('line_items.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('score_given', 'double precision')
        .addColumn('score_maximum', 'double precision')
        .addColumn('comment', 'text')
        .addColumn('activity_progress', 'text', (c) => c.notNull())
        .addColumn('grading_progress', 'text', (c) => c.notNull())
        .addColumn('timestamp', 'text', (c) => c.notNull())
        .addColumn('timestamp_us', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('scores_line_item_user').on('scores').columns(['line_item_id', 'user_id', 'timestamp_us']).execute();
      // The resource links each tool was launched from, per context (recorded at launch): a line
      // item's resourceLinkId must be a link of its own tool in its own context (AGS 2.0 §3.2.7).
      await db.schema
        .createTable('resource_links')
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('context_id', 'text', (c) => c.notNull())
        .addColumn('tool_id', 'text', (c) => c.notNull().references('tools.id').onDelete('cascade'))
        .addColumn('resource_link_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('resource_links_pk', ['platform_id', 'context_id', 'tool_id', 'resource_link_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('resource_links').execute();
      await db.schema.dropTable('scores').execute();
      await db.schema.dropTable('results').execute();
      await db.schema.dropTable('line_items').execute();
    },
  },
  '0011_members': {
    async up(db: Kysely<any>) {
      // Issue 16 item 5: the members of a portal's course contexts (there is no contexts table: a
      // context is its platform and the id of the LTI context claim). A row comes from the portal's
      // roster push (`pushed`), from a launch (`launched`), or both; `updated_at` moves only when what
      // NRPS shows of the member changes, for the differences link.
      await db.schema
        .createTable('members')
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('context_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('given_name', 'text')
        .addColumn('family_name', 'text')
        .addColumn('middle_name', 'text')
        .addColumn('email', 'text')
        .addColumn('picture', 'text')
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('pushed', 'integer', (c) => c.notNull())
        .addColumn('launched', 'integer', (c) => c.notNull())
        .addColumn('context_label', 'text')
        .addColumn('context_title', 'text')
        .addColumn('launched_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('members_pk', ['platform_id', 'context_id', 'user_id'])
        .execute();
      await db.schema.createIndex('members_context_updated').on('members').columns(['platform_id', 'context_id', 'updated_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('members').execute();
    },
  },
  '0012_score_webhook': {
    async up(db: Kysely<any>) {
      // Issue 16 item 6: a platform may name a URL every accepted score is POSTed to, as a JWT the
      // launcher signs. The deliveries are an outbox: a row is written in the transaction that
      // stores the score, and a worker on each instance sends it, at least once, with retries.
      await db.schema.alterTable('platforms').addColumn('score_webhook_url', 'text').execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('context_id', 'text', (c) => c.notNull())
        .addColumn('line_item_id', 'text', (c) => c.notNull())
        .addColumn('line_item_label', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('score_given', 'double precision')
        .addColumn('score_maximum', 'double precision')
        .addColumn('comment', 'text')
        .addColumn('activity_progress', 'text', (c) => c.notNull())
        .addColumn('grading_progress', 'text', (c) => c.notNull())
        .addColumn('timestamp', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      // The workers' look-up of due rows, and the console's recent deliveries of a platform.
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('webhook_deliveries_platform').on('webhook_deliveries').columns(['platform_id', 'created_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('webhook_deliveries').execute();
      await db.schema.alterTable('platforms').dropColumn('score_webhook_url').execute();
    },
  },
  '0013_gateway_tokens': {
    async up(db: Kysely<any>) {
      // Issue 17 items 1–2: what the gateway's token client asks an LMS for (an audience other than
      // the token URL, for Brightspace among others; the scopes, JSON, null = every AGS and NRPS
      // scope the launch offered), and the access tokens it got: one per registration and sorted
      // scope set, sealed with the SecretBox, shared by every instance until shortly before expiry.
      await db.schema.alterTable('registrations').addColumn('token_audience', 'text').execute();
      await db.schema.alterTable('registrations').addColumn('service_scopes', 'text').execute();
      await db.schema
        .createTable('gateway_access_tokens')
        .addColumn('registration_id', 'text', (c) => c.notNull().references('registrations.id').onDelete('cascade'))
        .addColumn('scope_key', 'text', (c) => c.notNull())
        .addColumn('access_token_enc', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('granted_scopes', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('gateway_access_tokens_pk', ['registration_id', 'scope_key'])
        .execute();
      await db.schema.createIndex('gateway_access_tokens_expires').on('gateway_access_tokens').column('expires_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('gateway_access_tokens').execute();
      await db.schema.alterTable('registrations').dropColumn('service_scopes').execute();
      await db.schema.alterTable('registrations').dropColumn('token_audience').execute();
    },
  },
  '0014_service_endpoints': {
    async up(db: Kysely<any>) {
      // Issue 17: the gateway remembers, per registration, deployment and context, the newest LMS
      // service endpoints a launch carried (AGS 2.0 §3.2.1: they may change, the newest launch wins),
      // under a random id that the app's service URLs name. An LMS line item is named by a row of
      // its own: the launch's default one per resource link, or one the app met in a list or made.
      await db.schema
        .createTable('service_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('registration_id', 'text', (c) => c.notNull().references('registrations.id').onDelete('cascade'))
        .addColumn('deployment_id', 'text', (c) => c.notNull())
        .addColumn('context_id', 'text', (c) => c.notNull())
        .addColumn('line_items_url', 'text')
        .addColumn('ags_scopes', 'text')
        .addColumn('members_url', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('service_endpoints_context_unique', ['registration_id', 'deployment_id', 'context_id'])
        .execute();
      await db.schema
        .createTable('service_line_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('service_endpoints.id').onDelete('cascade'))
        .addColumn('item_key', 'text', (c) => c.notNull())
        .addColumn('lms_url', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('service_line_items_key_unique', ['endpoint_id', 'item_key'])
        .execute();
      // The apps launched in each context: an app may reach only the contexts it was launched in.
      await db.schema
        .createTable('service_endpoint_apps')
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('service_endpoints.id').onDelete('cascade'))
        .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
        .addColumn('launched_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('service_endpoint_apps_pk', ['endpoint_id', 'app_id'])
        .execute();
      // The last score timestamp sent per (LMS line item, user): AGS 2.0 §4.3 wants them strictly increasing.
      await db.schema
        .createTable('score_timestamps')
        .addColumn('key_hash', 'text', (c) => c.primaryKey())
        .addColumn('last_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('score_timestamps').execute();
      await db.schema.dropTable('service_endpoint_apps').execute();
      await db.schema.dropTable('service_line_items').execute();
      await db.schema.dropTable('service_endpoints').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to date (or to the migration named `target`, for upgrade tests); safe to
 * run from several instances at once (Kysely takes a lock).
 */
export async function migrateToLatest(db: Kysely<any>, target?: string): Promise<string[]> {
  // Kysely looks for its migration tables in every schema unless told which one; name the current
  // schema so a database with several schemas (one per instance, or per test) migrates each its own.
  const migrationTableSchema = db.getExecutor().adapter instanceof PostgresAdapter
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0].schema
    : undefined;
  const migrator = new Migrator({ db, provider, migrationTableSchema });
  const { error, results } = target ? await migrator.migrateTo(target) : await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function ping(db: Kysely<any>): Promise<void> {
  await sql`select 1`.execute(db);
}
