import { describe, expect, it } from 'vitest';
import { detectKey, keyBody, keyErrors, KEY_KIND_LABEL } from '../../src/admin/console/keyInput.ts';

const NAMES = { pem: 'public_key', jwk: 'public_jwk', url: 'public_key_url' };

describe('the one key field', () => {
  it('tells a PEM key, a JWK, a JWK Set and a JWKS URL apart', () => {
    expect(detectKey('  -----BEGIN PUBLIC KEY-----\nMIIB…\n-----END PUBLIC KEY-----\n')).toBe('pem');
    expect(detectKey('{"kty": "RSA", "n": "…", "e": "AQAB"}')).toBe('jwk');
    expect(detectKey('{"keys": []}')).toBe('jwks');
    expect(detectKey('https://tool.example/.well-known/jwks.json')).toBe('jwks_url');
    expect(detectKey('')).toBe('empty');
    expect(detectKey('{"kty": ')).toBe('unknown');
    expect(detectKey('https://tool.example/with space')).toBe('unknown');
  });

  it('hands the key to exactly one service field and clears the other two', () => {
    expect(keyBody('https://t.example/jwks', NAMES)).toEqual({ public_key: null, public_jwk: null, public_key_url: 'https://t.example/jwks' });
    expect(keyBody('{"kty":"EC"}', NAMES, { parseJwk: true })).toEqual({ public_key: null, public_jwk: { kty: 'EC' }, public_key_url: null });
    expect(keyBody('{"kty":"EC"}', NAMES)).toEqual({ public_key: null, public_jwk: '{"kty":"EC"}', public_key_url: null });
    expect(keyBody('garbage', NAMES)).toEqual({ public_key: 'garbage', public_jwk: null, public_key_url: null });
    expect(keyBody('', NAMES)).toEqual({ public_key: null, public_jwk: null, public_key_url: null });
  });

  it('moves key errors onto the form field, saying what it expected when the text was not a key at all', () => {
    expect(keyErrors({ public_key_url: 'answered HTTP 404', name: 'is required' }, NAMES, 'key', 'https://t.example/jwks'))
      .toEqual({ key: 'answered HTTP 404', name: 'is required' });
    expect(keyErrors({ public_key: 'must be a PEM public key' }, NAMES, 'key', 'garbage')).toEqual({ key: KEY_KIND_LABEL.unknown });
  });
});
