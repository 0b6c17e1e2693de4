import type { Adapter, AdapterPayload } from 'oidc-provider';

/** Models whose records belong to a grant and go when it is revoked (as in oidc-provider's own adapter). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds, or undefined for records that never expire (clients). */
  expiresAt?: number;
}

/**
 * In-memory storage for one IdP instance, shared by all oidc-provider models. Unlike the
 * provider's built-in development adapter it is not process-global (several IdPs can run in one
 * test process) and it lets the demo add clients at runtime ({@link MemoryStore.putClient}).
 */
export class MemoryStore {
  private readonly entries = new Map<string, Entry>();
  /** Keys are `<Model>:<id>`. Secondary indexes: session `uid:<uid>` / `userCode:<code>` → key; grantId → keys. */
  private readonly lookups = new Map<string, string>();
  private readonly grants = new Map<string, Set<string>>();
  private writes = 0;

  adapterFor = (model: string): Adapter => new MemoryAdapter(this, model);

  putClient(metadata: AdapterPayload & { client_id: string }): void {
    this.set(`Client:${metadata.client_id}`, metadata);
  }

  deleteClient(clientId: string): void {
    this.delete(`Client:${clientId}`);
  }

  get(key: string): AdapterPayload | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(key: string, payload: AdapterPayload, expiresIn?: number): void {
    if (++this.writes % 500 === 0) this.sweep();
    this.delete(key);
    this.entries.set(key, { payload, expiresAt: expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000 });
    const model = key.slice(0, key.indexOf(':'));
    if (model === 'Session' && payload.uid) this.lookups.set(`uid:${payload.uid}`, key);
    if (payload.userCode) this.lookups.set(`userCode:${payload.userCode}`, key);
    if (GRANTABLE.has(model) && payload.grantId) {
      const keys = this.grants.get(payload.grantId) ?? new Set<string>();
      keys.add(key);
      this.grants.set(payload.grantId, keys);
    }
  }

  lookup(index: string): AdapterPayload | undefined {
    const key = this.lookups.get(index);
    return key === undefined ? undefined : this.get(key);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const { uid, userCode, grantId } = entry.payload;
    if (uid && this.lookups.get(`uid:${uid}`) === key) this.lookups.delete(`uid:${uid}`);
    if (userCode && this.lookups.get(`userCode:${userCode}`) === key) this.lookups.delete(`userCode:${userCode}`);
    if (grantId) this.grants.get(grantId)?.delete(key);
  }

  /** Drops expired records so a long-running demo does not grow without bound. */
  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.delete(key);
    }
  }

  revokeGrant(grantId: string): void {
    for (const key of this.grants.get(grantId) ?? []) this.delete(key);
    this.grants.delete(grantId);
  }
}

class MemoryAdapter implements Adapter {
  constructor(
    private readonly store: MemoryStore,
    private readonly model: string,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.store.set(this.key(id), payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.get(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.store.lookup(`uid:${uid}`);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.store.lookup(`userCode:${userCode}`);
  }

  async consume(id: string): Promise<void> {
    const payload = this.store.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.store.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.store.revokeGrant(grantId);
  }
}
