"""CSV import of products, prices and stock levels through the admin: preview, errors per row, confirm."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tablib import Dataset

from channels.imports import ProductResource
from channels.models import Channel, InventoryLevel, Product, ProductPrice
from tests.channels.back_office import (
    alice_book,
    books,
    confirm,
    errors_of,
    import_csv,
    main_warehouse,
    message_texts,
    preview,
    retail_eur,
    url,
)

pytestmark = pytest.mark.django_db

PRODUCTS = """sku,name,status,unit,unit_precision,tax_code
BOOK-1,Alice in Wonderland,enabled,item,0,books
BOOK-2,Through the Looking-Glass,disabled,set,0,
KG-1,Loose tea,enabled,kg,3,books
"""


def test_products_preview_lists_new_rows_and_writes_nothing(admin_client):
    books()
    page = preview(admin_client, "product", PRODUCTS)
    assert errors_of(page) == []
    assert [row.import_type for row in page.context["result"].valid_rows()] == ["new", "new", "new"]
    assert "Confirm import" in page.content.decode()
    assert not Product.objects.exists()


def test_confirmed_products_import_writes_them(admin_client):
    books()
    done = import_csv(admin_client, "product", PRODUCTS)
    assert "Import finished: 3 new, 0 updated, 0 deleted and 0 skipped products." in message_texts(done)
    tea = Product.objects.get(sku="KG-1")
    assert (tea.name, tea.unit, tea.unit_precision, tea.tax_code.code) == ("Loose tea", "kg", 3, "books")
    looking_glass = Product.objects.get(sku="BOOK-2")
    assert (looking_glass.status, looking_glass.tax_code) == ("disabled", None)
    # The admin's history says who imported what, as for a record added by hand.
    assert LogEntry.objects.filter(object_repr__startswith="BOOK-1").exists()


def test_the_same_file_twice_changes_nothing_the_second_time(admin_client):
    books()
    import_csv(admin_client, "product", PRODUCTS)
    stamps = dict(Product.objects.values_list("sku", "updated_at"))
    again = preview(admin_client, "product", PRODUCTS)
    assert [row.import_type for row in again.context["result"].valid_rows()] == ["skip", "skip", "skip"]
    done = confirm(admin_client, "product", again)
    assert "Import finished: 0 new, 0 updated, 0 deleted and 3 skipped products." in message_texts(done)
    assert dict(Product.objects.values_list("sku", "updated_at")) == stamps


def test_a_changed_row_updates_the_product_found_by_sku(admin_client):
    books()
    import_csv(admin_client, "product", PRODUCTS)
    page = preview(admin_client, "product", PRODUCTS.replace("Loose tea", "Loose green tea"))
    assert [row.import_type for row in page.context["result"].valid_rows()] == ["skip", "skip", "update"]
    confirm(admin_client, "product", page)
    assert Product.objects.get(sku="KG-1").name == "Loose green tea"
    assert Product.objects.count() == 3


def test_bad_rows_are_listed_with_row_column_and_message_and_nothing_is_written(admin_client):
    books()
    text = """sku,name,status,unit,unit_precision,tax_code
