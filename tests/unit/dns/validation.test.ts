import { randomUUID } from 'node:crypto';
import { ConfigError } from '../../../functions/lib/config';
import { type DnsPolicy, loadDnsPolicy } from '../../../functions/lib/dns/policy';
import { validateDnsRequest } from '../../../functions/lib/dns/validation';
import { RejectedRequest } from '../../../functions/lib/errors';

const env = {
  DNS_ZONE_NAME: 'Home.Example.com.',
  DNS_ALLOWED_NAMES:
    '*.home.example.com, vpn.home.example.com,*.lab.home.example.com,gw.lab.home.example.com',
};
const policy = loadDnsPolicy(env) as DnsPolicy;
const withPrivate = loadDnsPolicy({ ...env, DNS_ALLOW_PRIVATE_ADDRESSES: 'true' }) as DnsPolicy;
const apexListed = loadDnsPolicy({
  DNS_ZONE_NAME: 'example.net',
  DNS_ALLOWED_NAMES: 'example.net,*.example.net',
}) as DnsPolicy;

function refusal(payload: unknown, against: DnsPolicy | undefined): { status: number; reason: string } {
  try {
    validateDnsRequest(payload, against);
  } catch (error) {
    if (error instanceof RejectedRequest) return { status: error.statusCode, reason: error.message };
    throw error;
  }
  return { status: 0, reason: 'accepted' };
}

const request = (domain: unknown, ip: unknown = '93.184.216.34', uuid: unknown = randomUUID()) => ({
  ip,
  domain,
  uuid,
});

describe('domain names', () => {
  it.each([
    ['nas.home.example.com', 'nas.home.example.com'],
    ['NAS.Home.Example.COM', 'nas.home.example.com'],
    ['nas.home.example.com.', 'nas.home.example.com'],
    ['a.b.c.home.example.com', 'a.b.c.home.example.com'],
    ['xn--bcher-kva.home.example.com', 'xn--bcher-kva.home.example.com'],
    ['gw.lab.home.example.com', 'gw.lab.home.example.com'],
  ])('allows %s (as %s)', (domain, normalized) => {
    const accepted = validateDnsRequest(request(domain), policy);
    expect(accepted.domain).toBe(normalized);
  });

  it.each([
    ['home.example.com', 422, 'not on the allow-list'], // *.suffix does not match the bare suffix
    ['nas.example.com', 422, 'outside zone home.example.com'],
    ['evilhome.example.com', 422, 'outside zone'], // a suffix match must end at a label boundary
    ['home.example.com.attacker.net', 422, 'outside zone'],
    ['nas.home.example.com..', 400, 'not a host name'],
    ['*.home.example.com', 400, 'not a host name'],
    ['_acme-challenge.home.example.com', 400, 'not a host name'],
    ['bücher.home.example.com', 400, 'not a host name'],
    ['-nas.home.example.com', 400, 'not a host name'],
    [`${'a'.repeat(64)}.home.example.com`, 400, 'not a host name'],
    ['', 400, 'non-empty string'],
    [42, 400, 'non-empty string'],
  ])('refuses %j with %i', (domain, status, reason) => {
    expect(refusal(request(domain), policy)).toEqual({ status, reason: expect.stringContaining(reason) });
  });

  it('allows the bare suffix only when the allow-list names it', () => {
    expect(validateDnsRequest(request('example.net'), apexListed).domain).toBe('example.net');
    expect(validateDnsRequest(request('www.example.net'), apexListed).domain).toBe('www.example.net');
  });

  it('matches exact entries exactly', () => {
    const exactOnly = loadDnsPolicy({ DNS_ZONE_NAME: 'example.net', DNS_ALLOWED_NAMES: 'vpn.example.net' });
    expect(validateDnsRequest(request('VPN.example.net.'), exactOnly).domain).toBe('vpn.example.net');
    expect(refusal(request('x.vpn.example.net'), exactOnly).status).toBe(422);
  });
});

