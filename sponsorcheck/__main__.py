"""Allow `python -m sponsorcheck`."""

from sponsorcheck.cli import main

if __name__ == "__main__":
    main()
