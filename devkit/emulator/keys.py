"""Key material for tests and HTTPS: RSA key pairs for the JWT grant, a self-signed server certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def generate_rsa_keypair(bits: int = 2048, fmt: Literal["pkcs8", "pkcs1"] = "pkcs8") -> tuple[bytes, bytes]:
    """Return (private key PEM, public key PEM).

    `fmt="pkcs1"` gives `BEGIN RSA PRIVATE KEY`, the form DocuSign's console hands out;
    `pkcs8` gives `BEGIN PRIVATE KEY`. A collector must accept both.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_format = (
        serialization.PrivateFormat.TraditionalOpenSSL if fmt == "pkcs1" else serialization.PrivateFormat.PKCS8
    )
    private_pem = key.private_bytes(serialization.Encoding.PEM, private_format, serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def generate_self_signed_cert(
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost"), days: int = 30
) -> tuple[bytes, bytes]:
    """Return (certificate PEM, private key PEM) valid for the given IPs and DNS names."""
    # EC keys are generated in microseconds; RSA would slow every HTTPS test start.
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