describe('addresses', () => {
  it.each([
    ['93.184.216.34', 'A', '93.184.216.34'],
    ['1.1.1.1', 'A', '1.1.1.1'],
    ['2606:2800:220:1:248:1893:25c8:1946', 'AAAA', '2606:2800:220:1:248:1893:25c8:1946'],
    ['2606:4700:0000:0000:0000:0000:0000:1111', 'AAAA', '2606:4700::1111'],
    ['2A00:1450:4001:0811::200E', 'AAAA', '2a00:1450:4001:811::200e'],
  ])('publishes %s as %s %s', (ip, recordType, value) => {
    const accepted = validateDnsRequest(request('nas.home.example.com', ip), policy);
    expect({ recordType: accepted.recordType, ip: accepted.ip }).toEqual({ recordType, ip: value });
  });

  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.10', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['192.0.2.10', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['2001:db8::1', 'reserved'],
    ['64:ff9b::808:808', 'rfc6052'],
    ['2002:c000:204::1', '6to4'],
  ])('refuses the non-public %s (%s) by default, allows it when configured', (ip, range) => {
    expect(refusal(request('nas.home.example.com', ip), policy)).toEqual({
      status: 422,
      reason: expect.stringContaining(range),
    });
    expect(refusal(request('nas.home.example.com', ip), withPrivate)).toEqual({
      status: 0,
      reason: 'accepted',
    });
  });

  it.each([
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.251', 'multicast'],
    ['::', 'unspecified'],
    ['ff02::1', 'multicast'],
    ['::ffff:93.184.216.34', 'ipv4Mapped'],
  ])('refuses %s (%s) even when non-public addresses are allowed', (ip, range) => {
    const expected = { status: 422, reason: expect.stringContaining(range) };
    expect(refusal(request('nas.home.example.com', ip), policy)).toEqual(expected);
    expect(refusal(request('nas.home.example.com', ip), withPrivate)).toEqual(expected);
  });

  it.each([
    '1.2.3',
    '0x5d.184.216.34',
    '93.184.216.034',
    '93.184.216.256',
    'fe80::1%eth0',
    '2001:db8::g',
    'localhost',
    '',
    7,
  ])('refuses the malformed address %j with 400', (ip) => {
    expect(refusal(request('nas.home.example.com', ip), policy).status).toBe(400);
  });
});

describe('request shape', () => {
  it.each([
    [null, 'JSON object'],
    [[], 'JSON object'],
    ['nas.home.example.com', 'JSON object'],
    [{ ip: '93.184.216.34', domain: 'nas.home.example.com' }, '"uuid"'],
    [{ ip: '93.184.216.34', domain: 'nas.home.example.com', uuid: 'not-a-uuid' }, '"uuid" must be a UUID'],
    [{ domain: 'nas.home.example.com', uuid: randomUUID() }, '"ip"'],
  ])('refuses %j with 400', (payload, reason) => {
    expect(refusal(payload, policy)).toEqual({ status: 400, reason: expect.stringContaining(reason) });
  });

  it('refuses every well-formed request with 422 when dynamic DNS is switched off', () => {
    const off = loadDnsPolicy({});
    expect(off).toBeUndefined();
    expect(refusal(request('nas.home.example.com'), off)).toEqual({
      status: 422,
      reason: 'dynamic DNS is not configured',
    });
  });
});

describe('error codes (the "error" of the HTTP answer)', () => {
  it.each([
    [request('nas.home.example.com', 'not-an-ip'), 400, 'malformed_request'],
    [request('nas.example.org'), 422, 'domain_not_allowed'],
    [request('home.example.com'), 422, 'domain_not_allowed'],
    [request('nas.home.example.com', '10.0.0.1'), 422, 'address_not_allowed'],
  ])('refuses %j with %i %s', (payload, status, code) => {
    const attempt = () => validateDnsRequest(payload, policy);
    expect(attempt).toThrow(RejectedRequest);
    expect(attempt).toThrow(expect.objectContaining({ statusCode: status, reason: code }));
  });
});

describe('policy configuration', () => {
  it.each([
    [{ DNS_ZONE_NAME: 'home.example.com' }, 'DNS_ALLOWED_NAMES is empty'],
    [{ DNS_ZONE_NAME: 'home.example.com', DNS_ALLOWED_NAMES: '*.example.org' }, 'outside zone'],
    [
      { DNS_ZONE_NAME: 'home.example.com', DNS_ALLOWED_NAMES: 'a.*.home.example.com' },
      'not a name or *.suffix',
    ],
    [{ DNS_ZONE_NAME: 'home_example', DNS_ALLOWED_NAMES: '*.home_example' }, 'DNS_ZONE_NAME'],
    [{ ...env, DNS_ALLOW_PRIVATE_ADDRESSES: 'maybe' }, 'DNS_ALLOW_PRIVATE_ADDRESSES'],
  ])('rejects %j naming the problem', (bad, message) => {
    expect(() => loadDnsPolicy(bad)).toThrow(ConfigError);
    expect(() => loadDnsPolicy(bad)).toThrow(message);
  });
});
