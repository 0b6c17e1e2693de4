import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';

export interface ReceivedDelivery {
  contentType: string | undefined;
  body: string;
  jti: string;
}

/**
 * A portal's webhook endpoint on 127.0.0.1: records every POST and answers with the next status
 * of `answers` (then `otherwise`), after `delayMs`.
 */
export class WebhookReceiver {
  private server!: Server;
  url = '';
  received: ReceivedDelivery[] = [];
  answers: number[] = [];
  otherwise = 200;
  delayMs = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.received.push({ contentType: req.headers['content-type'], body, jti: String(decodeJwt(body).jti) });
        const status = this.answers.shift() ?? this.otherwise;
        setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver is down'), this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/scores`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Waits until `check` holds (every 50 ms, at most `timeoutMs`); the last value it gave. */
export async function eventually<T>(read: () => Promise<T> | T, check: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
