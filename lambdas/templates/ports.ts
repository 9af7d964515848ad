import type { TemplateContent } from './template-rules';

/** Stored templates, the adapter over DynamoDB and the unit tests over a map. */
export interface StoredTemplate extends TemplateContent {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateRepository {
  get(name: string): Promise<StoredTemplate | undefined>;
  put(template: StoredTemplate): Promise<void>;
  /** Resolves false when there was nothing to delete. */
  delete(name: string): Promise<boolean>;
  list(limit: number, cursor?: string): Promise<{ items: StoredTemplate[]; nextCursor?: string }>;
}
