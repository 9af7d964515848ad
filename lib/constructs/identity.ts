import { Stack } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** Properties of {@link SendingIdentity}. */
export interface SendingIdentityProps {
  /** The domain mail is sent from, e.g. `mail.acme.com`. */
  readonly domain: string;
}

/**
 * The SES side of sending: the verified domain identity and the configuration sets that give
 * each stream its own reputation metrics.
 */
export class SendingIdentity extends Construct {
  /** The domain identity (Easy DKIM, 2048-bit keys). */
  readonly identity: ses.EmailIdentity;
  /** ARN of the domain identity, the resource `ses:SendEmail` is authorized against. */
  readonly identityArn: string;
  /** The `transactional` stream: API sends (invites, resets, OTPs). */
  readonly transactional: ses.ConfigurationSet;
  /**
   * ARN of the transactional configuration set. SES authorizes `ses:SendEmail` against the
   * configuration set too, which `EmailIdentity.grantSendEmail` leaves out.
   */
  readonly transactionalArn: string;

  constructor(scope: Construct, id: string, props: SendingIdentityProps) {
    super(scope, id);

    this.transactional = new ses.ConfigurationSet(this, 'Transactional', {
      // Left unset, CloudFormation gets no ReputationOptions and SES keeps no reputation metrics.
      reputationMetrics: true,
      sendingEnabled: true,
      // Password resets and OTP codes must not cross the internet in clear text.
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.transactionalArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.transactional.configurationSetName,
    });

    this.identity = new ses.EmailIdentity(this, 'Domain', {
      identity: ses.Identity.domain(props.domain),
      dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
      // A send that names no configuration set still lands in a stream with metrics.
      configurationSet: this.transactional,
    });
    this.identityArn = this.identity.emailIdentityArn;
  }
}
