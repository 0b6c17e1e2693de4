import { describe, expect, it } from 'vitest';
import { demoPorts, portInUseMessage } from '../../demo/ports.ts';

describe('the demo’s ports', () => {
  it('takes DEMO_<PART>_PORT for each part, and refuses what is not a port', () => {
    expect(demoPorts({}, {})).toEqual({ idp: 9390, portal: 9300, launcher: 9393, gateway: 9494, chat: 9595 });
    expect(demoPorts({ chat: 0 }, { DEMO_LAUNCHER_PORT: '8080' })).toMatchObject({ launcher: 8080, chat: 0 });
    expect(() => demoPorts({}, { DEMO_GATEWAY_PORT: 'abc' })).toThrow('DEMO_GATEWAY_PORT must be a port number, got "abc"');
  });

  it('names the part whose port is taken, its variable, and every other part’s variable', () => {
    const message = portInUseMessage(9393, demoPorts({}, {}));
    expect(message).toContain('port 9393, which the launcher uses, is taken');
    expect(message).toContain('DEMO_LAUNCHER_PORT=9394 npm start');
    for (const name of ['DEMO_IDP_PORT=9390', 'DEMO_PORTAL_PORT=9300', 'DEMO_LAUNCHER_PORT=9393', 'DEMO_GATEWAY_PORT=9494', 'DEMO_CHAT_PORT=9595']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('<PART>');
    expect(portInUseMessage(1234, demoPorts({}, {}))).toContain('a port it needs (1234) is taken');
  });
});
