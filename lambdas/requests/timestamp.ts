import * as z from 'zod';

/** When something happened, as Mailroom writes it: `Date.prototype.toISOString()`, always UTC. */
export const timestampSchema = z.iso
  .datetime()
  .meta({ id: 'Timestamp', description: 'ISO 8601 in UTC, e.g. `2026-12-01T09:00:00.000Z`.' });
