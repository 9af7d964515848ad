import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CAMPAIGNS_BY_STATUS } from '../../../contract/tables';
import { dynamo } from '../../platform/clients/dynamo';
import { expression, inList, updateFrom } from '../../platform/dynamo-updates';
import { decodeCursor, encodeCursor } from '../../platform/page-cursor';
import type { TemplateContent } from '../../templates/template-rules';
import {
  type Campaign,
  type CampaignStatus,
  type CampaignSummary,
  type CampaignTotals,
  QUIET_AFTER_MS,
  type SendableCampaign,
  SUMMARY_FIELDS,
  UPLOAD_LEASE_MS,
} from '../campaign';
import type { CampaignEdit, CampaignRepository, TotalsDelta } from '../ports';
import {
  addToShard,
  contentId,
  eventsWithShards,
  getAll,
  isPartId,
  readShards,
  type ShardSums,
  shardIds,
  sumShards,
  withShards,
} from './campaign-parts';

/**
 * The upload fence as a condition (the same rule as `uploadHoldsFence` in campaign.ts): no upload
 * registered, or every registered lease has run out. Required for every move into `sending` from
 * another status.
 */
const FENCE_CLEAR = '(attribute_not_exists(openUploads) OR uploadFenceUntil < :fenceNow)';

/**
 * A counter write moves the campaign's `updatedAt` (what "quiet" means to the tick and the
 * reconcile) at most this often per container: every write did, and the campaign item and the
 * status index's partition took one write per batch. Well under the tick's quiet period, so a
 * campaign still counting is never taken for a quiet one; and a count after a recount always moves
 * it (a recount needs QUIET_AFTER_MS without a move, longer than this), so a campaign changed since
 * its last recount is always seen as changed.
 */
export const TOUCH_EVERY_MS = QUIET_AFTER_MS / 5;
/** Contents kept per container (a content part never changes: see `create` and `edit`). */
const CONTENT_CACHE = 100;

/**
 * The condition that `attribute` still holds what was read (`seen`; undefined: it was absent), and
 * the value it binds to `placeholder`: how a write says "nothing moved since I read it".
 */
function unchanged(attribute: string, placeholder: string, seen: string | number | undefined) {
  return seen === undefined
    ? { condition: `attribute_not_exists(${attribute})`, values: {} }
    : { condition: `${attribute} = ${placeholder}`, values: { [placeholder]: seen } };
}

/** The campaign item as stored: its content in a part of its own (campaign-parts.ts). */
type StoredCampaign = Omit<Campaign, 'content'> & { content?: TemplateContent };

/** The id of the part holding the content an item names. */
const partOf = (item: StoredCampaign) => contentId(item.id, item.contentRevision);

/**
 * Campaigns in DynamoDB: the campaign item (status, fan-out position, upload fence, the counters'
 * base; about 1 KB), its content in `<id>#content`, and counter shards in `<id>#counters<n>`
 * (campaign-parts.ts explains why). Every Campaign this returns is whole: content, and counters
 * that are the base plus the shards.
 */
