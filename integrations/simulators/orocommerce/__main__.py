"""`python -m integrations.simulators.orocommerce --port P ...`: the simulator without Django."""

import argparse
import sys

from .cli import DESCRIPTION, OptionError, add_arguments, options_from, serve_until_stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrations.simulators.orocommerce", description=DESCRIPTION)
    add_arguments(parser)
    values = vars(parser.parse_args(argv))
    try:
        options = options_from(values)
        serve_until_stopped(options, lambda line: print(line, flush=True))
    except OptionError as error:
        parser.error(str(error))
    except OSError as error:
        print(f"cannot listen on {values['host']}:{values['port']}: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
