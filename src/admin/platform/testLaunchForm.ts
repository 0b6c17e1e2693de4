import { html, type SafeHtml } from '../../web/html.ts';
import { TEST_ROLES } from '../../platform/testLaunch.ts';
import { csrfInput, errorSummary, selectField, textField, type FormState } from '../console/form.ts';

export const TEST_LAUNCH_FIELDS = ['tool', 'name', 'email', 'role'] as const;

const LABELS = { tool: 'Tool', name: 'User name', email: 'Email address', role: 'Role' };

const ROLE_LABELS: Record<string, string> = {
  Learner: 'Learner (student)', Instructor: 'Instructor (teacher)', TeachingAssistant: 'Teaching assistant',
  ContentDeveloper: 'Content developer', Mentor: 'Mentor', Administrator: 'Administrator (of the course)',
};

export interface TestLaunchTool {
  id: string;
  name: string;
  platformName: string;
}

/** The test-launch form: a tool, and a synthetic user's name and role; no sign-in at the IdP. */
export function testLaunchForm(form: FormState, tools: TestLaunchTool[], token: string, elsewhere?: SafeHtml): SafeHtml {
  if (tools.length === 0) return html`<p>There is no tool to launch yet. <a href="/admin/tools">Add a tool</a> first.</p>`;
  return html`<p>Launch a tool as a made-up user, without signing in at the IdP, to check that the tool accepts this launcher's launches before real users try. The launch log marks it as a test.</p>
${elsewhere ?? ''}
${errorSummary(form, LABELS)}
<form method="post" action="/admin/test-launch" novalidate>
${csrfInput(token)}
${selectField(form, 'tool', { label: 'Tool', choices: tools.map((t) => ({ value: t.id, label: t.name, group: t.platformName })) })}
${textField(form, 'name', { label: 'User name', required: true, autocomplete: 'off', hint: 'Sent as the name claim (when the tool may see names).' })}
${textField(form, 'email', { label: 'Email address', type: 'email', hint: 'Optional.' })}
${selectField(form, 'role', { label: 'Role', choices: TEST_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] ?? r })) })}
<div class="actions"><button type="submit">Start test launch</button></div>
<p class="muted">The launch continues in this window: the tool's login, this launcher's /auth, and the tool's page.</p>
</form>`;
}
