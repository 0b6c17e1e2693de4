/**
 * The chatbot's class view and participation grades, end to end in the demo, in real Chromium:
 * a learner chats; the teacher opens the class view (the roster the launcher gives the gateway
 * over NRPS, with each student's messages), sends participation grades (the gateway's token
 * client and AGS against the launcher), sees what the launcher answered per student, and finds
 * the grades on the portal's Grades page. The learner is refused the class view and grading.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../demo/demo.ts';
import { HAS_CHROMIUM, noteSkippedBrowserTests, readmeImage, screenshot } from '../support/chromium.ts';
import { useDemoInChromium } from './support/testDemo.ts';

noteSkippedBrowserTests();

describe.skipIf(!HAS_CHROMIUM)('the chatbot’s class view and participation grades in the demo', { timeout: 120_000 }, () => {
  let demo: RunningDemo;
  let browser: Browser;
  useDemoInChromium((d, b) => {
    demo = d;
    browser = b;
  });

  /** Portal → "Course Chat" → the IdP as `userName` → the chatbot. */
  async function openChat(context: BrowserContext, userName: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(demo.urls.portal);
    await page.getByRole('link', { name: 'Course Chat' }).click();
    await page.waitForURL((u) => u.hostname === 'idp.localhost' || u.hostname === 'chat.localhost');
    if (new URL(page.url()).hostname === 'idp.localhost') await page.getByRole('button', { name: new RegExp(userName) }).click();
    await page.waitForURL((u) => u.hostname === 'chat.localhost', { timeout: 20_000 });
    await page.getByText('Course assistant').waitFor();
    return page;
  }

  it('counts a learner’s messages, and refuses the learner the class view and grading', async () => {
    const context = await browser.newContext();
    const page = await openChat(context, 'Alan Turing');
    for (const message of ['What is the answer?', 'Why 42?', 'Thanks!']) {
      await page.getByLabel('Your message').fill(message);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('.turn.user').filter({ hasText: message }).waitFor();
    }
    expect(await page.getByText(/Your participation in .*: 3 messages \(3 \/ 10\)/).count()).toBe(1);
    expect(await page.getByRole('link', { name: /Class/ }).count()).toBe(0);
    const cookie = (await context.cookies(demo.urls.chat)).map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await fetch(`${demo.urls.chat}/class`, { headers: { cookie } })).status).toBe(403);
    expect((await fetch(`${demo.urls.chat}/api/class`, { headers: { cookie } })).status).toBe(403);
    const grading = await fetch(`${demo.urls.chat}/api/class/grades`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(grading.status).toBe(403);
    await context.close();
  });

  it('shows the teacher the class with each student’s messages, sends the grades, and the portal shows them', async () => {
    const context = await browser.newContext();
    const page = await openChat(context, 'Ada Lovelace');
    await page.getByRole('link', { name: /Class/ }).click();
    await page.getByRole('heading', { name: /Class/ }).waitFor();
    const alan = page.getByRole('row').filter({ hasText: 'Alan Turing' });
    expect(await alan.innerText()).toMatch(/Alan Turing\s+Learner\s+Active\s+3\s+3 \/ 10/);
    await screenshot(page, 'demo-class', '1-class-view');

    await page.getByRole('button', { name: 'Send participation grades' }).click();
    await page.getByRole('status').filter({ hasText: /Participation grades: 1 of 1 students sent/ }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Alan Turing' }).innerText()).toMatch(/sent 3 \/ 10/);
    readmeImage(await screenshot(page, 'demo-class', '2-grades-sent'), 'demo-6-class-grades');

    // Bad requests from the teacher's own session: a form without its CSRF token, and JSON that is not JSON; neither sends anything.
    const cookie = (await context.cookies(demo.urls.chat)).map((c) => `${c.name}=${c.value}`).join('; ');
    const forged = await fetch(`${demo.urls.chat}/class/grades`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=forged' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('This form has expired');
    const notJson = await fetch(`${demo.urls.chat}/api/class/grades`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: 'send' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message?: string }).message).toMatch(/body/);

    await page.goto(demo.urls.portal);
    await page.getByRole('link', { name: 'Grades' }).click();
    await page.getByRole('heading', { name: 'Chat participation' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Alan Turing' }).first().innerText()).toMatch(/Alan Turing\s+3 \/ 10/);
    await screenshot(page, 'demo-class', '3-portal-grades');

    // A second send updates the same column (no second line item).
    await page.goto(`${demo.urls.chat}/class`);
    await page.getByRole('button', { name: 'Send participation grades' }).click();
    await page.getByRole('status').filter({ hasText: /1 of 1 students sent/ }).waitFor();
    await page.goto(demo.urls.portal);
    await page.getByRole('link', { name: 'Grades' }).click();
    expect(await page.getByRole('heading', { name: 'Chat participation' }).count()).toBe(1);
    await context.close();
  });
});
