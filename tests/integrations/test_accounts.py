"""Customers linked to back-office contacts and accounts (channels.accounts), against the database."""

import io
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections

from channels.accounts import link_customers
from channels.models import Account, Contact, Customer
from integrations.connectors.magento1.contacts import link_unlinked
from tests.factories import magento_integration


def customer(integration, number, email, first="", last="", guest=False):
    return Customer.objects.create(
        integration=integration,
        remote_id=None if guest else str(number),
        guest_key=f"guest-{number}" if guest else None,
        is_guest=guest,
        email=email,
        first_name=first,
        last_name=last,
    )


@pytest.mark.django_db
def test_one_person_on_two_websites_is_one_contact_and_account():
    shop = magento_integration()
    ann = customer(shop, 1, "Ann.Lee@example.com", "Ann", "Lee")
    again = customer(shop, 2, "ann.lee@EXAMPLE.com", "Ann", "Lee")
    assert link_customers(customer_pks=[ann.pk, again.pk], split_by_name=set()) == 2
    ann.refresh_from_db()
    again.refresh_from_db()
    assert ann.contact_id == again.contact_id and ann.account_id == again.account_id
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.last_name) == ("Ann.Lee@example.com", "Ann", "Lee")
    assert contact.account.name == "Ann Lee" and contact.account == ann.account


@pytest.mark.django_db
def test_people_sharing_a_listed_email_are_told_apart_by_name():
    shop = magento_integration()
    ann = customer(shop, 1, "family@example.com", "Ann", "Lee", guest=True)
    tom = customer(shop, 2, "family@example.com", "Tom", "Lee", guest=True)
    ann_again = customer(shop, 3, "FAMILY@example.com", "ann", "LEE")
    link_customers(customer_pks=[ann.pk, tom.pk, ann_again.pk], split_by_name={"family@example.com"})
    contacts = dict(Customer.objects.values_list("pk", "contact_id"))
    assert contacts[ann.pk] == contacts[ann_again.pk] != contacts[tom.pk]
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Ann Lee", "Tom Lee"]


@pytest.mark.django_db
def test_a_customer_without_email_or_name_gets_a_contact_and_account_of_its_own():
    shop = magento_integration()
    nobody = customer(shop, 1, "")
    other = customer(shop, 2, "")
    named = customer(shop, 3, "", "Kim", "Ode")
    link_customers(customer_pks=[nobody.pk, other.pk, named.pk], split_by_name=set())
    assert Contact.objects.count() == 3 and Account.objects.count() == 3
    assert Account.objects.filter(name="Kim Ode").exists()
    assert Account.objects.filter(name__startswith="Contact ").count() == 2


@pytest.mark.django_db
def test_an_account_is_named_after_the_email_without_a_name_and_owned_by_the_default_owner():
    owner = get_user_model().objects.create_user("owner")
    shop = magento_integration()
    bob = customer(shop, 1, "bob@example.com")
    link_customers(customer_pks=[bob.pk], split_by_name=set(), owner_id=owner.pk)
    account = Account.objects.get()
    assert (account.name, account.owner) == ("bob@example.com", owner)


@pytest.mark.django_db
def test_linked_customers_stay_linked_and_a_new_one_joins_the_known_contact():
    shop = magento_integration()
    first = customer(shop, 1, "cy@example.com", "Cy", "Bo")
    link_customers(customer_pks=[first.pk], split_by_name=set())
    assert link_customers(customer_pks=[first.pk], split_by_name=set()) == 0
    later = customer(shop, 2, "CY@example.com", "Cyril", "Bo")
    link_customers(customer_pks=[later.pk], split_by_name=set())
    later.refresh_from_db()
    first.refresh_from_db()
    assert later.contact == first.contact and Contact.objects.count() == Account.objects.count() == 1


@pytest.mark.django_db
def test_a_page_of_customers_is_linked_in_a_few_queries(django_assert_max_num_queries):
    shop = magento_integration()
    pks = [customer(shop, n, f"person{n % 60}@example.com", f"P{n}", "Q").pk for n in range(200)]
    with django_assert_max_num_queries(10):
        assert link_customers(customer_pks=pks, split_by_name=set()) == 200
    assert Contact.objects.count() == Account.objects.count() == 60


@pytest.mark.django_db(transaction=True)
def test_two_workers_linking_the_same_new_emails_at_once_make_one_contact_each():
    shop = magento_integration()
    emails = [f"race{n}@example.com" for n in range(30)]
    left = [customer(shop, n, e).pk for n, e in enumerate(emails)]
    right = [customer(shop, 100 + n, e.upper()).pk for n, e in enumerate(reversed(emails))]
    start = threading.Barrier(2)
    errors = []

    def link(pks):
        try:
            start.wait(timeout=10)
            link_customers(customer_pks=pks, split_by_name=set())
        except Exception as exc:  # reported below: a thread's exception would be lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=link, args=(pks,)) for pks in (left, right)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Contact.objects.count() == 30
    assert Account.objects.count() == 30, "no account is made for a contact that another worker made"
    assert not Customer.objects.filter(contact__isnull=True).exists()
    pairs = Customer.objects.values_list("email", "contact_id")
    by_email = {}
    for email, contact_id in pairs:
        by_email.setdefault(email.lower(), set()).add(contact_id)
    assert all(len(ids) == 1 for ids in by_email.values())


@pytest.mark.django_db
def test_customers_synced_before_contacts_existed_are_linked_by_the_command():
    shop = magento_integration(shared_guest_emails="family@example.com")
    old = [customer(shop, n, f"old{n % 3}@example.com", "Old", str(n)) for n in range(7)]
    family = [customer(shop, 10 + n, "family@example.com", name, "Lee") for n, name in enumerate(["Ann", "Tom"])]
    out = io.StringIO()
    call_command("magento_link_contacts", str(shop.pk), stdout=out)
    assert out.getvalue().strip() == "9 customer(s) linked"
    assert not Customer.objects.filter(contact__isnull=True).exists()
    assert Contact.objects.count() == 3 + 2
    assert len({c.contact_id for c in Customer.objects.filter(pk__in=[f.pk for f in family])}) == 2
    assert len({c.contact_id for c in Customer.objects.filter(pk__in=[o.pk for o in old])}) == 3
    call_command("magento_link_contacts", str(shop.pk), stdout=out)
    assert out.getvalue().strip().endswith("0 customer(s) linked")


@pytest.mark.django_db
def test_unlinked_customers_are_linked_a_batch_at_a_time(django_assert_max_num_queries):
    shop = magento_integration()
    for n in range(40):
        customer(shop, n, f"p{n}@example.com")
    with django_assert_max_num_queries(30):  # two batches of a few queries each, not a few per customer
        assert link_unlinked(shop, batch_size=20) == 40
    assert not Customer.objects.filter(contact__isnull=True).exists()
