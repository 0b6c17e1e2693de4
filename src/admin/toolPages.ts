import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../web/html.ts';
import { notFound } from '../lti/errors.ts';
import type { App } from '../tool/model/apps.ts';
import type { Gateway } from '../tool/gateway.ts';
import type { Registration } from '../tool/model/registrations.ts';
import { consoleAssets } from './console/assets.ts';
import { confirmBody } from './console/confirm.ts';
import { setupConsole, type Console } from './console/consoleScope.ts';
import { bodyValues, emptyForm, saveOrErrors, type FormState } from './console/form.ts';
import { keyErrors } from './console/keyInput.ts';
import { keyPages } from './console/keysPage.ts';
import { noticeOf, type ConsoleShell } from './console/layout.ts';
import { launchDetailBody, launchFilterOf, launchListBody, type LaunchLogTerms } from './console/launchLogPages.ts';
import { APP_FIELDS, NEW_APP_VALUES, appBody, appForm, appValues } from './tool/appForm.ts';
import { gatewayDashboard } from './tool/dashboard.ts';
import { apiKeyBody, appDetailBody, appListBody, registrationDetailBody, registrationListBody } from './tool/gatewayViews.ts';
import { lmsValuePanels } from './tool/lmsValues.ts';
import { REGISTRATION_FIELDS, REGISTRATION_KEY_NAMES, registrationBody, registrationForm, registrationValues } from './tool/registrationForm.ts';

const SHELL: ConsoleShell = {
  product: 'LTI Gateway admin',
  links: [
    { key: 'dashboard', href: '/admin', label: 'Dashboard' },
    { key: 'registrations', href: '/admin/registrations', label: 'LMS registrations' },
    { key: 'apps', href: '/admin/apps', label: 'Apps' },
    { key: 'launches', href: '/admin/launches', label: 'Launch log' },
    { key: 'keys', href: '/admin/keys', label: 'Keys' },
  ],
};

const idParams = { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } } as const;
type Id = { Params: { id: string } };

/**
 * The gateway's admin console at /admin, on the gateway's own services (registrations, apps,
 * keys, launch log) — the same ones its admin JSON API uses.
 */
export const toolAdminPages: FastifyPluginAsync<{ gateway: Gateway }> = async (app, { gateway }) => {
  await app.register(consoleAssets);
  await app.register(async (pages) => {
    const ui = setupConsole(pages, gateway.services.config, SHELL);
    dashboardAndLogPages(pages, gateway, ui);
    registrationPages(pages, gateway, ui);
    appPages(pages, gateway, ui);
    keyPages(pages, gateway.services.keys, ui, () => `${gateway.services.config.publicUrl}/.well-known/jwks.json`, 'the LMSs that use the gateway\'s key set');
  });
};

async function launchTerms(gateway: Gateway): Promise<LaunchLogTerms> {
  const [registrations, apps] = await Promise.all([gateway.registrations.list(), gateway.apps.list()]);
  return {
    role: 'tool',
    platform: 'LMS',
    tool: 'App',
    platforms: registrations.map((r) => ({ id: r.id, name: r.name })),
    tools: apps.map((a) => ({ id: a.id, name: a.name })),
  };
}


function dashboardAndLogPages(app: FastifyInstance, gateway: Gateway, ui: Console) {
  const { services } = gateway;
  app.get('/', async (request, reply) =>
    ui.send(reply, { title: 'Dashboard', current: 'dashboard', body: await gatewayDashboard(gateway, await launchTerms(gateway)), notice: noticeOf(request.query) }));
  app.get('/launches', async (request, reply) => {
    const { filter, form } = launchFilterOf(request.query, 'tool');
    const [entries, terms] = await Promise.all([services.launchLog.list(filter), launchTerms(gateway)]);
    return ui.send(reply, { title: 'Launch log', current: 'launches', body: launchListBody(entries, form, terms) });
  });
  app.get<Id>('/launches/:id', { schema: idParams }, async (request, reply) => {
    const entry = await services.launchLog.get(request.params.id);
    if (!entry || entry.role !== 'tool') throw notFound('launch_not_found', 'There is no launch with this id in the log.');
    return ui.send(reply, { title: 'Launch', current: 'launches', body: launchDetailBody(entry, await launchTerms(gateway)) });
  });
}

