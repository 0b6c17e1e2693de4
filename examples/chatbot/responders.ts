/** Where the chatbot's answers come from: a built-in demo, or any OpenAI-compatible endpoint. */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ResponderInput {
  instructions: string;
  history: ChatTurn[];
  message: string;
  userName: string;
  courseTitle: string;
}

export interface Responder {
  /** Shown in the UI, so nobody mistakes the demo for a real assistant. */
  label: string;
  reply(input: ResponderInput): Promise<string>;
}

/** A course assistant that needs no network: it follows simple rules and says it is a demo. */
export const demoResponder: Responder = {
  label: 'Demo responder (built in, no AI model)',
  async reply({ instructions, message, userName, courseTitle, history }) {
    const text = message.trim();
    const lower = text.toLowerCase();
    if (/^(hi|hello|hey)\b/.test(lower)) return `Hello ${userName}! I am the assistant for ${courseTitle}. Ask me about the course.`;
    if (lower.includes('instruction')) {
      return instructions ? `My instructions for ${courseTitle} are: “${instructions}”` : `No instructions have been set for ${courseTitle} yet.`;
    }
    if (lower.includes('who am i')) return `You are ${userName}, in ${courseTitle}.`;
    const earlier = history.filter((t) => t.role === 'user').length;
    return `(demo) You asked: “${text}”. ${instructions ? `Following the course instructions (“${instructions}”), ` : ''}` +
      `a real assistant would answer here. This is message ${earlier + 1} of our conversation in ${courseTitle}.`;
  },
};

/** Any endpoint that speaks the OpenAI chat-completions API. */
export function openAiResponder(options: { baseUrl: string; apiKey: string | null; model: string; fetch?: typeof fetch }): Responder {
  const doFetch = options.fetch ?? fetch;
  return {
    label: `${options.model} (via ${new URL(options.baseUrl).host})`,
    async reply({ instructions, history, message, userName, courseTitle }) {
      const system = `You are a course assistant for "${courseTitle}", talking with ${userName}.` + (instructions ? `\nInstructions from the course staff: ${instructions}` : '');
      const response = await doFetch(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
        body: JSON.stringify({
          model: options.model,
          messages: [{ role: 'system', content: system }, ...history.slice(-20), { role: 'user', content: message }],
        }),
        signal: AbortSignal.timeout(60_000),
      });
      if (!response.ok) throw new Error(`the chat endpoint answered ${response.status}`);
      const body = (await response.json()) as { choices?: Array<{ message?: { content?: string } }> };
      const content = body.choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new Error('the chat endpoint gave no answer');
      return content;
    },
  };
}
