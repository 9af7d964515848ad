import { costFloor, PRICES } from '../../bench/cost';

/**
 * The bench's cost floor (bench/cost.ts): what the shape of Mailroom costs per million mails
 * whatever the implementation. README Performance (d) argues from these figures that the ≤ $2
 * target cannot be met for transactional mail inside this shape; these tests pin that argument to
 * the list prices, so a price change that would undo it fails here.
 */
describe('costFloor', () => {
  it('is the sum of its items, and REST differs from an HTTP API only by the gateway price', () => {
    for (const stream of ['transactional', 'bulk'] as const) {
      const floor = costFloor(stream);
      const sum = floor.items.reduce((total, item) => total + item.perMillion, 0);
      expect(floor.perMillion).toBeCloseTo(sum, 9);
      const perGatewayRequest = stream === 'transactional' ? 1 : 1 / 1_000;
      expect(floor.perMillionWithRestApi - floor.perMillion).toBeCloseTo(
        (PRICES.apiGatewayRestPerMillionRequests - PRICES.apiGatewayHttpPerMillionRequests) *
          perGatewayRequest,
        9,
      );
    }
  });

  it('puts a transactional mail above $2 with no SES event at all, and bulk above $2 with three', () => {
    // One API request, its function, one SendMessage, the sender's share and one write: $2.33.
    expect(costFloor('transactional', 0).perMillion).toBeGreaterThan(2);
    expect(costFloor('transactional').perMillion).toBeCloseTo(4.125, 6);
    expect(costFloor('transactional').perMillionWithRestApi).toBeCloseTo(6.625, 6);
    expect(costFloor('bulk').perMillion).toBeGreaterThan(2);
    // Bulk without the Open event (tracking off) is just under it: the floor leaves no room for a
    // second write a mail.
    expect(costFloor('bulk', 2).perMillion).toBeLessThan(2);
    expect(costFloor('bulk', 2).perMillion + PRICES.dynamoDbPerMillionWriteUnits).toBeGreaterThan(2);
  });

  it('grows with each SES event by its publish, its share of the queue and of an invocation', () => {
    const perEvent = costFloor('bulk', 4).perMillion - costFloor('bulk', 3).perMillion;
    expect(perEvent).toBeCloseTo(
      PRICES.snsPerMillionPublishes +
        (2 * PRICES.sqsPerMillionRequests) / 10 +
        PRICES.lambdaPerMillionRequests / 10,
      9,
    );
  });
});
