import { eachRecord, withFailures } from '../../lambdas/platform/sqs-batch';
import { sqsRecord } from './fixtures/sqs-events';

const batch = (...ids: string[]) => ({ Records: ids.map((messageId) => sqsRecord('{}', { messageId })) });

describe('withFailures', () => {
  it('adds failures to an answer without touching the one Powertools shares between invocations', async () => {
    // No record fails: Powertools answers its module-wide DEFAULT_RESPONSE object.
    const clean = await eachRecord(batch('a', 'b'), async () => {});
    expect(withFailures(clean, ['b', 'b'])).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    // The next invocation with nothing failed still answers nothing failed.
    expect(await eachRecord(batch('c'), async () => {})).toEqual({ batchItemFailures: [] });
  });

  it('keeps the failures eachRecord found, each record once', async () => {
    const response = await eachRecord(batch('a', 'b', 'c'), async (record) => {
      if (record.messageId === 'a') throw new Error('no');
    });
    expect(withFailures(response, ['a', 'c']).batchItemFailures).toEqual([
      { itemIdentifier: 'a' },
      { itemIdentifier: 'c' },
    ]);
  });
});
