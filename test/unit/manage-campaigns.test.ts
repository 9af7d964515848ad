import {
  addRecipients,
  cancelCampaign,
  createCampaign,
  pauseCampaign,
  resumeCampaign,
  sendCampaign,
  sendTest,
} from '../../lambdas/campaigns/manage-campaigns';
import { ApiError } from '../../lambdas/requests/errors';
import { campaignDeps } from './support/campaign-factories';
import { NOW } from './support/factories';

function setup() {
  const { deps, submitted } = campaignDeps();
  return { deps, submitted };
}

const draft = {
  name: 'Launch',
  subject: 'Hi {{first_name}}',
  text: 'Hello {{first_name}} {{unsubscribe_url}}',
};
const row = (email: string) => ({ email, data: { first_name: 'X' } });

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return 'ok';
}

describe('campaign management', () => {
  it('creates a draft with the template content copied in, so later template edits cannot change it', async () => {
    const { deps } = setup();
    await deps.templates.put({
      name: 'news',
      subject: 'S {{a}}',
      html: '<p>{{a}}</p>',
      createdAt: '',
      updatedAt: '',
    });
    const campaign = await createCampaign({ name: 'From template', template: 'news' }, deps);
    await deps.templates.put({
      name: 'news',
      subject: 'changed',
      html: 'changed',
      createdAt: '',
      updatedAt: '',
    });
    expect((await deps.campaigns.get(campaign.id))?.content).toEqual({
      subject: 'S {{a}}',
      html: '<p>{{a}}</p>',
    });
  });

  it('refuses an empty upload and more than 1,000 rows, the same way for JSON and CSV', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    expect(await code(addRecipients(id, { csv: 'email\n' }, deps))).toBe('no_rows');
    const many = Array.from({ length: 1001 }, (_, i) => row(`r${i}@example.org`));
    expect(await code(addRecipients(id, { json: { recipients: many } }, deps))).toBe('too_many_recipients');
  });

  it('puts a campaign paused before its start back on its schedule when resumed', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, { json: { recipients: [row('a@example.org')] } }, deps);
    const at = new Date(NOW.getTime() + 600_000).toISOString();
    await sendCampaign(id, { at }, deps);
    await pauseCampaign(id, deps);
    const resumed = await resumeCampaign(id, deps);
    expect(resumed).toMatchObject({ status: 'scheduled', scheduledAt: at });
    expect(resumed.pausedBy).toBeUndefined();
    expect(deps.queues.fanouts.at(-1)).toEqual({
      message: { kind: 'fanout', campaignId: id, generation: resumed.fanoutGeneration },
      delaySeconds: 600,
    });
  });

  it('leaves a scheduled start to the tick when queueing it fails', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    await addRecipients(id, { json: { recipients: [row('a@example.org')] } }, deps);
    deps.queues.fanout = () => Promise.reject(new Error('SQS down'));
    await expect(
      sendCampaign(id, { at: new Date(NOW.getTime() + 60_000).toISOString() }, deps),
    ).rejects.toThrow('SQS down');
    expect(await deps.campaigns.get(id)).toMatchObject({ status: 'scheduled', startQueued: false });
    expect(await deps.campaigns.dueScheduled(new Date(NOW.getTime() + 60_000))).toHaveLength(1);
  });

  it('marks a cancelled campaign for its sweep, so a lost sweep is restarted', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    const cancelled = await cancelCampaign(id, deps);
    expect(cancelled).toMatchObject({ status: 'cancelled', fanoutDone: false });
    expect(deps.queues.fanouts.at(-1)?.message.kind).toBe('cancel');
  });

  it('sends a test once per address, leaving suppressed addresses out and saying so', async () => {
    const { deps, submitted } = setup();
    const { id } = await createCampaign(draft, deps);
    deps.suppressions.entries.set('gone@example.org', 'all');
    const result = await sendTest(
      id,
      { to: ['qa@example.org', 'QA@example.org', 'gone@example.org'], data: { first_name: 'Q' } },
      deps,
    );
    expect(result.suppressed).toEqual(['gone@example.org']);
    expect(submitted.map((m) => m.to)).toEqual([['qa@example.org']]);
    expect(submitted[0]?.subject).toBe('[Test] Hi Q');
    expect(submitted[0]?.headers.map((h) => h.name)).toEqual(['List-Unsubscribe', 'List-Unsubscribe-Post']);
  });

  it('answers 422 for a test whose subject renders too long', async () => {
    const { deps } = setup();
    const { id } = await createCampaign(draft, deps);
    expect(
      await code(sendTest(id, { to: 'qa@example.org', data: { first_name: 'x'.repeat(1000) } }, deps)),
    ).toBe('unrenderable');
  });
});