function registrationPages(app: FastifyInstance, gateway: Gateway, ui: Console) {
  const { registrations, apps, services } = gateway;
  const lmsValues = async () => lmsValuePanels(services.config.publicUrl, await apps.list());

  app.get('/registrations', async (request, reply) =>
    ui.send(reply, { title: 'LMS registrations', current: 'registrations', notice: noticeOf(request.query), body: registrationListBody(await registrations.list(), await lmsValues()) }));

  const showForm = (request: FastifyRequest, reply: FastifyReply, form: FormState, existing: Registration | null, status?: number) =>
    ui.send(reply, {
      status,
      title: existing ? `Edit ${existing.name}` : 'Register an LMS',
      current: 'registrations',
      body: registrationForm(form, {
        action: existing ? `/admin/registrations/${existing.id}` : '/admin/registrations',
        editing: existing !== null,
        token: ui.token(request, reply),
        cancelHref: existing ? `/admin/registrations/${existing.id}` : '/admin/registrations',
      }),
    });

  const submit = async (request: FastifyRequest, reply: FastifyReply, existing: Registration | null) => {
    const values = bodyValues(request.body, REGISTRATION_FIELDS);
    const body = registrationBody(values);
    const { saved, errors } = await saveOrErrors(
      () => (existing ? registrations.update(existing.id, body) : registrations.create(body)),
      (e) => keyErrors(e, REGISTRATION_KEY_NAMES, 'key', values.key),
    );
    if (errors) return showForm(request, reply, { values, errors }, existing, 422);
    request.log.info({ registration: saved!.id }, existing ? 'registration updated (console)' : 'registration created (console)');
    return reply.redirect(`/admin/registrations/${saved!.id}?notice=${existing ? 'saved' : 'created'}`, 303);
  };

  app.get('/registrations/new', (request, reply) => showForm(request, reply, emptyForm(), null));
  app.post('/registrations', (request, reply) => submit(request, reply, null));
  app.get<Id>('/registrations/:id', { schema: idParams }, async (request, reply) => {
    const r = await registrations.get(request.params.id);
    return ui.send(reply, { title: r.name, current: 'registrations', notice: noticeOf(request.query), body: registrationDetailBody(r, await lmsValues()) });
  });
  app.get<Id>('/registrations/:id/edit', { schema: idParams }, async (request, reply) => {
    const r = await registrations.get(request.params.id);
    return showForm(request, reply, emptyForm(registrationValues(r)), r);
  });
  app.post<Id>('/registrations/:id', { schema: idParams }, async (request, reply) => submit(request, reply, await registrations.get(request.params.id)));
  app.get<Id>('/registrations/:id/delete', { schema: idParams }, async (request, reply) => {
    const r = await registrations.get(request.params.id);
    return ui.send(reply, {
      title: `Delete ${r.name}?`,
      current: 'registrations',
      body: confirmBody({
        message: html`Launches from <strong>${r.name}</strong> (<code>${r.issuer}</code>) will be refused from now on. This cannot be undone.`,
        action: `/admin/registrations/${r.id}/delete`, button: 'Delete registration', cancelHref: `/admin/registrations/${r.id}`, token: ui.token(request, reply),
      }),
    });
  });
  app.post<Id>('/registrations/:id/delete', { schema: idParams }, async (request, reply) => {
    await registrations.delete(request.params.id);
    request.log.info({ registration: request.params.id }, 'registration deleted (console)');
    return reply.redirect('/admin/registrations?notice=deleted', 303);
  });
}

