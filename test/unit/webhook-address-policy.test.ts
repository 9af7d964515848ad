import { type AddressKind, classifyAddress } from '../../lambdas/webhooks/address-policy';
import { urlProblem } from '../../lambdas/webhooks/webhook-url';

const AWS = { allowLoopback: false };
const LOCAL = { allowLoopback: true };

describe('the SSRF address classifier', () => {
  it.each<[string, AddressKind]>([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.254', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'reserved'],
    ['::7f00:1', 'reserved'],
    ['2002:7f00:1::', 'reserved'],
    ['64:ff9b::a00:1', 'reserved'],
    ['64:ff9b:1::a9fe:a9fe', 'reserved'],
    ['::ffff:0:7f00:1', 'reserved'],
    ['2001:2::1', 'reserved'],
    ['not-an-ip', 'reserved'],
    ['8.8.8.8', 'public'],
    ['100.128.0.1', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

describe('webhook URL rules', () => {
  it.each([
    ['http://example.org/x', 'must start with https://'],
    ['https://user:pw@example.org/x', 'must not carry a user name or password'],
    ['https://user@example.org/x', 'must not carry a user name or password'],
    ['https://127.0.0.1/x', 'loopback'],
    ['https://0x7f.1/x', 'loopback'],
    ['https://2130706433/x', 'loopback'],
    ['https://0177.0.0.1/x', 'loopback'],
    ['https://[::1]/x', 'loopback'],
    ['https://[::ffff:127.0.0.1]/x', 'loopback'],
    ['https://[fc00::1]/x', 'private'],
    ['https://[fe80::1]/x', 'link-local'],
    ['https://100.64.1.1/x', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://localhost/x', 'loopback'],
    ['https://api.localhost/x', 'loopback'],
    ['https://0/x', 'reserved'],
    [`https://example.org/${'a'.repeat(2000)}`, 'at most 2000 characters'],
    ['example.org/x', 'absolute URL'],
  ])('refuses %s in AWS', (url, problem) => {
    expect(urlProblem(url, AWS)).toContain(problem);
  });

  it.each(['https://example.org/hooks', 'https://8.8.8.8/x', 'https://[2606:4700::1]:8443/x'])(
    'accepts %s in AWS',
    (url) => {
      expect(urlProblem(url, AWS)).toBeUndefined();
    },
  );

  it.each(['http://127.0.0.1:4000/hook', 'http://[::1]:4000/hook', 'http://localhost:4000/hook'])(
    'accepts the loopback receiver %s in local mode',
    (url) => {
      expect(urlProblem(url, LOCAL)).toBeUndefined();
    },
  );

  it.each(['http://10.0.0.1/x', 'http://169.254.169.254/x', 'http://u:p@127.0.0.1/x', 'ftp://127.0.0.1/x'])(
    'still refuses %s in local mode',
    (url) => {
      expect(urlProblem(url, LOCAL)).toBeDefined();
    },
  );
});
