import { signUnsubscribeToken, unsubscribeUrl } from '../feedback/unsubscribe-token';
import type { MessageHeader } from '../sending/outgoing-mail';
import { renderContent, type TemplateContent } from '../templates/template-rules';
import type { Campaign, CampaignRecipient } from './campaign';
import { UNSUBSCRIBE_URL_VARIABLE } from './unsubscribe-link';

export interface BulkContentDeps {
  unsubscribeSecret: string;
  /** Where `/unsubscribe` is served: the API's public URL. */
  publicBaseUrl: string;
  /** A test send: its unsubscribe link is a test token, which changes nothing when followed. */
  testSend?: boolean;
}

/**
 * One recipient's mail: the campaign content rendered with their data, `{{unsubscribe_url}}`
 * available to the body, and the RFC 8058 one-click headers Gmail and Yahoo require of bulk senders.
 * Recipient data cannot override the unsubscribe URL.
 */
export function renderForRecipient(
  campaign: Pick<Campaign, 'id' | 'content'>,
  recipient: Pick<CampaignRecipient, 'email' | 'data'>,
  deps: BulkContentDeps,
): TemplateContent & { headers: MessageHeader[]; unsubscribeUrl: string } {
  const token = signUnsubscribeToken(
    { email: recipient.email, campaignId: campaign.id, ...(deps.testSend ? { test: true as const } : {}) },
    deps.unsubscribeSecret,
  );
  const url = unsubscribeUrl(deps.publicBaseUrl, token);
  const rendered = renderContent(campaign.content, { ...recipient.data, [UNSUBSCRIBE_URL_VARIABLE]: url });
  return {
    ...rendered,
    unsubscribeUrl: url,
    headers: [
      { name: 'List-Unsubscribe', value: `<${url}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ],
  };
}
