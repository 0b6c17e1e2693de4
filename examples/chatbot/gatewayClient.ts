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
  /** The gateway's URLs for the class roster and the gradebook, present only when the LMS offers them. */
  services?: {
    ags?: { line_items_url: string; line_item_url?: string; scopes: string[] };
    nrps?: { members_url: string };
  };
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

/** A member of the course as the gateway lists it. */
export interface Member {
  user_id: string;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  picture: string | null;
  roles: string[];
  role_names: string[];
  status: string;
}

export interface LineItem {
  url: string;
  label: string;
  score_maximum: number;
  resource_id: string | null;
  tag: string | null;
  resource_link_id: string | null;
}

/** A refusal of a gateway service call: the gateway's code and, when it came from the LMS, the LMS's own answer. */
export class GatewayCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly lms: { status: number | null; error: string | null; description: string | null } = { status: null, error: null, description: null },
  ) {
    super(lms.description ?? lms.error ?? `the gateway answered ${status} ${code}`);
  }
}

/** The gateway's roster and gradebook calls, with this app's API key: plain JSON, no LTI. */
export class GatewayServices {
  constructor(private readonly apiKey: string) {}

  private async call<T>(url: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${this.apiKey}`, accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(20_000),
      });
    } catch {
      throw new GatewayCallError(502, 'gateway_unreachable');
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const text = (v: unknown) => (typeof v === 'string' ? v : null);
      throw new GatewayCallError(response.status, text(body.error) ?? 'unknown', {
        status: typeof body.lms_status === 'number' ? body.lms_status : null, error: text(body.lms_error), description: text(body.lms_error_description) ?? text(body.message),
      });
    }
    return body as T;
  }

  /** The course's members (the gateway follows the LMS's pages); `role` filters, e.g. Learner. */
  async members(membersUrl: string, role?: string): Promise<Member[]> {
    const url = new URL(membersUrl);
    if (role) url.searchParams.set('role', role);
    return (await this.call<{ members: Member[] }>(url.href)).members;
  }

  async lineItems(lineItemsUrl: string, filter: { resource_link_id?: string; tag?: string } = {}): Promise<LineItem[]> {
    const url = new URL(lineItemsUrl);
    for (const [name, value] of Object.entries(filter)) if (value) url.searchParams.set(name, value);
    return (await this.call<{ line_items: LineItem[] }>(url.href)).line_items;
  }

  createLineItem(lineItemsUrl: string, item: { label: string; score_maximum: number; tag?: string; resource_link_id?: string }): Promise<LineItem> {
    return this.call<LineItem>(lineItemsUrl, { method: 'POST', body: item });
  }

  /** Sends a score; the gateway stamps its time. */
  async postScore(lineItemUrl: string, score: { user_id: string; score_given: number; score_maximum: number; comment?: string; activity_progress: string; grading_progress: string }): Promise<void> {
    await this.call(`${lineItemUrl}/scores`, { method: 'POST', body: score });
  }
}
