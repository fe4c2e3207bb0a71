"""The back-office rules (channels.validation) and image facts (channels.catalog), on their own."""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from channels import catalog, validation
from tests.channels.back_office import PNG, alice_book

EUR = {"value": Decimal("9.99"), "quantity": Decimal("1"), "currency": "EUR", "price_list_currency": "EUR"}


def test_a_good_price_has_no_errors():
    assert validation.price_errors(**EUR) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": Decimal("-0.01")}, "value"),
        ({"quantity": Decimal("0")}, "quantity"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "eur"}, "currency"),
        ({"currency": "USD"}, "currency"),
    ],
)
def test_a_bad_price_names_its_field(change, field):
    assert list(validation.price_errors(**(EUR | change))) == [field]


def test_a_free_price_is_a_price():
    assert validation.price_errors(**(EUR | {"value": Decimal("0")})) == {}


@pytest.mark.parametrize(
    ("zip_code", "start", "end", "field"),
    [
        ("90001", "", "", None),
        ("", "90001", "90099", None),
        ("", "900", "10001", None),  # numbers compare as numbers, not as text
        ("", "SW1A", "SW1Z", None),
        ("90001", "90001", "90099", "zip_code"),
        ("", "", "", "zip_code"),
        ("", "90001", "", "zip_range_end"),
        ("", "", "90099", "zip_range_start"),
        ("", "90099", "90001", "zip_range_end"),
        ("", "SW1Z", "SW1A", "zip_range_end"),
    ],
)
def test_a_zip_code_or_a_range(zip_code, start, end, field):
    errors = validation.zip_code_errors(zip_code=zip_code, start=start, end=end)
    assert list(errors) == ([field] if field else [])


@pytest.mark.parametrize(
    ("rate", "ok"),
    [
        (Decimal("0"), True),
        (Decimal("0.0825"), True),
        (Decimal("1"), True),
        (Decimal("8.25"), False),
        (Decimal("-0.1"), False),
    ],
)
def test_a_tax_rate_is_a_share(rate, ok):
    assert (validation.tax_rate_errors(rate=rate) == {}) is ok


@pytest.mark.parametrize(
    ("head", "mime_type"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7", None),
        (b"<svg xmlns=", None),
    ],
)
def test_image_types_are_known_by_their_first_bytes(head, mime_type):
    assert catalog.image_mime_type(head) == mime_type


@pytest.mark.django_db
def test_store_image_keeps_the_uploaded_name_and_stores_under_the_real_type(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = catalog.ProductImage(product=alice_book())
    catalog.store_image(image=image, upload=SimpleUploadedFile("Cover Photo.jpeg", PNG))
    image.refresh_from_db()
    assert (image.filename, image.mime_type, image.size) == ("Cover Photo.jpeg", "image/png", len(PNG))
    assert image.sha256 == hashlib.sha256(PNG).hexdigest()
    assert image.file.name.startswith("product-images/") and image.file.name.endswith(".png")
    assert (tmp_path / image.file.name).read_bytes() == PNG