BOOK-1,Alice in Wonderland,enabled,item,0,books
BOOK-2,Through the Looking-Glass,enabled,item,0,magazines
BOOK-3,,active,item,0,books
BOOK-1,Alice again,enabled,item,0,books
"""
    page = preview(admin_client, "product", text)
    errors = errors_of(page)
    assert (2, "tax_code", "No product tax code 'magazines'.") in errors
    assert (3, "name", "This field cannot be blank.") in errors
    assert (3, "status", "Value 'active' is not a valid choice.") in errors
    assert (4, "sku", "Row 1 of this file has the same SKU.") in errors
    assert "confirm_form" not in page.context
    html = page.content.decode()
    assert "No product tax code &#x27;magazines&#x27;." in html
    assert "Nothing of this file was written" in html
    assert not Product.objects.exists()


def test_skip_bad_rows_writes_the_good_rows_and_says_which_were_skipped(admin_client):
    books()
    text = "sku,name,tax_code\nBOOK-1,Alice,books\nBOOK-2,Looking-Glass,magazines\nBOOK-3,Hunting of the Snark,\n"
    page = preview(admin_client, "product", text, skip_bad_rows=True)
    assert (2, "tax_code", "No product tax code 'magazines'.") in errors_of(page)
    assert "1 row has errors and will be skipped" in page.content.decode()
    assert not Product.objects.exists()
    done = confirm(admin_client, "product", page)
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["BOOK-1", "BOOK-3"]
    assert "1 bad row skipped (row 2)." in message_texts(done)


def test_a_forged_confirm_of_a_bad_file_without_skipping_writes_nothing(admin_client):
    books()
    text = "sku,name,tax_code\nBOOK-1,Alice,books\nBOOK-2,Looking-Glass,magazines\n"
    page = preview(admin_client, "product", text, skip_bad_rows=True)
    form = page.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields if name != "skip_bad_rows"}
    admin_client.post(url("product_process_import"), data, follow=True)
    assert not Product.objects.exists()


def test_channels_column_takes_names_and_refuses_unknown_ones(admin_client):
    Channel.objects.create(name="Ann's shop, Paris", channel_type="magento1")
    Channel.objects.create(name="Bob's shop", channel_type="magento1")
    text = "sku,name,channels\nBOOK-1,Alice,\"Ann's shop, Paris|Bob's shop\"\nBOOK-2,Snark,Carol's shop\n"
    page = preview(admin_client, "product", text)
    assert errors_of(page) == [(2, "channels", 'No channel "Carol\'s shop".')]
    import_csv(admin_client, "product", text.splitlines()[0] + "\n" + text.splitlines()[1] + "\n")
    assert sorted(c.name for c in Product.objects.get(sku="BOOK-1").channels.all()) == [
        "Ann's shop, Paris",
        "Bob's shop",
    ]


PRICES = """sku,price_list,unit,quantity,currency,value
BOOK-ALICE,Retail EUR,item,1,EUR,12.50
BOOK-ALICE,Retail EUR,item,10,EUR,11.00
"""


def test_prices_import_and_reimport_is_idempotent_on_the_tier(admin_client):
    alice_book(), retail_eur()
    import_csv(admin_client, "productprice", PRICES)
    assert sorted(ProductPrice.objects.values_list("quantity", "value")) == [
        (Decimal("1"), Decimal("12.5")),
        (Decimal("10"), Decimal("11")),
    ]
    again = preview(admin_client, "productprice", PRICES)
    assert [row.import_type for row in again.context["result"].valid_rows()] == ["skip", "skip"]
    changed = preview(admin_client, "productprice", PRICES.replace("11.00", "10.50"))
    assert [row.import_type for row in changed.context["result"].valid_rows()] == ["skip", "update"]
    confirm(admin_client, "productprice", changed)
    assert ProductPrice.objects.count() == 2
    assert ProductPrice.objects.get(quantity=10).value == Decimal("10.5")


def test_bad_price_rows_say_what_is_wrong(admin_client):
    alice_book(), retail_eur()
    text = """sku,price_list,unit,quantity,currency,value
