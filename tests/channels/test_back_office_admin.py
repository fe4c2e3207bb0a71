"""The back-office admin pages: products with images, prices and stock; price lists; stock; taxes."""

import hashlib
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from channels.models import (
    Channel,
    CustomerTaxCode,
    InventoryLevel,
    PriceList,
    Product,
    ProductImage,
    ProductPrice,
    TaxJurisdiction,
    TaxRate,
    TaxRule,
    TaxZipCode,
)
from integrations.models import Binding
from tests.channels.back_office import PNG, alice_book, books, main_warehouse, retail_eur, url
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


INLINE_FIELDS = {
    "images": ["is_main", "sort_order"],
    "prices": ["price_list", "unit", "quantity", "currency", "value"],
    "inventory_levels": ["warehouse", "quantity"],
}


def product_form(product: Product | None = None, **fields) -> dict:
    """The POST of a product's page: its fields and its three inlines (images, prices, stock levels)."""
    data = {
        "sku": product.sku if product else "BOOK-SNARK",
        "name": product.name if product else "The Hunting of the Snark",
        "status": "enabled",
        "unit": "item",
        "unit_precision": "0",
        "tax_code": str(books().pk),
    }
    for prefix in ("images", "prices", "inventory_levels"):
        existing = getattr(product, prefix).count() if product else 0
        data |= {f"{prefix}-TOTAL_FORMS": str(existing), f"{prefix}-INITIAL_FORMS": str(existing)}
        for n, row in enumerate(getattr(product, prefix).all() if product else []):
            data[f"{prefix}-{n}-id"] = str(row.pk)
            data[f"{prefix}-{n}-product"] = str(product.pk)
            for name in INLINE_FIELDS[prefix]:
                value = getattr(row, f"{name}_id", None) or getattr(row, name)
                if value not in (None, False):
                    data[f"{prefix}-{n}-{name}"] = "on" if value is True else str(value)
    return data | fields


def with_rows(data: dict, prefix: str, *rows: dict) -> dict:
    """`data` plus new inline rows of `prefix`."""
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for n, row in enumerate(rows, start):
        data |= {f"{prefix}-{n}-{k}": v for k, v in row.items()}
    data[f"{prefix}-TOTAL_FORMS"] = str(start + len(rows))
    return data


def errors_in(response) -> str:
    """Every error message on an admin page that did not save, as one text."""
    assert response.status_code == 200, "the page saved"
    parts = [str(response.context["adminform"].form.errors)]
    for formset in response.context["inline_admin_formsets"]:
        parts += [str(formset.formset.non_form_errors()), *(str(e) for e in formset.formset.errors)]
    return " ".join(parts)


# Products


def test_product_list_shows_the_columns_and_finds_by_sku_or_name(admin_client):
    book = alice_book()
    book.channels.add(Channel.objects.create(name="Ann's shop", channel_type="magento1"))
    Product.objects.create(sku="TEA-1", name="Loose tea", status="disabled")
    page = admin_client.get(url("product_changelist")).content.decode()
    for text in ("BOOK-ALICE", "Alice in Wonderland", "books", "Ann&#x27;s shop", "TEA-1", "All", "Import", "Export"):
        assert text in page
    found = admin_client.get(url("product_changelist"), {"q": "wonderland"})
    assert [p.sku for p in found.context["cl"].result_list] == ["BOOK-ALICE"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "disabled"}, ["TEA-1"]),
        ({"tax_code__id__exact": "TAX"}, ["BOOK-ALICE"]),
        ({"channels__id__exact": "CHANNEL"}, ["BOOK-ALICE"]),
    ],
)
def test_product_filters(admin_client, params, expected):
    book = alice_book()
    shop = Channel.objects.create(name="Ann's shop", channel_type="magento1")
    book.channels.add(shop)
    Product.objects.create(sku="TEA-1", name="Loose tea", status="disabled")
    values = {"TAX": str(book.tax_code_id), "CHANNEL": str(shop.pk)}
    params = {k: values.get(v, v) for k, v in params.items()}
    response = admin_client.get(url("product_changelist"), params)
    assert [p.sku for p in response.context["cl"].result_list] == expected


