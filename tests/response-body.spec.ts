// Response body of a successful cancel — "If successful, the response body is empty."
// MUST: 2xx with nothing or exactly {}. SHOULD: 200 {} as JSON, which the Node client needs.
import { formatIssues, validate } from '../src/schemas';
import { covers, expect, test } from './fixtures';

test.describe('cancel response body', () => {
  test('a successful cancel answers 2xx with an empty body or exactly {}', covers('cancel.response.empty'), async ({ api, runningOperation }) => {
    const cancel = await api.cancel(runningOperation);
    expect(cancel.status, `cancel answered ${cancel.responseText.slice(0, 200)}`).toBeGreaterThanOrEqual(200);
    expect(cancel.status).toBeLessThan(300);
    if (cancel.responseText.trim() !== '') {
      const result = validate('empty', cancel.json);
      expect(result.valid, result.valid ? '' : `the body must be empty or {}: ${formatIssues('empty', result.errors)}\nbody: ${cancel.responseText.slice(0, 300)}`).toBe(true);
    }
  });

  test('a successful cancel answers 200 {} with a JSON content type', covers('cancel.response.json'), async ({ api, runningOperation }) => {
    const cancel = await api.cancel(runningOperation);
    expect(cancel.status).toBe(200);
    expect(cancel.json, `body ${JSON.stringify(cancel.responseText.slice(0, 200))}`).toEqual({});
    expect(cancel.responseHeaders['content-type'] ?? '(none)').toMatch(/^application\/json\b/i);
  });
});
