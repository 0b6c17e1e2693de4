import { ConfigError, type Config } from '../config.ts';

/**
 * Why the server cannot listen, naming PORT or HOST, for the errors a setting causes; null for
 * anything else. Node's own message ("listen EADDRINUSE: address already in use") names neither.
 */
export function listenProblem(err: unknown, config: Pick<Config, 'port' | 'host'>): ConfigError | null {
  const where = `${config.host}:${config.port}`;
  switch ((err as { code?: string }).code) {
    case 'EADDRINUSE':
      return new ConfigError('PORT', `${config.port} is already in use on ${config.host} (is another instance running?)`);
    case 'EACCES':
      return new ConfigError('PORT', `not allowed to listen on ${where} (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
      return new ConfigError('HOST', `${config.host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError('HOST', `cannot resolve "${config.host}" to an address to listen on`);
    default:
      return null;
  }
}
