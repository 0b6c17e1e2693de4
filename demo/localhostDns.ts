import dns from 'node:dns';

/**
 * Browsers resolve every `*.localhost` name to loopback, so the demo gives each part its own
 * site (portal.localhost, idp.localhost, …). Node's resolver does not do this on every system,
 * so the demo process resolves them itself. Demo only: the services never depend on it.
 */
export function resolveLocalhostNames(): void {
  const original = dns.lookup;
  const patched = function lookup(hostname: string, options: unknown, callback?: unknown) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    if (typeof hostname === 'string' && (hostname === 'localhost' || hostname.endsWith('.localhost'))) {
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      const cb = callback as (...args: unknown[]) => void;
      if (all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
      else process.nextTick(cb, null, '127.0.0.1', 4);
      return;
    }
    return (original as (...args: unknown[]) => unknown).call(dns, hostname, options, callback);
  };
  (dns as { lookup: unknown }).lookup = patched;
}
