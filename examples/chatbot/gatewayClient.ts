/**
 * What the chatbot learns from the gateway about a launch. The chatbot knows nothing about LTI:
 * it redeems a one-time code, server to server, with its API key.
 */
export interface Launch {
  user: { sub: string; name: string | null; given_name: string | null; family_name: string | null; email: string | null; picture: string | null; locale: string | null };
  roles: string[];
  role_names: string[];
  permissions: string[];
  context: { id: string; label?: string; title?: string } | null;
  resource_link: { id: string; title?: string };
  platform: { issuer: string; name: string; client_id: string; deployment_id: string };
  launched_at: string;
  expires_at: string;
}

export class LaunchRedeemError extends Error {
  constructor(readonly status: number, readonly code: string) {
    super(`the gateway refused the launch code (${status} ${code})`);
  }
}

export async function redeemLaunch(gatewayUrl: string, apiKey: string, code: string): Promise<Launch> {
  const response = await fetch(`${gatewayUrl}/api/v1/launches/${encodeURIComponent(code)}`, {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new LaunchRedeemError(response.status, body.error ?? 'unknown');
  return body as unknown as Launch;
}
