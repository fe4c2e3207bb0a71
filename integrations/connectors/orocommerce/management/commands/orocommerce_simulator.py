from django.core.management.base import BaseCommand, CommandError

from integrations.simulators.orocommerce.cli import (
    DESCRIPTION,
    OptionError,
    add_arguments,
    options_from,
    serve_until_stopped,
)


class Command(BaseCommand):
    help = DESCRIPTION
    # The simulator needs neither the database nor the project's deployment checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        try:
            simulator_options = options_from(options)
        except OptionError as error:
            raise CommandError(str(error)) from error

        def write(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            serve_until_stopped(simulator_options, write)
        except OSError as error:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {error}") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
