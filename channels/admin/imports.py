"""The Import / Export buttons of the catalog, price and stock lists (django-import-export), with one
addition: an admin may choose to write a file's good rows and skip its bad ones.

Without that choice the library's rule holds: a file with a bad row writes nothing, and the preview
lists each bad row (its number, the column, the message).
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV
from import_export.forms import ConfirmImportForm, ImportForm

from channels.admin.owned import OwnedModelAdmin

SKIP_HELP = (
    "Write the good rows and leave out the rows with errors (listed in the preview) instead of refusing the file."
)


class SkipBadRowsImportForm(ImportForm):
    skip_bad_rows = forms.BooleanField(label="Skip bad rows", required=False, help_text=SKIP_HELP)


class SkipBadRowsConfirmForm(ConfirmImportForm):
    skip_bad_rows = forms.BooleanField(required=False, widget=forms.HiddenInput())


class CsvImportExportAdmin(ImportExportMixin, OwnedModelAdmin):
    formats = [CSV]
    import_form_class = SkipBadRowsImportForm
    confirm_form_class = SkipBadRowsConfirmForm
    import_template_name = "admin/channels/import.html"
    # The row, as read, next to its message: the admin sees which line of the spreadsheet it is.
    import_error_display = ("message", "row")

    def has_import_permission(self, request: HttpRequest) -> bool:
        # An import creates and updates: both permissions, as the add and change pages ask.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def import_action(self, request: HttpRequest, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form, result = context.get("form"), context.get("result")
        if (
            result is not None
            and "confirm_form" not in context
            and form is not None
            and form.is_valid()
            and form.cleaned_data.get("skip_bad_rows")
            and result.has_validation_errors()
            and not result.has_errors()
            and result.valid_rows()
        ):
            context["confirm_form"] = self.create_confirm_form(request, import_form=form)
            context["skipping_bad_rows"] = True
        return response

    def get_confirm_form_initial(self, request: HttpRequest, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["skip_bad_rows"] = import_form.cleaned_data.get("skip_bad_rows", False)
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        # The confirmed import writes nothing of a file with a bad row unless skipping was chosen
        # (checked again here: the confirm step is a POST anyone can forge).
        if isinstance(form, SkipBadRowsConfirmForm):
            kwargs["rollback_on_validation_errors"] = not form.cleaned_data.get("skip_bad_rows")
        return kwargs

    def add_success_message(self, result, request: HttpRequest) -> None:
        super().add_success_message(result, request)
        if result.invalid_rows:
            numbers = ", ".join(str(row.number) for row in result.invalid_rows[:20])
            more = " ..." if len(result.invalid_rows) > 20 else ""
            count = len(result.invalid_rows)
            rows = "row" if count == 1 else "rows"
            messages.warning(request, f"{count} bad {rows} skipped ({rows} {numbers}{more}).")
