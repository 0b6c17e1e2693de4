/** The little of ltijs and ltijs-sequelize (CommonJS, untyped) the interop test uses. */
declare module 'ltijs' {
  import type { IncomingMessage, RequestListener } from 'node:http';

  /** The bits of express's request and response the callbacks use. */
  export interface LtijsResponse {
    locals: Record<string, any>;
    status(code: number): LtijsResponse;
    send(body: unknown): unknown;
  }

  export interface LtijsPlatform {
    platformPublicKey(): Promise<string>;
    platformKid(): Promise<string>;
  }
  export interface LtijsToken {
    [claim: string]: unknown;
    iss: string;
    user: string;
    userInfo: { given_name?: string; family_name?: string; name?: string; email?: string };
    platformInfo?: Record<string, unknown>;
    clientId: string;
    deploymentId: string;
    platformContext: {
      context?: Record<string, unknown>;
      resource?: Record<string, unknown>;
      roles?: string[];
      custom?: Record<string, string>;
      messageType?: string;
      version?: string;
      targetLinkUri?: string;
      launchPresentation?: Record<string, unknown>;
      namesRoles?: { context_memberships_url: string; service_versions: string[] };
      endpoint?: { scope: string[]; lineitems: string; lineitem?: string };
    };
  }
  /** What NamesAndRoles.getMembers answers: the container's body, its pages' members joined, and the links. */
  export interface LtijsMembers {
    id: string;
    context: Record<string, unknown>;
    members: Array<Record<string, any>>;
    next?: string;
    differences?: string;
  }
  export interface LtijsProvider {
    app: RequestListener;
    setup(encryptionKey: string, database: { plugin: unknown }, options?: Record<string, unknown>): LtijsProvider;
    deploy(options?: { port?: number; silent?: boolean; serverless?: boolean }): Promise<true>;
    close(options?: { silent?: boolean }): Promise<true>;
    onConnect(callback: (token: LtijsToken, req: IncomingMessage, res: LtijsResponse, next: () => void) => unknown): true;
    onInvalidToken(callback: (req: IncomingMessage, res: LtijsResponse) => unknown): true;
    registerPlatform(platform: {
      url: string;
      name: string;
      clientId: string;
      authenticationEndpoint: string;
      accesstokenEndpoint: string;
      authConfig: { method: 'JWK_SET' | 'JWK_KEY' | 'RSA_KEY'; key: string };
    }): Promise<LtijsPlatform>;
    getPlatform(url: string, clientId: string): Promise<LtijsPlatform | false>;
    NamesAndRoles: {
      getMembers(idtoken: LtijsToken, options?: { role?: string; limit?: number; pages?: number | false; url?: string; resourceLinkId?: boolean }): Promise<LtijsMembers>;
    };
    /** ltijs's Assignment and Grade Services client (src/Provider/Services/Grade.js). */
    Grade: {
      getLineItems(idtoken: LtijsToken, options?: { resourceLinkId?: boolean; resourceId?: string; tag?: string; limit?: number; url?: string }): Promise<{ lineItems: Array<Record<string, any>>; next?: string }>;
      createLineItem(idtoken: LtijsToken, lineItem: Record<string, unknown>, options?: { resourceLinkId?: boolean }): Promise<Record<string, any>>;
      getLineItemById(idtoken: LtijsToken, lineItemId: string): Promise<Record<string, any>>;
      updateLineItemById(idtoken: LtijsToken, lineItemId: string, lineItem: Record<string, unknown>): Promise<Record<string, any>>;
      deleteLineItemById(idtoken: LtijsToken, lineItemId: string): Promise<true>;
      submitScore(idtoken: LtijsToken, lineItemId: string, score: Record<string, unknown>): Promise<Record<string, any>>;
      getScores(idtoken: LtijsToken, lineItemId: string, options?: { userId?: string; limit?: number; url?: string }): Promise<{ scores: Array<Record<string, any>>; next?: string }>;
    };
  }
  const ltijs: { Provider: LtijsProvider };
  export default ltijs;
}

declare module 'ltijs-sequelize' {
  export default class Database {
    constructor(database: string, user: string, pass: string, options: Record<string, unknown>);
  }
}
