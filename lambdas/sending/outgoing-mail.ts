/** The two streams, like Postmark's message streams: separate SES configuration sets and reputations. */
export type Stream = 'transactional' | 'bulk';

export interface MessageHeader {
  name: string;
  value: string;
}

/** A mail addressed and rendered: From and recipients formatted for SES, content final. */
export interface RenderedMail {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html?: string;
  text?: string;
  headers: MessageHeader[];
}

/** One mail as SES gets it: addressed, rendered, tagged. */
export interface OutgoingMail extends RenderedMail {
  stream: Stream;
  /** SES message tags: how every SES event is tied back to its message or campaign. */
  tags: { name: string; value: string }[];
}

/** The SES tag every event of a mail is traced back by: its message (transactional) or campaign (bulk). */
export type MailOrigin = { name: 'messageId'; value: string } | { name: 'campaignId'; value: string };

/**
 * The one place a mail is put together for SES, whichever stream it is on: the rendered mail, tagged
 * with its stream, its origin and the caller's own tags.
 */
export function outgoingMail(
  stream: Stream,
  mail: RenderedMail,
  origin: MailOrigin,
  tags: Record<string, string>,
): OutgoingMail {
  return {
    stream,
    from: mail.from,
    to: mail.to,
    cc: mail.cc,
    bcc: mail.bcc,
    replyTo: mail.replyTo,
    subject: mail.subject,
    ...(mail.html === undefined ? {} : { html: mail.html }),
    ...(mail.text === undefined ? {} : { text: mail.text }),
    headers: mail.headers,
    tags: [
      { name: 'stream', value: stream },
      { name: origin.name, value: origin.value },
      ...Object.entries(tags).map(([name, value]) => ({ name, value })),
    ],
  };
}
