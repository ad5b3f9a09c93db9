import assert from 'node:assert/strict';
import express from 'express';
import { test } from 'vitest';
import { trustProxySetting } from './app.js';
import { clientAddress, type TrustFn } from './client-address.js';

/** express's own compiled trust function for a `--trust-proxy` value */
const trustOf = (value: string | undefined): TrustFn => {
  const app = express();
  app.set('trust proxy', trustProxySetting(value));
  return app.get('trust proxy fn') as TrustFn;
};

test('without a trusted proxy the peer is the client, whatever X-Forwarded-For says', () => {
  assert.equal(clientAddress('203.0.113.9', '10.0.0.5', trustOf(undefined)), '203.0.113.9');
});

test('behind a trusted proxy each client is itself; a forged hop before the proxy is not believed', () => {
  const trust = trustOf('127.0.0.1');
  assert.equal(clientAddress('127.0.0.1', '198.51.100.7', trust), '198.51.100.7');
  assert.equal(clientAddress('127.0.0.1', '198.51.100.8', trust), '198.51.100.8');
  // the client sent its own X-Forwarded-For: 10.9.9.9; the proxy appended the real address
  assert.equal(clientAddress('127.0.0.1', '10.9.9.9, 198.51.100.7', trust), '198.51.100.7');
  // a request that did not come through the proxy keeps its peer address
  assert.equal(clientAddress('198.51.100.50', '10.9.9.9', trust), '198.51.100.50');
});
