/**
 * The demo's parts and their ports: fixed defaults so every URL is known up front (and the same
 * at every start), each overridable with DEMO_<PART>_PORT when something else holds it.
 */
export const DEMO_PARTS = {
  idp: { port: 9390, what: 'the demo IdP' },
  portal: { port: 9300, what: 'the school portal' },
  launcher: { port: 9393, what: 'the launcher' },
  gateway: { port: 9494, what: 'the tool gateway' },
  chat: { port: 9595, what: 'the chatbot' },
} as const;

export type DemoPart = keyof typeof DEMO_PARTS;
export type DemoPorts = Record<DemoPart, number>;

export const portVariable = (part: DemoPart) => `DEMO_${part.toUpperCase()}_PORT`;

/** The port of each part: the caller's override, else DEMO_<PART>_PORT, else the default. */
export function demoPorts(overrides: Partial<DemoPorts> = {}, env: NodeJS.ProcessEnv = process.env): DemoPorts {
  const ports = {} as DemoPorts;
  for (const part of Object.keys(DEMO_PARTS) as DemoPart[]) {
    const override = overrides[part];
    const raw = env[portVariable(part)];
    if (override !== undefined) ports[part] = override;
    else if (raw === undefined || raw === '') ports[part] = DEMO_PARTS[part].port;
    else {
      const port = Number(raw);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${portVariable(part)} must be a port number, got "${raw}"`);
      ports[part] = port;
    }
  }
  return ports;
}

/**
 * What to tell the person when a port is taken: which part wanted it, and every variable that
 * moves a part elsewhere (with the port each part uses now), so nobody has to guess `<PART>`.
 */
export function portInUseMessage(port: number | undefined, ports: DemoPorts): string {
  const parts = Object.keys(DEMO_PARTS) as DemoPart[];
  const holder = parts.find((part) => ports[part] === port);
  const first = holder
    ? `port ${port}, which ${DEMO_PARTS[holder].what} uses, is taken. Is another demo running? Stop it, or move ${DEMO_PARTS[holder].what}: `
      + `${portVariable(holder)}=${ports[holder] + 1} npm start`
    : `a port it needs${port ? ` (${port})` : ''} is taken. Is another demo running? Stop it, or move the parts to other ports`;
  const width = Math.max(...parts.map((part) => `${portVariable(part)}=${ports[part]}`.length));
  const list = parts.map((part) => `  ${`${portVariable(part)}=${ports[part]}`.padEnd(width)}  ${DEMO_PARTS[part].what}`).join('\n');
  return `The demo could not start (EADDRINUSE): ${first}.\nEach part's port, and the variable that changes it:\n${list}\n`;
}