def test_a_product_is_added_with_a_price_and_a_stock_level(admin_client):
    data = with_rows(
        product_form(), "prices", {"price_list": retail_eur().pk, "unit": "item", "quantity": "1", "value": "9.99"}
    )
    data = with_rows(data, "inventory_levels", {"warehouse": main_warehouse().pk, "quantity": "12"})
    response = admin_client.post(url("product_add"), data)
    assert response.status_code == 302, errors_in(response)
    snark = Product.objects.get(sku="BOOK-SNARK")
    price = snark.prices.get()
    # An empty currency is the price list's.
    assert (price.value, price.currency, price.quantity) == (Decimal("9.99"), "EUR", Decimal("1"))
    assert snark.inventory_levels.get().quantity == Decimal("12")


def test_the_product_page_shows_quantities_without_trailing_zeros(admin_client):
    book = alice_book()
    ProductPrice.objects.create(product=book, price_list=retail_eur(), currency="EUR", quantity=10, value=8)
    InventoryLevel.objects.create(product=book, warehouse=main_warehouse(), quantity=Decimal("12.5"))
    page = admin_client.get(url("product_change", book.pk)).content.decode()
    assert 'name="prices-0-quantity" value="10"' in page
    assert 'name="inventory_levels-0-quantity" value="12.5"' in page


def test_sku_must_be_unique(admin_client):
    alice_book()
    response = admin_client.post(url("product_add"), product_form(sku="BOOK-ALICE"))
    assert "Product with this SKU already exists." in errors_in(response)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"value": "-1"}, "A price cannot be negative."),
        ({"quantity": "0"}, "The quantity a price starts at must be more than 0."),
        ({"currency": "USD"}, "The price list is in EUR: its prices must be too, not USD."),
        ({"currency": "eu"}, "&#x27;eu&#x27; is not a currency code"),
    ],
)
def test_bad_prices_are_refused_with_a_message(admin_client, row, message):
    row = {"price_list": retail_eur().pk, "unit": "item", "quantity": "1", "value": "9.99"} | row
    response = admin_client.post(url("product_add"), with_rows(product_form(), "prices", row))
    assert message in errors_in(response).replace("'", "&#x27;")
    assert not Product.objects.exists()


def test_a_second_price_for_the_same_tier_is_a_form_error_not_a_crash(admin_client):
    book = alice_book()
    ProductPrice.objects.create(product=book, price_list=retail_eur(), currency="EUR", quantity=1, value=8)
    tier = {"price_list": retail_eur().pk, "unit": "item", "quantity": "1", "currency": "EUR", "value": "7"}
    response = admin_client.post(url("product_change", book.pk), with_rows(product_form(book), "prices", tier))
    assert "Please correct the duplicate data for price_list, unit, quantity and currency" in errors_in(response)
    on_the_price_page = admin_client.post(url("productprice_add"), {"product": book.pk, **tier})
    assert "already exists" in str(on_the_price_page.context["adminform"].form.errors)
    assert ProductPrice.objects.count() == 1


def test_a_second_stock_level_in_the_same_warehouse_is_a_form_error(admin_client):
    book = alice_book()
    InventoryLevel.objects.create(product=book, warehouse=main_warehouse(), quantity=3)
    data = with_rows(product_form(book), "inventory_levels", {"warehouse": main_warehouse().pk, "quantity": "4"})
    assert "Please correct the duplicate data for warehouse" in errors_in(
        admin_client.post(url("product_change", book.pk), data)
    )


def test_an_uploaded_image_gets_its_hash_size_type_and_name(admin_client):
    book = alice_book()
    upload = SimpleUploadedFile("cover.png", PNG, content_type="application/octet-stream")
    data = with_rows(product_form(book), "images", {"file": upload, "is_main": "on", "sort_order": "0"})
    response = admin_client.post(url("product_change", book.pk), data)
    assert response.status_code == 302, errors_in(response)
    image = ProductImage.objects.get(product=book)
    assert (image.filename, image.mime_type, image.size) == ("cover.png", "image/png", len(PNG))
    assert image.sha256 == hashlib.sha256(PNG).hexdigest()
    assert image.is_main
    page = admin_client.get(url("product_change", book.pk)).content.decode()
    assert f'<img src="{image.file.url}"' in page
    assert image.sha256 in page
    served = admin_client.get(image.file.url)
    assert (served.status_code, served["Content-Type"]) == (200, "image/png")
    assert b"".join(served.streaming_content) == PNG


