// The smallest Playwright API run: one test, one request.post. Its wall time is the floor
// against which `npm run bench` measures a full conformance run.
import { expect, test } from '@playwright/test';

test('one request.post', async ({ request }) => {
  const response = await request.post('/', { data: {} });
  expect(response.status()).toBe(200);
});
