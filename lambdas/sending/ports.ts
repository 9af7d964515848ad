import type { OutgoingMail } from './outgoing-mail';

/** Why a mail was not sent, as the API shows it. */
export interface Failure {
  /** The SES error name (e.g. MessageRejected) or a Mailroom code (e.g. OutcomeUnknown). */
  code: string;
  message: string;
}

/** How one SES send ended, as far as what to do next is concerned. */
export type SendResult =
  | { kind: 'accepted'; sesMessageId: string }
  /** 429: over MaxSendRate. Nothing was sent; try again shortly. */
  | { kind: 'throttled'; detail: string }
  /** The 24-hour quota is used up. Nothing was sent; try again when the window allows. */
  | { kind: 'quota_exceeded'; detail: string }
  /** SES will never take this mail as it is (rejected content, unverified address, paused account). */
  | { kind: 'rejected'; failure: Failure }
  /** Certainly not sent (the connection never reached SES): safe to try again. */
  | { kind: 'not_sent'; detail: string }
  /** SES may or may not have taken it (5xx, timeout, connection cut mid-request). */
  | { kind: 'outcome_unknown'; failure: Failure };

/** SES, as the sender sees it (SesMailer; a scripted stand-in in the unit tests). */
export interface Mailer {
  send(mail: OutgoingMail): Promise<SendResult>;
}

/** The queue a record came from, for putting it back. */
export interface Requeue {
  /** Puts a queue message back with a delay, as a new message (so it does not count as a receive). */
  requeue(body: string, delaySeconds: number): Promise<void>;
}
