import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../web/html.ts';
import { notFound } from '../lti/errors.ts';
import type { Launcher } from '../platform/launcher.ts';
import type { Platform } from '../platform/model/platforms.ts';
import type { Tool } from '../platform/model/tools.ts';
import { deletePlatform, platformView, savePlatform } from '../platform/platforms.ts';
import { deleteTool, generateToolKeyPair, saveTool, toolView } from '../platform/tools.ts';
import { consoleAssets } from './console/assets.ts';
import { confirmBody } from './console/confirm.ts';
import { setupConsole, type Console } from './console/consoleScope.ts';
import { bodyText, bodyValues, emptyForm, saveOrErrors, type FormState } from './console/form.ts';
import { keyErrors } from './console/keyInput.ts';
import { keyPages } from './console/keysPage.ts';
import { noticeOf, type ConsoleShell } from './console/layout.ts';
import { launchDetailBody, launchFilterOf, launchListBody, type LaunchLogTerms } from './console/launchLogPages.ts';
import { platformDashboard } from './platform/dashboard.ts';
import { recentRoleValues, recentRoleValuesHint } from './platform/roleValues.ts';
import { checkDiscovery, discoveryPanel } from './platform/discovery.ts';
import { CONTEXT_KEY_NAMES, PLATFORM_FIELDS, platformBody, platformForm, platformValues } from './platform/platformForm.ts';
import { platformDetailBody, platformListBody, toolDetailBody, toolListBody } from './platform/platformViews.ts';
import { testLaunchPages } from './platform/testLaunchPages.ts';
import { gradebookPages } from './platform/gradebookPages.ts';
import { webhookDeliveriesBody, webhookFacts } from './platform/webhookDeliveryViews.ts';
import { RECENT_DELIVERIES, deliveryStatusOf, retryDeliveryNow } from '../platform/webhook/deliveries.ts';
import { refuseRepeatedParams } from '../input/queryParams.ts';
import { NEW_TOOL_VALUES, TOOL_FIELDS, TOOL_KEY_NAMES, toolBody, toolForm, toolValues } from './platform/toolForm.ts';

const SHELL: ConsoleShell = {
  product: 'LTI Launcher admin',
  links: [
    { key: 'dashboard', href: '/admin', label: 'Dashboard' },
    { key: 'platforms', href: '/admin/platforms', label: 'Platforms' },
    { key: 'tools', href: '/admin/tools', label: 'Tools' },
    { key: 'test', href: '/admin/test-launch', label: 'Test launch' },
    { key: 'launches', href: '/admin/launches', label: 'Launch log' },
    { key: 'keys', href: '/admin/keys', label: 'Keys' },
  ],
};

const idParams = { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } } as const;
type Id = { Params: { id: string } };
const deliveryParams = {
  params: { type: 'object', required: ['id', 'delivery'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, delivery: { type: 'string', minLength: 1, maxLength: 64 } } },
} as const;

/**
 * The launcher's admin console: server-rendered pages at /admin on the same services as the
 * admin JSON API, so a form and an API call are validated and saved by the same code.
 */
export const platformAdminPages: FastifyPluginAsync<{ launcher: Launcher }> = async (app, { launcher }) => {
  const { services } = launcher;
  await app.register(consoleAssets);
  await app.register(async (pages) => {
    const ui = setupConsole(pages, services.config, SHELL);
    dashboardAndLogPages(pages, launcher, ui);
    platformPages(pages, launcher, ui);
    toolPages(pages, launcher, ui);
    testLaunchPages(pages, launcher, ui);
    gradebookPages(pages, launcher, ui);
    keyPages(pages, services.keys, ui, () => `${services.config.publicUrl}/.well-known/jwks.json`, 'tools');
  });
};

/** Platforms and tools by id and name, for the launch log's filters and names. */
async function launchTerms(launcher: Launcher): Promise<LaunchLogTerms & { rows: Array<{ platform: Platform; tools: Tool[] }> }> {
  const [platforms, tools] = await Promise.all([launcher.platforms.list(), launcher.tools.byPlatform()]);
  const rows = platforms.map((platform) => ({ platform, tools: tools.get(platform.id) ?? [] }));
  return {
    role: 'platform',
    platform: 'Platform',
    tool: 'Tool',
    platforms: platforms.map((p) => ({ id: p.id, name: p.name })),
    tools: rows.flatMap((r) => r.tools.map((t) => ({ id: t.id, name: t.name, group: r.platform.name }))),
    rows,
  };
}


