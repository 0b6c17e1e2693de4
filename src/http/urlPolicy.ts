import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { outboundFetch } from './outboundFetch.ts';

/**
 * Admin-supplied URLs (discovery, JWKS, icons) are fetched by the server, so they could be used
 * to reach internal services (SSRF). Loopback, private, link-local and other non-public targets
 * are refused unless ALLOW_PRIVATE_URLS is set (the demo sets it: everything runs on loopback).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
// 64:ff9b::/96 is NAT64: it reaches the IPv4 address in its last 32 bits, which is not checked here.
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['64:ff9b:1::', 48]] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
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
  constructor(readonly address: string) {
    super(`${address} is a private or loopback address`);
  }
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address, in either spelling: `::ffff:127.0.0.1`, or
 * `::ffff:7f00:1` as the URL parser writes it (a check of the text alone would miss that one).
 */
function ipv4OfMapped(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Whether an address (either IPv4 spelling of an IPv4-mapped IPv6 address included) is not public. */
function isBlockedAddress(address: string, family: number): boolean {
  const mapped = family === 6 ? ipv4OfMapped(address) ?? address : address;
  return blocked.check(mapped, isIP(mapped) === 4 ? 'ipv4' : 'ipv6');
}

function privateTarget(raw: string, address: string): UrlPolicyError {
  return new UrlPolicyError(`${raw} points to a private or loopback address (${address}); set ALLOW_PRIVATE_URLS=true to allow it`);
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

/** The checks that need no lookup: scheme, plain http, credentials, and a literal address or localhost name. */
function checkUrlShape(raw: string, { allowPrivate, allowInsecure }: UrlPolicy): URL {
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
  if (host === 'localhost' || host.endsWith('.localhost')) throw privateTarget(raw, host);
  if (isIP(host) && isBlockedAddress(host, isIP(host))) throw privateTarget(raw, host);
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
  for (const { address, family } of addresses) if (isBlockedAddress(address, family)) throw privateTarget(raw, address);
  return url;
}

/**
 * fetch() for admin-supplied URLs: the URL policy, a timeout, and no redirects. The address is
 * checked when the connection is made (src/http/outboundFetch.ts), so the name is resolved once
 * and a name that resolves differently later (DNS rebinding) cannot reach a private address.
 */
export function policyFetch(policy: UrlPolicy, timeoutMs = 5000): typeof fetch {
  const send = outboundFetch({
    allowAddress: (address, family) => (!policy.allowPrivate && isBlockedAddress(address, family) ? new BlockedAddress(address) : null),
  });
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    checkUrlShape(target, policy);
    try {
      return await send(target, { redirect: 'error', ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof BlockedAddress) throw privateTarget(target, cause.address);
      throw err;
    }
  }) as typeof fetch;
}
