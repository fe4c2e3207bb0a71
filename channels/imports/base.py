"""What the three CSV resources share: errors by column, the admin's rules, duplicates within a file."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import resources, widgets

from channels.imports.lookups import CodeWidget, KeyedInstanceLoader, NamesWidget, PlainDecimalWidget


class BackOfficeResource(resources.ModelResource):
    """A resource whose rows are saved one by one (post_save fires), validated as the admin validates.

    Subclasses give `rules(instance) -> {field: message}` (channels.validation) and `file_key(instance)`,
    the natural key a file must not repeat (reported on `key_field`, named `key_label`).
    """

    key_field = NON_FIELD_ERRORS
    key_label = "key"
    current_row_number = 0

    # Every decimal column (prices, quantities) read and written as people write numbers.
    WIDGETS_MAP = {**resources.ModelResource.WIDGETS_MAP, "DecimalField": PlainDecimalWidget}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows_by_key: dict[object, int] = {}

    class Meta:
        abstract = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_bulk = False
        instance_loader_class = KeyedInstanceLoader
        use_transactions = True

    def rules(self, instance) -> dict[str, str]:
        return {}

    def file_key(self, instance) -> object:
        raise NotImplementedError

    def lookup_widgets(self):
        return [f.widget for f in self.fields.values() if isinstance(f.widget, CodeWidget | NamesWidget)]

    def before_import(self, dataset, **kwargs):
        # A resource object may run twice (the preview, then the confirmed import): nothing read for
        # one run is trusted in the next.
        self.rows_by_key = {}
        for widget in self.lookup_widgets():
            widget.reset()
        super().before_import(dataset, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        # The library leaves many-to-many columns to after the save, where a bad name would crash the
        # row; checked here, it is an error of its column like any other.
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as e:
                    errors[field.attribute] = [ValidationError(str(e), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # Foreign keys found in the cache exist: no query per row to check it again (an empty one is
        # still checked: "This field cannot be null" costs no query).
        looked_up = [
            f.attribute
            for f in self.fields.values()
            if isinstance(f.widget, CodeWidget) and getattr(instance, f"{f.attribute}_id", None) is not None
        ]
        try:
            # Uniqueness is known without a query per row either: the instance loader found the
            # existing rows by their key, and the file's own repeats are caught below.
            instance.full_clean(exclude=[*errors, *looked_up], validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        for field, message in self.rules(instance).items():
            errors.setdefault(field, []).append(message)
        if not errors:
            first = self.rows_by_key.setdefault(self.file_key(instance), self.current_row_number)
            if first != self.current_row_number:
                errors[self.key_field] = [f"Row {first} of this file has the same {self.key_label}."]
        if errors:
            raise ValidationError(self.by_column(errors))

    def by_column(self, errors: dict) -> dict:
        """Errors keyed by the CSV column the admin sees, not by the model field behind it."""
        columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        return {columns.get(name, name): messages for name, messages in errors.items()}

    def import_row(self, row, instance_loader, **kwargs):
        self.current_row_number = kwargs.get("row_number")
        return super().import_row(row, instance_loader, **kwargs)

    def before_import_row(self, row, **kwargs):
        # Values as the stores key them: the SKU "  A-1 " of a spreadsheet is the SKU "A-1".
        for column, value in row.items():
            if isinstance(value, str):
                row[column] = value.strip()
        super().before_import_row(row, **kwargs)

    # The existing rows of the file, for KeyedInstanceLoader.
    def existing(self, dataset) -> list:
        raise NotImplementedError

    def key_of_row(self, row) -> object:
        raise NotImplementedError

    def key_of_instance(self, instance) -> object:
        raise NotImplementedError

    def many_to_many_fields(self) -> list:
        return [f for f in self.get_import_fields() if isinstance(f.widget, widgets.ManyToManyWidget)]

    def after_init_instance(self, instance, new, row, **kwargs):
        # The many-to-many rows of an existing record, as the instance loader prefetched them, kept
        # where a deepcopy keeps them: the library copies each record before the import (for the
        # diff), and a copied prefetch is read again from the database, one query per row.
        instance._import_is_new = new
        instance._import_m2m = {
            f.attribute: [] if new else list(f.get_value(instance).all()) for f in self.many_to_many_fields()
        }
        super().after_init_instance(instance, new, row, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # The library's rule (skip_unchanged: a row that changes nothing is skipped), reading the
        # many-to-many rows kept above instead of the database.
        if not self._meta.skip_unchanged or import_validation_errors:
            return False
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget):
                current = {r.pk for r in instance._import_m2m.get(field.attribute, [])}
                if field.column_name in row and {r.pk for r in field.clean(row)} != current:
                    return False
            elif field.get_value(instance) != field.get_value(original):
                return False
        return True

    def save_m2m(self, instance, row, **kwargs):
        for field in self.many_to_many_fields():
            if field.column_name not in row:
                continue
            wanted = field.clean(row)
            current = {r.pk for r in instance._import_m2m.get(field.attribute, [])}
            if instance._import_is_new and wanted:
                getattr(instance, field.attribute).add(*wanted)  # one INSERT, where set() reads first
            elif {r.pk for r in wanted} != current:
                getattr(instance, field.attribute).set(wanted)
            instance._import_m2m[field.attribute] = wanted