function dashboardAndLogPages(app: FastifyInstance, launcher: Launcher, ui: Console) {
  const { services } = launcher;
  app.get('/', async (request, reply) => {
    const terms = await launchTerms(launcher);
    return ui.send(reply, { title: 'Dashboard', current: 'dashboard', body: await platformDashboard(launcher, terms), notice: noticeOf(request.query) });
  });
  app.get('/launches', async (request, reply) => {
    const { filter, form } = launchFilterOf(request.query, 'platform');
    const [entries, terms] = await Promise.all([services.launchLog.list(filter), launchTerms(launcher)]);
    return ui.send(reply, { title: 'Launch log', current: 'launches', body: launchListBody(entries, form, terms) });
  });
  app.get<Id>('/launches/:id', { schema: idParams }, async (request, reply) => {
    const entry = await services.launchLog.get(request.params.id);
    if (!entry || entry.role !== 'platform') throw notFound('launch_not_found', 'There is no launch with this id in the log.');
    return ui.send(reply, { title: 'Launch', current: 'launches', body: launchDetailBody(entry, await launchTerms(launcher)) });
  });
}

function platformPages(app: FastifyInstance, launcher: Launcher, ui: Console) {
  const { services } = launcher;
  const { config } = services;
  app.get('/platforms', async (request, reply) => {
    const [platforms, tools] = await Promise.all([launcher.platforms.list(), launcher.tools.byPlatform()]);
    const withCounts = platforms.map((p) => ({ ...platformView(config, p), toolCount: tools.get(p.id)?.length ?? 0 }));
    return ui.send(reply, { title: 'Platforms', current: 'platforms', body: platformListBody(withCounts), notice: noticeOf(request.query) });
  });

  const showForm = async (request: FastifyRequest, reply: FastifyReply, form: FormState, existing: Platform | null, extra: { discovery?: ReturnType<typeof discoveryPanel>; status?: number } = {}) =>
    ui.send(reply, {
      status: extra.status,
      title: existing ? `Edit ${existing.name}` : 'New platform',
      current: 'platforms',
      body: platformForm(form, {
        action: existing ? `/admin/platforms/${existing.id}` : '/admin/platforms',
        editing: existing !== null,
        hasSecret: existing?.clientSecretSealed != null,
        token: ui.token(request, reply),
        discovery: extra.discovery,
        seenRoleValues: existing ? recentRoleValuesHint(await recentRoleValues(services, existing.id), existing.roleMap) : undefined,
      }),
    });

  /** Create or update from the form; "Check discovery" shows the IdP's document instead of saving. */
  const submit = async (request: FastifyRequest, reply: FastifyReply, existing: Platform | null) => {
    const values = bodyValues(request.body, PLATFORM_FIELDS);
    if (bodyText(request.body, 'action') === 'check_discovery') {
      const result = await checkDiscovery(services, values.openid_configuration_url, values.client_id);
      return showForm(request, reply, { values: { ...values, client_secret: '' }, errors: {} }, existing, { discovery: discoveryPanel(result) });
    }
    const { saved, errors } = await saveOrErrors(
      () => savePlatform(launcher, platformBody(values, existing !== null), existing ?? undefined),
      (e) => keyErrors(e, CONTEXT_KEY_NAMES, 'context_key', values.context_key),
    );
    // The secret is write-only: never sent back into the page, even when the form has to be fixed.
    if (errors) return showForm(request, reply, { values: { ...values, client_secret: '' }, errors }, existing, { status: 422 });
    request.log.info({ platform: saved!.id, slug: saved!.slug }, existing ? 'platform updated (console)' : 'platform created (console)');
    return reply.redirect(`/admin/platforms/${saved!.id}?notice=${existing ? 'saved' : 'created'}`, 303);
  };

  app.get('/platforms/new', (request, reply) => showForm(request, reply, emptyForm(), null));
  app.post('/platforms', (request, reply) => submit(request, reply, null));
  app.get<Id>('/platforms/:id', { schema: idParams }, async (request, reply) => {
    const row = await launcher.platforms.get(request.params.id);
    const tools = (await launcher.tools.listOf(row.id)).map((t) => toolView(config, row, t));
    const view = platformView(config, row);
    const webhook = webhookFacts(view, await launcher.deliveries.counts(row.id));
    return ui.send(reply, { title: row.name, current: 'platforms', body: platformDetailBody(view, tools, webhook), notice: noticeOf(request.query) });
  });
  app.get<Id>('/platforms/:id/webhook-deliveries', { schema: idParams }, async (request, reply) => {
    const row = await launcher.platforms.get(request.params.id);
    const status = deliveryStatusOf(refuseRepeatedParams(request.query).status);
    const deliveries = await launcher.deliveries.list(row.id, { status, limit: RECENT_DELIVERIES });
    return ui.send(reply, {
      title: `Webhook deliveries of ${row.name}`, current: 'platforms', notice: noticeOf(request.query),
      body: webhookDeliveriesBody(platformView(config, row), deliveries, { token: ui.token(request, reply), status }),
    });
  });
  app.post<{ Params: { id: string; delivery: string } }>('/platforms/:id/webhook-deliveries/:delivery/retry', { schema: deliveryParams }, async (request, reply) => {
    const row = await launcher.platforms.get(request.params.id);
    await retryDeliveryNow(launcher, row.id, request.params.delivery);
    request.log.info({ platform: row.id, delivery: request.params.delivery }, 'score webhook delivery retried now (console)');
    return reply.redirect(`/admin/platforms/${row.id}/webhook-deliveries?notice=retrying`, 303);
  });
  app.get<Id>('/platforms/:id/edit', { schema: idParams }, async (request, reply) => {
    const row = await launcher.platforms.get(request.params.id);
    return showForm(request, reply, emptyForm(platformValues(row)), row);
  });
  app.post<Id>('/platforms/:id', { schema: idParams }, async (request, reply) => submit(request, reply, await launcher.platforms.get(request.params.id)));
  app.get<Id>('/platforms/:id/discovery', { schema: idParams }, async (request, reply) => {
    const row = await launcher.platforms.get(request.params.id);
    const result = await checkDiscovery(services, row.discoveryUrl, row.clientId);
    return ui.send(reply, {
      title: `Discovery of ${row.name}`,
      current: 'platforms',
      body: html`${discoveryPanel(result)}<p><a href="/admin/platforms/${row.id}">Back to ${row.name}</a></p>`,
    });
  });
  app.get<Id>('/platforms/:id/delete', { schema: idParams }, async (request, reply) => {
    const row = await launcher.platforms.get(request.params.id);
    const count = (await launcher.tools.listOf(row.id)).length;
    return ui.send(reply, {
      title: `Delete ${row.name}?`,
      current: 'platforms',
      body: confirmBody({
        message: html`This deletes the platform <strong>${row.name}</strong> and its ${count} ${count === 1 ? 'tool' : 'tools'}. Launch links to it stop working at once. This cannot be undone.`,
        action: `/admin/platforms/${row.id}/delete`, button: 'Delete platform', cancelHref: `/admin/platforms/${row.id}`, token: ui.token(request, reply),
      }),
    });
  });
  app.post<Id>('/platforms/:id/delete', { schema: idParams }, async (request, reply) => {
    await deletePlatform(launcher, request.params.id);
    request.log.info({ platform: request.params.id }, 'platform deleted (console)');
    return reply.redirect('/admin/platforms?notice=deleted', 303);
  });
}