def test_an_image_named_as_a_page_is_stored_and_served_as_the_image_it_is(admin_client):
    book = alice_book()
    upload = SimpleUploadedFile("cover.html", PNG + b"<script>alert(1)</script>", content_type="text/html")
    data = with_rows(product_form(book), "images", {"file": upload, "sort_order": "0"})
    admin_client.post(url("product_change", book.pk), data)
    image = ProductImage.objects.get(product=book)
    assert image.file.name.endswith(".png")
    served = admin_client.get(image.file.url)
    assert served["Content-Type"] == "image/png"
    assert "sandbox" in served["Content-Security-Policy"]


def test_a_file_that_is_no_image_is_refused(admin_client):
    book = alice_book()
    upload = SimpleUploadedFile("cover.png", b"%PDF-1.7 not an image", content_type="image/png")
    data = with_rows(product_form(book), "images", {"file": upload, "sort_order": "0"})
    assert "Not a PNG, JPEG, GIF or WebP image" in errors_in(admin_client.post(url("product_change", book.pk), data))
    assert not ProductImage.objects.exists()


def test_two_main_images_are_refused(admin_client):
    book = alice_book()
    rows = [{"file": SimpleUploadedFile(f"{n}.png", PNG), "is_main": "on", "sort_order": str(n)} for n in range(2)]
    data = with_rows(product_form(book), "images", *rows)
    assert "A product has one main image" in errors_in(admin_client.post(url("product_change", book.pk), data))


def test_deleting_an_image_deletes_its_file(admin_client, media_root):
    book = alice_book()
    data = with_rows(product_form(book), "images", {"file": SimpleUploadedFile("cover.png", PNG), "sort_order": "0"})
    admin_client.post(url("product_change", book.pk), data)
    image = ProductImage.objects.get()
    path = media_root / image.file.name
    assert path.exists()
    response = admin_client.post(url("product_change", book.pk), product_form(book, **{"images-0-DELETE": "on"}))
    assert response.status_code == 302, errors_in(response)
    assert not ProductImage.objects.exists()
    assert not path.exists()


def test_media_are_for_staff_only(client, admin_client):
    book = alice_book()
    data = with_rows(product_form(book), "images", {"file": SimpleUploadedFile("cover.png", PNG), "sort_order": "0"})
    admin_client.post(url("product_change", book.pk), data)
    image_url = ProductImage.objects.get().file.url
    anonymous = client.get(image_url)
    assert anonymous.status_code == 302 and reverse("admin:login") in anonymous["Location"]
    client.force_login(User.objects.create_user("customer", password="x", is_staff=False))
    assert client.get(image_url).status_code == 302
    assert admin_client.get("/media/../settings.py").status_code == 400


def test_remote_copies_list_where_the_product_and_its_rows_went(admin_client):
    book = alice_book()
    price = ProductPrice.objects.create(product=book, price_list=retail_eur(), currency="EUR", quantity=1, value=8)
    store = magento_integration("Ann's Oro store", channel_name="Ann's shop")
    for model, local_id, entity, remote_id in [
        (Product, book.pk, "products", "71"),
        (ProductPrice, price.pk, "prices", "9f3c-1"),
    ]:
        Binding.objects.create(
            integration=store,
            entity=entity,
            content_type=ContentType.objects.get_for_model(model),
            local_id=local_id,
            remote_id=remote_id,
        )
    other = Product.objects.create(sku="TEA-1", name="Tea")
    Binding.objects.create(
        integration=store,
        entity="products",
        content_type=ContentType.objects.get_for_model(Product),
        local_id=other.pk,
        remote_id="72",
    )
    page = admin_client.get(url("product_change", book.pk)).content.decode()
    section = page[page.index("Remote copies") :]
    for text in ("Ann&#x27;s Oro store", "Ann&#x27;s shop", "products", "<td>71</td>", "prices", "9f3c-1"):
        assert text in section
    assert "<td>72</td>" not in section
    fresh = admin_client.get(url("product_change", other.pk)).content.decode()
    assert "<td>72</td>" in fresh
    assert "Not in any store yet." in admin_client.get(url("product_change", sylvie_book().pk)).content.decode()


