import { openAiResponder } from './responders.ts';
import { startChatbot } from './chatbot.ts';

/**
 * Runs the example chatbot from environment variables:
 *   CHATBOT_GATEWAY_URL (required), CHATBOT_API_KEY (required), PORT (default 9595), HOST,
 *   CHATBOT_SESSION_SECRET, CHATBOT_DATABASE (SQLite file; in memory when unset),
 *   CHATBOT_OPENAI_BASE_URL + CHATBOT_OPENAI_MODEL (+ CHATBOT_OPENAI_API_KEY) for a real model.
 */
const env = process.env;
const missing = ['CHATBOT_GATEWAY_URL', 'CHATBOT_API_KEY'].filter((name) => !env[name]);
if (missing.length > 0) {
  process.stderr.write(`Set ${missing.join(' and ')} (the gateway's URL and this app's API key from the gateway admin).\n`);
  process.exit(1);
}
if (env.CHATBOT_OPENAI_BASE_URL && !env.CHATBOT_OPENAI_MODEL) {
  process.stderr.write('CHATBOT_OPENAI_BASE_URL is set: set CHATBOT_OPENAI_MODEL too.\n');
  process.exit(1);
}
const responder = env.CHATBOT_OPENAI_BASE_URL
  ? openAiResponder({ baseUrl: env.CHATBOT_OPENAI_BASE_URL, apiKey: env.CHATBOT_OPENAI_API_KEY ?? null, model: env.CHATBOT_OPENAI_MODEL! })
  : undefined;
const chatbot = await startChatbot({
  port: Number(env.PORT ?? 9595),
  host: env.HOST ?? '127.0.0.1',
  gatewayUrl: env.CHATBOT_GATEWAY_URL!.replace(/\/+$/, ''),
  apiKey: env.CHATBOT_API_KEY!,
  sessionSecret: env.CHATBOT_SESSION_SECRET,
  dataFile: env.CHATBOT_DATABASE,
  publicUrl: env.CHATBOT_PUBLIC_URL,
  responder,
  logLevel: env.LOG_LEVEL ?? 'info',
});
process.stdout.write(`chatbot listening on ${chatbot.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void chatbot.close().then(() => process.exit(0)));