function toolPages(app: FastifyInstance, launcher: Launcher, ui: Console) {
  const { config } = launcher.services;
  app.get('/tools', async (request, reply) => {
    const [platforms, tools] = await Promise.all([launcher.platforms.list(), launcher.tools.byPlatform()]);
    const groups = platforms.map((p) => ({
      platform: platformView(config, p),
      tools: (tools.get(p.id) ?? []).map((t) => toolView(config, p, t)),
    }));
    return ui.send(reply, { title: 'Tools', current: 'tools', body: toolListBody(groups), notice: noticeOf(request.query) });
  });

  const showForm = (request: FastifyRequest, reply: FastifyReply, form: FormState, platform: Platform, existing: Tool | null, status?: number) =>
    ui.send(reply, {
      status,
      title: existing ? `Edit ${existing.name}` : 'New tool',
      current: 'tools',
      body: toolForm(form, {
        action: existing ? `/admin/tools/${existing.id}` : `/admin/platforms/${platform.id}/tools`,
        editing: existing !== null,
        platformName: platform.name,
        token: ui.token(request, reply),
        cancelHref: existing ? `/admin/tools/${existing.id}` : `/admin/platforms/${platform.id}`,
      }),
    });

  const submit = async (request: FastifyRequest, reply: FastifyReply, platform: Platform, existing: Tool | null) => {
    const values = bodyValues(request.body, TOOL_FIELDS);
    const { saved, errors } = await saveOrErrors(
      () => saveTool(launcher, platform.id, toolBody(values), existing ?? undefined),
      (e) => keyErrors(e, TOOL_KEY_NAMES, 'key', values.key),
    );
    if (errors) return showForm(request, reply, { values, errors }, platform, existing, 422);
    request.log.info({ tool: saved!.id, platform: platform.id }, existing ? 'tool updated (console)' : 'tool created (console)');
    return reply.redirect(`/admin/tools/${saved!.id}?notice=${existing ? 'saved' : 'created'}`, 303);
  };

  app.get<Id>('/platforms/:id/tools/new', { schema: idParams }, async (request, reply) =>
    showForm(request, reply, emptyForm({ ...NEW_TOOL_VALUES }), await launcher.platforms.get(request.params.id), null));
  app.post<Id>('/platforms/:id/tools', { schema: idParams }, async (request, reply) =>
    submit(request, reply, await launcher.platforms.get(request.params.id), null));
  app.get<Id>('/tools/:id', { schema: idParams }, async (request, reply) => {
    const tool = await launcher.tools.get(request.params.id);
    const platform = await launcher.platforms.get(tool.platformId);
    return ui.send(reply, {
      title: tool.name, current: 'tools', notice: noticeOf(request.query),
      body: toolDetailBody(platformView(config, platform), toolView(config, platform, tool)),
    });
  });
  app.get<Id>('/tools/:id/edit', { schema: idParams }, async (request, reply) => {
    const tool = await launcher.tools.get(request.params.id);
    return showForm(request, reply, emptyForm(toolValues(tool)), await launcher.platforms.get(tool.platformId), tool);
  });
  app.post<Id>('/tools/:id', { schema: idParams }, async (request, reply) => {
    const tool = await launcher.tools.get(request.params.id);
    return submit(request, reply, await launcher.platforms.get(tool.platformId), tool);
  });
  app.get<Id>('/tools/:id/key-pair', { schema: idParams }, async (request, reply) => {
    const tool = await launcher.tools.get(request.params.id);
    return ui.send(reply, {
      title: `Generate a key pair for ${tool.name}?`,
      current: 'tools',
      body: confirmBody({
        message: html`This makes a new RS256 key pair for <strong>${tool.name}</strong>. Its public key replaces the tool's key here, so assertions and tokens signed with the old key stop working at once, and the tool's access tokens end. The private key is shown once, on the next page: copy it to the tool then.`,
        action: `/admin/tools/${tool.id}/key-pair`, button: 'Generate key pair', cancelHref: `/admin/tools/${tool.id}`, token: ui.token(request, reply), danger: false,
      }),
    });
  });
  // The private key is in this page only (no-store): never stored, logged or shown again.
  app.post<Id>('/tools/:id/key-pair', { schema: idParams }, async (request, reply) => {
    const { tool, privateKeyPem, kid } = await generateToolKeyPair(launcher, await launcher.tools.get(request.params.id));
    request.log.info({ tool: tool.id, kid }, 'tool key pair generated (console)');
    return ui.send(reply, {
      title: `New key pair for ${tool.name}`,
      current: 'tools',
      body: html`<div class="alert" role="status"><p>The tool's public key is now this key pair's (kid <code>${kid}</code>). Copy the private key below into the tool now: it is not kept here and will not be shown again.</p></div>
<div class="field"><label for="private-key">Private key (PKCS#8 PEM, RS256)</label>
<textarea id="private-key" rows="16" readonly spellcheck="false">${privateKeyPem}</textarea></div>
<p class="hint">The tool signs its token requests with it: a JWT with iss and sub its client id <code>${tool.clientId}</code>, aud the platform's token URL, a new jti each time, and the kid above.</p>
<div class="actions"><a class="button" href="/admin/tools/${tool.id}">Done</a></div>`,
    });
  });
  app.get<Id>('/tools/:id/delete', { schema: idParams }, async (request, reply) => {
    const tool = await launcher.tools.get(request.params.id);
    return ui.send(reply, {
      title: `Delete ${tool.name}?`,
      current: 'tools',
      body: confirmBody({
        message: html`This deletes the tool <strong>${tool.name}</strong>. Its launch link stops working at once. This cannot be undone.`,
        action: `/admin/tools/${tool.id}/delete`, button: 'Delete tool', cancelHref: `/admin/tools/${tool.id}`, token: ui.token(request, reply),
      }),
    });
  });
  app.post<Id>('/tools/:id/delete', { schema: idParams }, async (request, reply) => {
    const tool = await launcher.tools.get(request.params.id);
    await deleteTool(launcher, tool.id);
    request.log.info({ tool: tool.id }, 'tool deleted (console)');
    return reply.redirect(`/admin/platforms/${tool.platformId}?notice=deleted`, 303);
  });
}
