import type { StoredMessage } from '../../../lambdas/emails/message';

export const NOW = new Date('2026-11-22T10:00:00.000Z');

export function aQueuedMessage(overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id: 'msg-1',
    stream: 'transactional',
    status: 'queued',
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    from: '"Acme" <hello@acme.test>',
    to: ['jane@example.org'],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: 'Your code',
    text: '123456',
    headers: [],
    tags: {},
    suppressed: [],
    attempts: 0,
    history: [{ type: 'queued', at: NOW.toISOString() }],
    ...overrides,
  };
}

export const queueBody = (messageId = 'msg-1') => JSON.stringify({ messageId });

/** A send slot that has already come: the delivery sends at once; `onThrottle` is told of a 429. */
export const aSlotNow = (onThrottle: () => void = () => {}) => ({
  untilSlot: async () => {},
  onThrottle,
});
