import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import type { Failure } from '../../sending/ports';
import type { StoredMessage } from '../message';
import type { ClaimResult, MessageClaims, MessageRepository } from '../ports';

/** The parts of a message only the sender reads, kept in an item of their own (see the class). */
type MessageContent = Pick<StoredMessage, 'html' | 'text' | 'headers'>;

/**
 * The content item holds the content as gzipped JSON in one binary attribute, `gz`: DynamoDB bills
 * a write per KB of the item, and rendered mail compresses well (the bench's 2 KB OTP with its text
 * part and headers: from 3 units to 1, bench (d)). node:zlib, built in, nothing to bundle; the
 * largest content allowed (MAX_RENDERED_BYTES, 300 KB of HTML) took 6.6 ms to gzip and 1.3 ms to
 * gunzip on this shared machine at load 8 (a reviewer's measurement).
 */
function packContent(content: MessageContent): Uint8Array {
  return gzipSync(JSON.stringify(content));
}

function unpackContent(gz: Uint8Array): MessageContent {
  const parsed = JSON.parse(gunzipSync(gz).toString('utf8')) as MessageContent;
  return {
    ...(parsed.html === undefined ? {} : { html: parsed.html }),
    ...(parsed.text === undefined ? {} : { text: parsed.text }),
    headers: parsed.headers ?? [],
  };
}

/**
 * The content item's key: the message id and a `#`, which no message id has (ids are UUIDs, and
 * `GET /v1/emails/{id}` refuses anything but letters, digits, `-` and `_`), so a content item can
 * never be read, claimed or given events as a message.
 */
export function contentKey(id: string): string {
  return `${id}#content`;
}

/**
 * Messages in DynamoDB, keyed by id. Every status change is a conditional write.
 *
 * A message is two items: the message (addresses, subject, status, history: under 1 KB) and its
 * rendered content (up to MAX_RENDERED_BYTES), written once and read once, by the sender when it
 * wins the claim. DynamoDB bills an update by the size of the whole item, and the message item is
 * rewritten five times (claim, outcome, about three SES events): with the content inside, each
 * write of a 2 KB OTP cost 3–4 units; apart, 1 (bench (d), issue 14). The content item is gzipped
 * (`packContent`).
 *
 * The invariant: a message item exists only while its content item does. `create` writes the
 * content first, `delete` removes the message first; a content item left by a failure in between
 * is never read (nothing names it) and costs only its storage.
 */
export class DynamoMessageStore implements MessageRepository, MessageClaims {
  constructor(private readonly tableName: string) {}

  async create(message: StoredMessage): Promise<boolean> {
    const { html, text, headers, ...summary } = message;
    // Unconditional: a retry with the same Idempotency-Key renders the same content for the same id.
    await dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { id: contentKey(message.id), gz: packContent({ html, text, headers }) },
      }),
    );
    try {
      await dynamo.send(
        new PutCommand({
          TableName: this.tableName,
          Item: summary,
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The message without its content (what `GET /v1/emails/{id}` shows never includes it). */
  async get(id: string): Promise<StoredMessage | undefined> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
    );
    return result.Item as StoredMessage | undefined;
  }

  async delete(id: string): Promise<void> {
    await dynamo.send(new DeleteCommand({ TableName: this.tableName, Key: { id } }));
    await dynamo.send(new DeleteCommand({ TableName: this.tableName, Key: { id: contentKey(id) } }));
  }

  /**
   * The content of a message just claimed. If it cannot be read, the claim is given back before the
   * error goes up: the mail was certainly not sent, and a claim left behind would be failed as
   * `OutcomeUnknown` when the record comes back.
   */
  private async contentOrRelease(id: string, now: Date): Promise<MessageContent> {
    try {
      return await this.content(id);
    } catch (error) {
      try {
        await this.release(id, 'content_unreadable', now);
      } catch (releaseError) {
        throw new AggregateError([error, releaseError], `message ${id}: content unreadable, claim kept`);
      }
      throw error;
    }
  }

  /** The content `create` stored beside the message; read once, by the holder of the claim. */
  private async content(id: string): Promise<MessageContent> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { id: contentKey(id) }, ConsistentRead: true }),
    );
    if (!result.Item) throw new Error(`message ${id} has no content item (${contentKey(id)})`);
    return unpackContent(result.Item.gz as Uint8Array);
  }

  async claim(id: string, now: Date): Promise<ClaimResult> {
    const at = now.toISOString();
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression:
            'SET #status = :sending, claimedAt = :at, updatedAt = :at, attempts = attempts + :one, history = list_append(history, :event)',
          ConditionExpression: '#status = :queued',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':queued': 'queued',
            ':at': at,
            ':one': 1,
            ':event': [{ type: 'sending', at }],
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const claimed = result.Attributes as StoredMessage;
      return { claimed: true, message: { ...claimed, ...(await this.contentOrRelease(id, now)) } };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // dynalite ignores ReturnValuesOnConditionCheckFailure, so read the item when it is absent.
        const current = (error.Item as StoredMessage | undefined) ?? (await this.get(id));
        return current ? { claimed: false, current } : { claimed: false };
      }
      throw error;
    }
  }

  async markSent(id: string, sesMessageId: string, now: Date): Promise<void> {
    const at = now.toISOString();
    await this.transitionFromSending(id, {
      set: '#status = :to, sentAt = :at, sesMessageId = :ses',
      values: {
        ':to': 'sent',
        ':at': at,
        ':ses': sesMessageId,
        ':event': [{ type: 'sent', at, detail: sesMessageId }],
      },
    });
  }

  async markFailed(id: string, failure: Failure, now: Date, expectedClaimedAt?: string): Promise<void> {
    const at = now.toISOString();
    await this.transitionFromSending(id, {
      set: '#status = :to, failedAt = :at, failure = :failure',
      values: {
        ':to': 'failed',
        ':at': at,
        ':failure': failure,
        ':event': [{ type: 'failed', at, detail: `${failure.code}: ${failure.message}` }],
      },
      expectedClaimedAt,
    });
  }

  async release(id: string, event: string, now: Date): Promise<void> {
    const at = now.toISOString();
    await this.transitionFromSending(id, {
      set: '#status = :to',
      remove: 'claimedAt',
      values: { ':to': 'queued', ':at': at, ':event': [{ type: event, at }] },
    });
  }

  /** Only the holder of the claim moves a message on from `sending`. */
  private async transitionFromSending(
    id: string,
    change: { set: string; remove?: string; values: Record<string, unknown>; expectedClaimedAt?: string },
  ): Promise<void> {
    const claimCheck =
      change.expectedClaimedAt === undefined ? {} : { ':claimedAt': change.expectedClaimedAt };
    await dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { id },
        UpdateExpression:
          `SET ${change.set}, updatedAt = :at, history = list_append(history, :event)` +
          (change.remove ? ` REMOVE ${change.remove}` : ''),
        ConditionExpression:
          change.expectedClaimedAt === undefined
            ? '#status = :from'
            : '#status = :from AND claimedAt = :claimedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...change.values, ':from': 'sending', ...claimCheck },
      }),
    );
  }
}
