"""Customers and guests linked to contacts and accounts by a real sync over HTTP; a channel made again
links to the same ones."""

from collections import defaultdict

import pytest

from channels.models import Account, Contact, CreditMemo, Customer, Order
from integrations.models import SyncRun
from integrations.selectors import integration_records
from integrations.services import sync_schedule
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db(transaction=True)

# In the store of 100 customers (seed 3), one person with an account on two websites.
TWO_WEBSITES = "zjackson@web.example.de"


def sync(integration, run_worker) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def contacts_by_email(integration) -> dict[str, set[int]]:
    found = defaultdict(set)
    for email, contact_id in Customer.objects.filter(integration=integration).values_list("email", "contact_id"):
        found[email.lower()].add(contact_id)
    return found


def test_every_customer_and_guest_links_to_one_contact_per_email(magento, run_worker):
    sim = magento(customers=100, orders=400)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)
    customers = Customer.objects.filter(integration=integration)
    assert customers.filter(is_guest=True).exists()
    assert not customers.filter(contact__isnull=True).exists() and not customers.filter(account__isnull=True).exists()
    by_email = contacts_by_email(integration)
    assert all(len(ids) == 1 for ids in by_email.values()), "one contact per email"
    assert Contact.objects.count() == len(by_email) == Account.objects.count()
    two = customers.filter(email__iexact=TWO_WEBSITES)
    assert two.values("website").distinct().count() == 2 and two.values("contact").distinct().count() == 1
    # A guest checking out with a registered email on another website is another customer, the same person.
    registered = {e.lower(): c for e, c in customers.filter(is_guest=False).values_list("email", "contact_id")}
    guests = [(e.lower(), c) for e, c in customers.filter(is_guest=True).values_list("email", "contact_id")]
    shared = [(email, contact) for email, contact in guests if email in registered]
    assert shared, "the store has guests with a registered email"
    assert all(registered[email] == contact for email, contact in shared)
    for contact in Contact.objects.select_related("account"):
        assert contact.account.name in (f"{contact.first_name} {contact.last_name}".strip(), contact.email)
    records = integration_records(integration=integration)
    assert (records["contacts"], records["accounts"]) == (len(by_email), len(by_email))

    again = sync(integration, run_worker)
    assert again.entities.get(entity="customers").updated == 0
    assert Contact.objects.count() == len(by_email) == Account.objects.count()


def test_split_by_full_name_gives_people_sharing_an_email_their_own_contacts(magento, hostile, run_worker):
    sim = magento(customers=100, orders=400)
    proxy = hostile(sim.url)
    # Customer 67 is someone else than customer 90 under the same email: another first name.
    proxy.control.rules(
        {
            "body": "oroCustomerList",
            "replace": [
                {
                    "pattern": r'(?s)(<customer_id xsi:type="xsd:int">67</customer_id>(?:(?!</item>).)*?'
                    r'<firstname xsi:type="xsd:string">)Zo',
                    "with": r"\1Al",
                }
            ],
        }
    )
    integration = magento_integration(url=proxy.url + "/api/v2_soap/?wsdl=1", shared_guest_emails=TWO_WEBSITES)
    sync(integration, run_worker)
    two = Customer.objects.filter(integration=integration, email__iexact=TWO_WEBSITES).select_related("contact")
    assert sorted(c.first_name[:2] for c in two) == ["Al", "Zo"]
    assert len({c.contact_id for c in two}) == 2
    assert {c.contact.first_name[:2] for c in two} == {"Al", "Zo"}
    others = contacts_by_email(integration)
    assert all(len(ids) == 1 for email, ids in others.items() if email != TWO_WEBSITES)


def test_a_channel_made_again_links_to_the_same_contacts_and_accounts(magento, run_worker):
    sim = magento(customers=60, orders=200)
    integration = magento_integration(url=sim.wsdl_url)
    sync(integration, run_worker)
    before = {email: ids.pop() for email, ids in contacts_by_email(integration).items()}
    accounts = dict(Contact.objects.values_list("pk", "account_id"))
    # The channel goes with everything it brought in; contacts and accounts stay.
    CreditMemo.objects.filter(integration=integration).delete()
    Order.objects.filter(integration=integration).delete()
    Customer.objects.filter(integration=integration).delete()
    integration.channel.delete()
    assert Contact.objects.count() == len(before) and Account.objects.count() == len(before)

    again = magento_integration(url=sim.wsdl_url)
    sync(again, run_worker)
    after = {email: ids.pop() for email, ids in contacts_by_email(again).items()}
    assert after == before
    assert Contact.objects.count() == len(before) and Account.objects.count() == len(before), "none duplicated"
    assert dict(Contact.objects.values_list("pk", "account_id")) == accounts
    linked = Customer.objects.filter(integration=again).values_list("contact_id", "account_id")
    assert all(accounts[contact] == account for contact, account in linked)
