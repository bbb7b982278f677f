"""The ``rtrack`` console script; the command line itself is implemented in Rust."""

import sys

from . import _core


def main() -> None:
    try:
        code = _core._cli(sys.argv[1:])
    except KeyboardInterrupt:
        # Ctrl-C already stopped the server cleanly inside Rust; Python only noticed late.
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    main()
