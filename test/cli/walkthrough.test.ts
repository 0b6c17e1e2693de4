/**
 * The README's local walkthrough, run as it is written: its two shell blocks are read from the
 * README and run by bash — the IdP (`lti-launcher idp`), the launcher and the gateway as real
 * processes, the setup with curl — and the browser step between them ("open the url, pick Ada")
 * is played over real HTTP. Two things differ from a person's terminal, both outside the blocks'
 * words: the ports are free ones instead of 9390/9393/9494/9595 (so the test never collides with
 * a running demo), and `npx lti-launcher` runs this checkout's bin from a temporary directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../attacks/world.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { readForm } from '../support/htmlForm.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { tempDir } from '../support/db.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const hasCurl = spawnSync('curl', ['--version']).status === 0;

/** The shell block that follows a `<!-- walkthrough:NAME` marker in the README. */
function block(readme: string, name: string): string {
  const match = new RegExp(`<!-- walkthrough:${name}[^>]*-->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`README has no walkthrough:${name} block`);
  return match[1];
}

describe.skipIf(!hasCurl)('the README\'s local walkthrough', () => {
  let shell: ChildProcess | undefined;
  afterAll(() => {
    // The block starts its servers with `&`: they share the shell's process group.
    if (shell?.pid) {
      try {
        process.kill(-shell.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });

  it('sets up an IdP, a platform, a tool and the gateway, launches as Ada, and redeems the launch', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const ports: Record<string, number> = {};
    for (const port of ['9390', '9393', '9494', '9595']) ports[port] = await freePort();
    const onFreePorts = (text: string) => text.replace(/\b(9390|9393|9494|9595)\b/g, (port: string) => String(ports[port]));
    const setup = onFreePorts(block(readme, 'setup'));
    const redeem = onFreePorts(block(readme, 'redeem'));
    // `npx lti-launcher` from a directory of its own (the walkthrough writes data-* there).
    const dir = tempDir('lti-walkthrough-');
    const bin = join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = lti-launcher ] && shift\nexec "${process.execPath}" "${join(ROOT, 'bin', 'lti-launcher.js')}" "$@"\n`);
    chmodSync(join(bin, 'npx'), 0o755);

    const script = `set -e\n${setup}\necho\necho "WALKTHROUGH_READY API_KEY=$API_KEY"\nwait\n`;
    shell = spawn('bash', ['-c', script], {
      cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, LOG_LEVEL: 'warn' },
    });
    let out = '';
    shell.stdout!.on('data', (c) => (out += c));
    shell.stderr!.on('data', (c) => (out += c));
    const ready = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the walkthrough did not finish its setup:\n${out}`)), 90_000);
      const check = () => {
        const match = /WALKTHROUGH_READY API_KEY=(\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      shell!.stdout!.on('data', check);
      shell!.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the walkthrough's shell exited with ${code}:\n${out}`));
      });
    });
    expect(ready).toMatch(/^lgw_/);

    // What the README says the last command prints.
    const launcher = `http://localhost:${ports['9393']}`;
    const tools = JSON.parse(/^\[.*\]$/m.exec(out)![0]) as Array<{ name: string; url: string }>;
    expect(tools).toEqual([{ name: 'Course Chat', description: null, icon_url: null, url: `${launcher}/p/springfield/launch/course-chat` }]);

    // "Open that url in a browser and pick Ada Lovelace at the IdP."
    const browser = new Browser();
    const first = await browser.request(tools[0].url);
    expect(first.status).toBe(303);
    const callback = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
    const toolLogin = await browser.request(callback.href);
    expect(toolLogin.status).toBe(200);
    const loginForm = readForm(await toolLogin.text());
    const toAuth = await browser.request(loginForm.action, { method: 'POST', body: new URLSearchParams(loginForm.fields) });
    expect(toAuth.status).toBe(302);
    const auth = await browser.request(toAuth.headers.get('location')!);
    expect(auth.status).toBe(200);
    const launchForm = readForm(await auth.text());
    const toApp = await browser.request(launchForm.action, { method: 'POST', body: new URLSearchParams(launchForm.fields) });
    const appUrl = new URL(toApp.headers.get('location')!);
    expect(`${appUrl.origin}/`).toBe(`http://localhost:${ports['9595']}/`);
    const code = appUrl.searchParams.get('launch_code')!;
    expect(code).toBeTruthy();

    // "Redeem it as the app's server would."
    const redeemed = spawnSync('bash', ['-c', redeem.replace('<launch_code>', code)], {
      encoding: 'utf8', env: { PATH: process.env.PATH, API_KEY: ready, GATEWAY: `http://localhost:${ports['9494']}` },
    });
    expect(redeemed.status, redeemed.stderr).toBe(0);
    const launch = JSON.parse(redeemed.stdout) as { user: { sub: string; name: string }; role_names: string[]; platform: { name: string } };
    expect(launch.user).toMatchObject({ sub: 'ada', name: 'Ada Lovelace' });
    expect(launch.role_names).toEqual(['Instructor']);
    expect(launch.platform.name).toBe('Springfield School');
  }, 150_000);
});
