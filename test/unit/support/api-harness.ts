import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DEFAULT_THRESHOLDS } from '../../../lambdas/feedback/reputation-guard';
import { errorResponse } from '../../../lambdas/functions/api/http';
import { type ApiDeps, buildRouter } from '../../../lambdas/functions/api/routes';
import { ApiError } from '../../../lambdas/requests/errors';
import { NOW } from './factories';
import {
  InMemoryIdempotency,
  InMemoryMessages,
  InMemorySuppressions,
  InMemoryTemplates,
  RecordingQueue,
} from './in-memory';
import {
  FixedLedger,
  InMemoryCampaigns,
  InMemoryRecipients,
  RecordingCampaignQueues,
} from './in-memory-campaigns';
import {
  FakeAccountSuppressions,
  InMemoryDeliverability,
  RecordingEventTotals,
  RecordingProductEvents,
} from './in-memory-feedback';
import { InMemoryWebhooks, RecordingDeliveryQueue } from './in-memory-webhooks';

/** The unsubscribe secret the harness signs and verifies with. */
export const API_SECRET = 'u'.repeat(32);

/** What the harness builds: the route table's collaborators, in memory, and the ones tests look at. */
export interface ApiHarness {
  readonly deps: ApiDeps;
  readonly suppressions: InMemorySuppressions;
  readonly products: RecordingProductEvents;
  readonly totals: RecordingEventTotals;
  /** One API Gateway proxy request through the router, answered as the handler would. */
  call(
    method: string,
    path: string,
    options?: { body?: string | null; headers?: Record<string, string>; isBase64Encoded?: boolean },
  ): Promise<APIGatewayProxyResult>;
}

/** The api function's router over in-memory collaborators; `overrides` replaces any of them. */
export function apiHarness(overrides: Partial<ApiDeps> = {}): ApiHarness {
  const suppressions = new InMemorySuppressions();
  const products = new RecordingProductEvents();
  const totals = new RecordingEventTotals();
  const deps: ApiDeps = {
    sendingDomain: 'acme.test',
    defaultFrom: { address: 'hello@acme.test' },
    messages: new InMemoryMessages(),
    templates: new InMemoryTemplates(),
    suppressions,
    idempotency: new InMemoryIdempotency(),
    queue: new RecordingQueue(),
    newId: () => 'msg-1',
    now: () => NOW,
    webhookDeps: webhookDepsInMemory(),
    accountQuota: async () => ({
      productionAccess: false,
      sendingEnabled: true,
      enforcementStatus: 'HEALTHY',
      maxSendRate: 1,
      max24HourSend: 200,
      sentLast24Hours: 7,
    }),
    maxSendRateOverride: undefined,
    sendRateShare: 1,
    guardThresholds: DEFAULT_THRESHOLDS,
    campaigns: new InMemoryCampaigns(),
    recipients: new InMemoryRecipients(),
    queues: new RecordingCampaignQueues(),
    ledger: new FixedLedger(),
    bulkContent: async () => ({ unsubscribeSecret: API_SECRET, publicBaseUrl: 'https://api.example.test' }),
    submitMessage: async () => {},
    accountSuppressions: new FakeAccountSuppressions(),
    reputation: new InMemoryDeliverability(),
    unsubscribe: async () => ({
      suppressions,
      campaigns: totals,
      products,
      secret: API_SECRET,
      now: () => NOW,
    }),
    ...overrides,
  };
  const router = buildRouter(deps);
  const call: ApiHarness['call'] = async (method, path, options = {}) => {
    const url = new URL(path, 'https://api.example.test');
    const query = Object.fromEntries(url.searchParams);
    const event = {
      httpMethod: method,
      path: url.pathname,
      headers: options.headers ?? {},
      queryStringParameters: Object.keys(query).length > 0 ? query : null,
      body: options.body ?? null,
      isBase64Encoded: options.isBase64Encoded ?? false,
    } as unknown as APIGatewayProxyEvent;
    try {
      return await router.handle(event);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return errorResponse(error);
    }
  };
  return { deps, suppressions, products, totals, call };
}

/** The webhook routes' collaborators in memory; counts the ids it hands out. */
export function webhookDepsInMemory() {
  const store = new InMemoryWebhooks();
  let n = 0;
  return {
    webhooks: store,
    deliveries: store,
    deliveryQueue: new RecordingDeliveryQueue(),
    addressPolicy: { allowLoopback: false },
    newId: () => `id-${++n}`,
    now: () => NOW,
  };
}
