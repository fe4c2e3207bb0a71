"""The abandoned-cart setting on the Magento settings form: in its fieldset, optional, validated."""

import pytest

from integrations.connectors.magento1.connector import Magento1Connector
from integrations.connectors.magento1.forms import Magento1SettingsForm

pytestmark = pytest.mark.django_db

BASE = {
    "api_url": "https://shop.example.com/api/v2_soap/?wsdl=1",
    "api_user": "oro",
    "api_key": "key",
    "mode": "auto",
    "sync_start_date": "2007-01-01",
    "website_id": "-1",
}


def test_the_cart_rule_has_its_fieldset_and_help_text():
    fieldsets = dict(Magento1Connector.settings_fieldsets)
    assert fieldsets["Carts"] == ["cart_lost_after_days"]
    field = Magento1SettingsForm().fields["cart_lost_after_days"]
    assert "0: never" in field.help_text and not field.required


@pytest.mark.parametrize(("given", "kept"), [("", 0), ("0", 0), ("14", 14)])
def test_blank_means_never(given, kept):
    form = Magento1SettingsForm(data={**BASE, "cart_lost_after_days": given})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cart_lost_after_days"] == kept


def test_a_negative_number_of_days_is_refused():
    form = Magento1SettingsForm(data={**BASE, "cart_lost_after_days": "-3"})
    assert not form.is_valid()
    assert "greater than or equal to 0" in str(form.errors["cart_lost_after_days"])
