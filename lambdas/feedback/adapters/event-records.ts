import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addToShard } from '../../campaigns/adapters/campaign-parts';
import { dynamo } from '../../platform/clients/dynamo';
import { type CampaignEventTotals, EVENT_COUNTER_NAMES, type EventDelta, type EventRecords } from '../ports';
import type { MailEvent } from '../ses-events';

/**
 * Records SES events on the message (transactional) or the campaign recipient (bulk) they are about:
 * appended to its history and, on the recipient, the unsubscribe headers SES saw on the mail.
 * Each write is conditional on the event's key not being there yet (a string set on the item), so
 * a duplicate SNS delivery changes nothing.
 */
export class DynamoEventRecords implements EventRecords {
  constructor(private readonly tables: { messages: string; recipients: string }) {}

  async onMessage(messageId: string, event: MailEvent, email: string): Promise<boolean> {
    const key = `${event.key}|${email}`;
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tables.messages,
          Key: { id: messageId },
          UpdateExpression:
            'SET history = list_append(history, :event), lastEvent = :kind, updatedAt = :now ADD eventKeys :key',
          ConditionExpression: 'attribute_exists(id) AND NOT contains(eventKeys, :keyValue)',
          ExpressionAttributeValues: {
            ':event': [
              { type: event.kind, at: event.at, detail: [email, event.detail].filter(Boolean).join(': ') },
            ],
            ':kind': event.kind,
            ':now': new Date().toISOString(),
            ':key': new Set([key]),
            ':keyValue': key,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async onRecipient(
    campaignId: string,
    email: string,
    event: MailEvent,
  ): Promise<{ first: boolean } | undefined> {
    const entry = { type: event.kind, at: event.at, ...(event.detail ? { detail: event.detail } : {}) };
    const headers = event.unsubscribeHeaders ?? [];
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tables.recipients,
          Key: { campaignId, email },
          UpdateExpression:
            'ADD eventKeys :key, eventKinds :kind SET lastEvent = :kindValue, history = list_append(if_not_exists(history, :none), :event)' +
            (headers.length > 0 ? ', headers = :headers' : ''),
          ConditionExpression: 'attribute_exists(email) AND NOT contains(eventKeys, :keyValue)',
          ExpressionAttributeValues: {
            ':key': new Set([event.key]),
            ':keyValue': event.key,
            ':kind': new Set([event.kind]),
            ':kindValue': event.kind,
            ':none': [],
            ':event': [entry],
            ...(headers.length > 0 ? { ':headers': headers } : {}),
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const before = result.Attributes?.eventKinds as Set<string> | undefined;
      return { first: !before?.has(event.kind) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}

/** The campaign's `events` counters (delivered, bounced, opens…), next to its send `totals`. */
/**
 * A campaign's event counters, added to one of its counter shards (campaign-parts.ts): the events
 * function adds a batch's events in one write, 0.3 writes a mail, too many for one item at
 * 10,000 mails a second. The campaign's view sums the shards.
 */
export class DynamoCampaignEventTotals implements CampaignEventTotals {
  constructor(
    private readonly tableName: string,
    private readonly pickShard: () => number = Math.random,
  ) {}

  async addEvents(campaignId: string, delta: EventDelta): Promise<void> {
    const events = Object.fromEntries(
      EVENT_COUNTER_NAMES.flatMap((name) => (delta[name] ? [[name, delta[name]]] : [])),
    );
    await addToShard(this.tableName, campaignId, { events }, this.pickShard);
  }
}
