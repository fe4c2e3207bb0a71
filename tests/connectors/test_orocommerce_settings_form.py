"""The OroCommerce settings: the form (two ways to sign in, secrets kept when left blank and asked again
when the URL moves, the store's choices once checked), integration_create, and pages without secrets."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from channels.models import PriceList, Warehouse
from integrations.connectors.orocommerce.connector import OroCommerceConnector
from integrations.connectors.orocommerce.forms import NOT_CHECKED, OroCommerceSettingsForm
from integrations.connectors.orocommerce.models import OroCommerceSettings
from integrations.models import Integration
from integrations.services import integration_create

pytestmark = pytest.mark.django_db

WSSE = {"admin_url": "https://shop.example.com/admin", "auth_method": "wsse", "api_user": "api", "api_key": "k3y"}
CHOICES = {
    "warehouses": [{"id": "1", "label": "Main"}, {"id": "2", "label": "East"}],
    "business_units": [{"id": "1", "label": "Main"}],
    "product_units": [{"id": "item", "label": "item"}, {"id": "kg", "label": "kg"}],
    "customer_tax_codes": [{"id": "3", "label": "NON_EXEMPT"}],
    "price_lists": [{"id": "1", "label": "Default Price List"}],
    "product_families": [{"id": "1", "label": "default_family"}],
}


def oro_integration(**values) -> Integration:
    return integration_create(
        name=values.pop("name", "Oro store"), integration_type="orocommerce", settings_values={**WSSE, **values}
    )


def form_for(integration: Integration | None, data: dict) -> OroCommerceSettingsForm:
    # Read again: a form validated before changed its instance in memory, as a saved page would not.
    instance = OroCommerceSettings.objects.get(pk=integration.pk) if integration else None
    return OroCommerceSettingsForm(data=data, instance=instance)


def test_a_new_wsse_integration_needs_user_and_key():
    form = form_for(None, {**WSSE, "api_key": ""})
    assert not form.is_valid()
    assert "API key" in str(form.errors["api_key"])
    assert form_for(None, WSSE).is_valid(), form_for(None, WSSE).errors


def test_oauth_needs_client_id_and_secret_and_drops_the_wsse_key():
    data = {**WSSE, "auth_method": "oauth2", "client_id": "cid", "client_secret": ""}
    form = form_for(None, data)
    assert not form.is_valid() and "client secret" in str(form.errors["client_secret"])
    form = form_for(None, {**data, "client_secret": "s3cret"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["api_key"] == ""


def test_a_blank_secret_keeps_the_stored_one():
    integration = oro_integration()
    form = form_for(integration, {**WSSE, "api_key": "", "currency": "usd"})
    assert form.is_valid(), form.errors
    form.save()
    found = OroCommerceSettings.objects.get(pk=integration.pk)
    assert found.api_key == "k3y" and found.currency == "USD"


def test_moving_the_url_elsewhere_asks_for_the_key_again():
    integration = oro_integration()
    form = form_for(integration, {**WSSE, "admin_url": "https://evil.example.net/admin", "api_key": ""})
    assert not form.is_valid()
    assert "evil.example.net" in str(form.errors["api_key"])
    same_origin = form_for(integration, {**WSSE, "admin_url": "https://shop.example.com/store/admin", "api_key": ""})
    assert same_origin.is_valid(), same_origin.errors


def test_choices_are_empty_until_check_connection_fills_them():
    integration = oro_integration()
    form = OroCommerceSettingsForm(instance=integration.settings)
    assert form.fields["warehouse"].help_text == NOT_CHECKED
    assert [v for v, _ in form.fields["warehouse"].choices] == [""]
    OroCommerceSettings.objects.filter(pk=integration.pk).update(found_choices=CHOICES)
    integration.refresh_from_db()
    form = OroCommerceSettingsForm(instance=integration.settings)
    assert form.fields["warehouse"].choices == [("", "---------"), ("1", "Main"), ("2", "East")]
    assert form.fields["product_unit"].choices[1:] == [("item", "item"), ("kg", "kg")]


def test_a_chosen_store_record_keeps_its_label_and_a_stranger_is_refused():
    integration = oro_integration()
    OroCommerceSettings.objects.filter(pk=integration.pk).update(found_choices=CHOICES)
    integration.refresh_from_db()
    form = form_for(integration, {**WSSE, "warehouse": "2", "price_list": "1"})
    assert form.is_valid(), form.errors
    form.save()
    found = OroCommerceSettings.objects.get(pk=integration.pk)
    assert (found.warehouse, found.warehouse_label) == ("2", "East")
    assert (found.price_list, found.price_list_label) == ("1", "Default Price List")
    assert not form_for(integration, {**WSSE, "warehouse": "99"}).is_valid()


def test_local_price_list_and_warehouse_say_what_empty_means():
    form = OroCommerceSettingsForm()
    assert "not pushed" in form.fields["local_price_list"].empty_label
    assert "sum over all warehouses" in form.fields["local_warehouse"].empty_label
    prices = PriceList.objects.create(name="Retail", currency="USD")
    stock = Warehouse.objects.create(code="main", name="Main")
    form = form_for(None, {**WSSE, "local_price_list": prices.pk, "local_warehouse": stock.pk})
    assert form.is_valid(), form.errors


def test_a_bad_currency_is_refused():
    assert not form_for(None, {**WSSE, "currency": "EURO"}).is_valid()


def test_integration_create_command_wsse_and_oauth():
    out = io.StringIO()
    call_command(
        "integration_create",
        "orocommerce",
        "--name",
        "Oro WSSE",
        "--url",
        "http://127.0.0.1:9/admin",
        "--api-user",
        "api",
        "--api-key",
        "k3y",
        "--currency",
        "eur",
        stdout=out,
    )
    found = Integration.objects.get(pk=int(out.getvalue())).settings
    assert (found.auth_method, found.api_user, found.api_key, found.currency) == ("wsse", "api", "k3y", "EUR")
    out = io.StringIO()
    call_command(
        "integration_create",
        "orocommerce",
        "--name",
        "Oro OAuth",
        "--url",
        "http://127.0.0.1:9/admin",
        "--oauth-client-id",
        "cid",
        "--oauth-client-secret",
        "s3cret",
        stdout=out,
    )
    found = Integration.objects.get(pk=int(out.getvalue())).settings
    assert (found.auth_method, found.client_id, found.client_secret, found.api_key) == ("oauth2", "cid", "s3cret", "")


def test_secrets_are_encrypted_and_never_described_nor_rendered(admin_client):
    integration = oro_integration(api_key="very-s3cret-key")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key FROM orocommerce_orocommercesettings WHERE integration_id = %s", [integration.pk]
        )
        stored = cursor.fetchone()[0]
    assert "very-s3cret-key" not in stored
    described = OroCommerceConnector.describe_settings(integration)
    assert "very-s3cret-key" not in str(described) and described["api_url"] == "https://shop.example.com/admin/api"
    page = admin_client.get(f"/admin/integrations/integration/{integration.pk}/change/")
    assert page.status_code == 200
    assert b"very-s3cret-key" not in page.content and stored.encode() not in page.content
    assert NOT_CHECKED.encode() in page.content
    out = io.StringIO()
    call_command("integration_status", str(integration.pk), stdout=out)
    assert "very-s3cret-key" not in out.getvalue()
    assert "pushed" in out.getvalue()
