import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * Encryption at rest for secrets in the database (private keys, client secrets):
 * AES-256-GCM as a compact JWE (`dir` + `A256GCM`) under the master secret.
 */
export class SecretBox {
  constructor(private readonly key: Uint8Array) {
    if (key.length !== 32) throw new Error('the master secret must be 32 bytes');
  }

  async seal(plaintext: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(this.key);
  }

  async open(sealed: string): Promise<string> {
    const { plaintext } = await compactDecrypt(sealed, this.key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return new TextDecoder().decode(plaintext);
  }
}
