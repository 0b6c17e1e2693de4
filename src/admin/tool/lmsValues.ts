import { html, type SafeHtml } from '../../web/html.ts';
import { launchUrl, type App } from '../../tool/model/apps.ts';
import { toolConfiguration } from './api.ts';
import { copyPanel } from '../console/copyPanel.ts';

/**
 * What an LMS administrator types into their LMS for this gateway, under the names that LMS uses
 * on its own form (Canvas: Developer Keys → LTI Key; Moodle: Manage tools → Configure a tool manually).
 */
export function lmsValuePanels(publicUrl: string, apps: App[]): SafeHtml {
  const config = toolConfiguration(publicUrl);
  const appUrls = apps.map((a) => launchUrl(publicUrl, a.slug));
  const redirectUris = [...appUrls, config.launch_url].join('\n');
  const target = appUrls[0] ?? config.app_launch_url_pattern;
  const targetHint = apps.length > 1
    ? `The launch URL of the app this link opens (${apps.map((a) => a.slug).join(', ')}); one LMS tool per app, or change it per placement.`
    : apps.length === 1 ? `Opens the app "${apps[0].name}".` : 'Create an app first: each app has its own launch URL.';
  return html`${copyPanel('canvas-values', 'Canvas: Developer Keys → + Developer Key → LTI Key', [
    { label: 'Redirect URIs', value: redirectUris, hint: 'One per line.' },
    { label: 'Target Link URI', value: target, hint: targetHint },
    { label: 'OpenID Connect Initiation Url', value: config.login_initiation_url },
    { label: 'JWK Method', value: 'Public JWK URL' },
    { label: 'Public JWK URL', value: config.jwks_url },
  ], 'Then enable the key, and add the app to a course or account with its Client ID (the key\'s ID number).')}
${copyPanel('moodle-values', 'Moodle: Site administration → Plugins → External tool → Manage tools → Configure a tool manually', [
    { label: 'Tool URL', value: target, hint: targetHint },
    { label: 'LTI version', value: 'LTI 1.3' },
    { label: 'Public key type', value: 'Keyset URL' },
    { label: 'Public keyset', value: config.jwks_url },
    { label: 'Initiate login URL', value: config.login_initiation_url },
    { label: 'Redirection URI(s)', value: redirectUris, hint: 'One per line.' },
  ], 'After saving, Moodle shows the tool\'s Platform ID, Client ID, Deployment ID and endpoints: enter them in the registration here.')}`;
}
