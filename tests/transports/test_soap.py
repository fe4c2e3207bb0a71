"""The SOAP transport on the shared HTTP layer, against the Magento simulator behind a hostile proxy."""

from __future__ import annotations

import datetime
import ipaddress
import re
import ssl
import time

import pytest

from integrations.connectors.magento1.transport import MagentoSoapClient
from integrations.engine.errors import NotSupported, RemoteError, RemoteTimeout
from integrations.simulators.hostile.proxy import HostileProxy, RunningProxy


def soap(url: str, sim, **options) -> MagentoSoapClient:
    return MagentoSoapClient(
        **{"wsdl_url": url, "api_user": sim.api_user, "api_key": sim.api_key, "retry_delays": (0, 0), **options}
    )


def wsdl_of(proxy) -> str:
    return f"{proxy.url}/api/v2_soap/?wsdl=1"


def test_a_wsdl_and_an_answer_cut_mid_way_are_retried(magento, hostile):
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({"cut_after": 100, "times": 2}, {"body": "storeList", "cut_after": 100, "times": 1})
    lines: list[str] = []
    client = soap(wsdl_of(proxy), sim, log=lines.append)
    assert client.call("storeList")
    assert [line.split(":")[0] for line in lines] == ["loading the WSDL", "loading the WSDL", "storeList"]
    assert all("cut the connection" in line and "retrying" in line for line in lines)


def test_an_endless_wsdl_stops_at_the_size_cap(magento, hostile):
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({"path": "wsdl", "endless": True})
    started = time.monotonic()
    with pytest.raises(RemoteError, match="answered the WSDL request with more than 1 MB"):
        soap(wsdl_of(proxy), sim, max_response_bytes=1024 * 1024).login()
    assert time.monotonic() - started < 10


def test_an_endless_answer_stops_at_the_size_cap(magento, hostile):
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({"body": "storeList", "endless": True})
    client = soap(wsdl_of(proxy), sim, max_response_bytes=1024 * 1024)
    with pytest.raises(RemoteError, match="answered storeList with more than 1 MB"):
        client.call("storeList")
    assert client.call("customerGroupList"), "the next call works"


@pytest.mark.parametrize(("rule", "what"), [({"path": "wsdl"}, "the WSDL request"), ({"body": "login"}, "login")])
def test_a_dripping_store_ends_at_the_call_deadline(magento, hostile, rule, what):
    sim = magento(customers=5, orders=5)
    proxy = hostile(sim.url)
    proxy.control.rules({**rule, "drip": 0.05})  # one byte every 50 ms: each well within the read timeouts
    started = time.monotonic()
    with pytest.raises(RemoteTimeout, match=f"did not finish answering {what} within 1 s"):
        soap(wsdl_of(proxy), sim, deadline=1, retry_delays=()).login()
    assert time.monotonic() - started < 4


def test_a_service_address_on_another_host_is_refused(magento, hostile):
    sim = magento(customers=5, orders=5)
    store, elsewhere = hostile(sim.url), hostile(sim.url)
    address = re.escape(store.url) + "/api.php"
    store.control.rules({"path": "wsdl", "replace": [{"pattern": address, "with": f"{elsewhere.url}/api.php"}]})
    with pytest.raises(NotSupported) as caught:
        soap(wsdl_of(store), sim).login()
    message = str(caught.value)
    assert f"The WSDL at {store.url.removeprefix('http://')} sends its calls to {elsewhere.url}" in message
    assert "enter it as SOAP API host" in message
    assert elsewhere.control.seen() == []
    named = soap(wsdl_of(store), sim, api_origins=[elsewhere.url])
    assert named.login(), "a host the settings name is called"
    assert "login" in elsewhere.control.seen()[0]["body"]


@pytest.fixture
def tls(tmp_path):
    """A certificate for 127.0.0.1 that this test run trusts (REQUESTS_CA_BUNDLE)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def test_an_https_wsdl_naming_an_http_address_is_called_over_https(magento, tls, monkeypatch):
    """As real stores do: http://HOST/api.php in a WSDL fetched over https. The key never goes over http."""
    context, cert_file = tls
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    sim = magento(customers=5, orders=5)
    server = HostileProxy(("127.0.0.1", 0), sim.url)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    proxy = RunningProxy(server)  # its answers name http://127.0.0.1:PORT, the port it serves https on
    try:
        https_wsdl = f"https://127.0.0.1:{server.server_address[1]}/api/v2_soap/?wsdl=1"
        client = soap(https_wsdl, sim)
        assert client.login()
        ports = [port for service in client.client.wsdl.services.values() for port in service.ports.values()]
        assert all(port.binding_options["address"].startswith("https://") for port in ports)
        assert [r["method"] for r in server.seen] == ["GET", "POST"]
    finally:
        proxy.stop()


def test_a_wsdl_read_from_a_file_is_trusted_with_its_addresses(magento, tmp_path):
    import urllib.request

    sim = magento(customers=5, orders=5)
    saved = tmp_path / "store.wsdl"
    with urllib.request.urlopen(sim.wsdl_url, timeout=10) as answer:
        saved.write_bytes(answer.read())
    assert soap(str(saved), sim).login()
