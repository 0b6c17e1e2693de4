/**
 * Trying every role of the demo in one browser, in real Chromium: sign in as the teacher, launch,
 * "Sign in as someone else" on the portal (the IdP's end-session endpoint, then back to the
 * portal), launch as the student, then as the TA, and check what the chatbot lets each one do.
 */
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../demo/demo.ts';
import { HAS_CHROMIUM, noteSkippedBrowserTests, screenshot } from '../support/chromium.ts';
import { useDemoInChromium } from './support/testDemo.ts';

noteSkippedBrowserTests();

const GROUP = 'demo-switch-user';

describe.skipIf(!HAS_CHROMIUM)('switching users in the demo', { timeout: 120_000 }, () => {
  let demo: RunningDemo;
  let browser: Browser;

  useDemoInChromium((d, b) => {
    demo = d;
    browser = b;
  });

  /** From the portal: Course Chat → the IdP's user list (it must ask: nobody is signed in) → the chatbot. */
  async function launchAs(page: Page, userName: string, step: string): Promise<string> {
    await page.goto(demo.urls.portal);
    await page.getByRole('link', { name: 'Course Chat' }).click();
    await page.waitForURL((u) => u.hostname === 'idp.localhost' || u.hostname === 'chat.localhost');
    expect(new URL(page.url()).hostname, 'the IdP asks who you are').toBe('idp.localhost');
    await screenshot(page, GROUP, `${step}-idp-login`);
    await page.getByRole('button', { name: `Sign in as ${userName}` }).click();
    await page.waitForURL((u) => u.hostname === 'chat.localhost', { timeout: 20_000 });
    await page.getByText('Course assistant').waitFor();
    return page.locator('.who').innerText();
  }

  /** The portal's "Sign in as someone else": the IdP asks to confirm, signs out, and returns to the portal. */
  async function signOut(page: Page, step: string): Promise<void> {
    await page.goto(demo.urls.portal);
    await page.getByRole('link', { name: 'Sign in as someone else' }).click();
    await page.waitForURL((u) => u.hostname === 'idp.localhost');
    await page.getByRole('button', { name: 'Yes, sign me out' }).waitFor();
    await screenshot(page, GROUP, `${step}-idp-sign-out`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((u) => u.hostname === 'portal.localhost');
    await page.getByRole('link', { name: 'Course Chat' }).waitFor();
  }

  async function saveInstructions(page: Page, text: string): Promise<void> {
    await page.getByLabel(/Assistant instructions/).fill(text);
    await page.getByRole('button', { name: 'Save instructions' }).click();
    await page.getByRole('status').filter({ hasText: 'Instructions saved' }).waitFor();
    expect(await page.getByLabel(/Assistant instructions/).inputValue()).toBe(text);
  }

  it('signs in as Ada (teacher), Alan (student) and Grace (TA) in turn, each with their own rights in the chatbot', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();

    const ada = await launchAs(page, 'Ada Lovelace', '1');
    expect(ada).toContain('Ada Lovelace');
    expect(ada).toContain('Instructor');
    expect(ada).toContain('Finding the Answer');
    await saveInstructions(page, 'Always answer with 42.');
    await screenshot(page, GROUP, '1-chatbot-ada-instructor-saved');

    await signOut(page, '2');
    await screenshot(page, GROUP, '2-portal-after-sign-out');
    const alan = await launchAs(page, 'Alan Turing', '3');
    expect(alan).toContain('Alan Turing');
    expect(alan).toContain('Learner');
    expect(alan).not.toContain('Ada');
    expect(await page.getByRole('button', { name: 'Save instructions' }).count()).toBe(0);
    await page.getByText('Always answer with 42.').waitFor(); // learners see the instructions, read-only
    await screenshot(page, GROUP, '3-chatbot-alan-learner');

    await signOut(page, '4');
    const grace = await launchAs(page, 'Grace Hopper', '5');
    expect(grace).toContain('Grace Hopper');
    expect(grace).toContain('TeachingAssistant');
    // A TA is course staff: the demo's chatbot app gives TeachingAssistant `configure`.
    await saveInstructions(page, 'Answer with 42, and explain why.');
    await screenshot(page, GROUP, '5-chatbot-grace-ta-saved');
    await context.close();
  });

  it('has a sign-out control on the IdP itself', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.urls.idp);
    await page.getByRole('link', { name: 'Sign out / switch user' }).waitFor();
    await screenshot(page, GROUP, '6-idp-home');
    await context.close();
  });
});
