"""Start the hall server: `python run.py [--port 5000 …]` is `hoitruong serve`."""
import sys

from server.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