NO-SUCH-SKU,Retail EUR,item,1,EUR,12.50
BOOK-ALICE,Wholesale,item,1,EUR,12.50
BOOK-ALICE,Retail EUR,item,0,EUR,12.50
BOOK-ALICE,Retail EUR,item,1,USD,12.50
BOOK-ALICE,Retail EUR,item,2,eur,12.50
BOOK-ALICE,Retail EUR,item,3,EUR,-1
BOOK-ALICE,Retail EUR,item,4,EUR,ten
BOOK-ALICE,Retail EUR,item,5,EUR,1
BOOK-ALICE,Retail EUR,item,5.0,EUR,2
BOOK-ALICE,,item,6,EUR,2
"""
    errors = errors_of(preview(admin_client, "productprice", text))
    assert (1, "sku", "No product with SKU 'NO-SUCH-SKU'.") in errors
    assert (2, "price_list", "No price list 'Wholesale'.") in errors
    assert (3, "quantity", "The quantity a price starts at must be more than 0.") in errors
    assert (4, "currency", "The price list is in EUR: its prices must be too, not USD.") in errors
    assert (5, "currency", "'eur' is not a currency code: three capital letters, as in EUR or USD.") in errors
    assert (6, "value", "A price cannot be negative.") in errors
    assert (7, "value", "'ten' is not a number.") in errors
    assert (9, "__all__", "Row 8 of this file has the same price list, SKU, unit, quantity and currency.") in errors
    assert (10, "price_list", "This field cannot be null.") in errors
    assert {number for number, _, _ in errors} == {1, 2, 3, 4, 5, 6, 7, 9, 10}
    assert not ProductPrice.objects.exists()


def test_stock_import_updates_the_level_of_product_and_warehouse(admin_client):
    alice_book(), main_warehouse()
    import_csv(admin_client, "inventorylevel", "sku,warehouse,quantity\nBOOK-ALICE,main,12\n")
    import_csv(admin_client, "inventorylevel", "sku,warehouse,quantity\nBOOK-ALICE,main,7.5\n")
    level = InventoryLevel.objects.get()
    assert level.quantity == Decimal("7.5")
    errors = errors_of(
        preview(admin_client, "inventorylevel", "sku,warehouse,quantity\nBOOK-ALICE,north,1\nBOOK-ALICE,main,-2\n")
    )
    assert errors == [
        (1, "warehouse", "No warehouse with code 'north'."),
        (2, "quantity", "A stock level cannot be negative (0: out of stock)."),
    ]


def test_export_of_a_filtered_list_is_csv_of_the_import_columns(admin_client):
    books()
    import_csv(admin_client, "product", PRODUCTS)
    response = admin_client.post(
        url("product_export") + "?status__exact=enabled",
        {"format": "0", **{f"productresource_{f}": "on" for f in ProductResource.Meta.fields}},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "sku,name,status,unit,unit_precision,tax_code,channels"
    assert lines[1:] == ["BOOK-1,Alice in Wonderland,enabled,item,0,books,", "KG-1,Loose tea,enabled,kg,3,books,"]


def test_stock_export_shows_quantities_without_trailing_zeros(admin_client):
    alice_book(), main_warehouse()
    import_csv(admin_client, "inventorylevel", "sku,warehouse,quantity\nBOOK-ALICE,main,12\n")
    response = admin_client.post(
        url("inventorylevel_export"),
        {"format": "0", **{f"inventorylevelresource_{f}": "on" for f in ("sku", "warehouse", "quantity")}},
    )
    assert response.content.decode().splitlines() == ["sku,warehouse,quantity", "BOOK-ALICE,main,12"]


def test_many_rows_cost_a_few_queries_per_row_not_a_lookup_per_column():
    books()
    Channel.objects.create(name="Ann's shop", channel_type="magento1")
    header = "sku,name,status,unit,unit_precision,tax_code,channels\n"
    rows = "".join(f"SKU-{n},Product {n},enabled,item,0,books,Ann's shop\n" for n in range(200))
    dataset = Dataset().load(header + rows, format="csv")

    with CaptureQueriesContext(connection) as first:
        result = ProductResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Product.objects.filter(channels__name="Ann's shop").count() == 200
    # Per row: a savepoint and its release, the INSERT, the product's channel (INSERT into the join
    # table) and the push signal's one look for the integrations to push it to; the tax codes, the
    # channels and the existing SKUs are read once per file.
    assert len(first) <= 5 * 200 + 10

    with CaptureQueriesContext(connection) as again:
        result = ProductResource().import_data(dataset, dry_run=False)
    assert result.totals["skip"] == 200
    # Unchanged rows: the savepoint and its release, nothing else (an unchanged row is not saved).
    assert len(again) <= 2 * 200 + 10


def test_the_preview_gives_totals_and_the_first_rows_of_a_big_file(admin_client):
    books()
    import_csv(admin_client, "product", "sku,name\nSKU-0,Product 0\nSKU-1,Product 1\n")
    rows = "".join(f"SKU-{n},Product {n}\n" for n in range(600))
    page = preview(admin_client, "product", "sku,name\n" + rows.replace("Product 1\n", "Product one\n"))
    html = page.content.decode()
    assert "598 new, 1 to update, 1 unchanged (skipped)." in html
    assert "The first 500 of 600 rows:" in html
    assert html.count('<td class="import-type">') == 500


def test_a_file_without_its_key_column_says_which_column_is_missing(admin_client):
    page = preview(admin_client, "productprice", "sku,price_list,unit,quantity,value\nBOOK-ALICE,Retail EUR,item,1,9\n")
    assert "currency" in " ".join(str(e.error) for e in page.context["result"].base_errors)
    assert "confirm_form" not in page.context


def test_a_spreadsheet_status_and_stray_spaces_are_read_as_meant(admin_client):
    import_csv(admin_client, "product", "sku,name,status\n  BOOK-1 ,Alice ,Disabled\n")
    book = Product.objects.get()
    assert (book.sku, book.name, book.status) == ("BOOK-1", "Alice", "disabled")