export class DynamoCampaignStore implements CampaignRepository {
  /** Content by part id (contentId): a part is written once and never changed, so never stale. */
  private readonly contents = new Map<string, TemplateContent>();
  /** When this container last moved each campaign's `updatedAt` with a count (TOUCH_EVERY_MS). */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly tableName: string,
    /** Chooses a counter shard (tests pin it). */
    private readonly pickShard: () => number = Math.random,
  ) {}

  /**
   * The content first, then the campaign: a campaign never exists without its content. A content
   * part is never rewritten (an edit writes a new part: `edit`), which is what lets every container
   * cache it; a create that dies between the two leaves a content part no campaign names, never read.
   */
  async create(campaign: Campaign): Promise<void> {
    const { content, ...item } = campaign;
    await dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { id: contentId(campaign.id), content },
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    await dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    this.remember(contentId(campaign.id), content);
  }

  /**
   * The new content in a part of its own (named by the new revision, so a racing edit or a cached
   * copy can never be mistaken for it), then the campaign item, conditional on the status, the
   * fence (clear, and no upload registered since `seen` was read, even one that has finished since:
   * `uploadRegistrations` only grows) and the revision the caller checked the rows against: the
   * item names the new part only if nothing moved. An edit that dies or loses between the two
   * leaves a part nobody names, never read. The previous part is deleted afterwards (best effort):
   * a reader that read the item just before the edit and finds its part gone reads the item again
   * (`whole`).
   */
  async edit(
    id: string,
    changes: CampaignEdit,
    seen: Pick<Campaign, 'contentRevision' | 'uploadRegistrations'>,
    newRevision: string,
    open: readonly CampaignStatus[],
    now: Date,
  ): Promise<Campaign | undefined> {
    const { content, ...fields } = changes;
    await dynamo.send(
      new PutCommand({
        TableName: this.tableName,
        // No condition: the revision is a new id, and a retried put must not fail on its own first write.
        Item: { id: contentId(id, newRevision), content },
      }),
    );
    const update = updateFrom({
      ...fields,
      template: changes.template,
      contentRevision: newRevision,
      updatedAt: now.toISOString(),
    });
    const allowed = inList(open, 'open');
    const revision = unchanged('contentRevision', ':seenRevision', seen.contentRevision);
    const registrations = unchanged('uploadRegistrations', ':seenRegistrations', seen.uploadRegistrations);
    let updated: StoredCampaign;
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          // `content` too: a campaign created before the content moved out of its item keeps it there.
          UpdateExpression: expression(update.set, [...update.remove, '#content']),
          ConditionExpression: `#status IN (${allowed.list}) AND ${FENCE_CLEAR} AND ${revision.condition} AND ${registrations.condition}`,
          ExpressionAttributeNames: { ...update.names, '#status': 'status', '#content': 'content' },
          ExpressionAttributeValues: {
            ...update.values,
            ...allowed.values,
            ':fenceNow': now.toISOString(),
            ...revision.values,
            ...registrations.values,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      updated = result.Attributes as StoredCampaign;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Refused, unless the SDK retried a write whose first attempt took effect (its answer was
      // lost): the item then names our revision, an id nobody else writes.
      const current = await this.item(id);
      if (current?.contentRevision !== newRevision) return undefined;
      updated = current;
    }
    this.remember(contentId(id, newRevision), content);
    const previous = contentId(id, seen.contentRevision);
    this.contents.delete(previous);
    await dynamo
      .send(new DeleteCommand({ TableName: this.tableName, Key: { id: previous } }))
      .catch(() => undefined);
    return (await this.whole([updated]))[0];
  }

  async get(id: string): Promise<Campaign | undefined> {
    const item = await this.item(id);
    return item && (await this.whole([item]))[0];
  }

  /**
   * The campaign with its content and without its counters (one read, the content cached): what the
   * sender reads every few seconds, which never needs the counters.
   */
  async sendable(id: string): Promise<SendableCampaign | undefined> {
    const item = await this.item(id);
    if (!item) return undefined;
    const { totals: _totals, events: _events, ...rest } = item;
    return { ...rest, content: await this.contentOf(item) };
  }

  async list(limit: number, cursor?: string): Promise<{ items: Campaign[]; nextCursor?: string }> {
    // The table also holds the campaigns' parts: scan on until `limit` campaigns are found. The next
    // page starts after the last campaign returned (never at a part's key, which no cursor holds);
    // the parts between it and where this scan stopped are read again and left out again.
    const found: StoredCampaign[] = [];
    let start = decodeCursor(cursor, ['id']);
    let more = false;
    do {
      const result = await dynamo.send(
        new ScanCommand({
          TableName: this.tableName,
          // A campaign comes with about ten parts (its content, 8 counter shards, and a content
          // revision whose delete failed); more only cost another page.
          Limit: limit * 10,
          ExclusiveStartKey: start,
          FilterExpression: 'attribute_exists(#status)',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      );
      found.push(...((result.Items ?? []) as StoredCampaign[]));
      start = result.LastEvaluatedKey;
      more = start !== undefined;
    } while (more && found.length < limit);
    const items = found.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor = (found.length > limit || more) && last ? encodeCursor({ id: last.id }) : undefined;
    return { items: await this.whole(items), ...(nextCursor ? { nextCursor } : {}) };
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
      return (await this.whole([result.Attributes as StoredCampaign]))[0];
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
    checkedRevision: string | undefined,
    now: Date,
  ): Promise<Campaign | undefined> {
    const allowed = inList(open, 'open');
    const revision = unchanged('contentRevision', ':seenRevision', checkedRevision);
    // The rule of uploadsClosed (campaign.ts) as a condition.
    const notClosed =
      '(#status <> :scheduled OR scheduledAt > :horizon) AND (attribute_not_exists(startRequestedAt) OR startRequestedAt < :requestCutoff)';
    const values = {
      ...allowed.values,
      ...revision.values,
      ':entry': new Set([entry]),
      ':one': 1,
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
            UpdateExpression: `ADD openUploads :entry, uploadRegistrations :one SET updatedAt = :now${raise ? ', uploadFenceUntil = :leaseEnd' : ''}`,
            ConditionExpression: `#status IN (${allowed.list}) AND ${notClosed} AND ${revision.condition} AND ${
              raise
                ? '(attribute_not_exists(uploadFenceUntil) OR uploadFenceUntil <= :leaseEnd)'
                : 'uploadFenceUntil > :leaseEnd'
            }`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return (await this.whole([result.Attributes as StoredCampaign]))[0];
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
    // The counters are the base plus the shards: the base is set so that the two add up to what the
    // records say. A count added to a shard after the shards were read here is kept (on top of the
    // records read before it), as one added after the write was before the shards.
    const shards = (await readShards(this.tableName, [id])).get(id);
    const base = { ...totals };
    for (const name of Object.keys(base) as (keyof CampaignTotals)[])
      base[name] = totals[name] - (shards?.totals[name] ?? 0);
    const fence = unchanged('uploadFenceUntil', ':seen', seenFenceUntil);
    try {
      const result = await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression:
            'SET #totals = :totals, updatedAt = :now, reconciledAt = :now REMOVE openUploads, uploadFenceUntil',
          ConditionExpression: `#status = :status AND ${FENCE_CLEAR} AND ${fence.condition}`,
          ExpressionAttributeNames: { '#status': 'status', '#totals': 'totals' },
          ExpressionAttributeValues: {
            ':totals': base,
            ':now': now.toISOString(),
            ':fenceNow': now.toISOString(),
            ':status': status,
            ...fence.values,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return (
        await this.whole(
          [result.Attributes as StoredCampaign],
          new Map([[id, shards ?? { totals: {}, events: {} }]]),
        )
      )[0];
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Adds to one counter shard (campaign-parts.ts). First, at most once per TOUCH_EVERY_MS in this
   * container, moves the campaign's `updatedAt`, conditional on the campaign existing: a count for
   * a campaign that is not there fails as it always did, before anything is added, and a failed
   * move adds nothing either (a count lost, as when a counter write failed: the recount repairs it).
   */
  async addToTotals(id: string, delta: TotalsDelta, now: Date): Promise<void> {
    const last = this.touched.get(id);
    if (last === undefined || now.getTime() - last >= TOUCH_EVERY_MS || now.getTime() < last) {
      await dynamo.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: 'SET updatedAt = :now',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
      this.touched.set(id, now.getTime());
    }
    await addToShard(this.tableName, id, { totals: delta }, this.pickShard);
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
    if (items.length === 0) return items;
    const shards = await readShards(
      this.tableName,
      items.map((item) => item.id),
    );
    return items.map((item) => ({ ...item, totals: withShards(item.totals, shards.get(item.id)) }));
  }

  /** The campaign item by id; a part's id is no campaign. */
  private async item(id: string): Promise<StoredCampaign | undefined> {
    if (isPartId(id)) return undefined;
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
    );
    return result.Item as StoredCampaign | undefined;
  }

  /**
   * Campaign items made whole: their content (cached, else read) and counters with their shards, in
   * one BatchGetItem. `shards` when the caller has just read them.
   */
  private async whole(items: StoredCampaign[], shards?: Map<string, ShardSums>): Promise<Campaign[]> {
    const contents = new Map<string, TemplateContent>();
    for (const item of items) {
      const known = item.content ?? this.contents.get(partOf(item));
      if (known) contents.set(item.id, known);
    }
    const unread = items.filter((item) => !contents.has(item.id));
    const ids = items.map((item) => item.id);
    const parts = await getAll(this.tableName, [...unread.map(partOf), ...(shards ? [] : shardIds(ids))]);
    const whole: StoredCampaign[] = [];
    for (const read of items) {
      let item = read;
      if (!contents.has(item.id)) {
        const content = parts.get(partOf(item))?.content as TemplateContent | undefined;
        if (content) {
          contents.set(item.id, content);
          this.remember(partOf(item), content);
        } else {
          // Edited (and the part read deleted) since the item was read: the item as it is now.
          item = (await this.item(item.id)) ?? item;
          contents.set(item.id, await this.contentOf(item));
        }
      }
      whole.push(item);
    }
    const sums = shards ?? sumShards(parts, ids);
    return whole.map((item) =>
      this.compose(item, contents.get(item.id) as TemplateContent, sums.get(item.id)),
    );
  }

  private compose(item: StoredCampaign, content: TemplateContent, shards: ShardSums | undefined): Campaign {
    return {
      ...item,
      content,
      totals: withShards(item.totals, shards),
      events: eventsWithShards(item.events, shards),
    };
  }

  /**
   * The campaign's content: in its part (cached here once read), or in the item itself for a
   * campaign created before the content moved out.
   */
  private async contentOf(read: StoredCampaign): Promise<TemplateContent> {
    let item = read;
    // Twice at most: the part of an item read just before an edit may be gone (`edit`).
    for (let attempt = 0; attempt < 2; attempt++) {
      if (item.content !== undefined) return item.content;
      const cached = this.contents.get(partOf(item));
      if (cached) return cached;
      const result = await dynamo.send(
        new GetCommand({ TableName: this.tableName, Key: { id: partOf(item) }, ConsistentRead: true }),
      );
      const content = result.Item?.content as TemplateContent | undefined;
      if (content) {
        this.remember(partOf(item), content);
        return content;
      }
      const now = await this.item(item.id);
      if (!now || now.contentRevision === item.contentRevision) break;
      item = now;
    }
    throw new Error(`campaign ${item.id} has no content part ${partOf(item)}`);
  }

  private remember(part: string, content: TemplateContent): void {
    this.contents.set(part, content);
    // Oldest first (a Map keeps insertion order): a container rarely sees many campaigns.
    for (const oldest of this.contents.keys()) {
      if (this.contents.size <= CONTENT_CACHE) break;
      this.contents.delete(oldest);
    }
  }
}
