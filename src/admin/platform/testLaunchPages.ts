import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../web/html.ts';
import { ValidationError } from '../../input/errors.ts';
import type { Launcher } from '../../platform/launcher.ts';
import type { Platform } from '../../platform/model/platforms.ts';
import type { Tool } from '../../platform/model/tools.ts';
import { checkTestLaunch, startTestLaunch, type TestLaunchTarget } from '../../platform/testLaunch.ts';
import { handOverTestLaunch, testLaunchHost } from '../../platform/testLaunchStart.ts';
import type { Console } from '../console/consoleScope.ts';
import { bodyValues, emptyForm, type FormState } from '../console/form.ts';
import { TEST_LAUNCH_FIELDS, testLaunchForm } from './testLaunchForm.ts';

/**
 * The console's Test launch page. The launch runs wherever the platform's /auth is: on this host
 * (path tenancy, or the console opened on the platform's own host), or — with subdomain tenancy
 * and the console on another host under DOMAIN — on the platform's host, handed over with a
 * start token (src/platform/testLaunchStart.ts), so the admin clicks once and signs in once.
 */
export function testLaunchPages(app: FastifyInstance, launcher: Launcher, ui: Console) {
  const { config } = launcher.services;
  const show = async (request: FastifyRequest, reply: FastifyReply, form: FormState, status?: number, problem?: SafeHtml) => {
    const [platforms, byPlatform] = await Promise.all([launcher.platforms.list(), launcher.tools.byPlatform()]);
    const tools = platforms.flatMap((p) => (byPlatform.get(p.id) ?? []).map((t) => ({
      id: t.id, name: t.name, platformName: p.name, initiation: t.initiationUrl,
    })));
    // The form posts here and may be answered with a redirect to the tool (login initiation by
    // GET): CSP form-action must allow the tools' origins.
    reply.formAction = [...new Set(tools.map((t) => new URL(t.initiation).origin))];
    return ui.send(reply, { status, title: 'Test launch', current: 'test', body: testLaunchForm(form, tools, ui.token(request, reply), problem) });
  };

  app.get('/test-launch', (request, reply) => {
    const tool = (request.query as { tool?: unknown }).tool;
    return show(request, reply, emptyForm({ tool: typeof tool === 'string' ? tool : '', role: 'Learner', name: 'Test Student' }));
  });

  app.post('/test-launch', async (request, reply) => {
    const values = bodyValues(request.body, TEST_LAUNCH_FIELDS);
    let target: TestLaunchTarget;
    try {
      target = await checkTestLaunch(launcher, { toolId: values.tool, name: values.name, role: values.role, email: values.email });
    } catch (err) {
      if (err instanceof ValidationError) return show(request, reply, { values, errors: err.fields }, 422);
      throw err;
    }
    const where = testLaunchHost(config, request, target.platform);
    if (where.kind === 'elsewhere') {
      return show(request, reply, { values, errors: {} }, 422, otherHostProblem(request, target.platform, target.tool, where.platformBase, config.domain!));
    }
    if (where.kind === 'hand_over') return handOverTestLaunch(launcher, request, reply, target, where.platformBase);
    return startTestLaunch(launcher, request, reply, target);
  });
}

/**
 * The console is open on a host outside DOMAIN (an IP address, another name): no cookie of this
 * host reaches the platform's host, so the browser cannot prove there that it asked. Said once,
 * with the address to go to as a link.
 */
function otherHostProblem(request: FastifyRequest, platform: Platform, tool: Tool, platformBase: string, domain: string): SafeHtml {
  const there = `${platformBase}/admin/test-launch?tool=${encodeURIComponent(tool.id)}`;
  const host = new URL(platformBase).host;
  return html`<div class="alert" role="alert" tabindex="-1" id="error-summary">
<h2>This test launch runs on ${host}</h2>
<p>${tool.name} belongs to ${platform.name}, whose launches run on <code>${host}</code>. This console is open on <code>${request.host}</code>, which is not under <code>${domain}</code>, so the launch cannot be handed over from here. Open the test launch page there (the console asks you to sign in on that host): <a href="${there}">${there}</a></p>
<p class="muted">Error code: <code>test_launch_other_host</code></p>
</div>`;
}