def sylvie_book() -> Product:
    return Product.objects.create(sku="BOOK-SYLVIE", name="Sylvie and Bruno")


# Price lists, prices, stock


def test_price_lists_show_how_many_prices_they_hold_and_take_only_currency_codes(admin_client):
    book = alice_book()
    ProductPrice.objects.create(product=book, price_list=retail_eur(), currency="EUR", quantity=1, value=8)
    ProductPrice.objects.create(product=book, price_list=retail_eur(), currency="EUR", quantity=5, value=7)
    response = admin_client.get(url("pricelist_changelist"))
    assert [pl.price_count for pl in response.context["cl"].result_list] == [2]
    refused = admin_client.post(url("pricelist_add"), {"name": "Wholesale", "currency": "EURO"})
    assert "currency" in refused.context["adminform"].form.errors
    added = admin_client.post(url("pricelist_add"), {"name": "Wholesale", "currency": "usd"})
    assert added.status_code == 302
    assert PriceList.objects.get(name="Wholesale").currency == "USD"


def test_prices_list_filters_by_price_list_and_currency(admin_client):
    book = alice_book()
    usd = PriceList.objects.create(name="Retail USD", currency="USD")
    ProductPrice.objects.create(product=book, price_list=retail_eur(), currency="EUR", quantity=1, value=8)
    ProductPrice.objects.create(product=book, price_list=usd, currency="USD", quantity=1, value=9)
    by_list = admin_client.get(url("productprice_changelist"), {"price_list__id__exact": usd.pk})
    assert [p.currency for p in by_list.context["cl"].result_list] == ["USD"]
    by_currency = admin_client.get(url("productprice_changelist"), {"currency": "EUR"})
    assert [p.currency for p in by_currency.context["cl"].result_list] == ["EUR"]


def test_stock_levels_list_sku_warehouse_and_plain_quantity(admin_client):
    book = alice_book()
    north = main_warehouse().__class__.objects.create(code="north", name="North")
    InventoryLevel.objects.create(product=book, warehouse=main_warehouse(), quantity=Decimal("12.0000"))
    InventoryLevel.objects.create(product=book, warehouse=north, quantity=Decimal("3.5"))
    page = admin_client.get(url("inventorylevel_changelist")).content.decode()
    assert "BOOK-ALICE" in page
    assert '<td class="field-quantity_display">12</td>' in page
    assert '<td class="field-quantity_display">3.5</td>' in page
    by_warehouse = admin_client.get(url("inventorylevel_changelist"), {"warehouse__id__exact": north.pk})
    assert [level.warehouse.code for level in by_warehouse.context["cl"].result_list] == ["north"]


# Taxes


def test_tax_rates_show_as_a_percentage_and_must_be_a_share(admin_client):
    TaxRate.objects.create(code="US-CA-SALES", rate=Decimal("0.0825"))
    assert "8.25 %" in admin_client.get(url("taxrate_changelist")).content.decode()
    refused = admin_client.post(url("taxrate_add"), {"code": "TOO-HIGH", "rate": "8.25"})
    assert "A rate is a share between 0 and 1" in str(refused.context["adminform"].form.errors)


def jurisdiction_form(*zip_rows: dict) -> dict:
    data = {
        "code": "US-CA-LA",
        "description": "Los Angeles",
        "country_code": "us",
        "region_code": "us-ca",
        "zip_codes-TOTAL_FORMS": str(len(zip_rows)),
        "zip_codes-INITIAL_FORMS": "0",
    }
    for n, row in enumerate(zip_rows):
        data |= {f"zip_codes-{n}-{k}": v for k, v in row.items()}
    return data


