from django.core.management.base import BaseCommand
from django.db import connection, transaction

from integrations import crypto
from integrations.models import Integration


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEYS (after adding a new key)."

    def handle(self, *args, **options):
        table = Integration._meta.db_table
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT id, api_key FROM {table} WHERE api_key <> ''")
            for pk, token in cursor.fetchall():
                cursor.execute(f"UPDATE {table} SET api_key = %s WHERE id = %s", [crypto.rotate(token), pk])
                count += 1
        self.stdout.write(f"Re-encrypted {count} secret(s) with the newest key.")
