import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { outboundFetch } from './outboundFetch.ts';

/**
 * Admin-supplied URLs (discovery, JWKS, icons) are fetched by the server, so they could be used
 * to reach internal services (SSRF). Loopback, private, link-local and other non-public targets
 * are refused unless ALLOW_PRIVATE_URLS is set (the demo sets it: everything runs on loopback).
 */
const blocked4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked4.addSubnet(net, prefix, 'ipv4');
// fec0::/10 is the deprecated site-local range (RFC 3879), which some networks still route inside.
const blocked6 = new BlockList();
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8]] as const) {
  blocked6.addSubnet(net, prefix, 'ipv6');
}

const PRIVATE = 'a private or loopback address';

/**
 * IPv6 ranges that carry or reach an IPv4 address by a transition mechanism. A school's IdP or LMS
 * never needs one, and where they lead is decided by relays and translators on the way, not by
 * the address the policy sees, so they are refused outright rather than decoded.
 */
const TRANSITION: ReadonlyArray<{ net: string; prefix: number; reason: string }> = [
  // RFC 4291 2.5.5.1: deprecated; `::a.b.c.d` is sent to a.b.c.d by stacks that still know it.
  { net: '::', prefix: 96, reason: 'an IPv4-compatible IPv6 address (::/96)' },
  // RFC 2765: IPv4-translated addresses, handed to a stateless translator.
  { net: '::ffff:0:0:0', prefix: 96, reason: 'an IPv4-translated IPv6 address (::ffff:0:0:0/96)' },
  // RFC 3056: 2002:AABB:CCDD::/48 tunnels to the IPv4 address AABBCCDD.
  { net: '2002::', prefix: 16, reason: 'a 6to4 address (2002::/16), which tunnels to an IPv4 address' },
  // RFC 4380: the client's IPv4 address is the last 32 bits, inverted.
  { net: '2001::', prefix: 32, reason: 'a Teredo address (2001::/32), which tunnels to an IPv4 address' },
  // RFC 8215: local-use NAT64; where the IPv4 address sits inside depends on the network's prefix length.
  { net: '64:ff9b:1::', prefix: 48, reason: 'a local-use NAT64 address (64:ff9b:1::/48), which reaches an IPv4 address the network chooses' },
];
const transition = TRANSITION.map(({ net, prefix, reason }) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, 'ipv6');
  return { list, reason };
});

