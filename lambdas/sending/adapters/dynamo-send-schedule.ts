import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../platform/clients/dynamo';
import type { SendSchedule, SlotGrant, SlotRequest } from '../send-schedule';

/**
 * Lives in the rate ledger table, under a key of its own: the ledger's queries read the
 * `transactional` and `bulk` partitions only. Lane 0 is the schedule as it always was; lanes above
 * it (LanedSendSchedule, from LANE_RATE mails a second) each have a partition of their own, so each
 * has an item's 1,000 writes a second to itself.
 */
const keyOf = (lane: number) =>
  lane === 0
    ? { stream: 'send-schedule', worker: 'shared' }
    : { stream: `send-schedule#${lane}`, worker: 'shared' };
/** Two senders racing for the same slots each win within a few tries. */
const MAX_TRIES = 8;
const NAMES = { '#next': 'nextFreeAtMicros' };

/**
 * Whole microseconds since the epoch. DynamoDB adds decimals exactly and JavaScript does not: with
 * fractional milliseconds the two disagree in the last digit, and a condition like "starts no
 * later than X" then fails for ever on a value both sides print alike. Integers below 2^53 are
 * exact on both sides (epoch µs are about 1.8 × 10^15).
 */
const micros = (ms: number) => Math.round(ms * 1000);
const millis = (us: number) => us / 1000;

/**
 * The shared send schedule as one DynamoDB item: `nextFreeAtMicros`, moved on by conditional updates.
 * Written by hand rather than with a rate-limiting library: the ones for Node keep their state in
 * one process (or Redis), and what is needed here is one conditional write per few slots.
 *
 * A reservation is one write when this container's idea of the schedule is right: either the
 * schedule is idle (`nextFreeAt` passed: start now) or it is booked ahead (`nextFreeAt + n slots`,
 * provided it is not past `latestStart`). When another sender moved it in between, the condition
 * fails, one strongly consistent read puts this container right, and it tries again.
 */
export class DynamoSendSchedule implements SendSchedule {
  /** The latest `nextFreeAt` seen here, in µs. The schedule only moves forward: never ahead. */
  private known: number | undefined;
  private readonly key: { stream: string; worker: string };

  constructor(
    private readonly tableName: string,
    /** Which lane of the schedule (LanedSendSchedule); 0, the only one below LANE_RATE, by default. */
    lane = 0,
  ) {
    this.key = keyOf(lane);
  }

  async reserve(request: SlotRequest): Promise<SlotGrant> {
    const now = micros(request.now);
    const latest = Number.isFinite(request.latestStart) ? micros(request.latestStart) : undefined;
    const span = micros(request.count * request.spacingMs);
    return this.untilItHolds(async (known) => {
      if (latest !== undefined && known !== undefined && known > latest) {
        return { granted: false, nextFreeAt: millis(known) };
      }
      if (latest !== undefined && latest < now) {
        return { granted: false, nextFreeAt: millis(Math.max(known ?? now, now)) };
      }
      if (known === undefined || known <= now) {
        // Idle: start now. Slots that passed unused are gone, not saved up for a burst.
        await this.update('SET #next = :end', 'attribute_not_exists(#next) OR #next <= :now', {
          ':end': now + span,
          ':now': now,
        });
        this.known = now + span;
        return { granted: true, firstAt: millis(now) };
      }
      // Booked ahead: append, unless that would start after `latest` (DynamoDB numbers are
      // finite, so an unbounded request leaves the upper bound out).
      const end = await this.update(
        'SET #next = #next + :span',
        latest === undefined ? '#next >= :now' : '#next BETWEEN :now AND :latest',
        { ':span': span, ':now': now, ...(latest === undefined ? {} : { ':latest': latest }) },
      );
      this.known = end;
      return { granted: true, firstAt: millis(end - span) };
    });
  }

  async hold(holdMs: number, nowMs: number): Promise<void> {
    const hold = micros(holdMs);
    const now = micros(nowMs);
    await this.untilItHolds(async (known) => {
      if (known !== undefined && known >= now) {
        this.known = await this.update('SET #next = #next + :hold', '#next >= :now', {
          ':hold': hold,
          ':now': now,
        });
      } else {
        await this.update('SET #next = :until', 'attribute_not_exists(#next) OR #next < :now', {
          ':until': now + hold,
          ':now': now,
        });
        this.known = now + hold;
      }
    });
  }

  /**
   * Runs `attempt` with this container's idea of the schedule; when its condition fails (another
   * sender moved the schedule in between), reads the schedule and tries again.
   */
  private async untilItHolds<T>(attempt: (known: number | undefined) => Promise<T>): Promise<T> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      try {
        return await attempt(this.known);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        this.known = await this.read();
      }
    }
    throw new Error(`the send schedule was moved by other senders ${MAX_TRIES} times in a row`);
  }

  private async update(
    expression: string,
    condition: string,
    values: Record<string, number>,
  ): Promise<number> {
    const result = await dynamo.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key,
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.nextFreeAtMicros);
  }

  private async read(): Promise<number | undefined> {
    const result = await dynamo.send(
      new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }),
    );
    const value = result.Item?.nextFreeAtMicros;
    return value === undefined ? undefined : Number(value);
  }
}
