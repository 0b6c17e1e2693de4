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

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error('the master secret must be 32 bytes');
    this.cryptoKey = crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
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
