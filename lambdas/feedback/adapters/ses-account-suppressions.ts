import {
  DeleteSuppressedDestinationCommand,
  NotFoundException,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import type { AccountSuppressionList } from '../ports';

/** SES's account-level suppression list (which SES fills by itself from bounces and complaints). */
export class SesAccountSuppressions implements AccountSuppressionList {
  constructor(private readonly client: SESv2Client) {}

  async remove(email: string): Promise<boolean> {
    try {
      await this.client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: email }));
      return true;
    } catch (error) {
      if (error instanceof NotFoundException) return false;
      // aws-ses-v2-local answers 404 with no error type to operations it does not emulate.
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return false;
      throw error;
    }
  }
}
