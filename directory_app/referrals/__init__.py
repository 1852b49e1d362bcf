"""The read side that combines consular districts and organisations: who serves a district (the
referral page and its cards), the districts x services coverage matrix, and the nearest search, with
their views. Above both `geography` (which knows no organisation) and `organisations`."""
