import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { indicatorMatches } from './normalize.js';

const m = (
  ft: Parameters<typeof indicatorMatches>[0]['type'],
  fv: string,
  tt: Parameters<typeof indicatorMatches>[0]['type'],
  tv: string,
) => indicatorMatches({ type: ft, value: fv }, { type: tt, value: tv });

describe('indicator normalisation', () => {
  it('compares domains without case or trailing dots, and defanged', () => {
    assert.ok(m('domain', 'EVIL.example.', 'domain', 'evil.example'));
    assert.ok(m('domain', 'evil[.]example', 'domain', 'evil.example'));
    assert.ok(!m('domain', 'notevil.example', 'domain', 'evil.example'));
  });
  it('takes a URL for the domain or address it points at, and a domain for URLs on it', () => {
    assert.ok(m('url', 'hxxps://Evil.Example/a?b=1', 'domain', 'evil.example'));
    assert.ok(m('domain', 'evil.example', 'url', 'http://evil.example/payload.bin'));
    assert.ok(m('url', 'http://198.51.100.10:8080/beacon', 'ip', '198.51.100.10'));
    assert.ok(m('url', 'HTTP://198.51.100.10:8080/beacon/', 'url', 'http://198.51.100.10:8080/beacon'));
    assert.ok(!m('url', 'http://198.51.100.10:8080/other', 'url', 'http://198.51.100.10:8080/beacon'));
    assert.ok(!m('domain', 'evil.example', 'ip', '198.51.100.10'));
  });
  it('reads addresses with leading zeros, a port, a /32 or an IPv6-mapped prefix', () => {
    for (const v of [
      '198.051.100.010',
      '198.51.100.10:443',
      '198.51.100.10/32',
      '::ffff:198.51.100.10',
      ' 198.51.100[.]10 ',
    ])
      assert.ok(m('ip', v, 'ip', '198.51.100.10'), v);
    assert.ok(!m('ip', '198.51.100.1', 'ip', '198.51.100.10'));
    assert.ok(!m('ip', '198.51.100.300', 'ip', '198.51.100.44'));
  });
  it('ignores the case and algorithm prefix of hashes, and port protocol suffixes', () => {
    assert.ok(m('hash', 'SHA256:ABCDEF0123', 'hash', 'abcdef0123'));
    assert.ok(m('port', '8080/tcp', 'port', '8080'));
    assert.ok(!m('port', '80', 'port', '8080'));
  });
  it('matches accounts, files, processes and log lines in their usual forms', () => {
    assert.ok(m('account', 'CORP\\Admin', 'account', 'admin'));
    assert.ok(m('file', 'index.html', 'file', '/var/www/site/index.html'));
    assert.ok(m('process', '/tmp/.x/upd-agent', 'process', 'upd-agent'));
    assert.ok(
      m(
        'log',
        'Nov 25 sshd[12]: Accepted  password for admin from 10.1.20.11 port 5122',
        'log',
        'Accepted password for admin from 10.1.20.11',
      ),
    );
    assert.ok(!m('log', 'Accepted password for admin', 'log', 'Accepted password for admin from 10.1.20.11'));
  });
});
