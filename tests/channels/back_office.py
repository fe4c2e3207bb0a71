"""Named records of the back office for its tests, and the admin's CSV import steps."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from channels.models import PriceList, Product, ProductTaxCode, Warehouse

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def url(name: str, *args) -> str:
    return reverse(f"admin:channels_{name}", args=args)


def books() -> ProductTaxCode:
    return ProductTaxCode.objects.get_or_create(code="books", defaults={"description": "Printed books"})[0]


def retail_eur() -> PriceList:
    return PriceList.objects.get_or_create(name="Retail EUR", defaults={"currency": "EUR"})[0]


def main_warehouse() -> Warehouse:
    return Warehouse.objects.get_or_create(code="main", defaults={"name": "Main warehouse"})[0]


def alice_book() -> Product:
    return Product.objects.create(sku="BOOK-ALICE", name="Alice in Wonderland", tax_code=books())


def csv_file(text: str, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def preview(client: Client, model: str, text: str, *, skip_bad_rows: bool = False):
    """The import page after uploading `text`: the preview, with its errors and maybe a Confirm form."""
    data = {"format": "0", "import_file": csv_file(text)}
    if skip_bad_rows:
        data["skip_bad_rows"] = "on"
    return client.post(url(f"{model}_import"), data)


def confirm(client: Client, model: str, page) -> object:
    """Post the Confirm form of a preview page, as its button does."""
    form = page.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}
    return client.post(url(f"{model}_process_import"), data, follow=True)


def import_csv(client: Client, model: str, text: str, *, skip_bad_rows: bool = False):
    page = preview(client, model, text, skip_bad_rows=skip_bad_rows)
    assert page.status_code == 200
    assert "confirm_form" in page.context, errors_of(page)
    return confirm(client, model, page)


def errors_of(page) -> list[tuple[int, str, str]]:
    """(row number, column, message) of each bad row of a preview."""
    result = page.context.get("result")
    if result is None:
        return []
    found = []
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            found.extend((row.number, column, str(m)) for m in messages)
    for number, errors in result.row_errors():
        found.extend((number, "", str(e.error)) for e in errors)
    return found


def message_texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
