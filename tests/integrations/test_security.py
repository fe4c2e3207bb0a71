"""Secrets stay secret, and a store's WSDL cannot make oroint read other documents."""

import logging

import pytest

from integrations.models import ConnectionCheck, SyncRun
from integrations.services import integration_check_connection, sync_execute
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "very-s3cret-api-key-value"


def test_a_wsdl_with_entities_is_refused(http_server, tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("root:x:0:0")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY leak SYSTEM "file://{secret_file}">]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="&leak;" targetNamespace="urn:Magento"/>""".encode()
    result = integration_check_connection(integration=magento_integration(url=http_server(body, "text/xml")))
    assert not result.ok
    assert "root:x" not in result.message


def test_a_wsdl_importing_another_document_is_refused(http_server):
    body = b"""<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:Magento">
  <import namespace="urn:x" location="http://169.254.169.254/latest/meta-data/"/>
</definitions>"""
    result = integration_check_connection(integration=magento_integration(url=http_server(body, "text/xml")))
    assert not result.ok
    assert "Refused to load the WSDL" in result.message


def test_the_key_is_never_logged_nor_in_run_messages(magento, rq, caplog):
    caplog.set_level(logging.DEBUG)
    sim = magento(customers=5, orders=10)
    bad = magento_integration("Bad", url=sim.wsdl_url, api_key=SECRET)
    check = ConnectionCheck.objects.create(integration=bad)
    integration_check_connection(integration=bad, check=check)
    run = SyncRun.objects.create(integration=bad)
    run = sync_execute(run_id=run.pk)
    assert run.status == SyncRun.Status.FAILED and "Access denied" in run.message
    check.refresh_from_db()
    texts = [caplog.text, run.message, run.log, check.message, str(check.details), repr(bad)]
    assert all(SECRET not in text for text in texts)
