"""sponsorcheck: is this festival or venue sponsored by a company my pledge rules out?"""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/sponsorcheck/sponsorcheck"
