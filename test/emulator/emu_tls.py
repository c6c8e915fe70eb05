"""The emulator's throw-away CA and server certificates (openssl CLI)."""

import os
import ssl
import subprocess
import time



# TLS material

OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_srv]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = %s
"""


def _openssl(args, cwd):
    r = subprocess.run(["openssl"] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace")))


def make_tls(d):
    tls = os.path.join(d, "tls")
    os.makedirs(tls, exist_ok=True)
    os.chmod(tls, 0o755)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def cnf(name, san):
        path = os.path.join(tls, name + ".cnf")
        with open(path, "w") as f:
            f.write(OPENSSL_CNF % san)
        return path

    def ca(name, cn):
        c = cnf(name, "IP:127.0.0.1")
        _openssl(["req", "-x509", "-new"] + ec + ["-keyout", name + ".key", "-out", name + ".pem",
                                                  "-days", "3650", "-config", c, "-extensions", "v3_ca",
                                                  "-subj", "/O=azbilling_fdw tests/CN=" + cn], tls)

    def leaf(name, ca_name, san, cn, serial):
        c = cnf(name, san)
        _openssl(["req", "-new"] + ec + ["-keyout", name + ".key", "-out", name + ".csr", "-config", c,
                                         "-subj", "/O=azbilling_fdw tests/CN=" + cn], tls)
        _openssl(["x509", "-req", "-in", name + ".csr", "-CA", ca_name + ".pem", "-CAkey", ca_name + ".key",
                  "-set_serial", str(serial), "-out", name + ".pem", "-days", "825",
                  "-extfile", c, "-extensions", "v3_srv"], tls)

    ca("ca", "azbilling emulator test CA")
    ca("wrong-ca", "azbilling emulator UNRELATED CA")
    serial = int(time.time() * 1000) % 10 ** 12
    leaf("main", "ca", "IP:127.0.0.1,DNS:localhost", "127.0.0.1", serial + 1)
    leaf("other", "ca", "IP:127.0.0.2", "127.0.0.2", serial + 2)
    leaf("wrong", "wrong-ca", "IP:127.0.0.1,DNS:localhost", "127.0.0.1", serial + 3)
    for f in os.listdir(tls):
        os.chmod(os.path.join(tls, f), 0o600 if f.endswith(".key") else 0o644)
    for name in ("ca", "wrong-ca"):
        with open(os.path.join(tls, name + ".pem"), "rb") as src:
            data = src.read()
        dst = os.path.join(d, name + ".pem")
        with open(dst, "wb") as f:
            f.write(data)
        os.chmod(dst, 0o644)

    def ctx(name):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        c.load_cert_chain(os.path.join(tls, name + ".pem"), os.path.join(tls, name + ".key"))
        try:
            c.set_alpn_protocols(["http/1.1"])
        except NotImplementedError:
            pass
        return c

    return ctx("main"), ctx("other"), ctx("wrong")
