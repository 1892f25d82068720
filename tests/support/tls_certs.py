"""A private CA and a server certificate for localhost, made with the openssl command,
for the TLS tests (tests that import this skip when openssl is missing)."""
import shutil
import subprocess

from ptt_harness import skip

if not shutil.which("openssl"):
    skip("the openssl command (Debian openssl) is not installed")


def make_certs(sb):
    """Writes ca.pem, server.pem and server.key (CN and SAN localhost) into the sandbox."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=sb.root)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=ptt test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(sb.path("ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
