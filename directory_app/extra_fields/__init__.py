"""Additional information: fields the Technical Secretariat defines (label in es/en/fr; type text,
yes/no, date or choice) and their values per organisation. See services.py for the API."""
