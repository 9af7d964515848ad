import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CAMPAIGNS_BY_STATUS } from '../../../contract/tables';
import { dynamo } from '../../platform/clients/dynamo';
import { expression, inList, updateFrom } from '../../platform/dynamo-updates';
import { decodeCursor, encodeCursor } from '../../platform/page-cursor';
import {
  type Campaign,
  type CampaignStatus,
  type CampaignSummary,
  type CampaignTotals,
  COUNTER_NAMES,
  SUMMARY_FIELDS,
  UPLOAD_LEASE_MS,
} from '../campaign';
import type { CampaignRepository, TotalsDelta } from '../ports';

/**
 * The upload fence as a condition (the same rule as `uploadHoldsFence` in campaign.ts): no upload
 * registered, or every registered lease has run out. Required for every move into `sending` from
 * another status.
 */
const FENCE_CLEAR = '(attribute_not_exists(openUploads) OR uploadFenceUntil < :fenceNow)';

export class DynamoCampaignStore implements CampaignRepository {
  constructor(private readonly tableName: string) {}

  async create(campaign: Campaign): Promise<void> {
    await dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: campaign,
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
  }

  async get(id: string): Promise<Campaign | undefined> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
    );
    return result.Item as Campaign | undefined;
  }

  async list(limit: number, cursor?: string): Promise<{ items: Campaign[]; nextCursor?: string }> {
    const result = await dynamo.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, ['id']),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return { items: (result.Items ?? []) as Campaign[], ...(nextCursor ? { nextCursor } : {}) };
  }

  async transition(
    id: string,
    from: CampaignStatus[],
    to: CampaignStatus,
    changes: Partial<Campaign>,
    now: Date,
  ): Promise<Campaign | undefined> {
    const starting = to === 'sending' && from.some((status) => status !== 'sending');
    const update = updateFrom({
      ...changes,
      status: to,
      updatedAt: now.toISOString(),
      ...(starting
        ? { openUploads: undefined, uploadFenceUntil: undefined, startRequestedAt: undefined }
        : {}),
    });
    const allowed = inList(from, 'from');
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: expression(update.set, update.remove),
          ConditionExpression: `#status IN (${allowed.list})${starting ? ` AND ${FENCE_CLEAR}` : ''}`,
          ExpressionAttributeNames: { ...update.names, '#status': 'status' },
          ExpressionAttributeValues: {
            ...update.values,
            ...allowed.values,
            ...(starting ? { ':fenceNow': now.toISOString() } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as Campaign;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async registerUpload(
    id: string,
    entry: string,
    leaseEnd: Date,
    open: readonly CampaignStatus[],
    now: Date,
  ): Promise<Campaign | undefined> {
    const allowed = inList(open, 'open');
    // The rule of uploadsClosed (campaign.ts) as a condition.
    const notClosed =
      '(#status <> :scheduled OR scheduledAt > :horizon) AND (attribute_not_exists(startRequestedAt) OR startRequestedAt < :requestCutoff)';
    const values = {
      ...allowed.values,
      ':entry': new Set([entry]),
      ':leaseEnd': leaseEnd.toISOString(),
      ':now': now.toISOString(),
      ':scheduled': 'scheduled',
      ':horizon': new Date(now.getTime() + UPLOAD_LEASE_MS).toISOString(),
      ':requestCutoff': new Date(now.getTime() - UPLOAD_LEASE_MS).toISOString(),
    };
    // The fence only ever moves later (an upload whose lease ends earlier must not shorten another's).
    for (const raise of [true, false]) {
      try {
        const result = await dynamo.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { id },
            UpdateExpression: `ADD openUploads :entry SET updatedAt = :now${raise ? ', uploadFenceUntil = :leaseEnd' : ''}`,
            ConditionExpression: `#status IN (${allowed.list}) AND ${notClosed} AND ${
              raise
                ? '(attribute_not_exists(uploadFenceUntil) OR uploadFenceUntil <= :leaseEnd)'
                : 'uploadFenceUntil > :leaseEnd'
            }`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return result.Attributes as Campaign;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return undefined;
  }

  async releaseUpload(
    id: string,
    entry: string,
    added: number,
    now: Date,
    alsoRemove: readonly string[] = [],
    registeredCount?: number,
  ): Promise<boolean> {
    const others = alsoRemove.filter((other) => other !== entry);
    const held = others.map((other, i) => [`:held${i}`, other] as const);
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression:
            'DELETE openUploads :entries SET updatedAt = :now, #totals.#recipients = #totals.#recipients + :added',
          ConditionExpression: [
            'contains(openUploads, :entry)',
            ...held.map(([name]) => `contains(openUploads, ${name})`),
            ...(registeredCount === undefined ? [] : ['size(openUploads) = :registered']),
          ].join(' AND '),
          ExpressionAttributeNames: { '#totals': 'totals', '#recipients': 'recipients' },
          ExpressionAttributeValues: {
            ':entries': new Set([entry, ...others]),
            ':entry': entry,
            ...Object.fromEntries(held),
            ':added': added,
            ':now': now.toISOString(),
            ...(registeredCount === undefined ? {} : { ':registered': registeredCount }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recount(
    id: string,
    status: CampaignStatus,
    totals: CampaignTotals,
    seenFenceUntil: string | undefined,
    now: Date,
  ): Promise<Campaign | undefined> {
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression:
            'SET #totals = :totals, updatedAt = :now, reconciledAt = :now REMOVE openUploads, uploadFenceUntil',
          ConditionExpression: `#status = :status AND ${FENCE_CLEAR} AND ${
            seenFenceUntil === undefined
              ? 'attribute_not_exists(uploadFenceUntil)'
              : 'uploadFenceUntil = :seen'
          }`,
          ExpressionAttributeNames: { '#status': 'status', '#totals': 'totals' },
          ExpressionAttributeValues: {
            ':totals': totals,
            ':now': now.toISOString(),
            ':fenceNow': now.toISOString(),
            ':status': status,
            ...(seenFenceUntil === undefined ? {} : { ':seen': seenFenceUntil }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as Campaign;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async addToTotals(id: string, delta: TotalsDelta, now: Date): Promise<Campaign> {
    const names: Record<string, string> = { '#totals': 'totals' };
    const values: Record<string, unknown> = { ':now': now.toISOString() };
    const parts: string[] = ['updatedAt = :now'];
    for (const counter of COUNTER_NAMES) {
      const amount = delta[counter];
      if (!amount) continue;
      names[`#${counter}`] = counter;
      values[`:${counter}`] = amount;
      parts.push(`#totals.#${counter} = #totals.#${counter} + :${counter}`);
    }
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { id },
        UpdateExpression: `SET ${parts.join(', ')}`,
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes as Campaign;
  }

  async advanceFanout(
    id: string,
    generation: number,
    expectedCursor: string | undefined,
    next: { cursor?: string; done: boolean },
    now: Date,
  ): Promise<boolean> {
    const update = updateFrom({
      fanoutCursor: next.cursor,
      fanoutDone: next.done,
      fanoutUpdatedAt: now.toISOString(),
    });
    const cursorCheck =
      expectedCursor === undefined ? 'attribute_not_exists(fanoutCursor)' : 'fanoutCursor = :expected';
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: expression(update.set, update.remove),
          ConditionExpression: `fanoutGeneration = :generation AND #status = :sending AND ${cursorCheck}`,
          ExpressionAttributeNames: { ...update.names, '#status': 'status' },
          ExpressionAttributeValues: {
            ...update.values,
            ':generation': generation,
            ':sending': 'sending',
            ...(expectedCursor === undefined ? {} : { ':expected': expectedCursor }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async setWaitingForQuota(id: string, since: Date | undefined): Promise<void> {
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          ...(since
            ? {
                UpdateExpression: 'SET waitingForQuotaSince = :since',
                ConditionExpression: 'attribute_not_exists(waitingForQuotaSince)',
                ExpressionAttributeValues: { ':since': since.toISOString() },
              }
            : {
                UpdateExpression: 'REMOVE waitingForQuotaSince',
                ConditionExpression: 'attribute_exists(waitingForQuotaSince)',
              }),
        }),
      );
    } catch (error) {
      // Someone else already set (or cleared) it: the flag says the same either way.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async inStatus(status: CampaignStatus): Promise<CampaignSummary[]> {
    return this.byStatus(status, 'attribute_exists(id)', {});
  }

  async recountCandidates(
    status: CampaignStatus,
    quietBefore: Date,
    recheckBefore: Date,
  ): Promise<CampaignSummary[]> {
    // Finished work stays out of the answer: a campaign recounted since its last change comes back
    // only when it is sending (fanned out) and its last look is older than `recheckBefore`.
    const changed = '(attribute_not_exists(reconciledAt) OR reconciledAt < updatedAt)';
    const filter =
      status === 'sending'
        ? `updatedAt < :quiet AND fanoutDone = :true AND (${changed} OR reconciledAt < :recheck)`
        : status === 'cancelled'
          ? `updatedAt < :quiet AND fanoutDone = :true AND ${changed}`
          : `updatedAt < :quiet AND ${changed}`;
    return this.byStatus(status, filter, {
      ':quiet': quietBefore.toISOString(),
      ...(status === 'draft' || status === 'scheduled' || status === 'paused' ? {} : { ':true': true }),
      ...(status === 'sending' ? { ':recheck': recheckBefore.toISOString() } : {}),
    });
  }

  async markReconciled(id: string, seenUpdatedAt: string, now: Date): Promise<void> {
    await this.mark(id, 'SET reconciledAt = :now REMOVE recountTriedAt', now, seenUpdatedAt);
  }

  async markRecountTried(id: string, now: Date): Promise<void> {
    await this.mark(id, 'SET recountTriedAt = :now', now);
  }

  private async mark(id: string, update: string, now: Date, seenUpdatedAt?: string): Promise<void> {
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: update,
          ConditionExpression:
            seenUpdatedAt === undefined ? 'attribute_exists(id)' : 'updatedAt = :seenUpdatedAt',
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ...(seenUpdatedAt === undefined ? {} : { ':seenUpdatedAt': seenUpdatedAt }),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async dueScheduled(before: Date): Promise<CampaignSummary[]> {
    return this.byStatus(
      'scheduled',
      'scheduledAt <= :before AND (attribute_not_exists(startQueued) OR startQueued = :false)',
      {
        ':before': before.toISOString(),
        ':false': false,
      },
    );
  }

  async stalledFanouts(before: Date): Promise<CampaignSummary[]> {
    const stalledIn = (status: CampaignStatus) =>
      this.byStatus(
        status,
        'fanoutDone = :false AND (attribute_not_exists(fanoutUpdatedAt) OR fanoutUpdatedAt < :before) AND updatedAt < :before',
        { ':before': before.toISOString(), ':false': false },
      );
    return [...(await stalledIn('sending')), ...(await stalledIn('cancelled'))];
  }

  /**
   * Campaigns in `status` matching `filter`, as summaries: the index projects nothing else (the
   * content, up to hundreds of KB, stays out of the tick's memory and network, and out of the
   * index's writes). The ProjectionExpression names what a summary is, whatever else the index holds.
   */
  private async byStatus(
    status: CampaignStatus,
    filter: string,
    values: Record<string, unknown>,
  ): Promise<CampaignSummary[]> {
    const items: CampaignSummary[] = [];
    const projected = Object.fromEntries(SUMMARY_FIELDS.map((field) => [`#p_${field}`, field]));
    let start: Record<string, unknown> | undefined;
    do {
      const result = await dynamo.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: CAMPAIGNS_BY_STATUS,
          KeyConditionExpression: '#status = :status',
          FilterExpression: filter,
          ProjectionExpression: Object.keys(projected).join(', '),
          ExpressionAttributeNames: { '#status': 'status', ...projected },
          ExpressionAttributeValues: { ...values, ':status': status },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((result.Items ?? []) as CampaignSummary[]));
      start = result.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