/**
 * The eight 16-bit groups of an IPv6 address in any spelling (`::` shortening, a dotted IPv4 tail
 * such as `::ffff:127.0.0.1`, a `%zone`), or null when it is not one.
 */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2).map(Number);
    if ([a, b, c, d].some((octet) => octet > 255)) return null;
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ([...head, ...tail].some(Number.isNaN) || missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function lastIpv4(groups: number[]): string {
  const [high, low] = groups.slice(6);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

const startsWith = (groups: number[], prefix: number[]) => prefix.every((g, i) => groups[i] === g);

/**
 * The IPv4 address an IPv6 address stands for, where the rule for finding it is fixed: IPv4-mapped
 * `::ffff:0:0/96` (RFC 4291 2.5.5.2; the URL parser writes `::ffff:127.0.0.1` as `::ffff:7f00:1`,
 * so a check of the text alone would miss it) and the well-known NAT64 prefix `64:ff9b::/96`
 * (RFC 6052 2.1: the last 32 bits), which IPv6-only networks use to reach public IPv4 hosts.
 */
function embeddedIpv4(groups: number[]): string | null {
  if (startsWith(groups, [0, 0, 0, 0, 0, 0xffff]) || startsWith(groups, [0x64, 0xff9b, 0, 0, 0, 0])) return lastIpv4(groups);
  return null;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address, in either spelling. */
function ipv4OfMapped(address: string): string | null {
  const groups = ipv6Groups(address);
  return groups && startsWith(groups, [0, 0, 0, 0, 0, 0xffff]) ? lastIpv4(groups) : null;
}

/**
 * Why the policy refuses an address, as the end of a sentence naming it ("points to …"), or null
 * when it may be reached. An IPv6 address that stands for an IPv4 one is judged by that address.
 */
function refusalOf(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return blocked4.check(address, 'ipv4') ? `${PRIVATE} (${address})` : null;
  const groups = family === 6 ? ipv6Groups(address) : null;
  if (!groups) return `${PRIVATE} (${address})`; // not an address this code can read: refused rather than guessed at
  const ipv4 = embeddedIpv4(groups);
  if (ipv4) return blocked4.check(ipv4, 'ipv4') ? `${PRIVATE} (${address}, which stands for ${ipv4})` : null;
  // The canonical spelling, so BlockList reads exactly the address classified here.
  const canonical = groups.map((g) => g.toString(16)).join(':');
  if (blocked6.check(canonical, 'ipv6')) return `${PRIVATE} (${address})`;
  for (const { list, reason } of transition) if (list.check(canonical, 'ipv6')) return `${address}, ${reason}`;
  return null;
}

export class UrlPolicyError extends Error {}

/** Loopback hosts: `localhost`, `*.localhost` (RFC 6761), 127.0.0.0/8 and ::1, in any URL spelling. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) {
    const mapped = ipv4OfMapped(host);
    return mapped ? mapped.startsWith('127.') : loopback6.check(host, 'ipv6');
  }
  return false;
}
const loopback6 = new BlockList();
loopback6.addAddress('::1', 'ipv6');

/**
 * The one rule for plain http, in both roles, for every URL an admin gives and every request the
 * server makes to one (admin fields, IdP discovery, key sets, the token exchange, an LMS's
 * endpoints): loopback hosts may use http; any other host needs https unless ALLOW_INSECURE_IDP
 * is set. Returns the refusal, naming the URL and the setting, or null.
 */
export function plainHttpRefusal(url: URL, allowInsecure: boolean): string | null {
  if (url.protocol !== 'http:' || allowInsecure || isLoopbackHost(url.hostname)) return null;
  return `${url.href} must use https: plain http is allowed only for loopback hosts (localhost, 127.0.0.1, ::1); set ALLOW_INSECURE_IDP=true to allow it elsewhere`;
}

/** A resolved address the policy refuses, reported by the connection (the URL is named by policyFetch). */
class BlockedAddress extends Error {
  constructor(readonly refusal: string) {
    super(`the address is ${refusal}`);
  }
}

function privateTarget(raw: string, refusal: string): UrlPolicyError {
  return new UrlPolicyError(`${raw} points to ${refusal}; set ALLOW_PRIVATE_URLS=true to allow it`);
}

/** What a URL the server fetches may be: private addresses and plain http allowed or not. */
export interface UrlPolicy {
  /** ALLOW_PRIVATE_URLS: loopback, private and link-local addresses. */
  allowPrivate: boolean;
  /** ALLOW_INSECURE_IDP: plain http to hosts other than loopback. */
  allowInsecure: boolean;
}

export function urlPolicyOf(config: { allowPrivateUrls: boolean; allowInsecureIdp: boolean }): UrlPolicy {
  return { allowPrivate: config.allowPrivateUrls, allowInsecure: config.allowInsecureIdp };
}

/**
 * The checks that need no lookup: scheme, plain http, credentials, and a literal address or
 * localhost name. For a URL the server does not fetch itself (one a browser is sent to), or a
 * second look at a stored one; throws a UrlPolicyError naming the URL.
 */
export function checkUrlShape(raw: string, { allowPrivate, allowInsecure }: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlPolicyError(`"${raw}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UrlPolicyError(`${raw} must use https`);
  const plainHttp = plainHttpRefusal(url, allowInsecure);
  if (plainHttp) throw new UrlPolicyError(plainHttp);
  if (url.username || url.password) throw new UrlPolicyError(`${raw} must not contain credentials`);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) throw privateTarget(raw, `${PRIVATE} (${host})`);
  const refusal = isIP(host) ? refusalOf(host) : null;
  if (refusal) throw privateTarget(raw, refusal);
  return url;
}

/** The URL policy with the host name resolved now: for checking a URL an admin saves, with a clear reason. */
export async function assertPublicUrl(raw: string, policy: UrlPolicy): Promise<URL> {
  const url = checkUrlShape(raw, policy);
  if (policy.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return url;
  const addresses = await lookup(host, { all: true }).catch(() => {
    throw new UrlPolicyError(`the host name ${host} does not resolve`);
  });
  for (const { address } of addresses) {
    const refusal = refusalOf(address);
    if (refusal) throw privateTarget(raw, refusal);
  }
  return url;
}

/**
 * fetch() for admin-supplied URLs: the URL policy, a timeout, and no redirects. The address is
 * checked when the connection is made (src/net/outboundFetch.ts), so the name is resolved once
 * and a name that resolves differently later (DNS rebinding) cannot reach a private address.
 */
export function policyFetch(policy: UrlPolicy, timeoutMs = 5000): typeof fetch {
  const send = outboundFetch({
    allowAddress: (address) => {
      const refusal = policy.allowPrivate ? null : refusalOf(address);
      return refusal ? new BlockedAddress(refusal) : null;
    },
  });
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    checkUrlShape(target, policy);
    try {
      return await send(target, { redirect: 'error', ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof BlockedAddress) throw privateTarget(target, cause.refusal);
      throw err;
    }
  }) as typeof fetch;
}
