from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from integrations import crypto
from integrations.fields import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEYS (after adding a new key)."

    def handle(self, *args, **options):
        count = 0
        unreadable = []
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for model in apps.get_models():
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                for field in model._meta.concrete_fields:
                    if not isinstance(field, EncryptedTextField):
                        continue
                    column = quote(field.column)
                    # Raw SQL: the field would decrypt on read; the ciphertext itself is re-encrypted.
                    cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''")
                    for key, token in cursor.fetchall():
                        try:
                            rotated = crypto.rotate(token)
                        except crypto.SecretDecryptionError:
                            # Left as it is: re-encrypting is impossible, and the old key may come back.
                            unreadable.append(f"{model._meta.label} {key} {field.name}")
                            continue
                        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", [rotated, key])
                        count += 1
        self.stdout.write(f"Re-encrypted {count} secret(s) with the newest key.")
        if unreadable:
            self.stderr.write(
                f"{len(unreadable)} secret(s) no key decrypts, left unchanged: {', '.join(unreadable)}. "
                f"To read them, {crypto.UNREADABLE_HINT}."
            )
