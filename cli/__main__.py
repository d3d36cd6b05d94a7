"""``python -m cli``: the same as the ``tradesim`` command."""

import sys

from cli import main

sys.exit(main())
