import type * as z from 'zod';
import type { templateSchema } from './template-response';

/** A stored template, as the API shows it too (template-response.ts). */
export type StoredTemplate = z.output<typeof templateSchema>;

export interface TemplateRepository {
  get(name: string): Promise<StoredTemplate | undefined>;
  put(template: StoredTemplate): Promise<void>;
  /** Resolves false when there was nothing to delete. */
  delete(name: string): Promise<boolean>;
  list(limit: number, cursor?: string): Promise<{ items: StoredTemplate[]; nextCursor?: string }>;
}
