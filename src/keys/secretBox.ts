import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * Encryption at rest for secrets in the database (private keys, client secrets, PKCE verifiers):
 * AES-256-GCM as a compact JWE (`dir` + `A256GCM`) under the master secret.
 */
export class SecretBox {
  /**
   * The master secret imported once (not extractable): given raw bytes, jose would import them
   * again on every seal and open, two of them on every launch.
   */
  private readonly cryptoKey: Promise<CryptoKey>;

  /** A key of its own for tags (HKDF from the master secret), so no key serves two algorithms. */
  private readonly tagKey: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error('the master secret must be 32 bytes');
    this.cryptoKey = crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
    this.tagKey = Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), 'lti-launcher tag', 32));
  }

  /**
   * An HMAC-SHA-256 tag of a value, so a value this service issued can be told from one a client
   * made up (every instance with the same master secret agrees).
   */
  tag(value: string): string {
    return createHmac('sha256', this.tagKey).update(value).digest('base64url').slice(0, 32);
  }

  /** Whether `tag` is this service's tag of `value`, compared in constant time. */
  verifyTag(value: string, tag: string): boolean {
    const expected = Buffer.from(this.tag(value));
    const given = Buffer.from(tag);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  async seal(plaintext: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(await this.cryptoKey);
  }

  async open(sealed: string): Promise<string> {
    const { plaintext } = await compactDecrypt(sealed, await this.cryptoKey, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return new TextDecoder().decode(plaintext);
  }
}
