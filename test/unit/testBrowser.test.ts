/**
 * The test browser's own rules (test/support): its cookie jar keeps Chromium's SameSite and Secure
 * rules, and its form reader reads what the servers' auto-submitting pages hold. Every end-to-end
 * suite leans on them, so they are checked here on their own.
 */
import { describe, expect, it } from 'vitest';
import { CookieJar } from '../support/cookieJar.ts';
import { readForm } from '../support/htmlForm.ts';

const site = 'http://127.0.0.1:4000';

function jarWith(url: string, ...setCookies: string[]): CookieJar {
  const jar = new CookieJar();
  for (const line of setCookies) jar.setCookie(url, line);
  return jar;
}

describe('the test cookie jar (Chromium rules)', () => {
  it('treats a cookie without SameSite as Lax: a cross-site POST leaves it out, a cross-site GET carries it', () => {
    const jar = jarWith(site, 'plain=1; Path=/');
    expect(jar.header(`${site}/x`)).toBe('plain=1');
    expect(jar.header(`${site}/x`, { method: 'POST', site: 'cross-site' })).toBe('');
    expect(jar.header(`${site}/x`, { method: 'GET', site: 'cross-site' })).toBe('plain=1');
  });

  it('sends Strict cookies on same-site requests only, and None cookies on every request', () => {
    const jar = jarWith(site, 'strict=1; Path=/; SameSite=Strict', 'none=1; Path=/; SameSite=None; Secure');
    expect(jar.header(`${site}/`)).toBe('strict=1; none=1');
    expect(jar.header(`${site}/`, { site: 'cross-site' })).toBe('none=1');
    expect(jar.header(`${site}/`, { method: 'POST', site: 'cross-site' })).toBe('none=1');
  });

  it('refuses SameSite=None without Secure', () => {
    expect(jarWith(site, 'none=1; Path=/; SameSite=None').cookies).toHaveLength(0);
  });

  it('keeps Secure cookies for https and loopback hosts only, and sends them only there', () => {
    expect(jarWith('http://lms.example/', 'a=1; Secure').cookies).toHaveLength(0);
    for (const url of ['https://lms.example/', 'http://localhost:3000/', 'http://demo.launcher.localhost/', 'http://127.0.0.1/']) {
      expect(jarWith(url, 'a=1; Secure').cookies, url).toHaveLength(1);
    }
    const jar = jarWith('https://lms.example/', 'a=1; Secure; Path=/');
    expect(jar.header('https://lms.example/')).toBe('a=1');
    expect(jar.header('http://lms.example/')).toBe('');
  });

  it('holds __Secure- and __Host- cookies to their prefixes', () => {
    expect(jarWith(site, '__Secure-a=1').cookies).toHaveLength(0);
    expect(jarWith(site, '__Secure-a=1; Secure').cookies).toHaveLength(1);
    expect(jarWith(`${site}/x/y`, '__Host-a=1; Secure').cookies).toHaveLength(0); // its default path is /x, not /
    expect(jarWith(`${site}/x/y`, '__Host-a=1; Secure; Path=/; Domain=127.0.0.1').cookies).toHaveLength(0);
    expect(jarWith(`${site}/x/y`, '__Host-a=1; Secure; Path=/').cookies).toHaveLength(1);
  });

  it('shares cookies across ports, as browsers do, and keeps Domain cookies to their domain', () => {
    const jar = jarWith('http://launcher.localhost:4000/admin', 'd=1; Path=/; Domain=launcher.localhost', 'h=1; Path=/');
    expect(jar.header('http://demo.launcher.localhost:4000/')).toBe('d=1');
    expect(jar.header('http://launcher.localhost:5000/')).toBe('d=1; h=1');
    expect(jar.header('http://other.localhost:4000/')).toBe('');
    expect(jarWith(site, 'x=1; Domain=lms.example').cookies).toHaveLength(0);
  });

  it('scopes a cookie without Path to the directory of the URL that set it', () => {
    const jar = jarWith(`${site}/p/school/launch`, 'a=1');
    expect(jar.get(`${site}/p/school/callback`, 'a')).toBe('1');
    expect(jar.get(`${site}/p/other`, 'a')).toBeUndefined();
  });

  it('forgets a cookie set again as expired, by Max-Age or by Expires', () => {
    const jar = jarWith(site, 'a=1; Path=/', 'b=1; Path=/');
    jar.setCookie(site, 'a=; Path=/; Max-Age=0');
    jar.setCookie(site, 'b=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.cookies).toHaveLength(0);
  });
});

describe('the test form reader', () => {
  it('reads the action, the method and every named input of the first form, entities decoded', () => {
    const form = readForm(
      '<p><input name="outside" value="no"></p><form method="post" action="https://tool.example/launch?a=1&amp;b=2">' +
        '<input type="hidden" name="id_token" value="a.b.c"><input type="hidden" name="state" value="&quot;s&#39;&lt;&#x3e;">' +
        '<input type="submit" value="Continue"></form><form action="/second"><input name="x" value="y"></form>',
    );
    expect(form).toEqual({ action: 'https://tool.example/launch?a=1&b=2', method: 'post', fields: { id_token: 'a.b.c', state: `"s'<>` } });
  });

  it('says so when a page has no form', () => {
    expect(() => readForm('<p>nothing to post</p>')).toThrow(/no form in page/);
  });
});