def test_a_jurisdiction_takes_zip_codes_and_ranges(admin_client):
    response = admin_client.post(
        url("taxjurisdiction_add"),
        jurisdiction_form({"zip_code": "90001"}, {"zip_range_start": "90002", "zip_range_end": "90099"}),
    )
    assert response.status_code == 302
    jurisdiction = TaxJurisdiction.objects.get()
    assert (jurisdiction.country_code, jurisdiction.region_code) == ("US", "US-CA")
    assert sorted(str(z) for z in TaxZipCode.objects.all()) == ["90001", "90002-90099"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"zip_code": "90001", "zip_range_start": "90002", "zip_range_end": "90099"}, "not both"),
        ({"zip_range_start": "90002"}, "A range needs both a start and an end."),
        ({"zip_range_start": "90099", "zip_range_end": "9002"}, "The range ends (9002) before it starts (90099)."),
    ],
)
def test_a_zip_code_is_one_code_or_one_range(admin_client, row, message):
    response = admin_client.post(url("taxjurisdiction_add"), jurisdiction_form(row))
    assert message in errors_in(response)
    assert not TaxJurisdiction.objects.exists()


def test_a_tax_rule_is_unique_for_its_four_references(admin_client):
    customers = CustomerTaxCode.objects.create(code="retail")
    rate = TaxRate.objects.create(code="US-CA-SALES", rate=Decimal("0.0825"))
    where = TaxJurisdiction.objects.create(code="US-CA", country_code="US", region_code="US-CA")
    data = {
        "product_tax_code": books().pk,
        "customer_tax_code": customers.pk,
        "tax_rate": rate.pk,
        "jurisdiction": where.pk,
    }
    assert admin_client.post(url("taxrule_add"), data | {"description": "Books in California"}).status_code == 302
    again = admin_client.post(url("taxrule_add"), data)
    assert "already exists" in str(again.context["adminform"].form.errors)
    assert TaxRule.objects.count() == 1
    assert "Books in California" in admin_client.get(url("taxrule_changelist")).content.decode()


# Permissions


def staff(client, *codenames: str) -> User:
    user = User.objects.create_user("clerk", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="channels", codename__in=codenames))
    client.force_login(user)
    return user


def test_a_staff_user_without_view_product_cannot_see_products(client):
    alice_book()
    staff(client, "view_pricelist")
    assert client.get(url("product_changelist")).status_code == 403
    assert client.get(url("product_import")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "Price lists" in index and "Products" not in index


def test_viewing_products_is_not_importing_them(client):
    alice_book()
    staff(client, "view_product")
    page = client.get(url("product_changelist")).content.decode()
    assert "BOOK-ALICE" in page
    assert url("product_import") not in page
    assert client.get(url("product_import")).status_code == 403
    assert client.post(url("product_process_import"), {}).status_code == 403


def test_the_menu_puts_the_back_office_under_catalog_and_taxes(admin_client):
    apps = admin_client.get(reverse("admin:index")).context["app_list"]
    names = {app["name"]: [m["name"] for m in app["models"]] for app in apps}
    assert names["Catalog & taxes"] == [
        "Customer tax codes",
        "Inventory levels",
        "Price lists",
        "Product prices",
        "Product tax codes",
        "Products",
        "Tax jurisdictions",
        "Tax rates",
        "Tax rules",
        "Warehouses",
    ]
    assert "Channels" in names["Channels and synced records"]
    assert "Products" not in names["Channels and synced records"]
    # The app's own page lists both parts.
    assert admin_client.get(reverse("admin:app_list", args=["channels"])).status_code == 200


@pytest.mark.parametrize(
    ("model", "columns"),
    [
        ("product", "sku, name, status, unit, unit_precision, tax_code, channels"),
        ("productprice", "sku, price_list, unit, quantity, currency, value"),
        ("inventorylevel", "sku, warehouse, quantity"),
    ],
)
def test_each_import_page_names_its_columns_and_offers_to_skip_bad_rows(admin_client, model, columns):
    page = admin_client.get(url(f"{model}_import")).content.decode()
    assert f"<code>{columns}</code>" in page
    assert 'name="skip_bad_rows"' in page


def test_a_price_list_with_prices_keeps_its_currency(admin_client):
    book = alice_book()
    ProductPrice.objects.create(product=book, price_list=retail_eur(), currency="EUR", quantity=1, value=8)
    response = admin_client.post(url("pricelist_change", retail_eur().pk), {"name": "Retail EUR", "currency": "USD"})
    assert "The list has prices in its currency" in str(response.context["adminform"].form.errors)
    assert PriceList.objects.get().currency == "EUR"
