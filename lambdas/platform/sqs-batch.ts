import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Each record of an SQS batch through `handleRecord`, with Powertools batch: the records it throws
 * on are answered as batch item failures, so SQS delivers those again (and in the end the queue's
 * DLQ takes them) while the rest are done. A new processor per invocation: a processor holds one
 * batch's records, and local mode runs several invocations of a handler at once.
 */
export async function eachRecord(
  event: SQSEvent,
  handleRecord: (record: SQSRecord) => Promise<void>,
  options: { parallel?: boolean } = {},
): Promise<SQSBatchResponse> {
  return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
    // By default one record after another, as the handlers always did: SES events about one message
    // apply in the order SQS hands them over, and a fan-out link is one message per invocation
    // anyway. Webhook deliveries are independent and wait on the network: they go in parallel.
    processInParallel: options.parallel ?? false,
    // A batch whose every record failed is answered like any other (each one listed), not thrown:
    // a throw would say the same to SQS but log as a crashed invocation.
    throwOnFullBatchFailure: false,
  });
}

/**
 * `response` with the records `more` also failed, as a new answer. Never push onto the answer
 * `eachRecord` gave: when no record failed, Powertools answers its module-wide DEFAULT_RESPONSE
 * object, so a push would report those records failed in every later invocation of the container.
 */
export function withFailures(response: SQSBatchResponse, more: readonly string[]): SQSBatchResponse {
  const listed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const added = [...new Set(more)]
    .filter((id) => !listed.has(id))
    .map((itemIdentifier) => ({ itemIdentifier }));
  return { batchItemFailures: [...response.batchItemFailures, ...added] };
}