function appPages(app: FastifyInstance, gateway: Gateway, ui: Console) {
  const { apps, services } = gateway;
  const publicUrl = () => services.config.publicUrl;

  app.get('/apps', async (request, reply) =>
    ui.send(reply, { title: 'Apps', current: 'apps', notice: noticeOf(request.query), body: appListBody(await apps.list(), publicUrl()) }));

  const showForm = (request: FastifyRequest, reply: FastifyReply, form: FormState, existing: App | null, status?: number) =>
    ui.send(reply, {
      status,
      title: existing ? `Edit ${existing.name}` : 'New app',
      current: 'apps',
      body: appForm(form, {
        action: existing ? `/admin/apps/${existing.id}` : '/admin/apps',
        editing: existing !== null,
        token: ui.token(request, reply),
        cancelHref: existing ? `/admin/apps/${existing.id}` : '/admin/apps',
      }),
    });

  app.get('/apps/new', (request, reply) => showForm(request, reply, emptyForm({ ...NEW_APP_VALUES }), null));
  app.post('/apps', async (request, reply) => {
    const values = bodyValues(request.body, APP_FIELDS);
    const { saved, errors } = await saveOrErrors(() => apps.create(appBody(values)));
    if (errors) return showForm(request, reply, { values, errors }, null, 422);
    request.log.info({ app: saved!.app.id }, 'app created (console)');
    // The key is in this answer only: not a redirect, so it is never in a URL or a later page.
    return ui.send(reply, { status: 201, title: `${saved!.app.name} created`, current: 'apps', body: apiKeyBody(saved!.app, saved!.apiKey, true) });
  });
  app.get<Id>('/apps/:id', { schema: idParams }, async (request, reply) => {
    const a = await apps.get(request.params.id);
    return ui.send(reply, { title: a.name, current: 'apps', notice: noticeOf(request.query), body: appDetailBody(a, publicUrl()) });
  });
  app.get<Id>('/apps/:id/edit', { schema: idParams }, async (request, reply) => {
    const a = await apps.get(request.params.id);
    return showForm(request, reply, emptyForm(appValues(a)), a);
  });
  app.post<Id>('/apps/:id', { schema: idParams }, async (request, reply) => {
    const existing = await apps.get(request.params.id);
    const values = bodyValues(request.body, APP_FIELDS);
    const { saved, errors } = await saveOrErrors(() => apps.update(existing.id, appBody(values)));
    if (errors) return showForm(request, reply, { values, errors }, existing, 422);
    return reply.redirect(`/admin/apps/${saved!.id}?notice=saved`, 303);
  });
  app.get<Id>('/apps/:id/api-key', { schema: idParams }, async (request, reply) => {
    const a = await apps.get(request.params.id);
    return ui.send(reply, {
      title: `New API key for ${a.name}?`,
      current: 'apps',
      body: confirmBody({
        message: html`The current key of <strong>${a.name}</strong> (<code>${a.apiKeyPrefix}…</code>) stops working at once: the app cannot redeem launches until it has the new key.`,
        action: `/admin/apps/${a.id}/api-key`, button: 'Regenerate API key', cancelHref: `/admin/apps/${a.id}`, token: ui.token(request, reply),
      }),
    });
  });
  app.post<Id>('/apps/:id/api-key', { schema: idParams }, async (request, reply) => {
    const { app: updated, apiKey } = await apps.regenerateApiKey(request.params.id);
    request.log.info({ app: updated.id }, 'app API key regenerated (console)');
    return ui.send(reply, { title: `New API key for ${updated.name}`, current: 'apps', body: apiKeyBody(updated, apiKey, false) });
  });
  app.get<Id>('/apps/:id/delete', { schema: idParams }, async (request, reply) => {
    const a = await apps.get(request.params.id);
    return ui.send(reply, {
      title: `Delete ${a.name}?`,
      current: 'apps',
      body: confirmBody({
        message: html`Launches of <strong>${a.name}</strong> will be refused from now on, and its API key stops working. This cannot be undone.`,
        action: `/admin/apps/${a.id}/delete`, button: 'Delete app', cancelHref: `/admin/apps/${a.id}`, token: ui.token(request, reply),
      }),
    });
  });
  app.post<Id>('/apps/:id/delete', { schema: idParams }, async (request, reply) => {
    await apps.delete(request.params.id);
    request.log.info({ app: request.params.id }, 'app deleted (console)');
    return reply.redirect('/admin/apps?notice=deleted', 303);
  });
}

