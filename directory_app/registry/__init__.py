"""Contact registry: each member country's contact persons, kept by the Technical Secretariat."""
