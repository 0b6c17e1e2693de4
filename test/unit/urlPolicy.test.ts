/**
 * The SSRF policy's verdict on IPv6 addresses that stand for, tunnel to or translate to an IPv4
 * address (src/net/urlPolicy.ts): each is refused, or judged by the IPv4 address inside it, both
 * when an admin saves a URL (assertPublicUrl) and when the server connects (policyFetch).
 */
import dns from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { UrlPolicyError, assertPublicUrl, policyFetch } from '../../src/net/urlPolicy.ts';

const strict = { allowPrivate: false, allowInsecure: false };
const verdict = (url: string) => assertPublicUrl(url, strict).then(() => 'allowed', (err: Error) => (err instanceof UrlPolicyError ? err.message : `failed: ${err.message}`));

describe('IPv6 transition ranges in the URL policy', () => {
  it.each([
    ['IPv4-compatible ::/96 (127.0.0.1)', 'https://[::127.0.0.1]/jwks', /IPv4-compatible IPv6 address \(::\/96\)/],
    ['IPv4-compatible ::/96 (a public address)', 'https://[::8.8.8.8]/jwks', /IPv4-compatible/],
    ['IPv4-mapped, all groups written out', 'https://[0:0:0:0:0:ffff:7f00:1]/jwks', /private or loopback address \(::ffff:7f00:1, which stands for 127\.0\.0\.1\)/],
    ['IPv4-mapped, leading zeros', 'https://[0000:0000:0000:0000:0000:ffff:0a00:0001]/jwks', /which stands for 10\.0\.0\.1/],
    ['IPv4-translated ::ffff:0:0:0/96', 'https://[::ffff:0:127.0.0.1]/jwks', /IPv4-translated/],
    ['6to4 of 127.0.0.1', 'https://[2002:7f00:1::1]/jwks', /6to4 address \(2002::\/16\)/],
    ['6to4 of a public address', 'https://[2002:808:808::1]/jwks', /6to4/],
    ['Teredo (client 127.0.0.1, inverted)', 'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/jwks', /Teredo address \(2001::\/32\)/],
    ['NAT64 64:ff9b::/96 of 127.0.0.1', 'https://[64:ff9b::127.0.0.1]/jwks', /private or loopback address \(64:ff9b::7f00:1, which stands for 127\.0\.0\.1\)/],
    ['NAT64 64:ff9b::/96 of 169.254.169.254', 'https://[64:ff9b::a9fe:a9fe]/latest/meta-data/', /which stands for 169\.254\.169\.254/],
    ['local-use NAT64 64:ff9b:1::/48', 'https://[64:ff9b:1::808:808]/jwks', /local-use NAT64/],
    ['site-local fec0::/10', 'https://[fec0::1]/jwks', /private or loopback address \(fec0::1\)/],
  ])('refuses %s, naming the range and ALLOW_PRIVATE_URLS', async (_case, url, reason) => {
    const message = await verdict(url);
    expect(message).toMatch(reason);
    expect(message).toContain(`${url} points to`);
    expect(message).toContain('set ALLOW_PRIVATE_URLS=true');
  });

  it('still refuses :: and ::1 as loopback, and IPv4-mapped addresses in the URL parser\'s spelling', async () => {
    expect(await verdict('https://[::]/x')).toMatch(/private or loopback address \(::\)/);
    expect(await verdict('https://[::1]/x')).toMatch(/private or loopback address \(::1\)/);
    expect(await verdict('https://[::ffff:127.0.0.1]/x')).toMatch(/which stands for 127\.0\.0\.1/);
  });

  it('lets NAT64 of a public IPv4 address and ordinary public IPv6 addresses through', async () => {
    // IPv6-only networks reach IPv4-only IdPs this way (RFC 6052 well-known prefix).
    expect(await verdict('https://[64:ff9b::808:808]/jwks')).toBe('allowed');
    expect(await verdict('https://[64:ff9b::8.8.4.4]/jwks')).toBe('allowed');
    expect(await verdict('https://[2606:4700:4700::1111]/jwks')).toBe('allowed');
    expect(await verdict('https://[::ffff:8.8.8.8]/jwks')).toBe('allowed');
    // 2001:4860:: shares 2001:: with Teredo but is outside its /32.
    expect(await verdict('https://[2001:4860:4860::8888]/jwks')).toBe('allowed');
  });

  it('allows every range when ALLOW_PRIVATE_URLS is set', async () => {
    for (const url of ['https://[2002:7f00:1::1]/', 'https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'https://[::127.0.0.1]/', 'https://[64:ff9b::7f00:1]/', 'https://[fec0::1]/']) {
      await expect(assertPublicUrl(url, { allowPrivate: true, allowInsecure: false }), url).resolves.toBeInstanceOf(URL);
    }
  });
});

describe('IPv6 transition ranges at connect time', () => {
  // A host name that resolves to a transition address needs a DNS server this machine does not
  // have; the process-wide resolver (which outboundFetch looks up at each call) answers for it.
  const original = dns.lookup;
  afterEach(() => {
    (dns as { lookup: unknown }).lookup = original;
  });
  const resolveAs = (name: string, address: string) => {
    (dns as { lookup: unknown }).lookup = (host: string, options: unknown, callback: (...args: unknown[]) => void) => {
      if (host !== name) return (original as (...args: unknown[]) => unknown).call(dns, host, options, callback);
      process.nextTick(callback, null, [{ address, family: 6 }]);
    };
  };

  it.each([
    ['6to4', '2002:7f00:1::1', /6to4 address/],
    ['Teredo', '2001:0:4136:e378:8000:63bf:80ff:fffe', /Teredo address/],
    ['NAT64 of loopback', '64:ff9b::7f00:1', /which stands for 127\.0\.0\.1/],
    ['IPv4-compatible', '::7f00:1', /IPv4-compatible/],
    ['site-local', 'fec0::1', /private or loopback address \(fec0::1\)/],
  ])('refuses a name that resolves to a %s address before connecting', async (_case, address, reason) => {
    resolveAs('idp.transition.test', address);
    const err = await policyFetch(strict, 2000)('https://idp.transition.test/.well-known/openid-configuration').catch((e: Error) => e);
    expect(err).toBeInstanceOf(UrlPolicyError);
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).toContain('https://idp.transition.test/.well-known/openid-configuration points to');
  });
});
